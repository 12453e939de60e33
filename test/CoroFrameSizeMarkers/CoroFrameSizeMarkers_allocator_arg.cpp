// Coroutines that take an allocator (`std::allocator_arg_t, Alloc &`), as
// std::generator and many task libraries do: the promise's operator new
// allocates the frame plus room for a pointer to the allocator, stores it at
// p + size (rounded up to its alignment), and the sized operator delete
// reads it back from p + size to free through the same allocator. Inlined
// at -O2, `p + size` appears in the ramp and in .destroy/.cleanup: after a
// re-layout both must use the new size, or delete reads the allocator from
// the wrong place. The allocator counts what it hands out.
//
// RUN: %run-compare --out %t --plugin-flags "-Rpass=coro-frame-overlap -Rpass-missed=coro-frame-overlap" -- %s -I%inputs/cpp | FileCheck %s
// RUN: cat %t/plugin-O0.compile.log %t/stock-O0.stderr %t/plugin-O0.stderr | FileCheck %s --check-prefix=BYTES
// RUN: cat %t/plugin-O2.compile.log %t/stock-O2.stderr %t/plugin-O2.stderr | FileCheck %s --check-prefix=BYTES
// RUN: %run-compare --out %t.san --sanitize --plugin-flags "-Rpass=coro-frame-overlap -Rpass-missed=coro-frame-overlap" -- %s -I%inputs/cpp | FileCheck %s
// RUN: cat %t.san/plugin-O2-san.compile.log %t.san/stock-O2-san.stderr %t.san/plugin-O2-san.stderr | FileCheck %s --check-prefix=BYTES
// RUN: %run-compare --out %t.noexc --plugin-flags "-Rpass=coro-frame-overlap -Rpass-missed=coro-frame-overlap" -- %s -I%inputs/cpp -fno-exceptions | FileCheck %s
// RUN: cat %t.noexc/plugin-O2.compile.log %t.noexc/stock-O2.stderr %t.noexc/plugin-O2.stderr | FileCheck %s --check-prefix=BYTES
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)
//
// The allocator hands out the frame plus 8 bytes for its own pointer.
// BYTES-NOT: allocation stays
// BYTES: frame of 'walk(std::allocator_arg_t, arena&, int)' re-laid out: [[#OLD:]] -> [[#NEW:]] bytes
// BYTES-NOT: allocation stays
// BYTES: frame alloc [[#OLD]] bytes, handed out [[#OLD+8]] x12
// BYTES: frame alloc [[#NEW]] bytes, handed out [[#NEW+8]] x12

#include "frame_alloc_stats.h"

#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

// An allocator that keeps its own books: every block starts with the size
// it was given, checked when the block comes back.
struct arena {
  long live = 0;
  void *allocate(std::size_t frame, std::size_t n) {
    auto *raw = static_cast<std::size_t *>(std::malloc(n + 16));
    if (!raw)
      std::abort();
    raw[0] = n;
    ++live;
    frame_alloc_stats::record(frame, n);
    return raw + 2;
  }
  void deallocate(void *p, std::size_t n) {
    auto *raw = static_cast<std::size_t *>(p) - 2;
    frame_alloc_stats::check(n, raw[0]);
    --live;
    std::free(raw);
  }
};

struct job {
  struct promise_type {
    long result = 0;
    static std::size_t room(std::size_t n) {
      return (n + alignof(arena *) - 1) & ~(alignof(arena *) - 1);
    }
    template <class... Args>
    static void *operator new(std::size_t n, std::allocator_arg_t, arena &a,
                              Args &...) {
      void *p = a.allocate(n, room(n) + sizeof(arena *));
      *reinterpret_cast<arena **>(static_cast<char *>(p) + room(n)) = &a;
      return p;
    }
    static void operator delete(void *p, std::size_t n) noexcept {
      arena *a = *reinterpret_cast<arena **>(static_cast<char *>(p) + room(n));
      a->deallocate(p, room(n) + sizeof(arena *));
    }
    job get_return_object() {
      return job{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(long v) noexcept {
      result = v;
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::abort(); }
  };
  explicit job(std::coroutine_handle<promise_type> h) : h(h) {}
  job(job &&o) noexcept : h(std::exchange(o.h, {})) {}
  ~job() {
    if (h)
      h.destroy();
  }
  std::coroutine_handle<promise_type> h;
};

[[gnu::noinline]] long opaque(long x) {
  asm volatile("" : "+r"(x));
  return x;
}

// Not inlined into main: there HALO would put the frame on the stack.
[[gnu::noinline]] job walk(std::allocator_arg_t, arena &, int k) {
  long a1 = opaque(k), a2 = opaque(k * 2), a3 = opaque(k * 3),
       a4 = opaque(k * 4), a5 = opaque(k * 5);
  co_yield a1 + a2 + a3 + a4 + a5;
  co_yield a1 * a2 * a3 * a4 * a5;
  long b1 = opaque(k + 1), b2 = opaque(k + 2), b3 = opaque(k + 3),
       b4 = opaque(k + 4), b5 = opaque(k + 5);
  co_yield b1 + b2 + b3 + b4 + b5;
  co_yield b1 * b2 * b3 * b4 * b5;
}

int main() {
  arena one, two;
  long total = 0;
  for (int i = 0; i < 12; ++i) {
    job j = walk(std::allocator_arg, i % 2 ? one : two, i);
    for (int s = 0; s < 1 + i % 5 && !j.h.done(); ++s) {
      j.h.resume();
      if (!j.h.done())
        total += j.h.promise().result;
    }
  }
  std::printf("total %ld, live %ld %ld\n", total, one.live, two.live);
  frame_alloc_stats::print();
}
