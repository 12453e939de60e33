// Coroutines that keep atomics in their frame and update them with
// read-modify-write and compare-exchange across co_await (a scope's
// reference count, a once flag, a ticket counter), next to buffers live in
// other states: the frame analysis treats the atomic operations as
// accesses (a read and a write that never kills), so these frames are
// analysed and re-laid out; outputs equal stock.
//
// RUN: %run-compare --out %t -- %s | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %s | FileCheck %s
// RUN: %run-compare --out %t.noexc -- %s -fno-exceptions | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)
//
// At -O2 the atomics are inlined: atomicrmw and cmpxchg on frame slots.
// RUN: %clangxx %cxxflags -O2 -fpass-plugin=%plugin -Rpass=coro-frame-overlap -Rpass-missed='coro.*' -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=RELAID
// RELAID-NOT: not analysed
// RELAID: frame of '(anonymous namespace)::counted(int)' re-laid out: 176 -> 160 bytes
// RELAID-NOT: not analysed

#include <atomic>
#include <coroutine>
#include <cstdio>
#include <exception>
#include <vector>

namespace {

std::vector<std::coroutine_handle<>> ready;

struct yield_now {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { ready.push_back(h); }
  void await_resume() const noexcept {}
};

struct task {
  struct promise_type {
    long result = 0;
    task get_return_object() {
      return {std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(long v) { result = v; }
    void unhandled_exception() { std::terminate(); }
  };
  std::coroutine_handle<promise_type> h;
};

[[gnu::noinline]] void touch(unsigned char *p, int n, int seed) {
  for (int i = 0; i < n; ++i)
    p[i] = static_cast<unsigned char>(seed * 31 + i);
}
[[gnu::noinline]] long sum(const unsigned char *p, int n) {
  long s = 0;
  for (int i = 0; i < n; ++i)
    s += p[i] * (i + 1);
  return s;
}

task counted(int seed) {
  std::atomic<long> refs{1};
  std::atomic<int> once{0};
  long total = 0;
  {
    unsigned char a[96];
    touch(a, 96, seed);
    refs.fetch_add(2, std::memory_order_acq_rel);
    co_await yield_now{};
    total += sum(a, 96) + refs.load();
  }
  int expected = 0;
  if (once.compare_exchange_strong(expected, seed))
    total += 7;
  {
    unsigned char b[96];
    touch(b, 96, seed + 1);
    co_await yield_now{};
    refs.fetch_sub(1);
    total += sum(b, 96) + refs.exchange(seed) + once.load();
  }
  co_await yield_now{};
  total += refs.fetch_xor(3) + refs.load();
  co_return total;
}

} // namespace

int main() {
  std::vector<task> tasks;
  for (int i = 0; i < 8; ++i)
    tasks.push_back(counted(i));
  while (!ready.empty()) {
    auto h = ready.front();
    ready.erase(ready.begin());
    h.resume();
  }
  for (task &t : tasks) {
    std::printf("%ld\n", t.h.promise().result);
    t.h.destroy();
  }
}
