#pragma once
// The offline data source of RFT and DPO (DeepSeekMath section 5.2.1, Table 10: "data source:
// the SFT model's samples"): k outputs per question from a fixed model, graded by the rule
// reward and deduplicated per question.
#include <vector>

#include "backend/backend.hpp"
#include "dist/communicator.hpp"
#include "model/transformer.hpp"
#include "rl/dpo_config.hpp"
#include "rl/rollout.hpp"

namespace dsmath::rl {

struct GradedOutputs {
  // per question (index into PromptedQuestions): its distinct right and wrong outputs, in
  // sampling order
  std::vector<std::vector<std::vector<int32_t>>> right, wrong;
  size_t sampled = 0, duplicates = 0;
};

// Every rank samples its share of the questions (question q on rank q mod world); the result
// holds this rank's questions only.
GradedOutputs sample_and_grade(Transformer& model, Backend& backend, Communicator& comm, const Tokenizer& tokenizer,
                               const PromptedQuestions& pq, const OfflineSamplingConfig& config, eval::AnswerStyle style);

}  // namespace dsmath::rl
