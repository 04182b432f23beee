#include "infer/generation_engine.hpp"

#include <algorithm>
#include <cstring>
#include <deque>

#include "core/error.hpp"
#include "core/log.hpp"

namespace dsmath {

const char* finish_reason_name(FinishReason r) {
  switch (r) {
    case FinishReason::eos: return "eos";
    case FinishReason::stop: return "stop";
    case FinishReason::length: return "length";
  }
  return "?";
}

namespace {
// The next power of two (at most max_batch): the shapes a decode step is captured for.
int padded_rows(int rows, int max_batch) {
  int p = 1;
  while (p < rows) p *= 2;
  return std::min(p, max_batch);
}

int resolve_max_len(const ModelConfig& c, int max_len) {
  return max_len <= 0 ? c.max_seq_len : std::min(max_len, c.max_seq_len);
}

// Cache slots that fit in a fraction of the free memory, leaving room for the activations of a
// prefill/decode batch of that many sequences.
int slots_from_memory(const Transformer& model, int max_len, double fraction) {
  const ModelConfig& c = model.config();
  const size_t per_slot = KvCache::bytes_for(c, 1, max_len, model.backend().compute_dtype());
  const double budget = static_cast<double>(model.backend().memory_available()) * fraction;
  const int slots = static_cast<int>(std::min(1024.0, budget / static_cast<double>(2 * per_slot)));
  if (slots < 1)
    fail_hint("free device memory, shorten the context (max_len) or set the batch explicitly",
              "generation: no room for a single key/value cache slot ({} bytes each, {} bytes available)", per_slot,
              model.backend().memory_available());
  log::info("generation: {} cache slots of {} tokens ({:.1f} MiB each), sized from free memory", slots, max_len,
            static_cast<double>(per_slot) / (1 << 20));
  return slots;
}
}  // namespace

GenerationEngine::GenerationEngine(Transformer& model, int max_batch, int max_len, double memory_fraction)
    : model_(model),
      max_batch_(max_batch > 0 ? max_batch : slots_from_memory(model, resolve_max_len(model.config(), max_len), memory_fraction)),
      max_len_(resolve_max_len(model.config(), max_len)),
      cache_(model.backend(), model.config(), max_batch_, max_len_),
      draw_keys_(model.backend().allocate(static_cast<size_t>(max_batch_) * sizeof(uint64_t))),
      sampled_(model.backend().allocate(static_cast<size_t>(max_batch_) * (sizeof(int32_t) + sizeof(float)))),
      draw_keys_host_(model.backend().allocate_pinned(draw_keys_.bytes())),
      sampled_host_(model.backend().allocate_pinned(sampled_.bytes())) {
  graphs_.by_rows.resize(static_cast<size_t>(max_batch_) + 1);
  graphs_.uncaptured_runs.assign(static_cast<size_t>(max_batch_) + 1, 0);
}

void GenerationEngine::enqueue_step(int rows, const SamplingSpec& spec) {
  Backend& backend = model_.backend();
  const int vocab = model_.config().vocab_size;
  const auto n = static_cast<size_t>(rows);
  backend.upload_async(draw_keys_.data(), draw_keys_host_.data(), n * sizeof(uint64_t));
  auto* d_tokens = static_cast<int32_t*>(sampled_.data());
  auto* d_logprobs = reinterpret_cast<float*>(d_tokens + n);
  const auto* d_keys = static_cast<const uint64_t*>(draw_keys_.data());
  model_.enqueue_cache_batch([&](Tensor logits, int64_t r0, int64_t count) {
    backend.sample_tokens(d_tokens + r0, d_logprobs + r0, logits, d_keys + r0, count, vocab, spec);
  });
  backend.download_async(sampled_host_.data(), d_tokens, 2 * n * sizeof(int32_t));
}

void GenerationEngine::run_decode_step(int rows, const SamplingSpec& spec) {
  Backend& backend = model_.backend();
  const uint64_t epoch = model_.address_epoch();
  if (epoch != graphs_.epoch || !(spec == graphs_.spec)) {
    graphs_.drop(epoch);
    std::fill(graphs_.uncaptured_runs.begin(), graphs_.uncaptured_runs.end(), 0);
    graphs_.spec = spec;
  }
  auto& graph = graphs_.by_rows[static_cast<size_t>(rows)];
  ++stats_.decode_steps;
  const bool captured = capture_enabled_ && backend.can_capture();
  if (captured && graph == nullptr && graphs_.uncaptured_runs[static_cast<size_t>(rows)] > 0) {
    graph = backend.capture([&] { enqueue_step(rows, spec); });
    ++stats_.captures;
  }
  if (captured && graph != nullptr) {
    graph->replay();
    ++stats_.replayed_steps;
  } else {
    enqueue_step(rows, spec);
    ++graphs_.uncaptured_runs[static_cast<size_t>(rows)];
    // the uncaptured run may have grown the backend's scratch: the next capture needs its epoch
    if (model_.address_epoch() != graphs_.epoch) graphs_.drop(model_.address_epoch());
  }
}

std::vector<Generation> GenerationEngine::generate(std::span<const GenerationRequest> requests, const SamplingConfig& sampling,
                                                   std::span<const int32_t> eos_ids, const StopCheck& stop,
                                                   const std::function<void(size_t, size_t)>& progress) {
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& p = requests[i].prompt;
    if (p.empty()) fail_hint("encode prompts with the tokenizer's BOS", "generation request {}: empty prompt", i);
    if (static_cast<int>(p.size()) >= max_len_)
      fail_hint("shorten the prompt or raise the context length", "generation request {}: prompt of {} tokens leaves no room in a context of {}",
                i, p.size(), max_len_);
  }
  std::vector<Generation> out(requests.size());
  struct Active {
    size_t index;
    int slot;
    int cached;            // tokens in the cache
    int32_t pending;       // sampled, not yet fed
    uint64_t seed;         // the request's stream of draw keys
  };
  std::deque<size_t> queue;
  for (size_t i = 0; i < requests.size(); ++i) queue.push_back(i);
  std::vector<Active> active;
  std::vector<int> free_slots;
  for (int s = max_batch_ - 1; s >= 0; --s) free_slots.push_back(s);
  Backend& backend = model_.backend();
  const SamplingSpec spec = sampling.spec();
  auto* keys = static_cast<uint64_t*>(draw_keys_host_.data());
  // a step's n tokens, then their n log-probs (int32 and f32), in the pinned download buffer
  const int32_t* sampled = nullptr;
  size_t sampled_rows = 0;
  auto sampled_logprob = [&](size_t r) {
    float lp;
    std::memcpy(&lp, &sampled[sampled_rows + r], sizeof(lp));
    return lp;
  };
  // Runs `batch` (whose row r is rows[r] for r < rows.size(); further rows are padding) through
  // the model and samples each row's next token where the logits are.
  auto forward_and_sample = [&](const CacheBatch& batch, const std::vector<Active>& rows) {
    model_.stage_cache_batch(batch, cache_);  // waits for the last step's copies first
    for (size_t r = 0; r < static_cast<size_t>(batch.rows); ++r)
      keys[r] = r < rows.size() ? draw_key(rows[r].seed, out[rows[r].index].tokens.size()) : 0;
    if (batch.seq == 1) run_decode_step(batch.rows, spec);
    else enqueue_step(batch.rows, spec);
    backend.synchronize();
    sampled = static_cast<const int32_t*>(sampled_host_.data());
    sampled_rows = static_cast<size_t>(batch.rows);
    for (size_t r = 0; r < rows.size(); ++r)
      if (sampled[r] < 0)
        fail_hint("check the checkpoint (a diverged run writes NaN weights) or lower the learning rate that made it",
                  "generation: the model's logits are NaN for request {} at generated token {}", rows[r].index,
                  out[rows[r].index].tokens.size());
  };
  size_t finished = 0, generated_tokens = 0;

