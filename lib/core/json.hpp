#pragma once
// JSON documents (config.json, tokenizer.json, safetensors headers, trainer_state.json,
// metrics lines) use nlohmann::json; ordered_json keeps keys in insertion order so the files
// we write read naturally and diff cleanly.
#include <nlohmann/json.hpp>

namespace dsmath {
using Json = nlohmann::ordered_json;
}
