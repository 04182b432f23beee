#include "eval/eval_results.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "data/jsonl.hpp"
#include "eval/metrics.hpp"

namespace dsmath::eval {

namespace {

std::string meta_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string percent(double fraction) { return fmt::format("{:.2f}%", 100.0 * fraction); }

}  // namespace

EvalSummary summarize(const std::vector<ProblemOutcome>& outcomes, const MetricsSpec& spec, AnswerStyle style,
                      const GradePolicy& policy, std::string benchmark, std::string prompt_format) {
  EvalSummary s;
  s.benchmark = std::move(benchmark);
  s.prompt_format = std::move(prompt_format);
  s.problems = outcomes.size();
  s.grading_policy = grading_policy_name(policy);
  if (outcomes.empty()) return s;
  s.samples_per_problem = outcomes.front().samples.size();
  for (const auto& o : outcomes) {
    s.samples_per_problem = std::min(s.samples_per_problem, o.samples.size());
    s.samples += o.samples.size();
    for (const auto& sample : o.samples) s.no_answer += sample.grade.extracted.empty() ? 1 : 0;
  }
  const auto n_min = static_cast<int>(s.samples_per_problem);
  auto applicable = [n_min](const char* metric, int k) {
    if (k >= 1 && k <= n_min) return true;
    log::warn("{}@{} skipped: it needs at least {} samples per problem, the smallest count is {}", metric, k, k, n_min);
    return false;
  };
  auto add_metric = [&s](std::string name, const std::vector<double>& per_problem) {
    const MeanAndError m = mean_and_standard_error(per_problem);
    s.metrics.emplace_back(name, m.mean);
    s.metric_stderr.emplace_back(std::move(name), m.standard_error);
  };
  for (int k : spec.pass_k) {
    if (!applicable("pass", k)) continue;
    std::vector<double> values;
    for (const auto& o : outcomes) {
      int64_t correct = 0;
      for (const auto& sample : o.samples) correct += sample.grade.correct ? 1 : 0;
      values.push_back(pass_at_k(static_cast<int64_t>(o.samples.size()), correct, k));
    }
    add_metric(fmt::format("pass@{}", k), values);
  }
  for (int k : spec.maj_k) {
    if (!applicable("maj", k)) continue;
    std::vector<double> values;
    for (const auto& o : outcomes) {
      std::vector<std::string> answers;
      for (int i = 0; i < k; ++i) answers.push_back(o.samples[static_cast<size_t>(i)].grade.extracted);
      const MajorityVote vote = majority_vote(answers, style, policy);
      values.push_back(vote.winner && o.samples[*vote.winner].grade.correct ? 1.0 : 0.0);
    }
    add_metric(fmt::format("maj@{}", k), values);
  }
  for (const char* key : {"subject", "type", "level", "grade", "topic"}) {
    std::map<std::string, std::pair<size_t, size_t>> groups;
    for (const auto& o : outcomes) {
      if (!o.meta.contains(key) || o.samples.empty()) continue;
      auto& g = groups[meta_text(o.meta[key])];
      g.first += o.samples.front().grade.correct ? 1 : 0;
      g.second += 1;
    }
    if (groups.empty()) continue;
    s.breakdown.emplace_back(key, std::vector<std::pair<std::string, std::pair<size_t, size_t>>>(groups.begin(), groups.end()));
  }
  return s;
}

Json EvalSummary::to_json() const {
  Json j;
  j["benchmark"] = benchmark;
  j["prompt_format"] = prompt_format;
  j["problems"] = problems;
  j["samples_per_problem"] = samples_per_problem;
  j["samples"] = samples;
  j["no_answer"] = no_answer;
  Json m = Json::object();
  for (const auto& [name, value] : metrics) m[name] = value;
  j["metrics"] = m;
  Json se = Json::object();
  for (const auto& [name, value] : metric_stderr) se[name] = value;
  j["metrics_stderr"] = se;
  Json b = Json::object();
  for (const auto& [key, groups] : breakdown) {
    Json g = Json::object();
    for (const auto& [value, counts] : groups)
      g[value] = {{"correct", counts.first},
                  {"total", counts.second},
                  {"accuracy", counts.second ? static_cast<double>(counts.first) / static_cast<double>(counts.second) : 0.0}};
    b[key] = g;
  }
  j["first_sample_accuracy_by"] = b;
  j["grading_policy"] = grading_policy;
  j["grading_rules"] = grading_policy == "deepseek" ? kDeepseekGradingPolicy : kGradingPolicy;
  return j;
}

EvalSummary EvalSummary::from_json(const Json& j, const std::string& where) {
  EvalSummary s;
  try {
    s.benchmark = j.value("benchmark", "");
    s.prompt_format = j.value("prompt_format", "");
    s.problems = j.value("problems", size_t{0});
    s.samples_per_problem = j.value("samples_per_problem", size_t{0});
    s.samples = j.value("samples", size_t{0});
    s.no_answer = j.value("no_answer", size_t{0});
    if (!j.contains("metrics") || !j["metrics"].is_object())
      fail_hint("a results directory written by `dsmath eval` has summary.json with a \"metrics\" object",
                "{}: no \"metrics\" object", where);
    for (auto it = j["metrics"].begin(); it != j["metrics"].end(); ++it) s.metrics.emplace_back(it.key(), it->get<double>());
    if (j.contains("metrics_stderr") && j["metrics_stderr"].is_object())
      for (auto it = j["metrics_stderr"].begin(); it != j["metrics_stderr"].end(); ++it)
        s.metric_stderr.emplace_back(it.key(), it->get<double>());
    if (j.contains("grading_policy") && j["grading_policy"].is_string()) s.grading_policy = j["grading_policy"].get<std::string>();
  } catch (const Json::exception& e) {
    fail_hint("summary.json must be the file `dsmath eval` wrote", "{}: unexpected summary layout: {}", where, e.what());
  }
  return s;
}

std::string EvalSummary::table() const {
  std::string out = fmt::format("{}  [{}]  {} problems x {} sample{}\n", benchmark, prompt_format, problems,
                                samples_per_problem, samples_per_problem == 1 ? "" : "s");
  for (size_t i = 0; i < metrics.size(); ++i) {
    const auto& [name, value] = metrics[i];
    out += fmt::format("  {:<10} {:>8}", name, percent(value));
    if (i < metric_stderr.size()) out += fmt::format("  +- {:.2f}", 100.0 * metric_stderr[i].second);
    out += "\n";
  }
  out += fmt::format("  {:<10} {:>8}  ({} of {} samples)\n", "no answer",
                     percent(samples ? static_cast<double>(no_answer) / static_cast<double>(samples) : 0.0), no_answer,
                     samples);
  for (const auto& [key, groups] : breakdown) {
    if (groups.size() < 2 || groups.size() > 12) continue;  // one line per value; skip unhelpful keys
    out += fmt::format("  by {}:\n", key);
    for (const auto& [value, counts] : groups)
      out += fmt::format("    {:<28} {:>8}  ({}/{})\n", value,
                         percent(counts.second ? static_cast<double>(counts.first) / static_cast<double>(counts.second) : 0.0),
                         counts.first, counts.second);
  }
  return out;
}

Json sample_record(const ProblemOutcome& o, size_t index, bool with_prompt) {
  const auto& s = o.samples.at(index);
  Json line;
  line["id"] = o.problem_id;
  line["sample"] = index;
  if (with_prompt) line["prompt"] = o.prompt;
  line["completion"] = s.completion;
  line["gold"] = o.gold;
  line["extracted"] = s.grade.extracted;
  line["extraction"] = s.grade.method;
  line["correct"] = s.grade.correct;
  line["rule"] = s.grade.rule;
  if (!s.finish_reason.empty()) line["finish_reason"] = s.finish_reason;
  if (s.generated_tokens >= 0) line["generated_tokens"] = s.generated_tokens;
  return line;
}

void write_results(const std::filesystem::path& dir, const std::vector<ProblemOutcome>& outcomes,
                   const EvalSummary& summary, const Json& config, bool prompt_in_every_sample, const Json& extra) {
  create_directories(dir);
  JsonlWriter samples(dir / "samples.jsonl");
  for (const auto& o : outcomes)
    for (size_t i = 0; i < o.samples.size(); ++i) samples.write(sample_record(o, i, prompt_in_every_sample || i == 0));
  samples.commit();
  Json j = summary.to_json();
  if (!config.is_null()) j["config"] = config;
  if (extra.is_object())
    for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = *it;
  write_file_atomic(dir / "summary.json", j.dump(2) + "\n");
}

namespace {

EvalSummary read_summary(const std::filesystem::path& dir) {
  const auto path = dir / "summary.json";
  if (!std::filesystem::exists(path))
    fail_hint("give two results directories written by `dsmath eval run` or `dsmath eval grade --results-dir`",
              "'{}' has no summary.json", dir.string());
  return EvalSummary::from_json(read_json_file(path, "summary.json must be the file `dsmath eval` wrote"), path.string());
}

// id -> correctness of sample 0, from samples.jsonl; empty when the file is absent.
std::map<std::string, bool> first_sample_verdicts(const std::filesystem::path& dir) {
  std::map<std::string, bool> out;
  const auto path = dir / "samples.jsonl";
  if (!std::filesystem::exists(path)) return out;
  LineReader reader(path);
  std::string line;
  size_t malformed = 0;
  while (reader.next(line)) {
    if (line.empty()) continue;
    Json j;
    try {
      j = parse_json_object(line, reader.where());
    } catch (const Error& e) {
      if (malformed++ < 5) log::warn("{}", e.what());
      continue;
    }
    if (j.value("sample", 0) != 0 || !j.contains("id") || !j.contains("correct") || !j["correct"].is_boolean()) continue;
    out[j["id"].is_string() ? j["id"].get<std::string>() : j["id"].dump()] = j["correct"].get<bool>();
  }
  if (malformed > 0) log::warn("{}: {} malformed lines skipped", path.string(), malformed);
  return out;
}

}  // namespace

std::string compare_results(const std::filesystem::path& a, const std::filesystem::path& b) {
  const EvalSummary sa = read_summary(a), sb = read_summary(b);
  std::string out = fmt::format("A: {}  ({}, {}, {} problems x {})\nB: {}  ({}, {}, {} problems x {})\n", a.string(),
                                sa.benchmark, sa.prompt_format, sa.problems, sa.samples_per_problem, b.string(),
                                sb.benchmark, sb.prompt_format, sb.problems, sb.samples_per_problem);
  if (sa.benchmark != sb.benchmark || sa.problems != sb.problems)
    out += "note: the two runs differ in benchmark or problem count; differences are not like for like\n";
  out += fmt::format("{:<10} {:>9} {:>9} {:>9}\n", "metric", "A", "B", "B-A");
  std::vector<std::string> names;
  for (const auto& [n, v] : sa.metrics) names.push_back(n);
  for (const auto& [n, v] : sb.metrics)
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  auto lookup = [](const EvalSummary& s, const std::string& name) -> std::optional<double> {
    for (const auto& [n, v] : s.metrics)
      if (n == name) return v;
    return std::nullopt;
  };
  for (const auto& name : names) {
    const auto va = lookup(sa, name), vb = lookup(sb, name);
    out += fmt::format("{:<10} {:>9} {:>9} {:>9}\n", name, va ? percent(*va) : "-", vb ? percent(*vb) : "-",
                       va && vb ? fmt::format("{:+.2f}", 100.0 * (*vb - *va)) : "-");
  }
  auto answer_rate = [](const EvalSummary& s) {
    return s.samples ? 1.0 - static_cast<double>(s.no_answer) / static_cast<double>(s.samples) : 0.0;
  };
  out += fmt::format("{:<10} {:>9} {:>9} {:>9}\n", "answered", percent(answer_rate(sa)), percent(answer_rate(sb)),
                     fmt::format("{:+.2f}", 100.0 * (answer_rate(sb) - answer_rate(sa))));
  const auto va = first_sample_verdicts(a), vb = first_sample_verdicts(b);
  if (!va.empty() && !vb.empty()) {
    size_t both = 0, only_a = 0, only_b = 0, neither = 0, unmatched = 0;
    for (const auto& [id, ca] : va) {
      auto it = vb.find(id);
      if (it == vb.end()) {
        ++unmatched;
        continue;
      }
      const bool cb = it->second;
      if (ca && cb) ++both;
      else if (ca) ++only_a;
      else if (cb) ++only_b;
      else ++neither;
    }
    for (const auto& [id, cb] : vb) unmatched += va.count(id) ? 0 : 1;
    out += fmt::format("first sample per problem: both right {}, only A {}, only B {}, both wrong {}", both, only_a,
                       only_b, neither);
    out += unmatched ? fmt::format(", in one run only {}\n", unmatched) : "\n";
  }
  return out;
}

}  // namespace dsmath::eval
