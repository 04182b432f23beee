#include "cuda/emu/thread_block.hpp"

#include <fmt/format.h>
#include <vector_functions.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <new>
#include <unordered_map>
#include <vector>

#include "cuda/emu/fiber.hpp"
#include "cuda/emu/sanitizer_hooks.hpp"

namespace dsmath::emu {

namespace {
#if defined(DSMATH_EMU_ASAN) || defined(DSMATH_EMU_TSAN)
constexpr size_t kStackBytes = size_t{256} << 10;  // sanitizers enlarge stack frames
#else
constexpr size_t kStackBytes = size_t{64} << 10;
#endif
// Barrier tokens (ThreadSanitizer sync objects) are taken from a ring indexed by block, so that
// the barriers of one block order nothing in the next ones: blocks of a grid are unordered.
constexpr int kTokenRing = 64;
constexpr int kTokensPerBlock = 1 + 32;  // the block barrier, then one per warp

unsigned bit(int lane) { return 1u << lane; }

// Unwinds a GPU thread of a block that is being abandoned after a fault.
struct ThreadAbort {};

enum class State { idle, runnable, waiting, exited };
enum class WaitingAt { nothing, block_barrier, warp_collective };

struct WarpState {
  unsigned live = 0;  // lanes that exist and have not exited
  bool pending = false;
  Collective kind = Collective::syncwarp;
  unsigned mask = 0, arrived = 0;
  CollectiveComplete complete = nullptr;
  std::array<void*, 32> args{};
};

class BlockRunner;

// A cp.async in flight: its source bytes, read at the issue, land in shared memory at the wait.
struct AsyncCopy {
  void* dst;
  std::array<unsigned char, 16> bytes;
  int group;  // the commit group; open_group until committed
};

struct GpuThread {
  std::unique_ptr<Fiber> fiber;
  std::vector<AsyncCopy> copies;
  int open_group = 0;  // copies issued since the last commit carry this group
  ThreadContext ctx{};
  int linear = 0;
  State state = State::idle;
  WaitingAt waiting_at = WaitingAt::nothing;
  bool has_job = false, quit = false;
};

thread_local BlockRunner* tls_runner = nullptr;
thread_local GpuThread* tls_thread = nullptr;

std::string position(const ThreadContext& c) {
  return fmt::format("block ({},{},{}) thread ({},{},{})", c.block_idx.x, c.block_idx.y, c.block_idx.z, c.thread_idx.x,
                     c.thread_idx.y, c.thread_idx.z);
}
std::string dims(dim3 d) { return fmt::format("({},{},{})", d.x, d.y, d.z); }

class BlockRunner {
 public:
  ~BlockRunner() {
    sanitizer::IgnoreScope ignore;
    // let every fiber's main return, so that none is unwound while suspended
    for (auto& t : threads_) {
      t->quit = true;
      if (!t->fiber->finished()) t->fiber->resume();
    }
  }

  void run_grid(const GridWork& work) {
    sanitizer::IgnoreScope ignore;  // the runner's own state; the kernels run in the fibers
    work_ = &work;
    fault_.clear();
    aborting_ = false;
    const int n = static_cast<int>(work.block.x * work.block.y * work.block.z);
    while (static_cast<int>(threads_.size()) < n) add_thread();
    smem_bytes_ = work.dynamic_smem_bytes;
    sanitizer::release(&start_token_);
    const dim3 g = work.grid;
    uint64_t linear = 0;
    for (unsigned z = 0; z < g.z && !aborting_; ++z)
      for (unsigned y = 0; y < g.y && !aborting_; ++y)
        for (unsigned x = 0; x < g.x && !aborting_; ++x) run_block(make_uint3(x, y, z), n, linear++);
    sanitizer::acquire(&end_token_);
    work_ = nullptr;
    if (!fault_.empty())
      throw KernelFault(fmt::format("kernel of {} (grid {}, block {}): {}", work.op, dims(work.grid), dims(work.block),
                                    fault_));
  }

  GpuThread& self() {
    if (tls_thread == nullptr) throw std::logic_error("emulated GPU: a device function was called outside a kernel");
    return *tls_thread;
  }
  void* smem() { return smem_.get(); }

