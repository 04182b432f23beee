#include "eval/run_eval.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/json_file.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "core/strings.hpp"
#include "core/timer.hpp"
#include "data/jsonl.hpp"
#include "eval/program_answer.hpp"
#include "eval/tool_integrated.hpp"
#include "infer/generation_engine.hpp"
#include "infer/stop_strings.hpp"
#include "sandbox/sandbox.hpp"

namespace dsmath::eval {

namespace {

namespace fs = std::filesystem;

// Problems generated together before their samples are appended: about 512 requests, enough
// to keep the engine's batch full most of the time, few enough that a killed run loses
// little. The chunks are fixed by problem index and n_samples alone (not by --batch), and
// chunk c samples with its own seed, so a resumed run draws exactly the samples that an
// uninterrupted one would have.
constexpr size_t kChunkRequests = 512;
size_t chunk_problems(size_t n_samples) { return std::max<size_t>(1, kChunkRequests / std::max<size_t>(1, n_samples)); }

// Chunk 0 keeps the configured seed (a run of one chunk samples as the engine alone would).
uint64_t chunk_seed(uint64_t seed, size_t chunk) { return chunk == 0 ? seed : mix64(seed ^ mix64(static_cast<uint64_t>(chunk))); }

// The samples of earlier runs in `path`, by problem id and sample index. A line that does not
// parse (the last one of a run killed while writing) is dropped with a warning.
std::map<std::string, std::map<size_t, Json>> read_done_samples(const fs::path& path) {
  std::map<std::string, std::map<size_t, Json>> out;
  if (!fs::exists(path)) return out;
  LineReader reader(path);
  std::string line;
  while (reader.next(line)) {
    if (trim(line).empty()) continue;
    Json j;
    try {
      j = parse_json_object(line, reader.where());
    } catch (const Error& e) {
      log::warn("{} (dropped; that sample is generated again)", e.what());
      continue;
    }
    if (!j.contains("id") || !j["id"].is_string() || !j.contains("sample") || !j["sample"].is_number_unsigned() ||
        !j.contains("completion") || !j["completion"].is_string()) {
      log::warn("{}: not a sample record (dropped)", reader.where());
      continue;
    }
    const std::string id = j["id"].get<std::string>();
    const size_t sample = j["sample"].get<size_t>();
    out[id][sample] = std::move(j);  // (the right side of = is evaluated first: keys taken before the move)
  }
  return out;
}

// The first key whose value differs between two resolved configs ("sampling.temperature").
std::string first_difference(const Json& a, const Json& b, const std::string& prefix = "") {
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
    for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
    for (const auto& k : keys) {
      const std::string path = prefix.empty() ? k : prefix + "." + k;
      if (!a.contains(k) || !b.contains(k)) return path;
      if (auto d = first_difference(a[k], b[k], path); !d.empty()) return d;
    }
    return "";
  }
  return a == b ? "" : (prefix.empty() ? "<top level>" : prefix);
}

void append_lines(const fs::path& path, const std::vector<Json>& records) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  for (const auto& r : records) out << r.dump() << '\n';
  out.flush();
  if (!out) fail_hint("check free disk space and permissions", "cannot append to '{}'", path.string());
}

}  // namespace

std::vector<Completion> generate_completions(const EvalTask& task, const std::vector<size_t>& problems,
                                             const EvalConfig& config, const SamplingConfig& sampling,
                                             const GenerateCall& generate, const Tokenizer& tokenizer) {
  const size_t n = static_cast<size_t>(config.n_samples);
  // the prompt text carries no BOS unless the format wrote it; the tokenizer's post-processor adds it as HF does
  const bool add_special_tokens = !task.prompt_format().includes_special_tokens;
  const std::vector<std::string>& stops = task.stop_words();
  std::vector<Completion> out;
  out.reserve(problems.size() * n);
  if (config.program.mode == ProgramMode::tool) {
    std::vector<std::string> prompts;
    for (size_t i : problems)
      for (size_t s = 0; s < n; ++s) prompts.push_back(task.prompt(i));
    const GenerateFn round = [&](std::span<const GenerationRequest> requests, const StopCheck& stop) {
      return generate(requests, sampling, stop);
    };
    for (auto& c : generate_with_tools(round, tokenizer, prompts, stops, config.program, add_special_tokens))
      out.push_back({std::move(c.text), finish_reason_name(c.finish), c.generated_tokens});
    return out;
  }
  std::vector<GenerationRequest> requests;
  requests.reserve(problems.size() * n);
  for (size_t i : problems) {
    const auto ids = tokenizer.encode(task.prompt(i), add_special_tokens);
    for (size_t s = 0; s < n; ++s) requests.push_back({std::vector<int32_t>(ids.begin(), ids.end())});
  }
  for (const auto& g : generate(requests, sampling, stop_strings_check(tokenizer, stops)))
    out.push_back({completion_text(tokenizer, g.tokens, stops), finish_reason_name(g.finish), static_cast<int64_t>(g.tokens.size())});
  return out;
}

