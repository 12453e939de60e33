// Objects whose lifetime ends and starts again in one block of a coroutine
// (a loop with a constant trip count, fully unrolled at -O2, whose iterations'
// blocks are then merged) and that are live across a suspend from there on.
// Stock LLVM 22 keeps them on the stack of `.resume` (a read of a dead stack
// slot after the resume: a crash at -O2, stack-use-after-scope under ASan);
// coro-lifetime-restart makes CoroSplit put them into the frame.
//
// RUN: %clangxx %cxxflags -O2 -g -fpass-plugin=%plugin -Rpass=coro-lifetime-restart %s -o %t.O2 2>&1 | FileCheck %s --check-prefix=REMARK --implicit-check-not=await_in_middle
// RUN: %t.O2 | FileCheck %s
// RUN: %clangxx %cxxflags -O0 %s -o %t.O0 && %t.O0 | FileCheck %s
// RUN: %clangxx %cxxflags -O1 -fpass-plugin=%plugin %s -o %t.O1 && %t.O1 | FileCheck %s
// RUN: %clangxx %cxxflags -O3 -fpass-plugin=%plugin %s -o %t.O3 && %t.O3 | FileCheck %s
// RUN: %clangxx %cxxflags -Os -fpass-plugin=%plugin %s -o %t.Os && %t.Os | FileCheck %s
// RUN: %clangxx %cxxflags -O2 -fsanitize=address,undefined -fno-sanitize-recover=all -fpass-plugin=%plugin %s -o %t.O2san
// RUN: %t.O2san 2>&1 | FileCheck %s --implicit-check-not=Sanitizer
//
// Stock clang at -O2 with ASan shows the bug this works around. Should this
// fail, LLVM has fixed it and the pass can go.
// RUN: %clangxx %cxxflags -O2 -fsanitize=address %s -o %t.stock
// RUN: not %t.stock 2>&1 | FileCheck %s --check-prefix=STOCK
// STOCK: AddressSanitizer: stack-use-after-scope
// STOCK: (.resume)
//
// REMARK-DAG: remark: the lifetime of 's' in 'yield_on_last(unsigned long)' ends and starts again in one block
// REMARK-DAG: remark: the lifetime of 's' in 'yield_on_third(unsigned long)' ends and starts again in one block
// REMARK-DAG: remark: the lifetime of 's' in 'yield_on_third(unsigned long)' ends and starts again in one block
// REMARK-DAG: remark: the lifetime of 'c' in 'destroyed_early(unsigned long)' ends and starts again in one block
//
// CHECK: yield_on_last: 41
// CHECK-NEXT: yield_on_last: done 1
// CHECK-NEXT: yield_on_third: 52
// CHECK-NEXT: yield_on_third: done 1
// CHECK-NEXT: await_in_middle: resumed 3
// CHECK-NEXT: await_in_middle: sum 32
// CHECK-NEXT: destroyed while suspended: 1 live string(s) freed
// CHECK-NEXT: end

#include <coroutine>
#include <cstdio>
#include <string>
#include <vector>

struct gen {
  struct promise_type {
    unsigned long cur = 0;
    gen get_return_object() {
      return gen{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(unsigned long v) noexcept {
      cur = v;
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() {}
  };
  std::coroutine_handle<promise_type> h;
  explicit gen(std::coroutine_handle<promise_type> x) : h(x) {}
  gen(gen &&) = delete;
  ~gen() {
    if (h)
      h.destroy();
  }
};

[[gnu::noinline]] std::string make_string(unsigned long n) {
  return std::string(n, 'x');
}

static int live_strings = 0;
struct counted {
  std::string s;
  explicit counted(unsigned long n) : s(make_string(n)) { ++live_strings; }
  ~counted() { --live_strings; }
};

// The string of the last iteration is live across the co_yield.
gen yield_on_last(unsigned long n) {
  for (unsigned long i = 0; i < 2; ++i) {
    std::string s = make_string(n + i);
    if (i == 1)
      co_yield s.size();
  }
}

// Three iterations, all merged into one block: two restarts, and the
// object of the first one is live across the suspend only once the second
// pair is gone (both are removed).
gen yield_on_third(unsigned long n) {
  for (unsigned long i = 0; i < 3; ++i) {
    std::string s = make_string(n + i);
    if (i == 2)
      co_yield s.size();
  }
}

// A suspend in the middle one of three iterations, the vector read after the
// resume: LLVM keeps this loop, so there is no restart to fix (no remark).
static std::coroutine_handle<> parked;
struct park {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept { parked = h; }
  unsigned long await_resume() const noexcept { return 3; }
};

gen await_in_middle(unsigned long n) {
  unsigned long sum = 0;
  for (unsigned long i = 0; i < 3; ++i) {
    std::vector<unsigned long> v(n + i, i + 1);
    if (i == 1) {
      unsigned long r = co_await park{};
      std::printf("await_in_middle: resumed %lu\n", r);
    }
    for (unsigned long x : v)
      sum += x;
  }
  std::printf("await_in_middle: sum %lu\n", sum);
}

// Destroyed at the co_yield: the destroy path frees the object in the frame.
gen destroyed_early(unsigned long n) {
  for (unsigned long i = 0; i < 2; ++i) {
    counted c(n + i);
    if (i == 1)
      co_yield c.s.size();
  }
}

int main() {
  {
    gen g = yield_on_last(40);
    g.h.resume();
    std::printf("yield_on_last: %lu\n", g.h.promise().cur);
    g.h.resume();
    std::printf("yield_on_last: done %d\n", (int)g.h.done());
  }
  {
    gen g = yield_on_third(50);
    g.h.resume();
    std::printf("yield_on_third: %lu\n", g.h.promise().cur);
    g.h.resume();
    std::printf("yield_on_third: done %d\n", (int)g.h.done());
  }
  {
    gen g = await_in_middle(4);
    g.h.resume();
    parked.resume();
  }
  {
    gen g = destroyed_early(30);
    g.h.resume();
    int before = live_strings;
    g.h.destroy();
    g.h = {};
    std::printf("destroyed while suspended: %d live string(s) freed\n",
                before - live_strings);
  }
  std::printf("end\n");
}
