// A promise with get_return_object_on_allocation_failure: the frame comes
// from a noexcept operator new (the global nothrow form, replaced in this
// TU, which fails on every third call), a failed allocation returns the
// failure object without running the body, and the frame is freed with a
// sized delete. Inlined at -O2, the size reaches the nothrow allocation, its
// failure path and the sized delete: all must agree on the new size.
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
// 15 calls, every third one fails: 10 frames handed out.
// BYTES-NOT: allocation stays
// BYTES: frame of 'sums(long, long)' re-laid out: [[OLD:[0-9]+]] -> [[NEW:[0-9]+]] bytes
// BYTES-NOT: allocation stays
// BYTES: frame alloc [[OLD]] bytes, handed out [[OLD]] x10
// BYTES: frame alloc [[NEW]] bytes, handed out [[NEW]] x10

#include "frame_alloc_stats.h"

#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <utility>

static int calls, failures;

// The nothrow form the promise's failure object makes the compiler call;
// each block remembers its size for the sized delete.
void *operator new(std::size_t n, const std::nothrow_t &) noexcept {
  if (++calls % 3 == 0) {
    ++failures;
    return nullptr;
  }
  auto *p = static_cast<std::size_t *>(std::malloc(n + 16));
  if (!p)
    return nullptr;
  *p = n;
  frame_alloc_stats::record(n, n);
  return p + 2;
}
void operator delete(void *p, std::size_t n) noexcept {
  auto *base = static_cast<std::size_t *>(p) - 2;
  frame_alloc_stats::check(n, *base);
  std::free(base);
}

struct job {
  struct promise_type {
    long result = 0;
    static job get_return_object_on_allocation_failure() { return job{}; }
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
  job() = default;
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
[[gnu::noinline]] job sums(long a, long b) {
  long x1 = opaque(a * 3), x2 = opaque(b * 5), x3 = opaque(a + b),
       x4 = opaque(a - b);
  co_yield x1 + x2 + x3 + x4;
  co_yield x1 * x2 * x3 * x4;
  long y1 = opaque(a * 7), y2 = opaque(b - 1), y3 = opaque(a * b),
       y4 = opaque(a + 2 * b);
  co_yield y1 + y2 + y3 + y4;
  co_yield y1 * y2 * y3 * y4;
}

int main() {
  long total = 0;
  for (int i = 0; i < 15; ++i) {
    job j = sums(i, 2 * i + 1);
    if (!j.h) {
      std::printf("job %d: no frame\n", i);
      continue;
    }
    for (int s = 0; s < i % 6 && !j.h.done(); ++s) {
      j.h.resume();
      if (!j.h.done())
        total += j.h.promise().result;
    }
    std::printf("job %d: total %ld\n", i, total);
  }
  std::printf("calls %d, failures %d\n", calls, failures);
  frame_alloc_stats::print();
}
