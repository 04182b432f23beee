#include "stages.hpp"

#include "config/doc_writer.hpp"
#include "select/data_config.hpp"
#include "eval/eval_config.hpp"
#include "rl/dpo_config.hpp"
#include "rl/grpo_config.hpp"
#include "rl/ppo_config.hpp"
#include "rl/rft_config.hpp"
#include "train/pretrain_config.hpp"
#include "train/rm_config.hpp"
#include "train/sft_config.hpp"

namespace dsmath::app {

template <class Config>
StageEntry make_stage_entry(std::string name, std::string summary) {
  return StageEntry{std::move(name), std::move(summary),
                    [](const config::ConfigSources& s) { return config::to_yaml_text(config::load_config<Config>(s)); },
                    [] { return config::markdown_reference<Config>(); }};
}

const std::vector<StageEntry>& stage_entries() {
  static const std::vector<StageEntry> entries{
      make_stage_entry<PretrainConfig>("pretrain", "continued pretraining on a token mixture (`dsmath pretrain`)"),
      make_stage_entry<SftConfig>("sft", "supervised fine-tuning on conversations (`dsmath sft`)"),
      make_stage_entry<RmConfig>("rm", "reward models, outcome or process (`dsmath rm train`)"),
      make_stage_entry<rl::GrpoConfig>("grpo", "Group Relative Policy Optimization (`dsmath grpo`)"),
      make_stage_entry<rl::PpoConfig>("ppo", "Proximal Policy Optimization with a value model (`dsmath ppo`)"),
      make_stage_entry<rl::RftConfig>("rft", "rejection-sampling fine-tuning (`dsmath rft`)"),
      make_stage_entry<rl::DpoConfig>("dpo", "Direct Preference Optimization (`dsmath dpo`)"),
      make_stage_entry<eval::EvalConfig>("eval", "benchmark evaluation (`dsmath eval run`, configs/eval)"),
      make_stage_entry<select::DataConfig>("data", "corpus selection (`dsmath data ...`)"),
  };
  return entries;
}

}  // namespace dsmath::app
