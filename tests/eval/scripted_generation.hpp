#pragma once
// The generation engine's side, scripted for tests of what happens around generation: a reply
// text is fed to the stop check one token at a time, as GenerationEngine does, and cut where
// the check says.
#include <string>

#include "infer/generation_engine.hpp"
#include "tokenizer/tokenizer.hpp"

namespace dsmath::test {

inline Generation scripted_generation(const Tokenizer& tok, const std::string& text, size_t request, const StopCheck& stop) {
  Generation g;
  g.finish = FinishReason::eos;
  for (uint32_t id : tok.encode(text, false)) {
    g.tokens.push_back(static_cast<int32_t>(id));
    const int keep = stop ? stop(request, g.tokens) : -1;
    if (keep >= 0) {
      g.tokens.resize(static_cast<size_t>(keep));
      g.finish = FinishReason::stop;
      break;
    }
  }
  return g;
}

}  // namespace dsmath::test
