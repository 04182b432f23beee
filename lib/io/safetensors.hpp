#pragma once
// safetensors (https://github.com/huggingface/safetensors, format section of its README):
//   u64 little-endian N | N bytes of JSON header | byte buffer
// The header maps tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets
// relative to the byte buffer) plus an optional "__metadata__" string map. The reader checks
// every rule of the format before handing out a byte: header size and JSON, known dtypes,
// shapes whose byte size equals end - begin, offsets inside the buffer, no overlaps and no
// holes, so a truncated or crafted file is a clear error naming the file and tensor.
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "backend/tensor.hpp"
#include "core/files.hpp"

namespace dsmath {

struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // "F32", "BF16", "F16", "I32", "I64", "U8", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range in the data buffer
  int64_t numel() const;
};

class SafetensorsReader {
 public:
  explicit SafetensorsReader(const std::filesystem::path& path);

  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  const SafetensorsEntry* find(const std::string& name) const;
  const SafetensorsEntry& get(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::span<const uint8_t> bytes(const SafetensorsEntry& e) const;
  // Copies a floating-point tensor (F32/BF16/F16) into fp32 `out` (sizes must match).
  void read_f32(const SafetensorsEntry& e, std::span<float> out) const;
  // Elements [first, first + out.size()) of a 1-D view of the tensor (reads only those bytes).
  void read_f32_range(const SafetensorsEntry& e, int64_t first, std::span<float> out) const;
  std::vector<float> read_f32(const std::string& name) const;
  const std::filesystem::path& path() const { return file_.path(); }

 private:
  MappedFile file_;
  uint64_t data_start_ = 0;
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

// Collects tensors and writes them atomically in one go. Data is copied at add() time.
class SafetensorsWriter {
 public:
  void add(const std::string& name, std::vector<int64_t> shape, std::span<const float> values, DType stored = DType::f32);
  void add_raw(const std::string& name, const std::string& dtype, std::vector<int64_t> shape, std::vector<uint8_t> bytes);
  void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }
  void write(const std::filesystem::path& path) const;

 private:
  struct Pending {
    std::string name, dtype;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;
  };
  std::vector<Pending> tensors_;
  std::map<std::string, std::string> metadata_;
};

size_t safetensors_dtype_size(const std::string& dtype);  // 0 when unknown

}  // namespace dsmath
