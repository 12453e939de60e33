// Paths from a suspend point that do not leave the coroutine suspended
// there: an await_suspend that throws (the coroutine goes on in its catch
// block) and a bool await_suspend that returns false (it goes on at once).
// The scope analysis counts an object as open across a state only on paths
// that return after storing the state's index; these programs put buffers
// whose addresses escape (filled and summed by functions never inlined) on
// both sides of such paths, in sequential scopes, so that a wrong overlap
// shows up as a wrong checksum. The same at -O0, where clang's lifetime
// markers give the scopes, and at -O2.
//
// RUN: %run-compare --out %t -- %s | FileCheck %s
// RUN: %run-compare --sanitize --out %t -- %s | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <vector>

namespace {

std::vector<std::coroutine_handle<>> parked;

/// Throws from await_suspend for odd n (the coroutine then resumes with
/// the exception); parks the handle otherwise.
struct maybe_throw {
  int n;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    if (n % 2)
      throw std::runtime_error("not now");
    parked.push_back(h);
  }
  int await_resume() const noexcept { return n * 3; }
};

/// Returns false from await_suspend (go on at once) when n % 3 == 0.
struct maybe_skip {
  int n;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    if (n % 3 == 0)
      return false;
    parked.push_back(h);
    return true;
  }
  int await_resume() const noexcept { return n + 1; }
};

/// Eager and fire-and-forget: runs to its first suspend from the call,
/// destroys itself at the end.
struct fire {
  struct promise_type {
    fire get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

__attribute__((noinline)) void fill(unsigned char *p, unsigned n,
                                    unsigned seed) {
  for (unsigned i = 0; i < n; ++i)
    p[i] = static_cast<unsigned char>(seed * 29 + i * 11);
}

__attribute__((noinline)) uint64_t sum(const unsigned char *p, unsigned n) {
  uint64_t s = 0;
  for (unsigned i = 0; i < n; ++i)
    s = s * 131 + p[i];
  return s;
}

uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 1099511628211ull; }

fire paths(int seed, uint64_t &out) {
  uint64_t h = 1469598103934665603ull;
  {
    unsigned char a[128];
    fill(a, 128, seed);
    try {
      int v = co_await maybe_throw{seed};
      h = mix(h, v);
    } catch (const std::exception &) {
      h = mix(h, 77);
    }
    h = mix(h, sum(a, 128));
  }
  {
    unsigned char b[128];
    fill(b, 128, seed + 1);
    int v = co_await maybe_skip{seed};
    h = mix(h, v);
    h = mix(h, sum(b, 128));
  }
  {
    unsigned char c[64];
    fill(c, 64, seed + 2);
    for (int i = 0; i < 3; ++i) {
      int v = co_await maybe_skip{seed + i + 1};
      h = mix(h, v + sum(c, 64));
    }
  }
  out = h;
}

} // namespace

int main() {
  for (int seed = 0; seed < 12; ++seed) {
    uint64_t out = 0;
    paths(seed, out);
    while (!parked.empty()) {
      std::coroutine_handle<> h = parked.back();
      parked.pop_back();
      h.resume();
    }
    std::printf("paths(%d) = %016llx\n", seed,
                static_cast<unsigned long long>(out));
  }
}
