#include "io/safetensors.hpp"

#include <algorithm>
#include <cstring>

#include "core/bf16.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace dsmath {

namespace {
constexpr uint64_t kMaxHeaderBytes = 100ULL << 20;  // the reference implementation's limit
const char* kHint = "the file is truncated or not a valid safetensors file; re-export or re-download it";
}  // namespace

size_t safetensors_dtype_size(const std::string& d) {
  if (d == "F64" || d == "I64" || d == "U64") return 8;
  if (d == "F32" || d == "I32" || d == "U32") return 4;
  if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 2;
  if (d == "I8" || d == "U8" || d == "BOOL" || d == "F8_E4M3" || d == "F8_E5M2") return 1;
  return 0;
}

int64_t SafetensorsEntry::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafetensorsReader::SafetensorsReader(const std::filesystem::path& path) : file_(path) {
  const std::string name = path.string();
  if (file_.size() < 8) fail_hint(kHint, "safetensors '{}': {} bytes, too short for the header length", name, file_.size());
  uint64_t n = 0;
  std::memcpy(&n, file_.data(), 8);
  if (n > kMaxHeaderBytes) fail_hint(kHint, "safetensors '{}': header length {} exceeds the 100 MB limit", name, n);
  if (n > file_.size() - 8) fail_hint(kHint, "safetensors '{}': header length {} runs past the end of the file ({} bytes)", name, n, file_.size());
  data_start_ = 8 + n;
  const uint64_t data_bytes = file_.size() - data_start_;
  Json header;
  try {
    header = Json::parse(reinterpret_cast<const char*>(file_.data()) + 8, reinterpret_cast<const char*>(file_.data()) + 8 + n);
  } catch (const Json::parse_error& e) {
    fail_hint(kHint, "safetensors '{}': header is not valid JSON: {}", name, e.what());
  }
  if (!header.is_object()) fail_hint(kHint, "safetensors '{}': header is not a JSON object", name);
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it->is_object()) fail_hint(kHint, "safetensors '{}': __metadata__ is not an object", name);
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!m->is_string()) fail_hint(kHint, "safetensors '{}': __metadata__ value '{}' is not a string", name, m.key());
        metadata_[m.key()] = m->get<std::string>();
      }
      continue;
    }
    const Json& t = *it;
    SafetensorsEntry e;
    e.name = it.key();
    if (!t.is_object() || !t.contains("dtype") || !t.contains("shape") || !t.contains("data_offsets"))
      fail_hint(kHint, "safetensors '{}': tensor '{}' lacks dtype, shape or data_offsets", name, e.name);
    if (!t["dtype"].is_string()) fail_hint(kHint, "safetensors '{}': tensor '{}' dtype is not a string", name, e.name);
    e.dtype = t["dtype"].get<std::string>();
    const size_t elem = safetensors_dtype_size(e.dtype);
    if (elem == 0) fail_hint(kHint, "safetensors '{}': tensor '{}' has unknown dtype '{}'", name, e.name, e.dtype);
    if (!t["shape"].is_array()) fail_hint(kHint, "safetensors '{}': tensor '{}' shape is not a list", name, e.name);
    uint64_t numel = 1;
    for (const auto& d : t["shape"]) {
      if (!d.is_number_unsigned()) fail_hint(kHint, "safetensors '{}': tensor '{}' has a non-integer or negative dimension", name, e.name);
      const uint64_t dim = d.get<uint64_t>();
      if (dim != 0 && numel > data_bytes / dim)
        fail_hint(kHint, "safetensors '{}': tensor '{}' shape is larger than the file", name, e.name);
      numel *= dim;
      e.shape.push_back(static_cast<int64_t>(dim));
    }
    const Json& off = t["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      fail_hint(kHint, "safetensors '{}': tensor '{}' data_offsets must be [begin, end]", name, e.name);
    e.begin = off[0].get<uint64_t>();
    e.end = off[1].get<uint64_t>();
    if (e.begin > e.end || e.end > data_bytes)
      fail_hint(kHint, "safetensors '{}': tensor '{}' data_offsets [{}, {}] outside the {}-byte buffer", name, e.name, e.begin,
                e.end, data_bytes);
    if (e.end - e.begin != numel * elem)
      fail_hint(kHint, "safetensors '{}': tensor '{}' has {} bytes for {} elements of {}", name, e.name, e.end - e.begin, numel,
                e.dtype);
    entries_.push_back(std::move(e));
  }
  // The buffer must be covered exactly: sorted ranges touching end to begin.
  std::vector<const SafetensorsEntry*> order;
  for (const auto& e : entries_) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
  uint64_t cursor = 0;
  for (const auto* e : order) {
    if (e->begin < cursor) fail_hint(kHint, "safetensors '{}': tensor '{}' overlaps another tensor", name, e->name);
    if (e->begin > cursor) fail_hint(kHint, "safetensors '{}': hole in the data buffer before tensor '{}'", name, e->name);
    cursor = e->end;
  }
  if (cursor != data_bytes)
    fail_hint(kHint, "safetensors '{}': {} trailing bytes not covered by any tensor", name, data_bytes - cursor);
}