  // Appends the sampled token of row `row` to active[a]; false when the request is done.
  auto take = [&](Active& a, int row) -> bool {
    Generation& g = out[a.index];
    const int32_t token = sampled[static_cast<size_t>(row)];
    g.tokens.push_back(token);
    g.logprobs.push_back(sampled_logprob(static_cast<size_t>(row)));
    ++generated_tokens;
    a.pending = token;
    if (std::find(eos_ids.begin(), eos_ids.end(), token) != eos_ids.end()) {
      g.finish = FinishReason::eos;
      return false;
    }
    if (stop) {
      const int keep = stop(a.index, g.tokens);
      if (keep >= 0) {
        g.tokens.resize(static_cast<size_t>(keep));
        g.logprobs.resize(static_cast<size_t>(keep));
        g.finish = FinishReason::stop;
        return false;
      }
    }
    const int total = static_cast<int>(requests[a.index].prompt.size() + g.tokens.size());
    if (static_cast<int>(g.tokens.size()) >= sampling.max_new_tokens || total >= max_len_) {
      g.finish = FinishReason::length;
      return false;
    }
    return true;
  };
  // take() for row r; a request still going moves to `keep`, a finished one frees its slot
  auto take_or_retire = [&](Active& a, int row, std::vector<Active>& keep) {
    if (take(a, row)) {
      keep.push_back(std::move(a));
    } else {
      free_slots.push_back(a.slot);
      ++finished;
    }
  };
  // the decode step's batch and survivors, reused across steps
  CacheBatch decode;
  decode.seq = 1;
  std::vector<Active> still;

