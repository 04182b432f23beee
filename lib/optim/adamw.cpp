#include "optim/adamw.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace dsmath {

AdamW::AdamW(Backend& backend, const ParameterLayout& layout, const OptimConfig& config, int64_t begin, int64_t end,
             DType params_dtype)
    : backend_(backend), config_(config), begin_(begin), end_(end) {
  DSMATH_CHECK(0 <= begin && begin <= end && end <= layout.total(), "range [{}, {}) of {}", begin, end, layout.total());
  // Alignment gaps between tensors hold zeros with zero gradients; AdamW leaves them at zero,
  // so they can ride along in the decayed ranges. Consecutive tensors of the same decay class
  // merge into one range: fewer, longer kernel launches.
  for (const auto& t : layout.tensors()) {
    const int64_t b = std::max(begin, t.offset), e = std::min(end, t.offset + t.numel);
    if (b >= e) continue;
    if (!ranges_.empty() && ranges_.back().decay == t.weight_decay && ranges_.back().end <= b) {
      ranges_.back().end = e;
    } else {
      ranges_.push_back({b, e, t.weight_decay});
    }
  }
  if (config.state_dtype == "bf16") {
    if (backend.kind() == DeviceKind::cpu)
      fail_hint("use optim.state_dtype=f32 with the CPU backend", "optim.state_dtype bf16 needs the CUDA backend");
    state_dtype_ = DType::bf16;
  } else if (config.state_dtype != "f32") {
    fail_hint("use f32 or bf16", "optim.state_dtype '{}' is not a moment precision", config.state_dtype);
  }
  const size_t bytes = static_cast<size_t>(end - begin) * sizeof(float);
  const size_t moment_bytes = static_cast<size_t>(end - begin) * dtype_size(state_dtype_);
  m_ = backend_.allocate(moment_bytes);
  v_ = backend_.allocate(moment_bytes);
  backend_.fill_zero(m_.data(), moment_bytes);
  backend_.fill_zero(v_.data(), moment_bytes);
  if (params_dtype != DType::f32) {
    master_ = backend_.allocate(bytes);
    backend_.fill_zero(master_.data(), bytes);
  }
}

void AdamW::step(Tensor params, Tensor grads, float lr, float grad_scale) {
  ++step_;
  for (const auto& r : ranges_) {
    AdamWArgs a;
    if (has_master()) {
      a.params = master_.tensor(DType::f32).offset(r.begin - begin_);
      a.params_copy = params.offset(r.begin);
    } else {
      a.params = params.offset(r.begin);
    }
    a.grads = grads.offset(r.begin);
    a.m = m_.tensor(state_dtype_).offset(r.begin - begin_);
    a.v = v_.tensor(state_dtype_).offset(r.begin - begin_);
    a.n = r.end - r.begin;
    a.lr = lr;
    a.beta1 = static_cast<float>(config_.beta1);
    a.beta2 = static_cast<float>(config_.beta2);
    a.eps = static_cast<float>(config_.eps);
    a.weight_decay = r.decay ? static_cast<float>(config_.weight_decay) : 0.0f;
    a.grad_scale = grad_scale;
    a.step = step_;
    backend_.adamw_update(a);
  }
}

namespace {
// Moments as fp32 host values; bf16 moments are widened on the device (exactly).
std::vector<float> download_moment(Backend& backend, const Buffer& moment, DType dtype, int64_t n) {
  std::vector<float> h(static_cast<size_t>(n));
  if (dtype == DType::f32) {
    backend.download(h.data(), moment.data(), h.size() * sizeof(float));
  } else {
    Buffer staging = backend.allocate(h.size() * sizeof(float));
    backend.convert(staging.tensor(DType::f32), moment.tensor(dtype), n);
    backend.download(h.data(), staging.data(), h.size() * sizeof(float));
  }
  return h;
}

void upload_moment(Backend& backend, Buffer& moment, DType dtype, std::span<const float> values) {
  if (dtype == DType::f32) {
    backend.upload(moment.data(), values.data(), values.size_bytes());
  } else {
    // values saved from bf16 moments are bf16-exact: the round trip is lossless
    Buffer staging = backend.allocate(values.size_bytes());
    backend.upload(staging.data(), values.data(), values.size_bytes());
    backend.convert(moment.tensor(dtype), staging.tensor(DType::f32), static_cast<int64_t>(values.size()));
  }
}
}  // namespace

std::vector<float> AdamW::get_m() const { return download_moment(backend_, m_, state_dtype_, end_ - begin_); }

std::vector<float> AdamW::get_v() const { return download_moment(backend_, v_, state_dtype_, end_ - begin_); }

void AdamW::set_state(std::span<const float> m, std::span<const float> v) {
  const auto n = static_cast<size_t>(end_ - begin_);
  if (m.size() != n || v.size() != n) fail("optimizer state has {} / {} values, expected {}", m.size(), v.size(), n);
  upload_moment(backend_, m_, state_dtype_, m);
  upload_moment(backend_, v_, state_dtype_, v);
}

void AdamW::set_master(std::span<const float> values) {
  DSMATH_CHECK(has_master(), "set_master without master weights");
  if (values.size() != static_cast<size_t>(end_ - begin_)) fail("master weights: {} values, expected {}", values.size(), end_ - begin_);
  backend_.upload(master_.data(), values.data(), values.size_bytes());
}

std::vector<float> AdamW::get_master() const {
  DSMATH_CHECK(has_master(), "get_master without master weights");
  std::vector<float> h(static_cast<size_t>(end_ - begin_));
  backend_.download(h.data(), master_.data(), h.size() * sizeof(float));
  return h;
}

}  // namespace dsmath
