#include "eval/prompt_format.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "core/strings.hpp"

namespace dsmath::eval {

std::string PromptFormat::render(std::string_view question) const {
  // One pass over the template, so a question that happens to contain "{task_output}" is
  // not substituted again.
  std::string out;
  out.reserve(template_text.size() + few_shot_prompt.size() + question.size());
  const std::string_view t = template_text;
  for (size_t i = 0; i < t.size();) {
    if (t[i] == '{') {
      const size_t close = t.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view name = t.substr(i + 1, close - i - 1);
        if (name == "few_shot_prompt") {
          out += few_shot_prompt;
          i = close + 1;
          continue;
        }
        if (name == "task_input" || name == "question") {
          out += question;
          i = close + 1;
          continue;
        }
        if (name == "task_output") {
          i = close + 1;
          continue;
        }
      }
    }
    out += t[i++];
  }
  if (strip_trailing_space) {
    while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == '\t')) out.pop_back();
  }
  return out;
}

PromptFormat load_few_shot_format(const std::filesystem::path& file, const std::string& key) {
  if (!std::filesystem::exists(file))
    fail_hint("set prompt.few_shot_file to deepseek_math_fewshot_prompts.json (../shared/data/fewshot/)",
              "few-shot prompt file '{}' does not exist", file.string());
  const Json doc = read_json_file(file, "the file must be the JSON document described in shared/data/SOURCES.md");
  const Json* prompts = doc.contains("prompts") ? &doc["prompts"] : nullptr;
  if (prompts == nullptr || !prompts->is_object())
    fail_hint("expected {\"prompts\": {\"cot_gsm_8_shot\": {...}, ...}}", "{}: no \"prompts\" object",
              file.string());
  if (!prompts->contains(key)) {
    std::vector<std::string> keys;
    for (auto it = prompts->begin(); it != prompts->end(); ++it) keys.push_back(it.key());
    const std::string guess = closest_match(key, keys);
    fail_hint(guess.empty() ? "available: " + join(keys, ", ") : "did you mean '" + guess + "'?",
              "{}: no few-shot prompt named '{}'", file.string(), key);
  }
  const Json& entry = (*prompts)[key];
  auto text = [&](const char* field) {
    if (!entry.contains(field) || !entry[field].is_string())
      fail_hint("each prompt entry has few_shot_prompt, template and stop_words", "{}: prompt '{}' has no string \"{}\"",
                file.string(), key, field);
    return entry[field].get<std::string>();
  };
  PromptFormat f;
  f.name = key;
  f.few_shot_prompt = text("few_shot_prompt");
  f.template_text = text("template");
  if (entry.contains("stop_words") && entry["stop_words"].is_array())
    for (const auto& w : entry["stop_words"])
      if (w.is_string()) f.stop_words.push_back(w.get<std::string>());
  return f;
}

PromptFormat chat_format(std::string template_text, std::vector<std::string> stop_words) {
  if (template_text.find("{question}") == std::string::npos && template_text.find("{task_input}") == std::string::npos)
    fail_hint("write {question} where the problem goes", "chat template '{}' has no {{question}} placeholder",
              template_text);
  PromptFormat f;
  f.name = "chat";
  f.template_text = std::move(template_text);
  f.stop_words = std::move(stop_words);
  f.strip_trailing_space = false;
  return f;
}

}  // namespace dsmath::eval
