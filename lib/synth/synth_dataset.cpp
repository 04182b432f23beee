#include "synth/synth_dataset.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "data/jsonl.hpp"

namespace dsmath::synth {

namespace {

// Every file draws from its own stream, so changing one count leaves the other files'
// problems where they were (except for the held-out set, which the rest depend on).
enum class Stream : uint64_t { heldout = 1, rl, sft, web, seed_pages, extra, prompts };

Rng stream_rng(uint64_t seed, Stream stream) { return Rng(mix64(seed ^ mix64(static_cast<uint64_t>(stream)))); }

// "1-step 40, 2-step 31, 3-step 29; answers 2-998"
struct ProblemStats {
  std::array<uint64_t, 4> by_steps{};
  int64_t min_answer = std::numeric_limits<int64_t>::max(), max_answer = 0;
  void add(const WordProblem& p) {
    ++by_steps[std::min<size_t>(p.steps.size(), 3)];
    min_answer = std::min(min_answer, p.answer);
    max_answer = std::max(max_answer, p.answer);
  }
  std::string describe() const {
    if (max_answer == 0) return "no problems";
    std::string out;
    for (size_t s = 1; s <= 3; ++s) {
      if (by_steps[s] == 0) continue;
      if (!out.empty()) out += ", ";
      out += fmt::format("{}-step {}", s, by_steps[s]);
    }
    return out + fmt::format("; answers {}-{}", min_answer, max_answer);
  }
};

class OutputFile {
 public:
  OutputFile(const std::filesystem::path& dir, std::string name) : name_(std::move(name)), writer_(dir / name_) {}
  void write(const Json& record) {
    const std::string line = record.dump();
    bytes_ += line.size() + 1;
    writer_.write_line(line);
  }
  SynthFileSummary commit(std::string detail) {
    writer_.commit();
    return {name_, writer_.lines(), bytes_, std::move(detail)};
  }

