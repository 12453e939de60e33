// Chains of awaited corolib::task<T>: depth 1, 4, 16 (and deeper), each level
// keeping locals live across the co_await of the next level and returning a
// value computed from them. Variants: levels that also suspend on an executor
// (so the whole chain sits suspended in frames), several chains interleaved,
// task<std::string> and task<void> chains, awaiting an lvalue task, and a
// struct parameter copied into the frame. Every result is checked against a
// plain recursive function and printed.
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#include "corolib.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using corolib::manual_executor;
using corolib::task;

// Run-time values the optimizer cannot fold.
static volatile long seed_source = 12345;
static long seed() { return seed_source; }

static std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

static int failures = 0;
static void check(const char *what, long got, long want) {
  std::printf("%-28s %ld %s\n", what, got, got == want ? "ok" : "MISMATCH");
  if (got != want)
    ++failures;
}

// --- 1. plain chain ------------------------------------------------------
task<long> leaf(long x) { co_return x * 3 + 1; }

task<long> chain(int depth, long x) {
  if (depth == 0)
    co_return co_await leaf(x);
  long before = x * 7 + depth; // live across the await
  int sq = depth * depth;      // live across the await
  long r = co_await chain(depth - 1, x + depth);
  co_return (r ^ (before << 1)) + sq;
}

static long chain_ref(int depth, long x) {
  if (depth == 0)
    return x * 3 + 1;
  long before = x * 7 + depth;
  long r = chain_ref(depth - 1, x + depth);
  return (r ^ (before << 1)) + depth * depth;
}

// --- 2. chain whose levels also suspend on an executor ---------------------
task<long> chain_ex(manual_executor &ex, int depth, long x) {
  long a = x * 5 - depth;
  double d = static_cast<double>(x) / 4.0 + depth;
  if (depth % 3 == 0)
    co_await ex.schedule(); // suspended before going deeper
  long r = depth == 0 ? x : co_await chain_ex(ex, depth - 1, (x ^ a) & 0xfffff);
  if (depth % 2 == 0)
    co_await ex.schedule(); // suspended again on the way back
  co_return r + a + static_cast<long>(d * 8.0);
}

static long chain_ex_ref(int depth, long x) {
  long a = x * 5 - depth;
  double d = static_cast<double>(x) / 4.0 + depth;
  long r = depth == 0 ? x : chain_ex_ref(depth - 1, (x ^ a) & 0xfffff);
  return r + a + static_cast<long>(d * 8.0);
}

task<void> chain_ex_into(manual_executor &ex, int depth, long x, long &out) {
  out = co_await chain_ex(ex, depth, x);
}

// --- 3. string chain ---------------------------------------------------
task<std::string> spell(int depth, std::string prefix) {
  std::string mine = prefix + static_cast<char>('a' + depth % 26);
  if (depth == 0)
    co_return mine;
  std::string rest = co_await spell(depth - 1, mine);
  co_return rest + "|" + std::to_string(depth) + ":" +
      mine.substr(mine.size() - 3);
}

static std::string spell_ref(int depth, std::string prefix) {
  std::string mine = prefix + static_cast<char>('a' + depth % 26);
  if (depth == 0)
    return mine;
  return spell_ref(depth - 1, mine) + "|" + std::to_string(depth) + ":" +
         mine.substr(mine.size() - 3);
}

// --- 4. void chain writing through a reference ---------------------------
task<void> fill(int depth, std::vector<long> &out, long v) {
  long here = (v * 31 + depth) % 1000003;
  if (depth > 0)
    co_await fill(depth - 1, out, here);
  out.push_back(here); // innermost first
}

// --- 5. awaiting an lvalue task; struct parameter in the frame ----------
struct params {
  long a, b, c;
  double scale;
  int tag;
};

task<long> combine(params p, int depth) {
  task<long> first = chain(depth, p.a); // created, started by the co_await
  long x = co_await first;
  task<long> second = leaf(p.b + x);
  long y = co_await second;
  co_return static_cast<long>((x + y + p.c) * p.scale) + p.tag;
}

int main() {
  const long s = seed();
  std::uint64_t h = 0;

  for (int depth : {1, 4, 16, 100}) {
    for (long x : {s, s % 97, -s / 3}) {
      long got = corolib::sync_wait(chain(depth, x));
      char what[64];
      std::snprintf(what, sizeof what, "chain(%d, %ld)", depth, x);
      check(what, got, chain_ref(depth, x));
      h = mix(h, static_cast<std::uint64_t>(got));
    }
  }

  // A deep chain: symmetric transfer keeps the native stack flat.
  {
    long got = corolib::sync_wait(chain(5000, s % 1000));
    check("chain(5000)", got, chain_ref(5000, s % 1000));
    h = mix(h, static_cast<std::uint64_t>(got));
  }

  // One executor-suspending chain at a time.
  for (int depth : {1, 4, 16}) {
    manual_executor ex;
    long got = corolib::sync_wait(ex, chain_ex(ex, depth, s + depth));
    char what[64];
    std::snprintf(what, sizeof what, "chain_ex(%d)", depth);
    check(what, got, chain_ex_ref(depth, s + depth));
    h = mix(h, static_cast<std::uint64_t>(got));
  }

  // Several chains suspended at the same time, interleaved by the executor.
  {
    manual_executor ex;
    const int depths[] = {1, 4, 16, 7, 12, 3};
    long results[6] = {};
    for (int i = 0; i < 6; ++i)
      corolib::spawn(ex, chain_ex_into(ex, depths[i], s * (i + 1), results[i]));
    std::size_t steps = ex.run_all();
    std::printf("interleaved chains: %zu resumptions\n", steps);
    for (int i = 0; i < 6; ++i) {
      char what[64];
      std::snprintf(what, sizeof what, "interleaved[%d] depth %d", i,
                    depths[i]);
      check(what, results[i], chain_ex_ref(depths[i], s * (i + 1)));
      h = mix(h, static_cast<std::uint64_t>(results[i]));
    }
  }

  for (int depth : {1, 4, 16}) {
    std::string got = corolib::sync_wait(spell(depth, std::to_string(s)));
    std::string want = spell_ref(depth, std::to_string(s));
    std::printf("spell(%d) = %s %s\n", depth, got.c_str(),
                got == want ? "ok" : "MISMATCH");
    failures += got != want;
    for (char c : got)
      h = mix(h, static_cast<unsigned char>(c));
  }

  {
    std::vector<long> out;
    corolib::sync_wait(fill(16, out, s));
    std::uint64_t vh = 0;
    for (long v : out)
      vh = mix(vh, static_cast<std::uint64_t>(v));
    std::printf("fill(16): %zu values, first %ld last %ld hash %016llx\n",
                out.size(), out.front(), out.back(),
                static_cast<unsigned long long>(vh));
    h = mix(h, vh);
  }

  {
    params p{s, s / 7, -s, 1.5, static_cast<int>(s % 13)};
    long got = corolib::sync_wait(combine(p, 4));
    long x = chain_ref(4, p.a);
    long y = (p.b + x) * 3 + 1;
    check("combine", got, static_cast<long>((x + y + p.c) * p.scale) + p.tag);
    h = mix(h, static_cast<std::uint64_t>(got));
  }

  std::printf("checksum %016llx\n", static_cast<unsigned long long>(h));
  std::printf("failures %d\n", failures);
  return failures == 0 ? 0 : 1;
}
