// Thin wrapper coroutines of the form `co_return co_await inner(args)`:
//   task<int> f(int x) { co_return co_await g(x); }
// Covers: a single wrapper, a chain of four wrappers, a wrapper that changes
// the argument or the result, task<void> wrappers, wrappers taking a
// std::string by value (the frame's copy must outlive the inner task, which
// reads it after suspending; short strings keep a pointer into their own
// storage, i.e. into the frame) and by reference (including a temporary that
// lives until the end of the awaiting full-expression), a wrapper passing a
// reference to its own local, a wrapper with a destructor that must run after
// the inner task finished, and an exception passing through four wrappers.
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#define COROLIB_ALLOC_COUNT_DEFINE_OPERATORS
#include "corolib.h"

#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <type_traits>

using corolib::manual_executor;
using corolib::task;

static volatile int seed_source = 16180;
static int seed() { return seed_source; }

static std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

// Suspends on the executor when there is one, else continues at once.
struct maybe_yield {
  manual_executor *ex;
  bool await_ready() const noexcept { return ex == nullptr; }
  void await_suspend(std::coroutine_handle<> h) {
    ex->schedule().await_suspend(h);
  }
  void await_resume() const noexcept {}
};

struct noisy {
  const char *name;
  int id;
  noisy(const char *n, int i) : name(n), id(i) {}
  noisy(const noisy &) = delete;
  ~noisy() { std::printf("    ~%s(%d)\n", name, id); }
};

// --- inner tasks ------------------------------------------------------------
task<int> g(manual_executor *ex, int x) {
  int local = x * 7 + seed() % 11;
  co_await maybe_yield{ex};
  if (x < 0)
    throw std::invalid_argument("g(" + std::to_string(x) + ")");
  co_return local + 3;
}

// Reads the string only after suspending.
task<std::size_t> count_vowels(manual_executor *ex, const std::string &s) {
  co_await maybe_yield{ex};
  std::size_t n = 0;
  for (char c : s)
    n += c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  co_return n * 1000 + s.size();
}

task<long> read_ref(manual_executor *ex, const long &ref) {
  co_await maybe_yield{ex};
  co_return ref * 2 + 1;
}

task<void> bump(manual_executor *ex, int &counter, int by) {
  co_await maybe_yield{ex};
  counter += by;
}

// --- wrappers ---------------------------------------------------------------
task<int> f(manual_executor *ex, int x) { co_return co_await g(ex, x); }

task<int> w1(manual_executor *ex, int x) { co_return co_await f(ex, x); }
task<int> w2(manual_executor *ex, int x) { co_return co_await w1(ex, x); }
task<int> w3(manual_executor *ex, int x) { co_return co_await w2(ex, x); }
task<int> w4(manual_executor *ex, int x) { co_return co_await w3(ex, x); }

task<int> shifted_arg(manual_executor *ex, int x) {
  co_return co_await g(ex, x + 1);
}
task<int> scaled_result(manual_executor *ex, int x) {
  co_return co_await g(ex, x) * 2;
}

task<std::size_t> by_value(manual_executor *ex, std::string s) {
  co_return co_await count_vowels(ex, s);
}
task<std::size_t> by_ref(manual_executor *ex, const std::string &s) {
  co_return co_await count_vowels(ex, s);
}
// Wrapper of a wrapper taking the string by value again.
task<std::size_t> by_value2(manual_executor *ex, std::string s) {
  co_return co_await by_value(ex, s + "-again");
}

task<long> own_local(manual_executor *ex, long x) {
  long local = x * 3; // its address escapes into the inner task
  co_return co_await read_ref(ex, local);
}

task<int> g_logged(manual_executor *ex, int x) {
  int v = co_await g(ex, x);
  std::printf("    g_logged(%d) finished\n", x);
  co_return v;
}

task<int> with_destructor(manual_executor *ex, int x) {
  noisy n("with_destructor", x); // destroyed after g_logged finished
  co_return co_await g_logged(ex, x);
}

task<void> void_wrapper(manual_executor *ex, int &counter, int by) {
  co_await bump(ex, counter, by);
}
task<void> void_wrapper2(manual_executor *ex, int &counter, int by) {
  co_await void_wrapper(ex, counter, by * 10);
}

