// Exceptions and coroutine frames. An exception thrown in an awaited task is
// stored by unhandled_exception and rethrown at the co_await in the awaiting
// coroutine, which must still see its own locals intact afterwards (they were
// live across that co_await). Covers: throw before / after suspending on an
// executor, catching across one await and across a chain of three, a catch
// followed by more co_awaits, an exception escaping all the way to sync_wait,
// task<void>, a throwing constructor of a local after a suspension, a
// generator throwing into the task that drives it, and destructors of locals
// running (in order) as each frame unwinds.
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --sanitize --out %t -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#define COROLIB_ALLOC_COUNT_DEFINE_OPERATORS
#include "corolib.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

using corolib::generator;
using corolib::manual_executor;
using corolib::task;

static volatile int seed_source = 31337;
static int seed() { return seed_source; }

static std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

struct app_error : std::runtime_error {
  int code;
  std::vector<int> payload;
  app_error(int c, const std::string &what)
      : std::runtime_error(what), code(c) {
    for (int i = 0; i < c % 16 + 1; ++i)
      payload.push_back(c * i);
  }
};

struct noisy {
  const char *name;
  int id;
  noisy(const char *n, int i) : name(n), id(i) {}
  noisy(const noisy &) = delete;
  ~noisy() { std::printf("    ~%s(%d)\n", name, id); }
};

struct picky { // throws from its constructor for some inputs
  long v;
  explicit picky(long x) : v(x) {
    if (x % 5 == 0)
      throw app_error(static_cast<int>(x % 1000),
                      "picky rejected " + std::to_string(x));
  }
};

// Throws for k % 3 == 0, before or after suspending depending on `ex`.
task<int> thrower(manual_executor *ex, int k) {
  std::string note = "k=" + std::to_string(k); // lives across the suspension
  if (ex)
    co_await ex->schedule();
  if (k % 3 == 0)
    throw app_error(k, "thrower " + note);
  co_return k * 11 + static_cast<int>(note.size());
}

// Catches across a single co_await; locals before and after the try must be
// unharmed, and the coroutine keeps awaiting after the handler.
task<long> catcher(manual_executor *ex, int k, int s) {
  long before = static_cast<long>(k) * s; // live across the co_await below
  double ratio = k / 3.0;
  char label[24];
  std::snprintf(label, sizeof label, "catcher-%d", k);
  long got;
  try {
    got = co_await thrower(ex, k);
  } catch (const app_error &e) {
    got =
        -static_cast<long>(e.code) * 100 - static_cast<long>(e.payload.size());
  }
  long after = co_await thrower(ex, k + 1 + (k % 3 == 2)); // never throws
  co_return before + got + after + static_cast<long>(ratio * 3) + label[8];
}

// Three frames deep; the innermost throws, the middle one has a handler for a
// different type, the outer one catches.
task<int> level3(manual_executor *ex, int k) {
  noisy n("level3", k);
  if (ex)
    co_await ex->schedule();
  throw app_error(k, "deep " + std::to_string(k));
}
task<int> level2(manual_executor *ex, int k) {
  noisy n("level2", k);
  try {
    co_return co_await level3(ex, k) + 1;
  } catch (const std::logic_error &) { // not this one
    co_return -1;
  }
}
task<int> level1(manual_executor *ex, int k) {
  noisy n("level1", k);
  int extra = k * 2;
  try {
    int v = co_await level2(ex, k);
    co_return v;
  } catch (const app_error &e) {
    std::printf("    level1 caught '%s' (code %d, extra %d)\n", e.what(),
                e.code, extra);
    // Translate into another exception type for our caller.
    throw std::logic_error("translated " + std::to_string(e.code + extra));
  }
}

task<void> void_thrower(manual_executor *ex, int k) {
  noisy n("void_thrower", k);
  if (ex)
    co_await ex->schedule();
  if (k > 0)
    throw std::out_of_range("void_thrower " + std::to_string(k));
}

task<long> constructs_after_suspend(manual_executor &ex, long x) {
  noisy n("constructs", static_cast<int>(x));
  co_await ex.schedule();
  picky p(x); // may throw with `n` live in the frame
  co_await ex.schedule();
  co_return p.v * 2;
}

