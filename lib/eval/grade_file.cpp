#include "eval/grade_file.hpp"

#include <algorithm>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "data/jsonl.hpp"
#include "eval/benchmark.hpp"
#include "eval/program_answer.hpp"

namespace dsmath::eval {

namespace {

constexpr uint64_t kMalformedShown = 20;  // the rest are only counted
constexpr size_t kRecordsPerBatch = 256;  // records graded together (with --execute: their programs run together)

bool is_index(std::string_view s) {
  return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<Json> walk(const Json& node, const std::vector<std::string>& steps, size_t at) {
  if (at == steps.size()) return node;
  const std::string& step = steps[at];
  if (step == "*") {
    if (!node.is_array()) return std::nullopt;
    Json out = Json::array();
    for (const auto& element : node) {
      auto v = walk(element, steps, at + 1);
      if (!v) return std::nullopt;
      out.push_back(std::move(*v));
    }
    return out;
  }
  if (node.is_array() && is_index(step)) {
    const size_t i = std::stoul(step);
    if (i >= node.size()) return std::nullopt;
    return walk(node[i], steps, at + 1);
  }
  if (node.is_object()) {
    auto it = node.find(step);
    if (it == node.end()) return std::nullopt;
    return walk(*it, steps, at + 1);
  }
  return std::nullopt;
}

// A scalar as text: strings as they are, numbers printed, nullopt otherwise.
std::optional<std::string> scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) return fmt::format("{}", v.get<double>());
  return std::nullopt;
}

// The completions a field holds: one text, or a list of texts (each a sample).
std::optional<std::vector<std::string>> completions_of(const Json& v) {
  if (auto t = scalar_text(v)) return std::vector<std::string>{*t};
  if (!v.is_array() || v.empty()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& e : v) {
    auto t = scalar_text(e);
    if (!t) return std::nullopt;
    out.push_back(*t);
  }
  return out;
}

// A gold answer: one text, or a list of parts (joined as the style lists answers).
std::optional<std::string> gold_of(const Json& v, AnswerStyle style) {
  if (auto t = scalar_text(v)) return t;
  auto parts = completions_of(v);
  if (!parts) return std::nullopt;
  return join(*parts, style == AnswerStyle::cloze ? ";" : ", ");
}

// The records of the input: JSONL lines, or the elements of one JSON array.
class RecordReader {
 public:
  explicit RecordReader(const std::filesystem::path& path) : path_(path) {
    std::string head(4096, '\0');
    {
      std::ifstream in(path, std::ios::binary);
      in.read(head.data(), static_cast<std::streamsize>(head.size()));
      head.resize(static_cast<size_t>(in.gcount()));
    }
    const size_t first = head.find_first_not_of(" \t\r\n\xef\xbb\xbf");
    if (first != std::string::npos && head[first] == '[') {
      array_ = true;
      try {
        doc_ = Json::parse(read_file(path));
      } catch (const Json::exception& e) {
        fail_hint("a JSON array input must be one valid JSON document; use JSONL for line-by-line recovery",
                  "{}: malformed JSON array: {}", path.string(), e.what());
      }
    } else {
      reader_.emplace(path);
    }
  }
  // The next non-blank record's text or, for an array, its element; false at the end.
  bool next(std::string& line, Json& element, std::string& where) {
    if (array_) {
      if (index_ >= doc_.size()) return false;
      element = doc_[index_];
      where = fmt::format("{}:[{}]", path_.string(), index_);
      ++index_;
      return true;
    }
    while (reader_->next(line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      where = reader_->where();
      return true;
    }
    return false;
  }
  bool is_array() const { return array_; }
  uint64_t position() const { return array_ ? index_ : reader_->bytes_read(); }
  uint64_t total() const { return array_ ? doc_.size() : std::filesystem::file_size(path_); }

 private:
  std::filesystem::path path_;
  bool array_ = false;
  Json doc_;
  size_t index_ = 0;
  std::optional<LineReader> reader_;
};

}  // namespace

std::optional<Json> field_at_path(const Json& record, std::string_view path) {
  if (record.is_object()) {
    auto whole = record.find(path);
    if (whole != record.end()) return *whole;
  }
  std::vector<std::string> steps = split(path, '.');
  return walk(record, steps, 0);
}

std::string GradeFileReport::text() const {
  std::string out = fmt::format("graded {} of {} lines: accuracy {:.2f}% ({}/{}), no answer {}", graded, lines,
                                100.0 * accuracy(), correct, graded, no_answer);
  out += malformed ? fmt::format(", malformed {} (skipped)\n", malformed) : "\n";
  if (summary.samples > summary.problems) out += summary.table();  // records were grouped into problems
  out += fmt::format("grading policy ({}): {}\n", summary.grading_policy,
                     summary.grading_policy == "deepseek" ? kDeepseekGradingPolicy : kGradingPolicy);
  return out;
}

GradeFileReport grade_jsonl_file(const GradeFileOptions& options) {
  if (!std::filesystem::exists(options.input))
    fail_hint("give the JSONL file of completions to grade", "input file '{}' does not exist", options.input.string());
  if (options.execute && (options.execute->mode == ProgramMode::none || options.execute->mode == ProgramMode::tool))
    fail_hint("use solution_call (PAL GSM8K), answer_variable (PAL MATH) or printed",
              "--execute: program mode '{}' does not grade a finished completion", config::enum_name(options.execute->mode));
  GradeFileReport report;
  const std::vector<std::string> stop_markers =
      options.cut_at_markers ? default_stop_markers(options.style) : std::vector<std::string>{};
  RecordReader reader(options.input);
  JsonlWriter writer(options.output);
  std::vector<ProblemOutcome> outcomes;
  std::map<std::string, size_t> outcome_of_id;
  Progress progress("grading", reader.total(), reader.is_array() ? "records" : "bytes");
  std::string line, where;
  Json element;
  // Records are graded a batch at a time, so that with --execute a batch's programs run in
  // parallel in the sandbox while the file streams through.
  struct PendingRecord {
    Json record;
    std::vector<std::string> completions;
    std::string gold;
    size_t outcome;
    bool one;  // a single completion (its extracted/correct are values, not lists)
  };
  std::vector<PendingRecord> pending;
  auto grade_pending = [&] {
    std::vector<std::optional<sandbox::SandboxResult>> runs;
    if (options.execute) {
      std::vector<std::string> texts;
      for (const auto& p : pending) texts.insert(texts.end(), p.completions.begin(), p.completions.end());
      runs = run_completion_programs(texts, *options.execute);
    }
    size_t run = 0;
    for (auto& p : pending) {
      Json extracted = Json::array(), correct = Json::array();
      for (const auto& c : p.completions) {
        SampleGrade grade = options.execute
                                ? grade_program_run(runs[run++], options.execute->mode, p.gold, options.style, options.policy)
                                : grade_completion(c, p.gold, options.style, stop_markers, options.policy);
        extracted.push_back(grade.extracted);
        correct.push_back(grade.correct);
        ++report.graded;
        report.correct += grade.correct ? 1 : 0;
        report.no_answer += grade.extracted.empty() ? 1 : 0;
        SampleOutcome s;
        if (options.results_dir) s.completion = c;
        s.grade = std::move(grade);
        outcomes[p.outcome].samples.push_back(std::move(s));
      }
      p.record["extracted"] = p.one ? extracted[0] : extracted;
      p.record["correct"] = p.one ? correct[0] : correct;
      writer.write(p.record);
    }
    pending.clear();
  };
  auto malformed = [&](const std::string& message) {
    if (report.malformed++ < kMalformedShown) log::warn("{} (skipped)", message);
  };
  while (reader.next(line, element, where)) {
    progress.update(reader.position());
    ++report.lines;
    Json record;
    if (reader.is_array()) {
      if (!element.is_object()) {
        malformed(fmt::format("{}: not a JSON object", where));
        continue;
      }
      record = std::move(element);
    } else {
      try {
        record = parse_json_object(line, where);
      } catch (const Error& e) {
        malformed(e.what());
        continue;
      }
    }
    const auto completion_value = field_at_path(record, options.completion_field);
    const auto answer_value = field_at_path(record, options.answer_field);
    const auto completions = completion_value ? completions_of(*completion_value) : std::nullopt;
    const auto answer = answer_value ? gold_of(*answer_value, options.style) : std::nullopt;
    if (!completions || !answer) {
      const bool missing_completion = !completions;
      malformed(fmt::format("{}: missing or non-text field \"{}\"", where,
                            missing_completion ? options.completion_field : options.answer_field));
      continue;
    }
    const std::string gold = gold_from_solution(*answer, options.style);

    // a record's position names its problem unless --id-field does: line-N (JSONL), item-N (array)
    const std::string position = where.substr(where.rfind(':') + 1);
    std::string id = reader.is_array() ? "item-" + position.substr(1, position.size() - 2) : "line-" + position;
    if (!options.id_field.empty()) {
      if (auto v = field_at_path(record, options.id_field)) {
        if (auto t = scalar_text(*v)) id = *t;
        else id = v->dump();
      }
    }
    auto [it, fresh] = outcome_of_id.emplace(id, outcomes.size());
    if (fresh) {
      ProblemOutcome o;
      o.problem_id = id;
      o.gold = gold;
      if (auto p = text_field(record, "prompt")) o.prompt = *p;
      outcomes.push_back(std::move(o));
    }
    const bool one = completion_value->is_string() || completion_value->is_number();
    pending.push_back({std::move(record), std::move(*completions), gold, it->second, one});
    if (pending.size() >= kRecordsPerBatch) grade_pending();
  }
  grade_pending();
  progress.finish();
  if (report.malformed > kMalformedShown)
    log::warn("{} more malformed records not shown", report.malformed - kMalformedShown);
  if (report.graded == 0)
    fail_hint(fmt::format("each record must be a JSON object with \"{}\" and \"{}\" (see --completion-field, --answer-field)",
                          options.completion_field, options.answer_field),
              "{}: no gradable line ({} lines, {} malformed)", options.input.string(), report.lines, report.malformed);
  writer.commit();
  report.summary = summarize(outcomes, options.metrics, options.style, options.policy, options.benchmark_name, "given");
  if (options.results_dir) write_results(*options.results_dir, outcomes, report.summary, Json());
  return report;
}

}  // namespace dsmath::eval
