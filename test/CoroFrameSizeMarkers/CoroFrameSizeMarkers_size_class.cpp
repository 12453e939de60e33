// A promise operator new that serves frames from a pool with size classes
// (as embedded and server allocators do): the class is chosen from the
// size, blocks go back to the free list of the class their sized delete
// names, and each block remembers its class so a delete with another size
// is counted as a mismatch. Inlined into the ramp at -O2, the size selects
// the class there; after a re-layout the smaller size must select the class
// in the ramp and in .destroy/.cleanup alike. The requested bytes drop by
// the re-layout's saving, and here the frame also moves to a smaller class.
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
// BYTES-NOT: allocation stays
// BYTES: frame of 'stages(int)' re-laid out: [[OLD:[0-9]+]] -> [[NEW:[0-9]+]] bytes
// BYTES-NOT: allocation stays
// BYTES: frame alloc [[OLD]] bytes, handed out 256 x24
// BYTES: frame alloc [[NEW]] bytes, handed out 128 x24

#include "frame_alloc_stats.h"

#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace pool {
constexpr std::size_t classes[] = {64, 128, 256, 512, 1024};
constexpr int num_classes = 5;
struct block {
  block *next;
};
inline block *free_list[num_classes];
inline long live;

inline int class_of(std::size_t n) {
  int c = 0;
  while (c < num_classes - 1 && classes[c] < n)
    ++c;
  return c;
}
// 16 bytes before each block say which class it came from.
inline void *allocate(std::size_t n) {
  int c = class_of(n);
  if (n > classes[c])
    std::abort();
  ++live;
  frame_alloc_stats::record(n, classes[c]);
  if (block *b = free_list[c]) {
    free_list[c] = b->next;
    return b;
  }
  auto *raw = static_cast<std::size_t *>(std::malloc(classes[c] + 16));
  if (!raw)
    std::abort();
  raw[0] = static_cast<std::size_t>(c);
  return raw + 2;
}
inline void deallocate(void *p, std::size_t n) {
  int c = class_of(n);
  std::size_t recorded = static_cast<std::size_t *>(p)[-2];
  frame_alloc_stats::check(static_cast<std::size_t>(c), recorded);
  --live;
  auto *b = static_cast<block *>(p);
  b->next = free_list[recorded];
  free_list[recorded] = b;
}
} // namespace pool

struct job {
  struct promise_type {
    long result = 0;
    static void *operator new(std::size_t n) { return pool::allocate(n); }
    static void operator delete(void *p, std::size_t n) noexcept {
      pool::deallocate(p, n);
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
// Three stages, each with its own values across its own suspends.
// Not inlined into main: there HALO would put the frame on the stack.
[[gnu::noinline]] job stages(int k) {
  long a1 = opaque(k), a2 = opaque(k * 2), a3 = opaque(k * 3),
       a4 = opaque(k * 4), a5 = opaque(k * 5), a6 = opaque(k * 6);
  co_yield a1 + a2 + a3;
  co_yield a4 + a5 + a6 + a1 * a2 * a3;
  long b1 = opaque(k + 1), b2 = opaque(k + 2), b3 = opaque(k + 3),
       b4 = opaque(k + 4), b5 = opaque(k + 5), b6 = opaque(k + 6);
  co_yield b1 + b2 + b3 + a4 * a5 * a6;
  co_yield b4 * b5 * b6 + b1 * b2 * b3;
  long c1 = opaque(k - 1), c2 = opaque(k - 2), c3 = opaque(k - 3),
       c4 = opaque(k - 4), c5 = opaque(k - 5), c6 = opaque(k - 6);
  co_yield c1 + c2 + c3 + b4 * b5 * b6;
  co_yield c4 * c5 * c6 + c1 * c2 * c3;
}

int main() {
  long total = 0;
  // Frames alive at once and in turns, so blocks are reused through the
  // free lists; some destroyed while suspended.
  for (int round = 0; round < 4; ++round) {
    job jobs[6] = {stages(round), stages(round + 1), stages(round + 2),
                   stages(round + 3), stages(round + 4), stages(round + 5)};
    for (int s = 0; s < 7; ++s)
      for (int i = 0; i < 6; ++i)
        if (s < 3 + (i + round) % 5 && !jobs[i].h.done()) {
          jobs[i].h.resume();
          if (!jobs[i].h.done())
            total += jobs[i].h.promise().result;
        }
  }
  std::printf("total %ld, live blocks %ld\n", total, pool::live);
  frame_alloc_stats::print();
}
