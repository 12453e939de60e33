// corolib::generator<T> consumed by range-for. Covers: simple counting,
// locals (scalars, an array, a std::string) that must survive every co_yield,
// generators layered on generators, yielding temporaries and lvalues, early
// break / return out of the loop (which destroys a generator suspended at a
// co_yield: destructors of its live locals must run exactly once), a
// generator that is never started, and an exception thrown by the generator
// body into the consumer. Heap allocations are counted to show every frame
// is freed.
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#define COROLIB_ALLOC_COUNT_DEFINE_OPERATORS
#include "corolib.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

using corolib::generator;

static volatile int seed_source = 977;
static int seed() { return seed_source; }

static std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

// Counts live instances; prints when one dies so destruction is visible.
struct guard {
  static int live;
  const char *name;
  int id;
  guard(const char *n, int i) : name(n), id(i) { ++live; }
  guard(const guard &) = delete;
  ~guard() {
    --live;
    std::printf("  ~guard %s#%d\n", name, id);
  }
};
int guard::live = 0;

generator<int> iota(int from, int n) {
  for (int i = 0; i < n; ++i)
    co_yield from + i; // yields a temporary
}

generator<long> fib(int n) {
  long a = 0, b = 1;
  for (int i = 0; i < n; ++i) {
    co_yield a; // yields an lvalue local that changes afterwards
    long t = a + b;
    a = b;
    b = t;
  }
}

// An array and several scalars live across every co_yield.
generator<std::uint32_t> windowed(int n, std::uint32_t s) {
  std::uint32_t window[16];
  for (int i = 0; i < 16; ++i)
    window[i] = s * (i + 1) + 0x1234u * i;
  std::uint32_t acc = s;
  double avg = 0;
  for (int i = 0; i < n; ++i) {
    std::uint32_t &slot = window[i % 16];
    slot = slot * 1664525u + 1013904223u + acc;
    acc ^= slot >> 3;
    avg = avg * 0.5 + static_cast<double>(slot % 1000);
    co_yield slot ^ static_cast<std::uint32_t>(avg);
  }
  std::uint32_t fold = 0;
  for (std::uint32_t w : window)
    fold = fold * 31 + w;
  co_yield fold; // the final array state, after all suspensions
}

// A generator consuming two other generators.
generator<long> zip_sum(int n, int s) {
  guard g("zip_sum", n);
  auto xs = iota(s, n);
  auto ys = fib(n);
  auto y = ys.begin();
  for (int x : xs) {
    if (y == ys.end())
      break;
    co_yield static_cast<long>(x) * 1000 + *y;
    ++y;
  }
}

generator<std::string> words(int n, int s) {
  guard g("words", n);
  std::string current = "w";
  for (int i = 0; i < n; ++i) {
    current += static_cast<char>('a' + (s + i * 7) % 26);
    if (current.size() > 6)
      current.erase(0, 2);
    co_yield current + "-" + std::to_string(i); // a temporary string
  }
}

// Holds guards in two nested scopes; the consumer stops at different points.
generator<int> scoped(int stop_hint) {
  guard outer("scoped.outer", stop_hint);
  for (int i = 0; i < 3; ++i)
    co_yield i;
  {
    guard inner("scoped.inner", stop_hint);
    for (int i = 3; i < 6; ++i)
      co_yield i * 10;
  }
  co_yield 100;
}

generator<int> throws_after(int n) {
  guard g("throws_after", n);
  for (int i = 0; i < n; ++i)
    co_yield i *i;
  throw std::runtime_error("generator failed after " + std::to_string(n));
}

static int first_over(int limit) {
  for (long v : fib(90))
    if (v > limit)
      return static_cast<int>(v % 100000); // return from inside the loop
  return -1;
}

int main() {
  const int s = seed();
  const corolib::alloc_count::snapshot start = corolib::alloc_count::now();
  std::uint64_t h = 0;

  {
    long sum = 0;
    for (int v : iota(s, 100))
      sum += v;
    std::printf("iota sum %ld\n", sum);
    h = mix(h, static_cast<std::uint64_t>(sum));
  }
  {
    std::uint64_t fh = 0;
    int count = 0;
    for (long v : fib(80)) {
      fh = mix(fh, static_cast<std::uint64_t>(v));
      ++count;
    }
    std::printf("fib: %d values hash %016llx\n", count,
                static_cast<unsigned long long>(fh));
    h = mix(h, fh);
  }
  {
    std::uint64_t wh = 0;
    std::uint32_t last = 0;
    int count = 0;
    for (std::uint32_t v : windowed(1000, static_cast<std::uint32_t>(s))) {
      wh = mix(wh, v);
      last = v;
      ++count;
    }
    std::printf("windowed: %d values last %u hash %016llx\n", count, last,
                static_cast<unsigned long long>(wh));
    h = mix(h, wh);
  }
  {
    std::printf("zip_sum:\n");
    std::uint64_t zh = 0;
    for (long v : zip_sum(40, s))
      zh = mix(zh, static_cast<std::uint64_t>(v));
    std::printf("zip_sum hash %016llx\n", static_cast<unsigned long long>(zh));
    h = mix(h, zh);
  }
  {
    std::printf("words:\n");
    for (const std::string &w : words(12, s))
      std::printf("  %s\n", w.c_str());
  }

  // Early exits: break at each position, destroying the suspended generator.
  for (int stop = 0; stop <= 7; ++stop) {
    std::printf("scoped, break after %d values:\n", stop);
    int taken = 0, sum = 0;
    for (int v : scoped(stop)) {
      if (taken == stop)
        break;
      ++taken;
      sum += v;
    }
    std::printf("  took %d sum %d live guards %d\n", taken, sum, guard::live);
  }
  {
    std::printf("words, break after 3:\n");
    int n = 0;
    for (const std::string &w : words(1000, s)) {
      std::printf("  %s\n", w.c_str());
      if (++n == 3)
        break;
    }
  }
  std::printf("first fib over 1e6 (mod 1e5): %d\n", first_over(1000000));
  {
    std::printf("never started:\n");
    auto g = zip_sum(5, s); // destroyed before begin(): body never ran
  }

  for (int n : {0, 3}) {
    std::printf("throws_after(%d):\n", n);
    int sum = 0;
    try {
      for (int v : throws_after(n))
        sum += v;
      std::printf("  no exception?\n");
    } catch (const std::runtime_error &e) {
      std::printf("  caught '%s' after sum %d\n", e.what(), sum);
    }
  }

  std::printf("checksum %016llx\n", static_cast<unsigned long long>(h));
  std::printf("live guards %d, leaked allocations %ld\n", guard::live,
              corolib::alloc_count::now().live() - start.live());
  return 0;
}
