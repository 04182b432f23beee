#pragma once
// Config of one benchmark evaluation (configs/eval/*.yaml). Defaults are the paper's MATH
// setup for base models: 4-shot Minerva prompt, greedy decoding, pass@1 (DeepSeekMath section
// 5.1). Relative paths are relative to the working directory (run from the repository root,
// where ../shared/data holds the benchmark files).
#include <optional>
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "core/error.hpp"
#include "eval/answer_extraction.hpp"
#include "eval/benchmark.hpp"
#include "eval/math_grader.hpp"
#include "eval/program_config.hpp"
#include "eval/prompt_format.hpp"
#include "infer/sampling.hpp"

namespace dsmath::eval {

// few_shot: exemplars + template of few_shot_file (base models); chat: the zero-shot
// chat_template text below; tokenizer_chat: the model's own tokenizer_config.json chat template
// (rendered by lib/tokenizer's Jinja engine as transformers' apply_chat_template does).
enum class PromptKind { few_shot, chat, tokenizer_chat };

struct PromptConfig {
  PromptKind kind = PromptKind::few_shot;
  std::string few_shot_file = "../shared/data/fewshot/deepseek_math_fewshot_prompts.json";
  std::string few_shot_key = "cot_minerva_math_4_shot";
  std::string chat_template = std::string(kInstructTemplate);
  std::vector<std::string> extra_stop_words;
  // tokenizer_chat
  std::string tokenizer_config;  // "" = the tokenizer_config.json beside the model's tokenizer
  std::string template_name;     // one of several named templates ("" = the default)
  std::string system_prompt;     // "" = no system message
  std::string user_message = std::string(kInstructUserMessage);
  bool few_shot_turns = false;   // the exemplars of few_shot_key as earlier user/assistant turns

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("kind", kind,
      "few_shot: exemplars + template from few_shot_file; chat: zero-shot chat_template; tokenizer_chat: the tokenizer's "
      "chat template");
    v("few_shot_file", few_shot_file, "JSON of DeepSeek-Math's few-shot prompts (shared/data/fewshot)");
    v("few_shot_key", few_shot_key, "entry of few_shot_file: cot_gsm_8_shot, cot_minerva_math_4_shot, ...",
      Check().nonempty());
    v("chat_template", chat_template, "zero-shot prompt; {question} is replaced by the problem",
      Check().nonempty());
    v("extra_stop_words", extra_stop_words, "stop strings added to the format's own");
    v("tokenizer_config", tokenizer_config, "tokenizer_chat: tokenizer_config.json with the chat_template (\"\" = the model's)");
    v("template_name", template_name, "tokenizer_chat: which named template (\"\" = default)");
    v("system_prompt", system_prompt, "tokenizer_chat: a system message before the question (\"\" = none)");
    v("user_message", user_message, "tokenizer_chat: the user message; {question} is replaced by the problem",
      Check().nonempty());
    v("few_shot_turns", few_shot_turns, "tokenizer_chat: the few_shot_key exemplars as earlier user/assistant turns");
  }
};

enum class GradingPolicyKind { standard, deepseek };

// How final answers are compared (math_grader.hpp). `deepseek` reproduces DeepSeek-Math's
// evaluation (absolute tolerance 1e-3, x100 and /100 accepted, brackets not compared), so the
// paper's numbers can be matched; `default` is dsmath's stricter rule. docs/eval.md lists the
// cases where the two differ.
struct GradingConfig {
  GradingPolicyKind policy = GradingPolicyKind::standard;
  double relative_tolerance = 1e-6;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("policy", policy, "default: dsmath's stricter grader; deepseek: DeepSeek-Math's rules (abs. tolerance 1e-3, x100, brackets)");
    v("relative_tolerance", relative_tolerance, "numeric tolerance of the default policy", Check().greater_than(0).less_than(1));
  }
  GradePolicy grade_policy() const {
    if (policy == GradingPolicyKind::deepseek) return deepseek_policy();
    GradePolicy p;
    p.relative_tolerance = relative_tolerance;
    return p;
  }
};

struct EvalConfig {
  BenchmarkKind benchmark = BenchmarkKind::math;
  std::string data = "../shared/data/math/math500_test.jsonl";
  int64_t limit = 0;
  std::optional<AnswerStyle> answer_style;  // default: the benchmark's own
  PromptConfig prompt;
  int n_samples = 1;  // completions per problem (64 for maj@64)
  // Greedy and up to 1024 new tokens by default: DeepSeek-Math's vLLM evaluation (max_tokens=1024).
  SamplingConfig sampling{.temperature = 0.0, .top_p = 1.0, .top_k = 0, .max_new_tokens = 1024, .seed = 0};
  std::vector<int> pass_k{1};
  std::vector<int> maj_k;
  GradingConfig grading;
  bool prompt_in_every_sample = true;
  ProgramConfig program;  // program-of-thought / tool-integrated (eval/program_config.hpp)

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("benchmark", benchmark, "which benchmark the data file holds");
    v("data", data, "benchmark JSONL file", Check().nonempty());
    v("limit", limit, "evaluate only the first N problems (0 = all)", Check().at_least(0));
    v("answer_style", answer_style, "override how answers are extracted and compared (null = the benchmark's)");
    v("prompt", prompt, "prompt format");
    v("n_samples", n_samples, "completions per problem", Check().at_least(1));
    v("sampling", sampling, "how each completion is sampled (infer/sampling.hpp)");
    v("pass_k", pass_k, "report unbiased pass@k for these k (each <= n_samples)");
    v("maj_k", maj_k, "report majority-vote accuracy maj@k for these k (each <= n_samples)");
    v("grading", grading, "how answers are compared");
    v("prompt_in_every_sample", prompt_in_every_sample,
      "write the prompt on every samples.jsonl line (false: only on sample 0 of each problem)");
    v("program", program, "run model-written programs: program-of-thought or tool-integrated reasoning");
  }

  void validate() const {
    auto check_k = [this](const std::vector<int>& ks, const char* key) {
      for (int k : ks)
        if (k < 1 || k > n_samples)
          fail_hint("raise n_samples or drop that k", "{} holds {} but n_samples is {}", key, k, n_samples);
    };
    check_k(pass_k, "pass_k");
    check_k(maj_k, "maj_k");
    if (n_samples > 1 && sampling.temperature == 0.0)
      fail_hint("set sampling.temperature (the paper's maj@64 uses 0.7) or n_samples: 1",
                "n_samples is {} but sampling.temperature is 0: greedy decoding gives {} identical samples", n_samples,
                n_samples);
  }

  AnswerStyle style() const { return answer_style.value_or(answer_style_of(benchmark)); }
};

}  // namespace dsmath::eval

namespace dsmath::config {
template <>
struct EnumNames<eval::GradingPolicyKind> {
  static constexpr std::array<std::pair<eval::GradingPolicyKind, std::string_view>, 2> values{{
      {eval::GradingPolicyKind::standard, "default"},
      {eval::GradingPolicyKind::deepseek, "deepseek"},
  }};
};
template <>
struct EnumNames<eval::PromptKind> {
  static constexpr std::array<std::pair<eval::PromptKind, std::string_view>, 3> values{{
      {eval::PromptKind::few_shot, "few_shot"},
      {eval::PromptKind::chat, "chat"},
      {eval::PromptKind::tokenizer_chat, "tokenizer_chat"},
  }};
};
}  // namespace dsmath::config
