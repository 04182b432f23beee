#pragma once
// `dsmath data synth`: the whole small math world of the quickstart, written as the files
// every stage reads (docs/synth.md):
//   web.jsonl            {"url", "text"}             crawl pages for corpus selection
//   web_labels.jsonl     {"url", "math", "copy_of", "copy_kind"}   the truth about each page
//   seed_math.jsonl      {"url", "text"}             classifier seed positives
//   pretrain_extra.jsonl {"text"}                    general text for the pretraining mix
//   sft.jsonl            {"messages": [user, assistant]}           chat SFT
//   rl.jsonl             {"question", "answer"}      GRPO prompts with the rule reward's gold
//   heldout.jsonl        {"question", "answer"}      GSM8K format, "... #### N"
//   prompts.json         few-shot prompt file (eval prompt.few_shot_file) with Q/A exemplars
// The same seed gives the same bytes on every machine (core/rng.hpp; no floating point or
// hash-order dependence in the output).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "synth/web_pages.hpp"
#include "synth/word_problem.hpp"

namespace dsmath::synth {

// The user turn of an SFT example is the question with the instruction DeepSeekMath's
// instruct evaluation appends (eval/prompt_format.hpp kInstructTemplate), so SFT trains on
// exactly the prompts `dsmath eval` shows a chat model.
inline constexpr std::string_view kInstructInstruction =
    "\nPlease reason step by step, and put your final answer within \\boxed{}.";

struct SynthSpec {
  uint64_t seed = 1;
  ProblemLimits limits;
  size_t sft_problems = 4000;
  size_t rl_problems = 1000;
  size_t heldout_problems = 300;
  WebSpec web;
  size_t seed_pages = 500;
  size_t extra_documents = 300;
  void validate() const;
};

struct SynthFileSummary {
  std::string file;     // name inside the output directory
  uint64_t records = 0;
  uint64_t bytes = 0;
  std::string detail;   // "1-step 1333, 2-step 1334, 3-step 1333; answers 2-998"
};

// The JSON records of each file, exposed for tests and for callers that want them in memory.
Json sft_record(const WordProblem& p);
Json rl_record(const WordProblem& p);
Json heldout_record(const WordProblem& p);

// Writes every file into `out_dir` (created if needed), each atomically.
std::vector<SynthFileSummary> write_synth_dataset(const SynthSpec& spec, const std::filesystem::path& out_dir);

}  // namespace dsmath::synth