  bool in_shared(const void* p, size_t bytes) const {
    sanitizer::IgnoreScope ignore;
    const auto* c = static_cast<const unsigned char*>(p);
    auto inside = [&](const unsigned char* base, size_t size) {
      return base != nullptr && c >= base && c + bytes <= base + size;
    };
    if (inside(smem_.get(), smem_bytes_)) return true;
    for (const auto& [key, mem] : static_shared_)
      if (inside(mem.memory.get(), mem.bytes)) return true;
    return false;
  }

  // The block's instance of a static shared-memory array (DSMATH_STATIC_SHARED), allocated by the
  // first of its threads to reach the declaration.
  void* static_shared(const void* key, size_t bytes, size_t alignment) {
    sanitizer::IgnoreScope ignore;
    auto [it, inserted] = static_shared_.try_emplace(key, StaticShared{SharedMemory(nullptr, SharedDelete{16}), bytes});
    if (inserted) it->second.memory = fresh_shared(bytes, alignment);
    return it->second.memory.get();
  }

  void syncthreads() {
    GpuThread& t = self();
    sanitizer::IgnoreScope ignore;
    if (aborting_) throw ThreadAbort{};
    sanitizer::release(block_token());
    t.state = State::waiting;
    t.waiting_at = WaitingAt::block_barrier;
    if (++at_block_barrier_ == live_) release_block_barrier();
    park(t);
    sanitizer::acquire(block_token());
  }

  void collective(Collective kind, unsigned mask, void* args, CollectiveComplete complete) {
    GpuThread& t = self();
    sanitizer::IgnoreScope ignore;
    if (aborting_) throw ThreadAbort{};
    const int lane = t.linear & 31, w = t.linear >> 5;
    WarpState& warp = warps_[static_cast<size_t>(w)];
    if ((mask & bit(lane)) == 0)
      fault(fmt::format("{} with mask {:#010x} does not name the calling lane {}", collective_name(kind), mask, lane));
    if (kind != Collective::syncwarp && (mask & ~warp.live) != 0)
      fault(fmt::format("{} with mask {:#010x} names lanes {:#010x} of warp {} that have exited or do not exist",
                        collective_name(kind), mask, mask & ~warp.live, w));
    if (warp.pending) {
      if (warp.kind != kind || warp.mask != mask)
        fault(fmt::format("the lanes of warp {} are in different warp-collective operations: {} (mask {:#010x}) and {} "
                          "(mask {:#010x})",
                          w, collective_name(warp.kind), warp.mask, collective_name(kind), mask));
    } else {
      warp.pending = true;
      warp.kind = kind;
      warp.mask = mask;
      warp.arrived = 0;
      warp.complete = complete;
      warp.args.fill(nullptr);
    }
    warp.args[static_cast<size_t>(lane)] = args;
    warp.arrived |= bit(lane);
    sanitizer::release(warp_token(w));
    t.state = State::waiting;
    t.waiting_at = WaitingAt::warp_collective;
    complete_if_ready(w);
    park(t);
    sanitizer::acquire(warp_token(w));
  }

  [[noreturn]] void fail(const std::string& what) { throw KernelFault(what); }

 private:
  void add_thread() {
    auto t = std::make_unique<GpuThread>();
    GpuThread* raw = t.get();
    t->linear = static_cast<int>(threads_.size());
    t->fiber = std::make_unique<Fiber>(kStackBytes, [this, raw] { thread_main(*raw); });
    threads_.push_back(std::move(t));
  }

  void* block_token() { return &tokens_[static_cast<size_t>(block_slot_) * kTokensPerBlock]; }
  void* warp_token(int w) { return &tokens_[static_cast<size_t>(block_slot_) * kTokensPerBlock + 1 + w]; }

