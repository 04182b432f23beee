#pragma once
// Shared by the tokenizer tests: the reference tokenizers of shared/data (loaded once per
// process) and the `tokenizers` Python package as an oracle when it is installed.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "tokenizer/tokenizer.hpp"

namespace dsmath::test {

// shared/data/tokenizers/<name> ("deepseek-math", "gpt2"); nullptr when the data is absent.
const Tokenizer* reference_tokenizer(const std::string& name);
std::optional<std::filesystem::path> reference_tokenizer_dir(const std::string& name);

// True when `python3 -c "import tokenizers"` works (checked once).
bool hf_tokenizers_available();

// Runs tests/tokenizer/hf_reference.py: encodes each text of `texts` with the `tokenizers`
// package and returns the ids (add_special_tokens as given). Texts that are not valid UTF-8
// are decoded there with errors='replace' (dsmath's documented policy).
std::vector<std::vector<uint32_t>> hf_encode(const std::filesystem::path& tokenizer_json,
                                             const std::vector<std::string>& texts, bool add_special_tokens);
// Renders conversations with the chat_template of a tokenizer_config.json through jinja2, as
// `transformers` does; each input is {"messages": [...], "add_generation_prompt": bool}.
std::vector<std::string> jinja_render_chat(const std::filesystem::path& tokenizer_config, const std::vector<Json>& inputs);
bool jinja2_available();

std::vector<std::string> hf_decode(const std::filesystem::path& tokenizer_json,
                                   const std::vector<std::vector<uint32_t>>& ids, bool skip_special_tokens);

}  // namespace dsmath::test
