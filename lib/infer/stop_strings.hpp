#pragma once
// Stop strings for generation ("\nQ:" after a few-shot answer): the generated tokens' bytes are
// searched for each string; when one appears the completion is cut before the first token
// that reaches into it (so its text ends at or a few bytes before the stop string).
#include <string>
#include <vector>

#include "infer/generation_engine.hpp"
#include "tokenizer/tokenizer.hpp"

namespace dsmath {

StopCheck stop_strings_check(const Tokenizer& tokenizer, std::vector<std::string> stops);

// Text of generated ids with everything from the first stop string on removed.
std::string completion_text(const Tokenizer& tokenizer, const std::vector<int32_t>& ids, const std::vector<std::string>& stops);

}  // namespace dsmath