std::vector<ProblemOutcome> grade_problems(const EvalTask& task, const EvalConfig& config, const std::vector<size_t>& problems,
                                           const std::vector<Completion>& completions) {
  const size_t n = static_cast<size_t>(config.n_samples);
  std::vector<ProblemOutcome> outcomes;
  outcomes.reserve(problems.size());
  for (size_t k = 0; k < problems.size(); ++k)
    outcomes.push_back(task.grade(problems[k], std::vector<Completion>(completions.begin() + static_cast<std::ptrdiff_t>(k * n),
                                                                        completions.begin() + static_cast<std::ptrdiff_t>((k + 1) * n))));
  // program-of-thought: the value of each completion's program replaces its text's answer
  // (tool-integrated completions are graded by their text, the tool's output included)
  if (config.program.mode != ProgramMode::none && config.program.mode != ProgramMode::tool)
    grade_outcomes_by_execution(outcomes, task.style(), task.policy(), config.program);
  return outcomes;
}

std::optional<Json> finished_summary(const fs::path& dir) {
  const fs::path path = dir / "summary.json";
  if (!fs::exists(path)) return std::nullopt;
  return read_json_file(path, "summary.json must be the file `dsmath eval run` wrote; remove it to rerun");
}

EvalSummary run_eval(const EvalConfig& config, Transformer& model, const Tokenizer& tokenizer, const EvalRunOptions& options) {
  std::vector<int32_t> eos;
  if (tokenizer.eos_id()) eos.push_back(static_cast<int32_t>(*tokenizer.eos_id()));
  GenerationEngine engine(model, options.batch);
  const GenerateCall generate = [&](std::span<const GenerationRequest> requests, const SamplingConfig& sampling,
                                    const StopCheck& stop) { return engine.generate(requests, sampling, eos, stop); };
  return run_eval(config, generate, tokenizer, options);
}