const SafetensorsEntry* SafetensorsReader::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

const SafetensorsEntry& SafetensorsReader::get(const std::string& name) const {
  const auto* e = find(name);
  if (e == nullptr) fail_hint("the checkpoint does not match this model", "safetensors '{}': no tensor named '{}'", path().string(), name);
  return *e;
}

std::span<const uint8_t> SafetensorsReader::bytes(const SafetensorsEntry& e) const {
  return {file_.data() + data_start_ + e.begin, static_cast<size_t>(e.end - e.begin)};
}

void SafetensorsReader::read_f32(const SafetensorsEntry& e, std::span<float> out) const {
  if (static_cast<int64_t>(out.size()) != e.numel())
    fail("safetensors '{}': tensor '{}' has {} elements, expected {}", path().string(), e.name, e.numel(), out.size());
  read_f32_range(e, 0, out);
}

void SafetensorsReader::read_f32_range(const SafetensorsEntry& e, int64_t first, std::span<float> out) const {
  if (first < 0 || first + static_cast<int64_t>(out.size()) > e.numel())
    fail("safetensors '{}': elements [{}, {}) of tensor '{}' are outside its {} elements", path().string(), first,
         first + static_cast<int64_t>(out.size()), e.name, e.numel());
  const size_t n = out.size();
  if (e.dtype == "F32") {
    std::memcpy(out.data(), file_.data() + data_start_ + e.begin + static_cast<uint64_t>(first) * 4, n * 4);
  } else if (e.dtype == "BF16" || e.dtype == "F16") {
    const uint8_t* p = file_.data() + data_start_ + e.begin + static_cast<uint64_t>(first) * 2;
    const bool bf16 = e.dtype == "BF16";
    for (size_t i = 0; i < n; ++i) {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      out[i] = bf16 ? bf16_bits_to_float(h) : fp16_bits_to_float(h);
    }
  } else {
    fail_hint("model weights must be F32, BF16 or F16", "safetensors '{}': tensor '{}' has dtype {}", path().string(), e.name,
              e.dtype);
  }
}

std::vector<float> SafetensorsReader::read_f32(const std::string& name) const {
  const auto& e = get(name);
  std::vector<float> v(static_cast<size_t>(e.numel()));
  read_f32(e, v);
  return v;
}

void SafetensorsWriter::add(const std::string& name, std::vector<int64_t> shape, std::span<const float> values, DType stored) {
  std::vector<uint8_t> bytes;
  std::string dtype;
  if (stored == DType::f32) {
    dtype = "F32";
    bytes.resize(values.size() * 4);
    std::memcpy(bytes.data(), values.data(), bytes.size());
  } else if (stored == DType::bf16 || stored == DType::f16) {
    dtype = stored == DType::bf16 ? "BF16" : "F16";
    bytes.resize(values.size() * 2);
    for (size_t i = 0; i < values.size(); ++i) {
      const uint16_t h = stored == DType::bf16 ? float_to_bf16_bits(values[i]) : float_to_fp16_bits(values[i]);
      std::memcpy(bytes.data() + 2 * i, &h, 2);
    }
  } else {
    fail("safetensors: cannot store floats as {}", dtype_name(stored));
  }
  add_raw(name, dtype, std::move(shape), std::move(bytes));
}

void SafetensorsWriter::add_raw(const std::string& name, const std::string& dtype, std::vector<int64_t> shape,
                                std::vector<uint8_t> bytes) {
  for (const auto& t : tensors_) DSMATH_CHECK(t.name != name, "duplicate tensor {}", name);
  tensors_.push_back(Pending{name, dtype, std::move(shape), std::move(bytes)});
}

void SafetensorsWriter::write(const std::filesystem::path& path) const {
  Json header = Json::object();
  if (!metadata_.empty()) {
    Json meta = Json::object();
    for (const auto& [k, v] : metadata_) meta[k] = v;
    header["__metadata__"] = meta;
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  // pad with spaces so the data buffer starts 8-byte aligned, as the reference writer does
  while ((8 + text.size()) % 8 != 0) text.push_back(' ');
  const uint64_t n = text.size();
  AtomicFile file(path);
  file.write(&n, 8);
  file.write(text);
  for (const auto& t : tensors_) file.write(t.bytes.data(), t.bytes.size());
  file.commit();
}

}  // namespace dsmath
