#include "tokenizer/hf_chat_template.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/json_file.hpp"

namespace dsmath {

namespace {

// "bos_token": "<s>" or an AddedToken object {"content": "<s>", ...}.
std::optional<std::string> token_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return std::nullopt;
}

}  // namespace

HfChatTemplate HfChatTemplate::from_text(std::string_view template_text, const Json& config, std::string where) {
  HfChatTemplate t;
  t.template_ = jinja::Template::parse(template_text, std::move(where));
  for (const char* key : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}) {
    if (!config.is_object() || !config.contains(key)) continue;
    if (auto text = token_text(config[key])) t.special_[key] = *text;
  }
  if (config.is_object() && config.contains("additional_special_tokens") && config["additional_special_tokens"].is_array()) {
    Json list = Json::array();
    for (const auto& v : config["additional_special_tokens"])
      if (auto text = token_text(v)) list.push_back(*text);
    t.special_["additional_special_tokens"] = list;
  }
  if (t.special_.contains("bos_token")) t.bos_ = t.special_["bos_token"].get<std::string>();
  return t;
}

HfChatTemplate HfChatTemplate::load(const std::filesystem::path& tokenizer_config, const std::string& name) {
  if (!std::filesystem::exists(tokenizer_config))
    fail_hint("a Hugging Face model directory has tokenizer_config.json beside tokenizer.json",
              "tokenizer config '{}' does not exist", tokenizer_config.string());
  const Json config = read_json_file(tokenizer_config, "tokenizer_config.json is a JSON object");
  if (!config.contains("chat_template"))
    fail_hint("use prompt.kind: chat with prompt.chat_template, or a tokenizer that ships a template",
              "{} has no \"chat_template\"", tokenizer_config.string());
  const Json& templates = config["chat_template"];
  std::string text, chosen = name.empty() ? "default" : name;
  if (templates.is_string()) {
    if (!name.empty() && name != "default")
      fail_hint("this config has one unnamed template: leave the name empty", "{} has no chat template named '{}'",
                tokenizer_config.string(), name);
    text = templates.get<std::string>();
  } else if (templates.is_array()) {
    std::vector<std::string> names;
    for (const auto& t : templates) {
      if (!t.is_object() || !t.contains("name") || !t.contains("template") || !t["template"].is_string()) continue;
      names.push_back(t["name"].get<std::string>());
      if (names.back() == chosen || (name.empty() && templates.size() == 1)) text = t["template"].get<std::string>();
    }
    if (text.empty())
      fail_hint("set prompt.template_name to one of them", "{} has no chat template named '{}' (it has: {})",
                tokenizer_config.string(), chosen, fmt::format("{}", fmt::join(names, ", ")));
  } else {
    fail_hint("\"chat_template\" is a string or a list of {name, template}", "{}: malformed \"chat_template\"",
              tokenizer_config.string());
  }
  return from_text(text, config, fmt::format("{} chat_template", tokenizer_config.string()));
}

std::string HfChatTemplate::render(const Json& messages, bool add_generation_prompt, const Json& extra) const {
  Json context = special_;
  context["messages"] = messages;
  context["add_generation_prompt"] = add_generation_prompt;
  context["tools"] = nullptr;
  context["documents"] = nullptr;
  if (extra.is_object())
    for (auto it = extra.begin(); it != extra.end(); ++it) context[it.key()] = *it;
  return template_.render(jinja::Value::from_json(context));
}

bool HfChatTemplate::renders_bos() const {
  if (bos_.empty()) return false;
  const std::string probe = render(Json::array({{{"role", "user"}, {"content", "x"}}}), true);
  return probe.rfind(bos_, 0) == 0;
}

}  // namespace dsmath
