// Coroutines whose promise declares get_return_object_on_allocation_failure:
// the frame is allocated with a noexcept operator new (here the promise's
// own, which fails on every third call), a failed allocation returns the promise's
// failure object without running the body, and the frame is freed with the
// promise's sized operator delete. The overlap pass rewrites the size in both
// calls; a wrong size shows as a mismatch in the promise's own bookkeeping.
// Also built with -g, and at -O0 and -O2 with -fno-exceptions.
//
// RUN: %run-compare --out %t -- %s | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %s | FileCheck %s
// RUN: %run-compare --out %t.g -- %s -g | FileCheck %s
// RUN: %run-compare --out %t.noexc -- %s -fno-exceptions | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <utility>

static int calls, failures, live_bytes, mismatches;

struct job {
  struct promise_type {
    long result = 0;
    static void *operator new(std::size_t n) noexcept {
      if (++calls % 3 == 0) {
        ++failures;
        return nullptr;
      }
      // Remember the size asked for, to check the one given back.
      auto *p = static_cast<std::size_t *>(std::malloc(n + 16));
      *p = n;
      live_bytes += static_cast<int>(n);
      return p + 2;
    }
    static void operator delete(void *p, std::size_t n) noexcept {
      auto *base = static_cast<std::size_t *>(p) - 2;
      if (*base != n)
        ++mismatches;
      live_bytes -= static_cast<int>(*base);
      std::free(base);
    }
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

// Values live across different suspends, so the overlap pass has work.
job sums(long a, long b) {
  long x1 = a * 3, x2 = b * 5, x3 = a + b;
  co_yield x1 + x2 + x3;
  long y1 = x1 * 7, y2 = x2 - 1;
  co_yield y1 + y2;
  double z = static_cast<double>(y1) / 3.0;
  co_yield static_cast<long>(z * 2);
}

int main() {
  long total = 0;
  for (int i = 0; i < 12; ++i) {
    job j = sums(i, 2 * i + 1);
    if (!j.h) {
      std::printf("job %d: no frame\n", i);
      continue;
    }
    int steps = i % 4; // some are destroyed early, at a suspend point
    for (int s = 0; s < steps && !j.h.done(); ++s) {
      j.h.resume();
      if (!j.h.done())
        total += j.h.promise().result;
    }
    std::printf("job %d: %d steps, total %ld\n", i, steps, total);
  }
  std::printf("calls %d, failures %d, live bytes %d, size mismatches %d\n",
              calls, failures, live_bytes, mismatches);
}