generator<int> flaky_numbers(int n, int bad) {
  for (int i = 0; i < n; ++i) {
    if (i == bad)
      throw app_error(i, "flaky at " + std::to_string(i));
    co_yield i * 3;
  }
}

task<int> sum_flaky(manual_executor &ex, int n, int bad) {
  int sum = 0;
  try {
    for (int v : flaky_numbers(n, bad)) {
      sum += v;
      co_await ex.schedule(); // suspend the task between generator steps
    }
  } catch (const app_error &e) {
    sum = -1000 - e.code;
  }
  co_return sum;
}

int main() {
  const int s = seed();
  const corolib::alloc_count::snapshot start = corolib::alloc_count::now();
  std::uint64_t h = 0;

  std::printf("catcher, synchronous and via executor:\n");
  for (int k = 0; k < 12; ++k) {
    long a = corolib::sync_wait(catcher(nullptr, k, s));
    manual_executor ex;
    long b = corolib::sync_wait(ex, catcher(&ex, k, s));
    std::printf("  k=%d sync %ld exec %ld %s\n", k, a, b,
                a == b ? "ok" : "MISMATCH");
    h = mix(h, static_cast<std::uint64_t>(a));
    h = mix(h, static_cast<std::uint64_t>(b));
  }

  std::printf("many catchers interleaved:\n");
  {
    manual_executor ex;
    std::vector<long> results(300);
    auto run_one = [](manual_executor &e, int k, int sd,
                      long &out) -> task<void> {
      out = co_await catcher(&e, k, sd);
    };
    for (int k = 0; k < 300; ++k)
      corolib::spawn(ex, run_one(ex, k, s, results[k]));
    std::size_t steps = ex.run_all();
    std::uint64_t rh = 0;
    int negative = 0;
    for (long r : results) {
      rh = mix(rh, static_cast<std::uint64_t>(r));
      negative += r < 0;
    }
    std::printf("  %zu resumptions, %d negative, hash %016llx\n", steps,
                negative, static_cast<unsigned long long>(rh));
    h = mix(h, rh);
  }

  std::printf("chain of three, caught in main:\n");
  for (int k : {1, 7}) {
    for (bool use_ex : {false, true}) {
      manual_executor ex;
      try {
        int v = corolib::sync_wait(ex, level1(use_ex ? &ex : nullptr, k));
        std::printf("  no exception? %d\n", v);
      } catch (const std::logic_error &e) {
        std::printf("  main caught logic_error '%s' (%s)\n", e.what(),
                    use_ex ? "executor" : "sync");
      }
    }
  }

  std::printf("task<void> escaping to sync_wait:\n");
  for (int k : {0, 5}) {
    manual_executor ex;
    try {
      corolib::sync_wait(ex, void_thrower(&ex, k));
      std::printf("  k=%d completed\n", k);
    } catch (const std::out_of_range &e) {
      std::printf("  k=%d caught out_of_range '%s'\n", k, e.what());
    }
  }

  std::printf("throwing constructor after a suspension:\n");
  for (long x : {static_cast<long>(s), static_cast<long>(s) + 3}) {
    manual_executor ex;
    try {
      long v = corolib::sync_wait(ex, constructs_after_suspend(ex, x));
      std::printf("  x=%ld -> %ld\n", x, v);
      h = mix(h, static_cast<std::uint64_t>(v));
    } catch (const app_error &e) {
      std::printf("  x=%ld caught '%s' code %d payload %zu\n", x, e.what(),
                  e.code, e.payload.size());
    }
  }

  std::printf("generator throwing into a suspended task:\n");
  for (int bad : {3, 100}) {
    manual_executor ex;
    int v = corolib::sync_wait(ex, sum_flaky(ex, 10, bad));
    std::printf("  bad=%d -> %d\n", bad, v);
    h = mix(h, static_cast<std::uint64_t>(v));
  }

  std::printf("checksum %016llx\n", static_cast<unsigned long long>(h));
  std::printf("leaked allocations %ld\n",
              corolib::alloc_count::now().live() - start.live());
  return 0;
}
