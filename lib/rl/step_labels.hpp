#pragma once
// Step labels for a process reward model without hand labelling, the Math-Shepherd way (Wang et
// al. 2023, "Math-Shepherd", section 3.3; DeepSeekMath section 4.1.3 trains its PRM on such
// data): the quality of step i of a solution is how well it leads to the right answer. N
// completions are sampled from the solution's first i steps; hard estimation labels the step good
// (1) when at least one of them reaches the reference answer, and soft estimation is the share
// that does. The last step's label is the solution's own verdict: its prefix is the solution.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "eval/answer_extraction.hpp"
#include "infer/generation_engine.hpp"
#include "rl/rollout.hpp"
#include "tokenizer/tokenizer.hpp"

namespace dsmath::rl {

struct SolutionToLabel {
  std::string question;
  std::string gold;               // the reference final answer
  std::vector<int32_t> prompt;    // the question's prompt tokens, the solution continues it
  std::string solution;           // the text after the prompt
  std::vector<int32_t> tokens;    // its tokens as sampled ({}: the solution encoded)
};

struct LabelledSteps {
  std::vector<std::string> steps;     // the solution split by the step separator (rl/rewards.hpp)
  std::vector<int> labels;            // hard estimation: 1 when a completion from the step is right
  std::vector<double> correct_share;  // soft estimation: the share of completions that are right
};

// One continuation to sample: the solution's tokens up to the one that ends its step `step`
// (0-based), after the question's prompt, and their text; the model writes the separator and goes
// on. The prefix is cut at a token boundary of the solution as sampled, not re-tokenized from
// text: a text prefix ending in the separator's space (". ") would ask the model for a token
// sequence it never produces (byte-level BPE attaches the space to the next word), and the
// completions would measure that, not the step (on the quickstart's SFT model, 40 solutions of 20
// questions: 24.5% of 106 steps labelled good from text prefixes, 33.0% cut at the token).
struct StepPrefix {
  size_t solution = 0;
  int step = 0;
  std::vector<int32_t> tokens;
  std::string text;
};

// Samples `n` completions of each prefix and returns their text (prefix.size() x n, prefix-major),
// the text after the prefix only. The engine-backed one is make_engine_completer.
using StepCompleter = std::function<std::vector<std::string>(std::span<const StepPrefix> prefixes, int n)>;

// Completions from `engine`'s model: each prefix's tokens after its solution's prompt, sampled
// with `sampling` (each call draws from streams of its own, so repeated calls differ and a rerun
// is identical); the sequence ends at EOS, the token budget or the engine's length.
StepCompleter engine_completer(GenerationEngine& engine, const Tokenizer& tokenizer, std::span<const SolutionToLabel> solutions,
                               const SamplingConfig& sampling, std::vector<int32_t> eos);

// Labels every step of every solution; `completions` is N (>= 1).
std::vector<LabelledSteps> label_steps(std::span<const SolutionToLabel> solutions, const Tokenizer& tokenizer,
                                       const std::string& separator, int completions, eval::AnswerStyle style,
                                       const StepCompleter& complete);

// `dsmath rm label`: the whole Math-Shepherd pipeline on questions with reference answers.
// `solutions_per_question` solutions are sampled from the model (the generator), then each of
// their steps is labelled from `completions` completions by the same model (the completer).
struct SampledStepLabels {
  size_t question = 0;  // index into the PromptedQuestions
  std::string solution;
  LabelledSteps steps;
};
std::vector<SampledStepLabels> sample_and_label_steps(GenerationEngine& engine, const Tokenizer& tokenizer,
                                                      const PromptedQuestions& questions, int solutions_per_question,
                                                      int completions, const std::string& separator, eval::AnswerStyle style,
                                                      const SamplingConfig& sampling, const std::vector<int32_t>& eos);

}  // namespace dsmath::rl
