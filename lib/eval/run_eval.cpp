#include "eval/run_eval.hpp"

#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "core/timer.hpp"
#include "eval/eval_task.hpp"
#include "eval/program_answer.hpp"
#include "eval/tool_integrated.hpp"
#include "infer/generation_engine.hpp"
#include "infer/stop_strings.hpp"

namespace dsmath::eval {

EvalSummary run_eval(const EvalConfig& config, Transformer& model, const Tokenizer& tokenizer, const EvalRunOptions& options) {
  const EvalTask task = EvalTask::from_config(config);
  const size_t n = static_cast<size_t>(config.n_samples);
  std::vector<GenerationRequest> requests;
  requests.reserve(task.size() * n);
  for (size_t i = 0; i < task.size(); ++i) {
    // the prompt text carries no BOS; the tokenizer's post-processor adds it as HF does
    const auto ids = tokenizer.encode(task.prompt(i), /*add_special_tokens=*/true);
    for (size_t s = 0; s < n; ++s) requests.push_back({std::vector<int32_t>(ids.begin(), ids.end())});
  }
  std::vector<int32_t> eos;
  if (tokenizer.eos_id()) eos.push_back(static_cast<int32_t>(*tokenizer.eos_id()));
  const std::vector<std::string>& stops = task.stop_words();

  GenerationEngine engine(model, options.batch);
  Progress progress("eval " + task.benchmark().name, requests.size(), "samples");
  Stopwatch clock;
  size_t tokens = 0;
  std::vector<Generation> gens;
  std::vector<std::string> tool_texts;  // tool-integrated: completions with the tool's turns
  if (config.program.mode == ProgramMode::tool) {
    std::vector<std::string> prompts;
    for (size_t i = 0; i < requests.size(); ++i) prompts.push_back(task.prompt(i / n));
    const GenerateFn generate = [&](std::span<const GenerationRequest> r, const StopCheck& stop) {
      return engine.generate(r, config.sampling, eos, stop);
    };
    tool_texts = generate_with_tools(generate, tokenizer, prompts, stops, config.program);
  } else {
    gens = engine.generate(requests, config.sampling, eos, stop_strings_check(tokenizer, stops), [&](size_t done, size_t t) {
      tokens = t;
      progress.update(done);
    });
  }
  progress.finish();
  log::info("eval: {} samples, {} generated tokens in {:.1f} s ({} tokens/s)", requests.size(), tokens, clock.seconds(),
            human_count(static_cast<double>(tokens) / std::max(1e-9, clock.seconds())));

  std::vector<ProblemOutcome> outcomes;
  outcomes.reserve(task.size());
  for (size_t i = 0; i < task.size(); ++i) {
    std::vector<std::string> completions;
    for (size_t s = 0; s < n; ++s)
      completions.push_back(gens.empty() ? tool_texts[i * n + s] : completion_text(tokenizer, gens[i * n + s].tokens, stops));
    outcomes.push_back(task.grade(i, std::move(completions)));
  }
  if (config.program.mode != ProgramMode::none && config.program.mode != ProgramMode::tool)
    grade_outcomes_by_execution(outcomes, task.style(), task.policy(), config.program);  // program-of-thought
  const EvalSummary summary = task.summarize(outcomes, {config.pass_k, config.maj_k});
  if (!options.results_dir.empty())
    write_results(options.results_dir, outcomes, summary, options.resolved_config, config.prompt_in_every_sample);
  return summary;
}

}  // namespace dsmath::eval
