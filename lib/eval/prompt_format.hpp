#pragma once
// How a problem becomes a prompt (DeepSeekMath section 5.1 / DESIGN.md section 2): base
// models get few-shot chain-of-thought prompts (GSM8K 8-shot "Q:/A:", MATH 4-shot Minerva
// "Problem:/Solution:"), taken verbatim from DeepSeek-Math's evaluation/few_shot_prompts
// (../shared/data/fewshot/deepseek_math_fewshot_prompts.json); instruct and RL models get the
// question zero-shot in the chat format with "Please reason step by step, and put your final
// answer within \boxed{}.".
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace dsmath::eval {

// The DeepSeek chat format of an instruct-model prompt (the tokenizer adds BOS).
inline constexpr std::string_view kInstructTemplate =
    "User: {question}\nPlease reason step by step, and put your final answer within \\boxed{}.\n\nAssistant:";

struct PromptFormat {
  std::string name;             // "cot_gsm_8_shot", "instruct", ...
  std::string few_shot_prompt;  // the exemplars ("" for zero-shot)
  // Placeholders: {few_shot_prompt}, {task_input} or {question} (the problem), {task_output}
  // (empty at test time). Other braces, as in "\boxed{}", are literal.
  std::string template_text;
  std::vector<std::string> stop_words;  // end generation (besides EOS)
  bool strip_trailing_space = true;     // DeepSeek's format_prompt() rstrip()s the prompt

  std::string render(std::string_view question) const;
};

// Entry `key` ("cot_gsm_8_shot", "cot_minerva_math_4_shot", ...) of the few-shot prompt file.
PromptFormat load_few_shot_format(const std::filesystem::path& file, const std::string& key);

// A zero-shot chat format; `template_text` holds {question}.
PromptFormat chat_format(std::string template_text, std::vector<std::string> stop_words = {});

}  // namespace dsmath::eval
