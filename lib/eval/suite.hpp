#pragma once
// Several benchmarks in one `dsmath eval run` (-c a.yaml -c b.yaml, or --suite FILE): which
// configs, the name and results subdirectory of each, and the combined summary (summary.json
// at the top of --output, and one table line per benchmark).
//
// A suite file is YAML: `benchmarks: [gsm8k-8shot.yaml, math-4shot.yaml, ...]`, each path
// relative to the suite file (configs/eval/suites/).
#include <filesystem>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "eval/eval_results.hpp"

namespace dsmath::eval {

struct SuiteEntry {
  std::string name;                     // the config file's stem ("gsm8k-8shot"): its results subdirectory
  std::filesystem::path config_file;    // "" = the defaults (no -c given)
};

// The -c files in order, then the suite file's list. Two entries of one name are an error
// (their results would share a directory); no entry at all gives one of the defaults.
std::vector<SuiteEntry> suite_entries(const std::vector<std::string>& configs, const std::string& suite_file);

struct SuiteResult {
  std::string name;
  std::filesystem::path dir;
  EvalSummary summary;
  Json timing = Json::object();
};

Json suite_summary_json(const std::vector<SuiteResult>& results, const Json& provenance, const std::string& started,
                        double seconds);
// benchmark | problems x samples | each metric with its standard error | no answer
std::string suite_table(const std::vector<SuiteResult>& results);

}  // namespace dsmath::eval
