#include "rl/offline_samples.hpp"

#include <algorithm>
#include <set>

#include "core/log.hpp"
#include "rl/rewards.hpp"

namespace dsmath::rl {

GradedOutputs sample_and_grade(Transformer& model, Backend& backend, Communicator& comm, const Tokenizer& tokenizer,
                               const PromptedQuestions& pq, const OfflineSamplingConfig& config, eval::AnswerStyle style) {
  GradedOutputs out;
  out.right.resize(pq.questions.size());
  out.wrong.resize(pq.questions.size());
  std::vector<size_t> mine;
  for (size_t q = static_cast<size_t>(comm.rank()); q < pq.questions.size(); q += static_cast<size_t>(comm.world_size()))
    mine.push_back(q);
  const std::vector<int32_t> eos = tokenizer.eos_id() ? std::vector<int32_t>{static_cast<int32_t>(*tokenizer.eos_id())}
                                                      : std::vector<int32_t>{};
  const int len = static_cast<int>(std::min<size_t>(static_cast<size_t>(model.config().max_seq_len),
                                                    pq.longest_prompt + static_cast<size_t>(config.sampling.max_new_tokens)));
  GenerationEngine engine(model, config.batch, len);
  const Rewards rule({RewardSource{}}, style, backend, tokenizer);
  // chunks of questions so that memory holds one chunk's outputs, not the whole set's
  const size_t chunk = std::max<size_t>(1, static_cast<size_t>(config.batch) * 4 / static_cast<size_t>(config.samples_per_question));
  for (size_t c0 = 0; c0 < mine.size(); c0 += chunk) {
    const std::vector<size_t> part(mine.begin() + static_cast<ptrdiff_t>(c0),
                                   mine.begin() + static_cast<ptrdiff_t>(std::min(mine.size(), c0 + chunk)));
    SamplingConfig sampling = config.sampling;
    sampling.seed = config.sampling.seed ^ (0x9e3779b97f4a7c15ull * (part.front() + 1));
    const Rollout r = sample_rollout(engine, tokenizer, pq, part, config.samples_per_question, sampling, eos);
    const auto scored = score_rollout(rule, pq, r);
    std::set<std::pair<size_t, std::string>> seen;
    for (size_t i = 0; i < r.outputs.size(); ++i) {
      ++out.sampled;
      if (!seen.insert({r.question[i], r.completions[i]}).second) {
        ++out.duplicates;
        continue;
      }
      (scored[i].correct ? out.right : out.wrong)[r.question[i]].push_back(r.outputs[i].tokens);
    }
  }
  log::info("sampled {} outputs of {} questions on this rank ({} duplicates dropped)", out.sampled, mine.size(), out.duplicates);
  return out;
}

}  // namespace dsmath::rl
