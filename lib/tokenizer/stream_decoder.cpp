#include "tokenizer/stream_decoder.hpp"

#include "tokenizer/utf8.hpp"

namespace dsmath {

std::string StreamDecoder::push(uint32_t id) {
  if (!tokenizer_->is_defined(id) || (skip_special_ && tokenizer_->is_special(id))) return {};
  pending_ += tokenizer_->token_bytes(id);
  const size_t hold = utf8_unfinished_tail(pending_);
  std::string out = repair_utf8(std::string_view(pending_).substr(0, pending_.size() - hold));
  pending_.erase(0, pending_.size() - hold);
  return out;
}

std::string StreamDecoder::finish() {
  std::string out = repair_utf8(pending_);
  pending_.clear();
  return out;
}

}  // namespace dsmath
