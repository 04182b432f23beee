#include "tokenizer/chat_template.hpp"

#include "core/error.hpp"
#include "tokenizer/utf8.hpp"

namespace dsmath {

const std::string_view kChatTemplateJinja =
    R"JINJA({% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %})JINJA"
    R"JINJA({% endif %}{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %})JINJA"
    R"JINJA({{ 'User: ' + message['content'] + '\n\n' }}{% elif message['role'] == 'assistant' %})JINJA"
    R"JINJA({{ 'Assistant: ' + message['content'] + eos_token }}{% elif message['role'] == 'system' %})JINJA"
    R"JINJA({{ message['content'] + '\n\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %})JINJA"
    R"JINJA({{ 'Assistant:' }}{% endif %})JINJA";

ChatFormat::ChatFormat(std::string bos, std::string eos) : bos_(std::move(bos)), eos_(std::move(eos)) {}

ChatFormat ChatFormat::for_tokenizer(const Tokenizer& tokenizer) {
  if (!tokenizer.eos_id())
    fail_hint("put \"eos_token\" in a tokenizer_config.json beside tokenizer.json",
              "tokenizer '{}' has no end-of-sequence token for the chat format", tokenizer.source());
  std::string bos;
  if (tokenizer.bos_id()) bos = *tokenizer.id_to_token(*tokenizer.bos_id());
  return ChatFormat(std::move(bos), *tokenizer.id_to_token(*tokenizer.eos_id()));
}

RenderedChat ChatFormat::render(std::span<const ChatMessage> messages, bool add_generation_prompt) const {
  RenderedChat out;
  out.text = bos_;
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    const std::string content = repair_utf8(m.content);
    if (m.role == "system") {
      out.text += content + "\n\n";
    } else if (m.role == "user") {
      out.text += "User: " + content + "\n\n";
    } else if (m.role == "assistant") {
      out.text += "Assistant:";
      const size_t begin = out.text.size();
      out.text += " " + content + eos_;
      out.response_spans.emplace_back(begin, out.text.size());
    } else {
      fail_hint("roles are system, user and assistant", "chat message {} has role '{}'", i, repair_utf8(m.role));
    }
  }
  if (add_generation_prompt) out.text += "Assistant:";
  return out;
}

ChatTokens ChatFormat::encode(const Tokenizer& tokenizer, std::span<const ChatMessage> messages,
                              bool add_generation_prompt) const {
  const RenderedChat chat = render(messages, add_generation_prompt);
  ChatTokens out;
  std::vector<TokenSpan> spans;
  tokenizer.encode_into(chat.text, false, out.ids, &spans);
  out.loss_mask.assign(out.ids.size(), 0);
  size_t r = 0;  // spans are ascending, and so are responses
  for (size_t i = 0; i < spans.size(); ++i) {
    while (r < chat.response_spans.size() && chat.response_spans[r].second <= spans[i].begin) ++r;
    if (r < chat.response_spans.size() && spans[i].begin >= chat.response_spans[r].first &&
        spans[i].end > spans[i].begin)
      out.loss_mask[i] = 1;
  }
  return out;
}

std::string ChatFormat::prompt(std::string_view question) const {
  const ChatMessage m{"user", std::string(question)};
  return render(std::span<const ChatMessage>(&m, 1), true).text;
}

}  // namespace dsmath
