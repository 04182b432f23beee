#pragma once
// Graded samples, their summary (pass@k, maj@k, answer rate, per-subject accuracy) and the
// results directory: samples.jsonl (every sample: prompt, completion, extracted answer,
// verdict) and summary.json, plus the summary table printed on stdout.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "eval/grade_sample.hpp"

namespace dsmath::eval {

struct SampleOutcome {
  std::string completion;
  SampleGrade grade;
  std::string finish_reason;     // "eos", "stop", "length" (generation engine); "" when not generated here
  int64_t generated_tokens = -1;  // tokens the model generated for it; -1 when unknown
};

struct ProblemOutcome {
  std::string problem_id;
  std::string gold;
  std::string prompt;
  Json meta = Json::object();
  std::vector<SampleOutcome> samples;  // in generation order: sample 0 is the greedy one when n = 1
};

struct MetricsSpec {
  std::vector<int> pass_k{1};  // unbiased pass@k for each k <= samples per problem
  std::vector<int> maj_k;      // majority vote over the first k samples of each problem
};

struct EvalSummary {
  std::string benchmark;
  std::string prompt_format;
  size_t problems = 0;
  size_t samples_per_problem = 0;  // the smallest count over problems
  size_t samples = 0;
  size_t no_answer = 0;  // samples without an extractable answer
  std::vector<std::pair<std::string, double>> metrics;  // "pass@1" -> 0.412, in spec order
  // standard error of each metric, in the same order: the sample standard deviation of the
  // per-problem values (pass@k estimates, maj@k hits) over sqrt(problems), as
  // lm-evaluation-harness reports it
  std::vector<std::pair<std::string, double>> metric_stderr;
  std::string grading_policy = "default";  // grading_policy_name()
  // first-sample accuracy per value of a meta key ("subject"/"type", "level"): key -> value -> {correct, total}
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::pair<size_t, size_t>>>>> breakdown;

  Json to_json() const;  // includes the grading policy
  static EvalSummary from_json(const Json& j, const std::string& where);
  // A few aligned lines for stdout.
  std::string table() const;
};

EvalSummary summarize(const std::vector<ProblemOutcome>& outcomes, const MetricsSpec& spec, AnswerStyle style,
                      const GradePolicy& policy, std::string benchmark, std::string prompt_format);

// One samples.jsonl line for sample `index` of `o` (the per-sample record of a results
// directory: id, sample, prompt, completion, gold, extracted, extraction, correct, rule,
// finish_reason and generated_tokens when known).
Json sample_record(const ProblemOutcome& o, size_t index, bool with_prompt);

// Writes dir/samples.jsonl and dir/summary.json atomically. `config` (the resolved config,
// may be null) is stored in the summary. With prompt_in_every_sample false only sample 0 of
// each problem carries the prompt (maj@64 runs repeat an 8-shot prompt 64 times otherwise).
// `extra` (an object, may be null) adds its keys to summary.json: provenance and timing.
void write_results(const std::filesystem::path& dir, const std::vector<ProblemOutcome>& outcomes,
                   const EvalSummary& summary, const Json& config, bool prompt_in_every_sample = true,
                   const Json& extra = nullptr);

// Side-by-side table of two results directories' summary.json (metrics of both and their
// difference) and, when both hold samples.jsonl, how many problems each got right that the
// other did not (first sample of each problem).
std::string compare_results(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace dsmath::eval