// Runs `make` once without suspending and once on an executor.
template <typename T, typename... Args>
static T both(bool &same, task<T> (*make)(manual_executor *, Args...),
              std::type_identity_t<Args>... args) {
  T direct = corolib::sync_wait(make(nullptr, args...));
  manual_executor ex;
  T suspended = corolib::sync_wait(ex, make(&ex, args...));
  same = direct == suspended;
  return direct;
}

int main() {
  const int s = seed();
  const std::string short_str = "a" + std::to_string(s % 10); // fits SSO
  const std::string long_str = std::string("the quick brown fox jumps over ") +
                               std::to_string(s) + " lazy dogs and cats alike";
  const corolib::alloc_count::snapshot start = corolib::alloc_count::now();
  std::uint64_t h = 0;
  int mismatches = 0;
  bool same = true;

  auto report = [&](const char *what, long v) {
    mismatches += !same;
    std::printf("%-28s %ld%s\n", what, v, same ? "" : " MISMATCH");
    h = mix(h, static_cast<std::uint64_t>(v));
  };

  report("g(s)", both(same, g, s));
  report("f(s)", both(same, f, s));
  report("w4(s)", both(same, w4, s));
  report("w4(s % 100)", both(same, w4, s % 100));
  report("shifted_arg(s)", both(same, shifted_arg, s));
  report("scaled_result(s)", both(same, scaled_result, s));
  report("own_local(s)", both(same, own_local, static_cast<long>(s)));

  report("by_value(short)", static_cast<long>(both(same, by_value, short_str)));
  report("by_value(long)", static_cast<long>(both(same, by_value, long_str)));
  report("by_ref(short)", static_cast<long>(both(same, by_ref, short_str)));
  report("by_value2(long)", static_cast<long>(both(same, by_value2, long_str)));

  {
    // by_ref on a temporary: the temporary lives until the end of the
    // full-expression containing the co_await, across the suspension.
    manual_executor ex;
    auto user = [](manual_executor &e, int k) -> task<std::size_t> {
      std::size_t a = co_await by_ref(
          &e, std::string(static_cast<std::size_t>(k), 'e') + "xyz");
      std::size_t b = co_await by_value(
          &e, std::string(static_cast<std::size_t>(k) * 2, 'o'));
      co_return a * 7 + b;
    };
    same = true;
    report("temporaries",
           static_cast<long>(corolib::sync_wait(ex, user(ex, 40 + s % 5))));
  }

  std::printf("with_destructor:\n");
  {
    manual_executor ex;
    int v = corolib::sync_wait(ex, with_destructor(&ex, 5));
    std::printf("  -> %d\n", v);
  }

  {
    int counter = 0;
    corolib::sync_wait(void_wrapper2(nullptr, counter, 3));
    manual_executor ex;
    corolib::sync_wait(ex, void_wrapper2(&ex, counter, 4));
    same = true;
    report("void wrappers", counter);
  }

  std::printf("exception through four wrappers:\n");
  for (bool suspend : {false, true}) {
    manual_executor ex;
    try {
      corolib::sync_wait(ex, w4(suspend ? &ex : nullptr, -s));
      std::printf("  no exception?\n");
    } catch (const std::invalid_argument &e) {
      std::printf("  caught '%s'\n", e.what());
    }
  }

  // Many wrapper chains alive at once, by-value strings in every frame.
  {
    manual_executor ex;
    std::size_t results[200] = {};
    auto run = [](manual_executor &e, std::string text,
                  std::size_t &out) -> task<void> {
      out = co_await by_value2(&e, text) +
            static_cast<std::size_t>(
                co_await w4(&e, static_cast<int>(text.size())));
    };
    for (int i = 0; i < 200; ++i)
      corolib::spawn(ex, run(ex,
                             std::string(static_cast<std::size_t>(i % 40),
                                         static_cast<char>('a' + i % 26)),
                             results[i]));
    std::size_t steps = ex.run_all();
    std::uint64_t rh = 0;
    for (std::size_t r : results)
      rh = mix(rh, r);
    std::printf("200 interleaved chains: %zu resumptions, hash %016llx\n",
                steps, static_cast<unsigned long long>(rh));
    h = mix(h, rh);
  }

  std::printf("checksum %016llx\n", static_cast<unsigned long long>(h));
  std::printf("mismatches %d, leaked allocations %ld\n", mismatches,
              corolib::alloc_count::now().live() - start.live());
  return mismatches == 0 ? 0 : 1;
}
