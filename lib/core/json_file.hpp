#pragma once
// Reading a whole JSON document from a file, with the error every caller wants.
#include <filesystem>
#include <string>

#include "core/json.hpp"

namespace dsmath {

// Parses the file; malformed JSON is an error "PATH: malformed JSON: ..." carrying `hint`.
Json read_json_file(const std::filesystem::path& path, std::string hint = "");

}  // namespace dsmath
