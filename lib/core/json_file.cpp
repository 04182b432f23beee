#include "core/json_file.hpp"

#include "core/error.hpp"
#include "core/files.hpp"

namespace dsmath {

Json read_json_file(const std::filesystem::path& path, std::string hint) {
  try {
    return Json::parse(read_file(path));
  } catch (const Json::parse_error& e) {
    fail_hint(std::move(hint), "{}: malformed JSON: {}", path.string(), e.what());
  }
}

}  // namespace dsmath
