#pragma once
// Every subcommand registers itself on the root CLI::App; main() only parses and reports.
namespace CLI {
class App;
}

namespace dsmath::app {

void register_all_commands(CLI::App& app);

void register_config_command(CLI::App& app);
void register_data_command(CLI::App& app);
void register_pretrain_command(CLI::App& app);
void register_sft_command(CLI::App& app);
void register_rm_command(CLI::App& app);
void register_grpo_command(CLI::App& app);
void register_ppo_command(CLI::App& app);
void register_rft_command(CLI::App& app);
void register_dpo_command(CLI::App& app);
void register_generate_command(CLI::App& app);
void register_convert_command(CLI::App& app);
void register_eval_command(CLI::App& app);
void register_tokenizer_command(CLI::App& app);
void register_tokenize_command(CLI::App& app);
void register_plot_command(CLI::App& app);

}  // namespace dsmath::app
