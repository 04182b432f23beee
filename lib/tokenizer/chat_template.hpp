#pragma once
// The chat format of DeepSeek LLM / DeepSeekMath-Instruct, used for SFT and GRPO prompts. It is
// what tokenizer_config.json's chat_template (shared/data/tokenizers/deepseek-math) renders,
// written out in C++ rather than interpreted as Jinja:
//   {bos}  then per message   system: "{content}\n\n"
//                             user: "User: {content}\n\n"
//                             assistant: "Assistant: {content}{eos}"
//   then, with add_generation_prompt, "Assistant:"
// e.g. "<bos>User: {q}\n\nAssistant: {a}<eos>User: {q2}\n\nAssistant:" (DeepSeek-Math README).
// The template drops messages of other roles silently; here they are an error, since in
// training data they are a mistake.
//
// Loss masks (DESIGN.md: SFT loss on responses only): an assistant message's response is
// everything after "Assistant:", i.e. " {content}{eos}" - the model learns to continue the
// generation prompt, which ends at the colon. A token is a target when its first byte lies in
// a response (its span from Tokenizer::encode_into).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.hpp"

namespace dsmath {

// The Jinja source of this format (tokenizer_config.json "chat_template"), written into the
// tokenizer_config.json of trained tokenizers so `transformers` renders the same text.
extern const std::string_view kChatTemplateJinja;

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

struct RenderedChat {
  std::string text;
  // byte ranges [first, second) of `text` that are assistant responses (" {content}{eos}")
  std::vector<std::pair<size_t, size_t>> response_spans;
};

struct ChatTokens {
  std::vector<uint32_t> ids;
  std::vector<uint8_t> loss_mask;  // 1 where ids[i] is a response token (a training target)
};

class ChatFormat {
 public:
  // bos may be empty (no BOS); eos is appended to every assistant message.
  ChatFormat(std::string bos, std::string eos);
  // BOS and EOS of the tokenizer (tokenizer_config.json, else the post-processor and the usual
  // end-of-text names); a tokenizer without an EOS token is an error.
  static ChatFormat for_tokenizer(const Tokenizer& tokenizer);

  // Contents that are not valid UTF-8 are repaired first (U+FFFD), so spans index the text.
  RenderedChat render(std::span<const ChatMessage> messages, bool add_generation_prompt) const;
  // The rendered text encoded as `transformers` apply_chat_template does (no extra special
  // tokens: BOS is part of the text), with the response loss mask.
  ChatTokens encode(const Tokenizer& tokenizer, std::span<const ChatMessage> messages, bool add_generation_prompt) const;
  // A single-turn generation prompt: "{bos}User: {question}\n\nAssistant:".
  std::string prompt(std::string_view question) const;

  const std::string& bos() const { return bos_; }
  const std::string& eos() const { return eos_; }

 private:
  std::string bos_, eos_;
};

}  // namespace dsmath