EvalSummary run_eval(const EvalConfig& config, const GenerateCall& generate, const Tokenizer& tokenizer,
                     const EvalRunOptions& options) {
  const EvalTask task = EvalTask::from_config(config);
  const size_t n = static_cast<size_t>(config.n_samples);
  // a sandbox that cannot run (no bubblewrap, no sympy) fails before hours of generation, not after
  if (config.program.mode != ProgramMode::none) sandbox::Sandbox(config.program.sandbox).check_python_packages();
  const bool write = !options.results_dir.empty();
  const fs::path dir = options.results_dir;
  const fs::path samples_path = dir / "samples.jsonl";
  const std::string started = utc_timestamp();

  std::vector<ProblemOutcome> outcomes(task.size());
  std::vector<char> done(task.size(), 0);
  size_t resumed = 0;
  const size_t chunk = chunk_problems(n);
  if (write) {
    create_directories(dir);
    const fs::path run_path = dir / "run.json";
    Json run = {{"config", options.resolved_config}, {"provenance", options.provenance}, {"chunk_problems", chunk}};
    if (options.resume && fs::exists(run_path)) {
      const Json before = read_json_file(run_path, "run.json is written by `dsmath eval run`");
      const std::string diff = first_difference(before.value("config", Json()), options.resolved_config);
      if (!diff.empty())
        fail_hint("resume with the config of the first run, or choose a new --output directory",
                  "cannot resume in '{}': its run used another config ('{}' differs)", dir.string(), diff);
      if (before.value("chunk_problems", chunk) != chunk)
        fail_hint("resume with the dsmath version of the first run", "cannot resume in '{}': it was generated in chunks of {} problems, this dsmath uses {}",
                  dir.string(), before.value("chunk_problems", chunk), chunk);
    }
    if (options.resume) {
      auto stored = read_done_samples(samples_path);
      // the stored completions of every whole problem, graded in one pass (their programs run together)
      std::vector<size_t> stored_problems;
      std::vector<Completion> stored_completions;
      for (size_t i = 0; i < task.size(); ++i) {
        const Problem& p = task.benchmark().problems[i];
        auto it = stored.find(p.id);
        if (it == stored.end() || it->second.size() < n) continue;
        std::vector<Completion> completions;
        for (size_t s = 0; s < n; ++s) {
          auto r = it->second.find(s);
          if (r == it->second.end()) break;
          completions.push_back({r->second["completion"].get<std::string>(), r->second.value("finish_reason", ""),
                                 r->second.value("generated_tokens", int64_t{-1})});
        }
        if (completions.size() < n) continue;
        stored_problems.push_back(i);
        for (auto& c : completions) stored_completions.push_back(std::move(c));
      }
      auto regraded = grade_problems(task, config, stored_problems, stored_completions);
      std::vector<Json> kept;
      for (size_t k = 0; k < stored_problems.size(); ++k) {
        const size_t i = stored_problems[k];
        outcomes[i] = std::move(regraded[k]);
        done[i] = 1;
        ++resumed;
        for (size_t s = 0; s < n; ++s) kept.push_back(sample_record(outcomes[i], s, config.prompt_in_every_sample || s == 0));
      }
      // a chunk not complete is generated again whole: its problems are not kept
      for (size_t begin = 0; begin < task.size(); begin += chunk) {
        const size_t end = std::min(task.size(), begin + chunk);
        const bool whole = std::all_of(done.begin() + static_cast<std::ptrdiff_t>(begin),
                                       done.begin() + static_cast<std::ptrdiff_t>(end), [](char d) { return d != 0; });
        if (whole) continue;
        for (size_t i = begin; i < end; ++i) {
          if (done[i]) --resumed;
          done[i] = 0;
        }
      }
      std::set<std::string> kept_ids;
      for (size_t i = 0; i < task.size(); ++i)
        if (done[i]) kept_ids.insert(task.benchmark().problems[i].id);
      std::erase_if(kept, [&](const Json& r) { return !kept_ids.count(r["id"].get<std::string>()); });
      // keep only whole problems, so that appending continues a well-formed file
      JsonlWriter rewrite(samples_path);
      for (const auto& r : kept) rewrite.write(r);
      rewrite.commit();
      if (resumed > 0) log::info("eval {}: resuming, {} of {} problems already done", task.benchmark().name, resumed, task.size());
    } else {
      write_file_atomic(samples_path, "");
    }
    write_file_atomic(run_path, run.dump(2) + "\n");
  }

  // a chunk is generated whole or not at all (so its samples are those of an uninterrupted run)
  std::vector<std::vector<size_t>> chunks;
  size_t pending = 0;
  for (size_t begin = 0; begin < task.size(); begin += chunk) {
    const size_t end = std::min(task.size(), begin + chunk);
    if (std::all_of(done.begin() + static_cast<std::ptrdiff_t>(begin), done.begin() + static_cast<std::ptrdiff_t>(end),
                    [](char d) { return d != 0; })) {
      chunks.emplace_back();
      continue;
    }
    std::vector<size_t> problems;
    for (size_t i = begin; i < end; ++i) problems.push_back(i);
    pending += problems.size();
    chunks.push_back(std::move(problems));
  }
  Progress progress("eval " + task.benchmark().name, pending * n, "samples");
  Stopwatch clock;
  size_t tokens = 0, generated = 0;
  for (size_t c = 0; c < chunks.size(); ++c) {
    const std::vector<size_t>& problems = chunks[c];
    if (problems.empty()) continue;
    SamplingConfig sampling = config.sampling;
    sampling.seed = chunk_seed(config.sampling.seed, c);
    const auto completions = generate_completions(task, problems, config, sampling, generate, tokenizer);
    for (const auto& c : completions) tokens += static_cast<size_t>(std::max<int64_t>(0, c.tokens));
    auto graded = grade_problems(task, config, problems, completions);
    std::vector<Json> records;
    for (size_t k = 0; k < problems.size(); ++k) {
      const size_t i = problems[k];
      outcomes[i] = std::move(graded[k]);
      for (size_t s = 0; s < n; ++s) records.push_back(sample_record(outcomes[i], s, config.prompt_in_every_sample || s == 0));
    }
    if (write) append_lines(samples_path, records);
    generated += problems.size() * n;
    progress.update(generated);
  }
  progress.finish();
  const double seconds = clock.seconds();
  if (generated > 0)
    log::info("eval {}: {} samples, {} generated tokens in {:.1f} s ({} tokens/s)", task.benchmark().name, generated,
              tokens, seconds, human_count(static_cast<double>(tokens) / std::max(1e-9, seconds)));

  const EvalSummary summary = task.summarize(outcomes, {config.pass_k, config.maj_k});
  if (write) {
    Json extra = options.provenance.is_object() ? options.provenance : Json::object();
    extra["started"] = started;
    extra["finished"] = utc_timestamp();
    extra["timing"] = {{"generation_seconds", seconds},
                       {"generated_tokens", tokens},
                       {"tokens_per_second", seconds > 0 ? static_cast<double>(tokens) / seconds : 0.0},
                       {"samples_generated", generated},
                       {"problems_resumed", resumed}};
    write_results(dir, outcomes, summary, options.resolved_config, config.prompt_in_every_sample, extra);
  }
  return summary;
}

}  // namespace dsmath::eval
