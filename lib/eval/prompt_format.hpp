#pragma once
// How a problem becomes a prompt (DeepSeekMath section 5.1 / DESIGN.md section 2): base
// models get few-shot chain-of-thought prompts (GSM8K 8-shot "Q:/A:", MATH 4-shot Minerva
// "Problem:/Solution:"), taken verbatim from DeepSeek-Math's evaluation/few_shot_prompts
// (../shared/data/fewshot/deepseek_math_fewshot_prompts.json); instruct and RL models get the
// question zero-shot in the chat format with "Please reason step by step, and put your final
// answer within \boxed{}.".
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "tokenizer/hf_chat_template.hpp"

namespace dsmath::eval {

// The DeepSeek chat format of an instruct-model prompt (the tokenizer adds BOS).
inline constexpr std::string_view kInstructTemplate =
    "User: {question}\nPlease reason step by step, and put your final answer within \\boxed{}.\n\nAssistant:";
// The user message of the instruct prompt (DeepSeek-Math run_subset_parallel.py markup_question, English).
inline constexpr std::string_view kInstructUserMessage =
    "{question}\nPlease reason step by step, and put your final answer within \\boxed{}.";

struct PromptFormat {
  std::string name;             // "cot_gsm_8_shot", "instruct", ...
  std::string few_shot_prompt;  // the exemplars ("" for zero-shot)
  // Placeholders: {few_shot_prompt}, {task_input} or {question} (the problem), {task_output}
  // (empty at test time). Other braces, as in "\boxed{}", are literal.
  std::string template_text;
  std::vector<std::string> stop_words;  // end generation (besides EOS)
  bool strip_trailing_space = true;     // DeepSeek's format_prompt() rstrip()s the prompt
  bool few_shot = false;                // exemplars precede the question (completions may run on into the next one)
  // The rendered text already holds BOS (a tokenizer chat template's {{ bos_token }}): it is
  // encoded without adding special tokens, as apply_chat_template(tokenize=True) does.
  bool includes_special_tokens = false;
  // A tokenizer's chat template (tokenizer_chat_format): the conversation so far (a system
  // message, few-shot turns) and the user message holding {question}; template_text unused.
  std::shared_ptr<const HfChatTemplate> tokenizer_template;
  Json prefix_messages = Json::array();
  std::string user_message;

  std::string render(std::string_view question) const;
};

// The exemplars of a few-shot format as (question, answer) pairs, split at the template's
// question and answer markers ("Q:"/"A:", "Problem:"/"Solution:", "问题："/"答案："). An error
// names the format when its prompt does not split that way (Gaokao's numbered exemplars).
std::vector<std::pair<std::string, std::string>> few_shot_exemplars(const PromptFormat& format);

// The prompt of a tokenizer chat template: [system] [exemplar turns] user(user_message), with
// the generation prompt; BOS comes from the template when it writes one.
PromptFormat tokenizer_chat_format(std::shared_ptr<const HfChatTemplate> chat_template, std::string user_message,
                                   std::string system_prompt, const std::vector<std::pair<std::string, std::string>>& exemplars);

// Entry `key` ("cot_gsm_8_shot", "cot_minerva_math_4_shot", ...) of the few-shot prompt file.
PromptFormat load_few_shot_format(const std::filesystem::path& file, const std::string& key);

// A zero-shot chat format; `template_text` holds {question}.
PromptFormat chat_format(std::string template_text, std::vector<std::string> stop_words = {});

}  // namespace dsmath::eval
