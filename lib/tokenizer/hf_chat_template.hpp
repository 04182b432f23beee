#pragma once
// A tokenizer's own chat template (tokenizer_config.json "chat_template") rendered by the Jinja
// engine of jinja_template.hpp, the way `transformers` apply_chat_template renders it: the
// variables messages, add_generation_prompt, tools and documents (none), the special tokens of
// the config (bos_token, eos_token, unk_token, pad_token, ... as strings) and any extra ones.
// A config may hold one template or a list of named ones ([{"name": "default", "template": ...}]).
#include <filesystem>
#include <string>

#include "core/json.hpp"
#include "tokenizer/jinja_template.hpp"

namespace dsmath {

class HfChatTemplate {
 public:
  // `name` picks one of several named templates ("" = "default", or the only one).
  static HfChatTemplate load(const std::filesystem::path& tokenizer_config, const std::string& name = "");
  // A template text with the special tokens (a tokenizer_config.json-like object).
  static HfChatTemplate from_text(std::string_view template_text, const Json& config, std::string where);

  // messages: [{"role": ..., "content": ...}, ...]; extra: more template variables.
  std::string render(const Json& messages, bool add_generation_prompt, const Json& extra = Json::object()) const;

  const std::string& bos_token() const { return bos_; }
  // Whether rendered text begins with the BOS token: it is then encoded without adding one.
  bool renders_bos() const;

 private:
  jinja::Template template_;
  Json special_ = Json::object();  // token name -> text
  std::string bos_;
};

}  // namespace dsmath