  void run_block(uint3 block_idx, int n, uint64_t linear) {
    {
      block_slot_ = static_cast<int>(linear % kTokenRing);
      live_ = n;
      at_block_barrier_ = 0;
      warps_.assign(static_cast<size_t>((n + 31) / 32), WarpState{});
      for (int i = 0; i < n; ++i) warps_[static_cast<size_t>(i >> 5)].live |= bit(i & 31);
      const dim3 b = work_->block;
      for (int i = 0; i < n; ++i) {
        GpuThread& t = *threads_[static_cast<size_t>(i)];
        const unsigned u = static_cast<unsigned>(i);
        t.ctx = ThreadContext{make_uint3(u % b.x, (u / b.x) % b.y, u / (b.x * b.y)), block_idx, b, work_->grid};
        t.state = State::runnable;
        t.waiting_at = WaitingAt::nothing;
        t.has_job = true;
        t.copies.clear();  // a copy nobody waited for is never read (the exited thread cannot wait)
        t.open_group = 0;
      }
      // shared memory is each block's own
      smem_ = fresh_shared(smem_bytes_, 128);  // __align__(128), as the kernels declare it
      static_shared_.clear();
    }
    // Depth first: always the first runnable thread, in increasing thread order for even blocks
    // and decreasing order for odd ones. A warp whose collective completes continues before any
    // later warp starts, so the first warp runs until a __syncthreads (or its end) before the
    // others have done anything: a read of data other warps write, with no barrier between, sees
    // them not written yet.
    forward_ = linear % 2 == 0;
    n_ = n;
    exited_ = 0;
    restart_ = n;
    int k = 0;
    while (exited_ < n) {
      int found = -1;
      for (int j = k; j < n; ++j)
        if (threads_[static_cast<size_t>(thread_at(j))]->state == State::runnable) {
          found = j;
          break;
        }
      if (found < 0) {
        if (k == 0) record_fault(nullptr, deadlock_report(n));  // nothing can run, and not all have exited
        k = 0;
        continue;
      }
      GpuThread& t = *threads_[static_cast<size_t>(thread_at(found))];
      tls_thread = &t;
      t.fiber->resume();
      tls_thread = nullptr;
      // threads before `found` are not runnable, unless a barrier just released them
      k = std::min(found + 1, restart_);
      restart_ = n;
    }
  }

  // The thread at position j of the scheduling order, and back.
  int thread_at(int j) const { return forward_ ? j : n_ - 1 - j; }
  void make_runnable(GpuThread& t) {
    t.state = State::runnable;
    t.waiting_at = WaitingAt::nothing;
    restart_ = std::min(restart_, thread_at(t.linear));  // the order is its own inverse
  }

  // Makes every thread still in the block continue, to unwind at its next barrier.
  void abandon(int n) {
    sanitizer::IgnoreScope ignore;
    aborting_ = true;
    for (int i = 0; i < n; ++i) {
      GpuThread& t = *threads_[static_cast<size_t>(i)];
      if (t.state == State::waiting) make_runnable(t);
    }
  }

  void thread_main(GpuThread& t) {
    for (;;) {
      bool quit = false, job = false;
      {
        sanitizer::IgnoreScope ignore;  // the runner's flags
        quit = t.quit;
        job = t.has_job;
        t.has_job = false;
      }
      if (quit) return;
      if (job) {
        try {
          sanitizer::acquire(&start_token_);
          work_->body();
        } catch (const ThreadAbort&) {
        } catch (const std::exception& e) {
          record_fault(&t, e.what());
        }
        sanitizer::release(&end_token_);
        thread_exited(t);
      }
      sanitizer::IgnoreScope ignore;  // the switch itself is the runner's business
      t.fiber->yield();
    }
  }

  void thread_exited(GpuThread& t) {
    sanitizer::IgnoreScope ignore;
    t.state = State::exited;
    t.waiting_at = WaitingAt::nothing;
    ++exited_;
    if (aborting_) return;
    --live_;
    const int lane = t.linear & 31, w = t.linear >> 5;
    WarpState& warp = warps_[static_cast<size_t>(w)];
    warp.live &= ~bit(lane);
    if (at_block_barrier_ > 0 && at_block_barrier_ == live_) release_block_barrier();
    if (warp.pending && (warp.mask & bit(lane)) != 0) {
      if (warp.kind == Collective::syncwarp) {
        complete_if_ready(w);
      } else {
        record_fault(&t, fmt::format("lane {} of warp {} exited while lanes {:#010x} wait for it in {}", lane, w,
                                     warp.arrived, collective_name(warp.kind)));
      }
    }
  }


