#include "commands.hpp"

#include <CLI/CLI.hpp>

namespace dsmath::app {

void register_all_commands(CLI::App& app) {
  register_config_command(app);
  register_data_command(app);
  register_pretrain_command(app);
  register_sft_command(app);
  register_rm_command(app);
  register_grpo_command(app);
  register_ppo_command(app);
  register_rft_command(app);
  register_dpo_command(app);
  register_generate_command(app);
  register_convert_command(app);
  register_eval_command(app);
  register_tokenizer_command(app);
  register_tokenize_command(app);
  register_plot_command(app);
}

}  // namespace dsmath::app
