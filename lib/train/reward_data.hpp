#pragma once
// Labelled solutions -> reward-model inputs. A solution is rendered as the assistant turn of
// the chat format ("<bos>User: {question}\n\nAssistant: {solution}<eos>"); an outcome label
// sits at the last token (EOS), a step label at the last token of that step's text.
#include <string>
#include <vector>

#include "tokenizer/chat_template.hpp"
#include "tokenizer/tokenizer.hpp"
#include "train/packed_dataset.hpp"
#include "train/rm_config.hpp"

namespace dsmath {

struct RewardInput {
  std::vector<int32_t> ids;
  std::vector<int32_t> scored;  // token positions a score is read at (one, or one per step)
};

// Outcome: one scored position (the last token). Process: one per step, steps joined by sep.
RewardInput encode_reward_input(const ChatFormat& chat, const Tokenizer& tokenizer, const std::string& question,
                                const std::vector<std::string>& steps, RewardKind kind, const std::string& separator);

struct RewardRecord {
  std::string question;
  std::vector<std::string> steps;  // one entry (the solution) for outcome records
  std::vector<int> labels;         // one per scored position
  std::string where;               // file:line
};

// Reads labelled records (errors name file:line; skip_invalid skips and counts instead).
std::vector<RewardRecord> load_reward_records(const std::vector<std::string>& files, const RmDataConfig& config,
                                              size_t& skipped_invalid);

// Training examples: labels placed at the scored positions; too-long handling per config.
std::vector<PackedExample> reward_examples(const std::vector<RewardRecord>& records, const RmDataConfig& config,
                                           const Tokenizer& tokenizer, size_t& truncated, size_t& dropped);

}  // namespace dsmath