  void release_block_barrier() {
    for (int i = 0; i < n_; ++i) {
      GpuThread& t = *threads_[static_cast<size_t>(i)];
      if (t.waiting_at == WaitingAt::block_barrier) make_runnable(t);
    }
    at_block_barrier_ = 0;
  }

  void complete_if_ready(int w) {
    WarpState& warp = warps_[static_cast<size_t>(w)];
    if (!warp.pending || (warp.arrived & warp.mask & warp.live) != (warp.mask & warp.live)) return;
    warp.pending = false;
    sanitizer::acquire(warp_token(w));  // every lane's state before the collective
    warp.complete(warp.args.data(), warp.mask & warp.live);
    sanitizer::release(warp_token(w));
    for (int lane = 0; lane < 32; ++lane)
      if ((warp.arrived & bit(lane)) != 0) make_runnable(*threads_[static_cast<size_t>(w * 32 + lane)]);
  }

  // Yields until the runner resumes this thread; unwinds it when the block is being abandoned.
  void park(GpuThread& t) {
    do {
      t.fiber->yield();
    } while (t.state != State::runnable);
    if (aborting_) throw ThreadAbort{};
  }

  void record_fault(const GpuThread* t, const std::string& what) {
    sanitizer::IgnoreScope ignore;
    if (!fault_.empty()) return;
    fault_ = t != nullptr ? fmt::format("{}: {}", position(t->ctx), what) : what;
    abandon(n_);
  }

  std::string deadlock_report(int n) const {
    std::string at_block, at_warp;
    for (int i = 0; i < n; ++i) {
      const GpuThread& t = *threads_[static_cast<size_t>(i)];
      if (t.waiting_at == WaitingAt::block_barrier) at_block += (at_block.empty() ? "" : ",") + std::to_string(i);
    }
    for (size_t w = 0; w < warps_.size(); ++w)
      if (warps_[w].pending)
        at_warp += fmt::format("; warp {} lanes {:#010x} wait in {} (mask {:#010x})", w, warps_[w].arrived,
                               collective_name(warps_[w].kind), warps_[w].mask);
    const ThreadContext& c = threads_[0]->ctx;
    return fmt::format("deadlock in block ({},{},{}): no barrier can complete (threads at __syncthreads: {}{}; {} of "
                       "{} threads live)",
                       c.block_idx.x, c.block_idx.y, c.block_idx.z, at_block.empty() ? "none" : at_block, at_warp,
                       live_, n);
  }

