#include "eval/prompt_format.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "core/strings.hpp"

namespace dsmath::eval {

namespace {

// "{question}" (or "{task_input}") in `text` replaced by the question, once per occurrence.
std::string with_question(std::string_view text, std::string_view question) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.substr(i, 10) == "{question}") {
      out += question;
      i += 10;
    } else if (text.substr(i, 12) == "{task_input}") {
      out += question;
      i += 12;
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace

std::string PromptFormat::render(std::string_view question) const {
  if (tokenizer_template) {
    Json messages = prefix_messages;
    messages.push_back({{"role", "user"}, {"content", with_question(user_message, question)}});
    return tokenizer_template->render(messages, /*add_generation_prompt=*/true);
  }
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
  f.few_shot = true;
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


std::vector<std::pair<std::string, std::string>> few_shot_exemplars(const PromptFormat& format) {
  const std::string& t = format.template_text;
  const size_t fp = t.find("{few_shot_prompt}"), ti = t.find("{task_input}"), to = t.find("{task_output}");
  if (fp == std::string::npos || ti == std::string::npos || to == std::string::npos || !(fp < ti && ti < to))
    fail_hint("few_shot_turns needs a few-shot format with {few_shot_prompt}, {task_input} and {task_output}",
              "few-shot format '{}' has no question/answer layout to split", format.name);
  const std::string question_marker(trim(t.substr(fp + 17, ti - fp - 17)));
  const std::string answer_marker(trim(t.substr(ti + 12, to - ti - 12)));
  const std::string& p = format.few_shot_prompt;
  std::vector<size_t> starts;
  for (size_t pos = p.find(question_marker); pos != std::string::npos; pos = p.find(question_marker, pos + 1))
    if (pos == 0 || p[pos - 1] == '\n') starts.push_back(pos);
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t begin = starts[k] + question_marker.size();
    const size_t end = k + 1 < starts.size() ? starts[k + 1] : p.size();
    const std::string_view chunk = std::string_view(p).substr(begin, end - begin);
    const size_t a = chunk.find("\n" + answer_marker);
    if (a == std::string_view::npos) continue;
    out.emplace_back(std::string(trim(chunk.substr(0, a))), std::string(trim(chunk.substr(a + 1 + answer_marker.size()))));
  }
  if (out.empty())
    fail_hint("use prompt.kind few_shot for this format, or leave few_shot_turns off",
              "few-shot format '{}': no exemplar starts with '{}' and answers after '{}'", format.name, question_marker,
              answer_marker);
  return out;
}

PromptFormat tokenizer_chat_format(std::shared_ptr<const HfChatTemplate> chat_template, std::string user_message,
                                   std::string system_prompt, const std::vector<std::pair<std::string, std::string>>& exemplars) {
  if (user_message.find("{question}") == std::string::npos && user_message.find("{task_input}") == std::string::npos)
    fail_hint("write {question} where the problem goes", "prompt.user_message '{}' has no {{question}} placeholder",
              user_message);
  PromptFormat f;
  f.name = "tokenizer_chat";
  f.strip_trailing_space = false;
  f.includes_special_tokens = chat_template->renders_bos();
  if (!system_prompt.empty()) f.prefix_messages.push_back({{"role", "system"}, {"content", system_prompt}});
  for (const auto& [q, a] : exemplars) {
    f.prefix_messages.push_back({{"role", "user"}, {"content", with_question(user_message, q)}});
    f.prefix_messages.push_back({{"role", "assistant"}, {"content", a}});
  }
  f.user_message = std::move(user_message);
  f.tokenizer_template = std::move(chat_template);
  return f;
}

}  // namespace dsmath::eval
