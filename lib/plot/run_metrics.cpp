#include "plot/run_metrics.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/log.hpp"
#include "data/jsonl.hpp"

namespace dsmath::plot {

namespace {

constexpr uint64_t kWarningsShown = 10;

}  // namespace

RunMetrics read_run_metrics(const std::filesystem::path& run) {
  if (!std::filesystem::exists(run))
    fail_hint("give the run directory of dsmath pretrain/sft/grpo (their --run-dir), or a metrics.jsonl file",
              "run directory '{}' does not exist", run.string());
  RunMetrics out;
  out.name = run.string();
  while (out.name.size() > 1 && out.name.back() == '/') out.name.pop_back();
  out.file = std::filesystem::is_directory(run) ? run / "metrics.jsonl" : run;
  if (!std::filesystem::exists(out.file))
    fail_hint("the training stages write metrics.jsonl into their run directory from the first step on",
              "run directory '{}' has no metrics.jsonl", run.string());

  LineReader reader(out.file);
  std::string line;
  auto skip = [&](const std::string& why) {
    if (++out.malformed <= kWarningsShown) log::warn("{}; line skipped", why);
  };
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++out.lines;
    Json record;
    try {
      record = parse_json_object(line, reader.where());
    } catch (const Error& e) {
      skip(e.what());
      continue;
    }
    const auto step = record.find("step");
    if (step == record.end() || !step->is_number()) {
      skip(reader.where() + ": no numeric \"step\"");
      continue;
    }
    const double x = step->get<double>();
    for (auto it = record.begin(); it != record.end(); ++it) {
      // numbers only: booleans ("skipped") and strings ("time") are not curves
      if (it.key() == "step" || !it->is_number()) continue;
      auto [series, inserted] = out.series.try_emplace(it.key());
      if (inserted) out.metric_names.push_back(it.key());
      series->second.push_back({x, it->get<double>()});
    }
  }
  if (out.malformed > kWarningsShown)
    log::warn("{}: {} more malformed lines skipped", out.file.string(), out.malformed - kWarningsShown);
  if (out.lines > 0 && out.malformed == out.lines)
    log::warn("{}: every line is malformed; the run has no metrics to plot", out.file.string());
  return out;
}

}  // namespace dsmath::plot
