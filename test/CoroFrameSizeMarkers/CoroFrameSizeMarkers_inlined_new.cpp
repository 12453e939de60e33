// A TU that replaces the global operator new/delete with counting versions,
// as test suites and allocators do. At -O2 the inliner puts them into the
// ramp: the frame size feeds a counter, a malloc of size + 16 and a header
// store; the sized delete of .destroy/.cleanup reads the header back. The
// re-laid out frame must be requested, handed out and freed with its new
// size everywhere (coro-mark-frame-size keeps the size recognisable past
// CoroSplit), at -O0 and -O2, with sanitizers and without exceptions.
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
// The remark names the sizes; stock hands out the old one, the plugin the
// new one, for all 10 frames; no remark says the allocation stayed.
// BYTES-NOT: allocation stays
// BYTES: frame of 'phases(long)' re-laid out: [[OLD:[0-9]+]] -> [[NEW:[0-9]+]] bytes
// BYTES-NOT: allocation stays
// BYTES: frame alloc [[OLD]] bytes, handed out [[OLD]] x10
// BYTES: frame alloc [[NEW]] bytes, handed out [[NEW]] x10

#include "frame_alloc_stats.h"

#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <utility>

// Each block remembers its size in a 16-byte header, so the sized delete
// can be checked against what was allocated.
void *operator new(std::size_t n) {
  auto *p = static_cast<std::size_t *>(std::malloc(n + 16));
  if (!p)
    std::abort();
  *p = n;
  frame_alloc_stats::record(n, n);
  return p + 2;
}
void operator delete(void *p) noexcept {
  if (p)
    std::free(static_cast<std::size_t *>(p) - 2);
}
void operator delete(void *p, std::size_t n) noexcept {
  auto *base = static_cast<std::size_t *>(p) - 2;
  frame_alloc_stats::check(n, *base);
  std::free(base);
}

struct job {
  struct promise_type {
    long result = 0;
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

// Two phases of six values each, never live at the same time.
// Not inlined into main: there HALO would put the frame on the stack.
[[gnu::noinline]] job phases(long a) {
  long x1 = opaque(a * 3), x2 = opaque(a * 5), x3 = opaque(a + 1),
       x4 = opaque(a + 7), x5 = opaque(a * 9), x6 = opaque(a - 3);
  co_yield x1 + x2 + x3 + x4 + x5 + x6;
  co_yield x1 * x2 * x3 * x4 * x5 * x6;
  long y1 = opaque(a * 7), y2 = opaque(a - 1), y3 = opaque(a * 11),
       y4 = opaque(a * 13), y5 = opaque(a + 17), y6 = opaque(a + 19);
  co_yield y1 + y2 + y3 + y4 + y5 + y6;
  co_yield y1 * y2 * y3 * y4 * y5 * y6;
}

int main() {
  long total = 0;
  for (int i = 0; i < 10; ++i) {
    job j = phases(i);
    // Some frames are destroyed while suspended (.destroy frees them),
    // the others after they finished.
    for (int s = 0; s < 2 + i % 4 && !j.h.done(); ++s) {
      j.h.resume();
      if (!j.h.done())
        total += j.h.promise().result;
    }
  }
  std::printf("total %ld\n", total);
  frame_alloc_stats::print();
}
