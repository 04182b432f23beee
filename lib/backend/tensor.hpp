#pragma once
// Element types and non-owning views of backend memory. Ops take views plus explicit shapes
// (llm.c style): the shapes live in the op's parameter struct, not in the view.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dsmath {

enum class DType : uint8_t { f32, bf16, f16, i32, u8 };

constexpr size_t dtype_size(DType t) {
  switch (t) {
    case DType::f32: return 4;
    case DType::bf16: return 2;
    case DType::f16: return 2;
    case DType::i32: return 4;
    case DType::u8: return 1;
  }
  return 0;
}

constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::f32: return "f32";
    case DType::bf16: return "bf16";
    case DType::f16: return "f16";
    case DType::i32: return "i32";
    case DType::u8: return "u8";
  }
  return "?";
}

enum class DeviceKind { cpu, cuda };

// A typed pointer into backend memory (host memory for the CPU backend, device memory for CUDA).
struct Tensor {
  void* data = nullptr;
  DType dtype = DType::f32;

  Tensor() = default;
  Tensor(void* d, DType t) : data(d), dtype(t) {}
  static Tensor f32(float* p) { return {p, DType::f32}; }

  // View starting `elements` elements further on.
  Tensor offset(int64_t elements) const {
    return {static_cast<uint8_t*>(data) + elements * static_cast<int64_t>(dtype_size(dtype)), dtype};
  }
  template <class T>
  T* as() const { return static_cast<T*>(data); }
  explicit operator bool() const { return data != nullptr; }
};

}  // namespace dsmath
