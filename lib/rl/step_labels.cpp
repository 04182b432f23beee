#include "rl/step_labels.hpp"

#include <algorithm>
#include <memory>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "eval/grade_sample.hpp"
#include "infer/stop_strings.hpp"
#include "rl/rewards.hpp"

namespace dsmath::rl {

StepCompleter engine_completer(GenerationEngine& engine, const Tokenizer& tokenizer, std::span<const SolutionToLabel> solutions,
                               const SamplingConfig& sampling, std::vector<int32_t> eos) {
  auto calls = std::make_shared<uint64_t>(0);
  return [&engine, &tokenizer, solutions, sampling, eos = std::move(eos), calls](std::span<const StepPrefix> prefixes, int n) {
    std::vector<GenerationRequest> requests;
    std::vector<size_t> requested;  // index into the output of each request
    for (size_t i = 0; i < prefixes.size(); ++i) {
      const StepPrefix& p = prefixes[i];
      std::vector<int32_t> ids = solutions[p.solution].prompt;
      ids.insert(ids.end(), p.tokens.begin(), p.tokens.end());
      // a prefix that fills the engine's length has no continuation: it is judged as it stands
      if (static_cast<int>(ids.size()) >= engine.max_len()) continue;
      for (int k = 0; k < n; ++k) {
        requests.push_back({ids});
        requested.push_back(i * static_cast<size_t>(n) + static_cast<size_t>(k));
      }
    }
    SamplingConfig call = sampling;
    call.seed = mix64(sampling.seed ^ (0x5eed0000ULL + (*calls)++));
    const auto outputs = engine.generate(requests, call, eos);
    std::vector<std::string> texts(prefixes.size() * static_cast<size_t>(n));
    for (size_t r = 0; r < outputs.size(); ++r) texts[requested[r]] = completion_text(tokenizer, outputs[r].tokens, {});
    return texts;
  };
}

std::vector<LabelledSteps> label_steps(std::span<const SolutionToLabel> solutions, const Tokenizer& tokenizer,
                                       const std::string& separator, int completions, eval::AnswerStyle style,
                                       const StepCompleter& complete) {
  if (completions < 1) fail_hint("use at least 1 completion per step", "step labels: {} completions per step", completions);
  std::vector<LabelledSteps> out(solutions.size());
  std::vector<StepPrefix> prefixes;
  for (size_t i = 0; i < solutions.size(); ++i) {
    const std::string& text = solutions[i].solution;
    std::vector<int32_t> tokens = solutions[i].tokens;
    if (tokens.empty()) {
      const auto ids = tokenizer.encode(text, false);
      tokens.assign(ids.begin(), ids.end());
    }
    LabelledSteps& l = out[i];
    std::vector<int> step_ends;
    split_steps(tokenizer, text, tokens, separator, l.steps, step_ends);
    l.labels.assign(l.steps.size(), 0);
    l.correct_share.assign(l.steps.size(), 0.0);
    if (l.steps.empty()) continue;
    // every step but the last is completed from the token that ends it: the model goes on
    // with the separator and the next step as it would have
    for (size_t k = 0; k + 1 < l.steps.size(); ++k) {
      const auto end = static_cast<size_t>(step_ends[k]) + 1;
      std::vector<int32_t> head(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(end));
      std::string head_text = completion_text(tokenizer, head, {});
      prefixes.push_back({i, static_cast<int>(k), std::move(head), std::move(head_text)});
    }
    const bool right = eval::grade_completion(text, solutions[i].gold, style, {}).correct;
    l.labels.back() = right ? 1 : 0;
    l.correct_share.back() = right ? 1.0 : 0.0;
  }
  // in chunks, so that the requests and their outputs stay small whatever the data's size
  constexpr size_t kPrefixesPerCall = 2048;
  for (size_t c0 = 0; c0 < prefixes.size(); c0 += kPrefixesPerCall) {
    const auto chunk = std::span<const StepPrefix>(prefixes).subspan(c0, std::min(kPrefixesPerCall, prefixes.size() - c0));
    const auto texts = complete(chunk, completions);
    if (texts.size() != chunk.size() * static_cast<size_t>(completions))
      fail("step labels: the completer returned {} completions for {} prefixes x {}", texts.size(), chunk.size(), completions);
    for (size_t p = 0; p < chunk.size(); ++p) {
      const StepPrefix& prefix = chunk[p];
      int right = 0;
      for (int k = 0; k < completions; ++k)
        right += eval::grade_completion(prefix.text + texts[p * static_cast<size_t>(completions) + static_cast<size_t>(k)],
                                        solutions[prefix.solution].gold, style, {})
                     .correct;
      LabelledSteps& l = out[prefix.solution];
      l.labels[static_cast<size_t>(prefix.step)] = right > 0 ? 1 : 0;
      l.correct_share[static_cast<size_t>(prefix.step)] = static_cast<double>(right) / completions;
    }
    log::info("step labels: {}/{} step prefixes completed {} times", c0 + chunk.size(), prefixes.size(), completions);
  }
  return out;
}

std::vector<SampledStepLabels> sample_and_label_steps(GenerationEngine& engine, const Tokenizer& tokenizer,
                                                      const PromptedQuestions& questions, int solutions_per_question,
                                                      int completions, const std::string& separator, eval::AnswerStyle style,
                                                      const SamplingConfig& sampling, const std::vector<int32_t>& eos) {
  std::vector<size_t> all(questions.questions.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  const Rollout sampled = sample_rollout(engine, tokenizer, questions, all, solutions_per_question, sampling, eos);
  std::vector<SolutionToLabel> solutions;
  for (size_t i = 0; i < sampled.outputs.size(); ++i) {
    const size_t q = sampled.question[i];
    solutions.push_back({questions.questions[q].question, questions.questions[q].gold, questions.prompts[q],
                         sampled.completions[i], sampled.outputs[i].tokens});
  }
  // the completer's streams are its own, not the solutions' (engine_completer)
  const auto labelled =
      label_steps(solutions, tokenizer, separator, completions, style, engine_completer(engine, tokenizer, solutions, sampling, eos));
  std::vector<SampledStepLabels> out;
  for (size_t i = 0; i < solutions.size(); ++i) out.push_back({sampled.question[i], solutions[i].solution, labelled[i]});
  return out;
}

}  // namespace dsmath::rl
