// A generator frame that CoroElide puts into its caller's frame, created and
// destroyed between the caller's last suspend and its final suspend, next to
// a by-value std::vector parameter whose destructor .destroy runs after the
// final suspend (the shape of coro-smith seed 3049,
// test/difftest/regress-seed3049.test). The generator's frame is scoped
// (coro-record-scopes) and live in no suspend state; slots live across the
// final state must keep their bytes against it. With -fno-exceptions the
// final suspend stores no index, only a null resume pointer, which the
// liveness takes as the final state's entry. (This program runs right also
// with the liveness that missed that entry, where seed 3049 crashed: it
// guards the shape, the seed test the fix.)
//
// RUN: %run-compare --out %t.noexc -- %s -I%inputs/corolib -fno-exceptions | FileCheck %s
// RUN: %run-compare --out %t.noexc --sanitize -- %s -I%inputs/corolib -fno-exceptions | FileCheck %s
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)
//
// The generator frame is elided and scoped at -O2, and interferes with the
// slots live across the final state (so it shares no bytes with them).
// RUN: %clangxx %cxxflags -O2 -I%inputs/corolib -fno-exceptions -fpass-plugin=%plugin -mllvm -coro-frame-opt-print-analysis -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=ANALYSIS
// ANALYSIS-LABEL: coroutine {{.*}}tally{{.*}}:
// ANALYSIS: state final(null-resume) {{.*}} live: [[FINAL:#[0-9]+ ]]
// ANALYSIS: alloca escaped scoped live none {{.*}}'elided frame of 'squares(std::vector<long, std::allocator<long>>, long)'' interferes: {{.*}}[[FINAL]]

#include "generator.h"

#include <coroutine>
#include <cstdio>
#include <deque>
#include <vector>

static std::deque<std::coroutine_handle<>> ready;
struct park {
  bool await_ready() noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { ready.push_back(h); }
  void await_resume() noexcept {}
};

struct task {
  struct promise_type {
    long value = 0;
    task get_return_object() {
      return {std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(long v) { value = v; }
    void unhandled_exception() {}
  };
  std::coroutine_handle<promise_type> h;
};

__attribute__((noinline)) long mix(long a, long b) {
  return long(static_cast<unsigned long>(a) * 31u +
              static_cast<unsigned long>(b));
}

corolib::generator<long> squares(std::vector<long> w, long n) {
  long big[64];
  for (long i = 0; i < 64; ++i)
    big[i] = mix(n, w[size_t(i) % w.size()]);
  for (long i = 0; i < n; ++i)
    co_yield big[i % 64] * i;
}

task tally(std::vector<long> v, long n) {
  co_await park{};
  long s = mix(long(v.size()), v.back());
  co_await park{};
  // v is read here once more (copied into the generator's frame), then only
  // by its destructor, in .destroy after the final suspend.
  for (long x : squares(v, n))
    s = mix(s, x);
  co_return s;
}

int main(int argc, char **) {
  for (long k = 0; k < 4; ++k) {
    task t = tally(std::vector<long>(size_t(3 + k), k + argc), 5 + k);
    t.h.resume();
    while (!ready.empty()) {
      auto h = ready.front();
      ready.pop_front();
      h.resume();
    }
    std::printf("tally(%ld) = %ld done=%d\n", k, t.h.promise().value,
                int(t.h.done()));
    t.h.destroy();
  }
}