  while (!queue.empty() || !active.empty()) {
    // 1. admit queued requests into free slots: one batched prefill
    if (!queue.empty() && !free_slots.empty()) {
      std::vector<Active> admitted;
      while (!queue.empty() && !free_slots.empty()) {
        const size_t i = queue.front();
        queue.pop_front();
        const int slot = free_slots.back();
        free_slots.pop_back();
        admitted.push_back({i, slot, 0, 0, mix64(sampling.seed ^ mix64(static_cast<uint64_t>(i)))});
      }
      CacheBatch b;
      b.rows = static_cast<int>(admitted.size());
      for (const auto& a : admitted) b.seq = std::max(b.seq, static_cast<int>(requests[a.index].prompt.size()));
      b.tokens.assign(static_cast<size_t>(b.rows) * b.seq, 0);
      for (int r = 0; r < b.rows; ++r) {
        const auto& p = requests[admitted[static_cast<size_t>(r)].index].prompt;
        std::copy(p.begin(), p.end(), b.tokens.begin() + static_cast<ptrdiff_t>(r) * b.seq);
        b.n_new.push_back(static_cast<int32_t>(p.size()));
        b.start.push_back(0);
        b.slots.push_back(admitted[static_cast<size_t>(r)].slot);
        admitted[static_cast<size_t>(r)].cached = static_cast<int>(p.size());
      }
      // (all one-token prompts make a width-1 batch: forward_with_cache then decodes from an
      // empty cache, which is the same computation)
      forward_and_sample(b, admitted);
      for (int r = 0; r < b.rows; ++r) take_or_retire(admitted[static_cast<size_t>(r)], r, active);
      if (progress) progress(finished, generated_tokens);
      continue;  // refill again before decoding if prefill finished some at once
    }
    // 2. one decode step for every active sequence, padded to a captured shape where the backend
    // captures (padding rows read the first row's cache and write nothing)
    decode.rows = backend.can_capture() ? padded_rows(static_cast<int>(active.size()), max_batch_) : static_cast<int>(active.size());
    decode.tokens.clear();
    decode.n_new.assign(active.size(), 1);
    decode.start.clear();
    decode.slots.clear();
    for (const auto& a : active) {
      decode.tokens.push_back(a.pending);
      decode.start.push_back(a.cached);
      decode.slots.push_back(a.slot);
    }
    for (int r = static_cast<int>(active.size()); r < decode.rows; ++r) {
      decode.tokens.push_back(0);
      decode.n_new.push_back(0);
      decode.start.push_back(active[0].cached);
      decode.slots.push_back(active[0].slot);
    }
    forward_and_sample(decode, active);
    still.clear();
    for (int r = 0; r < static_cast<int>(active.size()); ++r) {
      Active& a = active[static_cast<size_t>(r)];
      ++a.cached;
      take_or_retire(a, r, still);
    }
    active.swap(still);
    if (progress) progress(finished, generated_tokens);
  }
  return out;
}

}  // namespace dsmath
