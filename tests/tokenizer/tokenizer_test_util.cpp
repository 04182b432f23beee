#include "tokenizer_test_util.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>

#include "core/error.hpp"
#include "core/json.hpp"
#include "reference.hpp"
#include "test_util.hpp"
#include "tokenizer/utf8.hpp"

namespace dsmath::test {

std::optional<std::filesystem::path> reference_tokenizer_dir(const std::string& name) {
  auto data = shared_data_dir();
  if (!data) return std::nullopt;
  auto dir = *data / "tokenizers" / name;
  if (!std::filesystem::exists(dir / "tokenizer.json")) return std::nullopt;
  return dir;
}

const Tokenizer* reference_tokenizer(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Tokenizer>> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = loaded.find(name);
  if (it != loaded.end()) return it->second.get();
  auto dir = reference_tokenizer_dir(name);
  auto& slot = loaded[name];
  if (dir) slot = std::make_unique<Tokenizer>(Tokenizer::load(*dir));
  return slot.get();
}

bool hf_tokenizers_available() {
  static const bool available = run_command(reference_python() + " -c 'import tokenizers'").exit_code == 0;
  return available;
}

bool jinja2_available() {
  // what hf_reference.py's chat modes import (tokenizers only where a mode needs it)
  static const bool available =
      run_command(reference_python() + " -c 'import jinja2, jinja2.sandbox, jinja2.ext'").exit_code == 0;
  return available;
}

namespace {

std::filesystem::path script() { return source_dir() / "tests" / "tokenizer" / "hf_reference.py"; }

std::vector<Json> run_script(const std::string& mode, const std::filesystem::path& tokenizer_json,
                             const std::vector<Json>& inputs, const std::string& flags) {
  static int counter = 0;
  const auto dir = temp_dir("hf-reference-" + std::to_string(counter++));
  const auto in = dir / "in.jsonl", out = dir / "out.jsonl";
  {
    std::ofstream f(in, std::ios::binary);
    for (const auto& j : inputs) f << j.dump() << '\n';
  }
  const std::string cmd = reference_python() + " '" + script().string() + "' " + mode + " '" + tokenizer_json.string() + "' '" +
                          in.string() + "' '" + out.string() + "' " + flags;
  const auto result = run_command(cmd);
  if (result.exit_code != 0) throw Error("reference script failed: " + cmd + "\n" + result.output);
  std::vector<Json> results;
  std::ifstream f(out, std::ios::binary);
  std::string line;
  while (std::getline(f, line)) results.push_back(Json::parse(line));
  std::filesystem::remove_all(dir);
  if (results.size() != inputs.size()) throw Error("reference script returned the wrong number of lines: " + cmd);
  return results;
}

std::string base64(std::string_view bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += alphabet[(v >> k) & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = uint8_t(bytes[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace

std::vector<std::vector<uint32_t>> hf_encode(const std::filesystem::path& tokenizer_json, const std::vector<std::string>& texts,
                                             bool add_special_tokens) {
  std::vector<Json> inputs;
  // invalid UTF-8 travels as base64 and is decoded there with errors='replace'
  for (const auto& t : texts) inputs.push_back(is_valid_utf8(t) ? Json{{"text", t}} : Json{{"b64", base64(t)}});
  std::vector<std::vector<uint32_t>> ids;
  for (const auto& r : run_script("encode", tokenizer_json, inputs, add_special_tokens ? "--special" : ""))
    ids.push_back(r["ids"].get<std::vector<uint32_t>>());
  return ids;
}

std::vector<std::string> hf_decode(const std::filesystem::path& tokenizer_json, const std::vector<std::vector<uint32_t>>& ids,
                                   bool skip_special_tokens) {
  std::vector<Json> inputs;
  for (const auto& i : ids) inputs.push_back(Json{{"ids", i}});
  std::vector<std::string> texts;
  for (const auto& r : run_script("decode", tokenizer_json, inputs, skip_special_tokens ? "--skip-special" : ""))
    texts.push_back(r["text"].get<std::string>());
  return texts;
}

}  // namespace dsmath::test

namespace dsmath::test {

std::vector<std::string> jinja_render_chat(const std::filesystem::path& tokenizer_config, const std::vector<Json>& inputs) {
  std::vector<std::string> texts;
  for (const auto& r : run_script("chat", tokenizer_config, inputs, "")) texts.push_back(r["text"].get<std::string>());
  return texts;
}

}  // namespace dsmath::test