  std::vector<std::unique_ptr<GpuThread>> threads_;
  const GridWork* work_ = nullptr;
  // Shared memory is allocated afresh for every block (the runner's ignore scope makes the
  // allocation new memory to ThreadSanitizer, so no access of an earlier block races with it),
  // exactly as large as declared (AddressSanitizer flags the first byte past it), and filled with
  // 0xff bytes (undefined contents: NaN as bf16 or f32).
  struct SharedDelete {
    size_t alignment;
    void operator()(unsigned char* p) const { ::operator delete[](p, std::align_val_t{alignment}); }
  };
  using SharedMemory = std::unique_ptr<unsigned char[], SharedDelete>;
  static SharedMemory fresh_shared(size_t bytes, size_t alignment) {
    alignment = std::max<size_t>(alignment, 16);
    SharedMemory m(static_cast<unsigned char*>(::operator new[](bytes == 0 ? 1 : bytes, std::align_val_t{alignment})),
                   SharedDelete{alignment});
    std::memset(m.get(), 0xff, bytes);
    return m;
  }
  SharedMemory smem_{nullptr, SharedDelete{128}};
  struct StaticShared {
    SharedMemory memory;
    size_t bytes;
  };
  std::unordered_map<const void*, StaticShared> static_shared_;
  size_t smem_bytes_ = 0;
  int live_ = 0, at_block_barrier_ = 0, block_slot_ = 0, exited_ = 0;
  int n_ = 0;             // threads in the block
  bool forward_ = true;   // scheduling order
  int restart_ = 0;       // the earliest position a barrier has made runnable since the last look
  std::vector<WarpState> warps_;
  std::string fault_;
  bool aborting_ = false;
  std::vector<char> tokens_ = std::vector<char>(static_cast<size_t>(kTokenRing) * kTokensPerBlock);
  char start_token_ = 0, end_token_ = 0;
};

BlockRunner& runner() {
  static thread_local std::unique_ptr<BlockRunner> r = std::make_unique<BlockRunner>();
  tls_runner = r.get();
  return *r;
}
}  // namespace

const char* collective_name(Collective c) {
  switch (c) {
    case Collective::syncwarp: return "__syncwarp";
    case Collective::shuffle: return "__shfl_xor_sync";
    case Collective::ldmatrix: return "ldmatrix.sync.aligned.m8n8";
    case Collective::mma: return "mma.sync.aligned.m16n8k16";
  }
  return "?";
}

const ThreadContext& current_thread() {
  if (tls_thread == nullptr) throw std::logic_error("emulated GPU: a device built-in was used outside a kernel");
  return tls_thread->ctx;
}
int lane_id() { return tls_runner->self().linear & 31; }

void syncthreads() { tls_runner->syncthreads(); }
void syncwarp(unsigned mask) {
  tls_runner->collective(Collective::syncwarp, mask, nullptr, [](void* const*, unsigned) {});
}
void warp_collective(Collective kind, unsigned mask, void* lane_args, CollectiveComplete complete) {
  tls_runner->collective(kind, mask, lane_args, complete);
}
void fault(const std::string& what) { tls_runner->fail(what); }
void misaligned(const void* p, const char* what) { fault(fmt::format("misaligned address: {} at {}", what, p)); }
void* dynamic_shared_memory() { return tls_runner->smem(); }
bool in_shared_memory(const void* p, size_t bytes) { return tls_runner->in_shared(p, bytes); }

void async_copy16(void* dst, const void* src, int src_bytes) {
  GpuThread& t = tls_runner->self();
  if (src_bytes < 0 || src_bytes > 16) fault(fmt::format("cp.async: src-size {} is not in 0..16", src_bytes));
  if (!in_shared_memory(dst, 16)) fault(fmt::format("cp.async: destination {} is not in the block's shared memory", dst));
  check_aligned(dst, 16, "cp.async destination (16-byte copy)");
  check_aligned(src, 16, "cp.async source (16-byte copy)");
  if (src_bytes > 0 && in_shared_memory(src, 1)) fault(fmt::format("cp.async: source {} is shared memory, not global", src));
  AsyncCopy c{dst, {}, 0};
  c.bytes.fill(0);
  std::memcpy(c.bytes.data(), src, static_cast<size_t>(src_bytes));  // the read: an out-of-bounds source shows here
  std::memset(dst, 0xff, 16);  // the destination is undefined until the wait
  {
    sanitizer::IgnoreScope ignore;
    c.group = t.open_group;
    t.copies.push_back(c);
  }
}
void async_commit() {
  GpuThread& t = tls_runner->self();
  sanitizer::IgnoreScope ignore;
  ++t.open_group;
}
void async_wait(int n) {
  GpuThread& t = tls_runner->self();
  if (n < 0) fault(fmt::format("cp.async.wait_group {}: the count is not negative", n));
  std::vector<AsyncCopy> due;
  {
    sanitizer::IgnoreScope ignore;
    // groups 0 .. open_group - 1 are committed; the n most recent of them may stay in flight
    const int last_due = t.open_group - 1 - n;
    std::vector<AsyncCopy> keep;
    for (const AsyncCopy& c : t.copies) (c.group <= last_due ? due : keep).push_back(c);
    t.copies.swap(keep);
  }
  for (const AsyncCopy& c : due) std::memcpy(c.dst, c.bytes.data(), 16);
}
void* static_shared_memory(const void* key, size_t bytes, size_t alignment) {
  return tls_runner->static_shared(key, bytes, alignment);
}

void run_grid(const GridWork& work) { runner().run_grid(work); }

}  // namespace dsmath::emu