 private:
  std::string name_;
  JsonlWriter writer_;
  uint64_t bytes_ = 0;
};

SynthFileSummary write_problems(const std::filesystem::path& dir, const std::string& name, size_t count, Rng rng,
                                ProblemSource& problems, bool held_out, Json (*record)(const WordProblem&)) {
  OutputFile file(dir, name);
  ProblemStats stats;
  for (size_t i = 0; i < count; ++i) {
    const WordProblem p = held_out ? problems.held_out(rng) : problems.training(rng);
    stats.add(p);
    file.write(record(p));
  }
  return file.commit(stats.describe());
}

// A few-shot prompt file in the format of DeepSeek-Math's prompts
// (shared/data/fewshot/deepseek_math_fewshot_prompts.json, read by eval/prompt_format.hpp):
// the GSM8K chain-of-thought template with exemplars from this world, short enough for the
// tiny model's context.
SynthFileSummary write_prompts(const std::filesystem::path& dir, const SynthSpec& spec, ProblemSource& problems) {
  Rng rng = stream_rng(spec.seed, Stream::prompts);
  std::string exemplars;
  for (int i = 0; i < 2; ++i) {
    const WordProblem p = problems.training(rng);
    if (i > 0) exemplars += "\n\n\n";
    exemplars += fmt::format("Q: {}\nA: {}", p.question, worked_solution(p, qa_final_line(p.answer)));
  }
  const Json qa_stops = Json::array({"\nQ:", "\n\n"});
  Json doc{{"_source", fmt::format("dsmath data synth --seed {}: GSM8K 'Q:/A:' chain-of-thought format "
                                   "(DeepSeek-Math evaluation/few_shot_prompts/cot_gsm_8_shot.py) with generated "
                                   "exemplars",
                                   spec.seed)},
           {"prompts",
            {{"synth_qa_0_shot",
              {{"few_shot_prompt", ""}, {"template", "Q: {task_input}\nA: {task_output}"}, {"stop_words", qa_stops}}},
             {"synth_qa_2_shot",
              {{"few_shot_prompt", exemplars},
               {"template", "{few_shot_prompt}\n\n\nQ: {task_input}\nA: {task_output}"},
               {"stop_words", qa_stops}}}}}};
  const std::string text = doc.dump(2) + "\n";
  write_file_atomic(dir / "prompts.json", text);
  return {"prompts.json", 2, text.size(), "few-shot formats synth_qa_0_shot, synth_qa_2_shot"};
}

}  // namespace

void SynthSpec::validate() const {
  limits.validate();
  web.validate();
  if (heldout_problems == 0)
    fail_hint("use --problems heldout=N with N >= 1", "data synth: the held-out set is empty, so no stage can be evaluated");
}

Json sft_record(const WordProblem& p) {
  return Json{{"messages", Json::array({Json{{"role", "user"}, {"content", p.question + std::string(kInstructInstruction)}},
                                        Json{{"role", "assistant"},
                                             {"content", worked_solution(p, chat_final_line(p.answer))}}})}};
}

Json rl_record(const WordProblem& p) { return Json{{"question", p.question}, {"answer", std::to_string(p.answer)}}; }

Json heldout_record(const WordProblem& p) { return Json{{"question", p.question}, {"answer", gsm8k_solution(p)}}; }

std::vector<SynthFileSummary> write_synth_dataset(const SynthSpec& spec, const std::filesystem::path& out_dir) {
  spec.validate();
  make_directories(out_dir);
  ProblemSource problems(spec.limits);
  std::vector<SynthFileSummary> out;
  // held-out first: it reserves its problems before any training file draws
  out.push_back(write_problems(out_dir, "heldout.jsonl", spec.heldout_problems, stream_rng(spec.seed, Stream::heldout),
                               problems, true, heldout_record));
  out.push_back(write_problems(out_dir, "rl.jsonl", spec.rl_problems, stream_rng(spec.seed, Stream::rl), problems,
                               false, rl_record));
  out.push_back(write_problems(out_dir, "sft.jsonl", spec.sft_problems, stream_rng(spec.seed, Stream::sft), problems,
                               false, sft_record));
  {
    Rng rng = stream_rng(spec.seed, Stream::web);
    const auto pages = generate_web_pages(rng, spec.web, problems);
    OutputFile web(out_dir, "web.jsonl"), labels(out_dir, "web_labels.jsonl");
    uint64_t math = 0, url_copies = 0, near_copies = 0;
    for (const auto& page : pages) {
      web.write(Json{{"url", page.url}, {"text", page.text}});
      labels.write(Json{{"url", page.url},
                        {"math", page.math},
                        {"copy_of", page.copy_of.empty() ? Json(nullptr) : Json(page.copy_of)},
                        {"copy_kind", page.copy_kind.empty() ? Json(nullptr) : Json(page.copy_kind)}});
      math += page.math ? 1 : 0;
      url_copies += page.copy_kind == "url" ? 1 : 0;
      near_copies += page.copy_kind == "near" ? 1 : 0;
    }
    const std::string detail = fmt::format("{} math, {} other; copies: {} same page under another URL, {} near-duplicate",
                                           math, pages.size() - math, url_copies, near_copies);
    out.push_back(web.commit(detail));
    out.push_back(labels.commit("truth for web.jsonl: math or not, and which page each copy copies"));
  }
  {
    Rng rng = stream_rng(spec.seed, Stream::seed_pages);
    OutputFile seed(out_dir, "seed_math.jsonl");
    for (const auto& page : generate_seed_pages(rng, spec.seed_pages, problems))
      seed.write(Json{{"url", page.url}, {"text", page.text}});
    out.push_back(seed.commit("math pages on seed domains that web.jsonl does not use"));
  }
  {
    Rng rng = stream_rng(spec.seed, Stream::extra);
    OutputFile extra(out_dir, "pretrain_extra.jsonl");
    for (auto& text : generate_general_documents(rng, spec.extra_documents)) extra.write(Json{{"text", std::move(text)}});
    out.push_back(extra.commit("general non-math text"));
  }
  out.push_back(write_prompts(out_dir, spec, problems));
  return out;
}

}  // namespace dsmath::synth
