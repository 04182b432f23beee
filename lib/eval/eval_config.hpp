#pragma once
// Config of one benchmark evaluation (configs/eval/*.yaml). Defaults are the paper's MATH
// setup for base models: 4-shot Minerva prompt, greedy decoding, pass@1 (DeepSeekMath section
// 5.1). Relative paths are relative to the working directory (run from the repository root,
// where ../shared/data holds the benchmark files).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "core/error.hpp"
#include "eval/answer_extraction.hpp"
#include "eval/benchmark.hpp"
#include "eval/prompt_format.hpp"

namespace dsmath::eval {

enum class PromptKind { few_shot, chat };

struct PromptConfig {
  PromptKind kind = PromptKind::few_shot;
  std::string few_shot_file = "../shared/data/fewshot/deepseek_math_fewshot_prompts.json";
  std::string few_shot_key = "cot_minerva_math_4_shot";
  std::string chat_template = std::string(kInstructTemplate);
  std::vector<std::string> extra_stop_words;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("kind", kind, "few_shot: exemplars + template from few_shot_file; chat: zero-shot chat_template");
    v("few_shot_file", few_shot_file, "JSON of DeepSeek-Math's few-shot prompts (shared/data/fewshot)");
    v("few_shot_key", few_shot_key, "entry of few_shot_file: cot_gsm_8_shot, cot_minerva_math_4_shot, ...",
      Check().nonempty());
    v("chat_template", chat_template, "zero-shot prompt; {question} is replaced by the problem",
      Check().nonempty());
    v("extra_stop_words", extra_stop_words, "stop strings added to the format's own");
  }
};

// What the generation side needs to sample completions. Eval itself only reads n_samples.
struct EvalGeneration {
  int n_samples = 1;          // completions per problem (64 for maj@64)
  double temperature = 0.0;   // 0 = greedy
  double top_p = 1.0;
  int max_new_tokens = 1024;  // DeepSeek-Math's vLLM evaluation: max_tokens=1024
  uint64_t seed = 0;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("n_samples", n_samples, "completions per problem", Check().at_least(1));
    v("temperature", temperature, "sampling temperature; 0 is greedy decoding", Check().at_least(0));
    v("top_p", top_p, "nucleus sampling mass", Check().greater_than(0).at_most(1));
    v("max_new_tokens", max_new_tokens, "longest completion in tokens", Check().at_least(1));
    v("seed", seed, "sampling seed");
  }
};

struct EvalConfig {
  BenchmarkKind benchmark = BenchmarkKind::math;
  std::string data = "../shared/data/math/math500_test.jsonl";
  int64_t limit = 0;
  std::optional<AnswerStyle> answer_style;  // default: the benchmark's own
  PromptConfig prompt;
  EvalGeneration generation;
  std::vector<int> pass_k{1};
  std::vector<int> maj_k;
  double relative_tolerance = 1e-6;
  bool prompt_in_every_sample = true;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("benchmark", benchmark, "which benchmark the data file holds");
    v("data", data, "benchmark JSONL file", Check().nonempty());
    v("limit", limit, "evaluate only the first N problems (0 = all)", Check().at_least(0));
    v("answer_style", answer_style, "override how answers are extracted and compared (null = the benchmark's)");
    v("prompt", prompt, "prompt format");
    v("generation", generation, "sampling settings");
    v("pass_k", pass_k, "report unbiased pass@k for these k (each <= generation.n_samples)");
    v("maj_k", maj_k, "report majority-vote accuracy maj@k for these k (each <= generation.n_samples)");
    v("relative_tolerance", relative_tolerance, "numeric tolerance of the grader", Check().greater_than(0).less_than(1));
    v("prompt_in_every_sample", prompt_in_every_sample,
      "write the prompt on every samples.jsonl line (false: only on sample 0 of each problem)");
  }

  void validate() const {
    for (int k : pass_k)
      if (k < 1 || k > generation.n_samples)
        fail_hint("raise generation.n_samples or drop that k", "pass_k holds {} but generation.n_samples is {}", k,
                  generation.n_samples);
    for (int k : maj_k)
      if (k < 1 || k > generation.n_samples)
        fail_hint("raise generation.n_samples or drop that k", "maj_k holds {} but generation.n_samples is {}", k,
                  generation.n_samples);
  }

  AnswerStyle style() const { return answer_style.value_or(answer_style_of(benchmark)); }
};

}  // namespace dsmath::eval

namespace dsmath::config {
template <>
struct EnumNames<eval::PromptKind> {
  static constexpr std::array<std::pair<eval::PromptKind, std::string_view>, 2> values{{
      {eval::PromptKind::few_shot, "few_shot"},
      {eval::PromptKind::chat, "chat"},
  }};
};
}  // namespace dsmath::config
