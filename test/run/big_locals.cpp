// Large and numerous locals living in the coroutine frame, the situations a
// frame-layout optimizer rearranges:
//   - large arrays in sequential scopes, each live across its own co_await
//     (they may share frame storage),
//   - two large arrays live across the same co_await, and arrays whose
//     lifetimes overlap only partly (they must not share storage),
//   - a buffer whose address escapes into an awaited task that fills it after
//     suspending, and a buffer declared in a loop body,
//   - an array of std::string (non-trivial destructors) across a co_await,
//   - many small scalars (longs, doubles, ints, chars, bools) spilled across
//     different suspension points, some live across all of them.
// Every buffer is re-verified after each resume (mismatch counts are printed)
// and folded into checksums. Each coroutine runs once without real
// suspensions and then many instances interleaved on an executor; the results
// must agree.
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --sanitize --out %t -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#define COROLIB_ALLOC_COUNT_DEFINE_OPERATORS
#include "corolib.h"

#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using corolib::manual_executor;
using corolib::task;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

static volatile int seed_source = 1234567;
static u32 seed() { return static_cast<u32>(seed_source); }

static u64 mix(u64 h, u64 v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

// Suspends on the executor when there is one, else continues at once. Either
// way the co_await is a suspension point of the coroutine's frame layout.
struct maybe_yield {
  manual_executor *ex;
  bool await_ready() const noexcept { return ex == nullptr; }
  void await_suspend(std::coroutine_handle<> h) {
    ex->schedule().await_suspend(h);
  }
  void await_resume() const noexcept {}
};

// Deterministic fill patterns and their verification.
static u32 pattern(u32 s, u32 i) {
  u32 x = s * 2654435761u + i * 40503u + 0x5bd1e995u;
  x ^= x >> 15;
  x *= 0x2c1b3c6du;
  return x ^ (x >> 12);
}
template <typename T, std::size_t N> static void fill(T (&a)[N], u32 s) {
  for (std::size_t i = 0; i < N; ++i)
    a[i] = static_cast<T>(pattern(s, static_cast<u32>(i)));
}
template <typename T, std::size_t N>
static int mismatches(const T (&a)[N], u32 s) {
  int bad = 0;
  for (std::size_t i = 0; i < N; ++i)
    bad += a[i] != static_cast<T>(pattern(s, static_cast<u32>(i)));
  return bad;
}
template <typename T, std::size_t N> static u64 hash(const T (&a)[N]) {
  u64 h = N;
  for (const T &v : a)
    h = mix(h, static_cast<u64>(v));
  return h;
}

struct result {
  u64 hash = 0;
  int bad = 0; // buffer contents not as written before the suspension
  bool operator==(const result &) const = default;
};

// --- sequential scopes, each buffer live across its own co_await ---------
task<result> sequential_scopes(manual_executor *ex, u32 s) {
  result r;
  {
    unsigned char a[4096];
    fill(a, s + 1);
    co_await maybe_yield{ex};
    r.bad += mismatches(a, s + 1);
    r.hash = mix(r.hash, hash(a));
  }
  {
    u32 b[1024];
    fill(b, s + 2);
    co_await maybe_yield{ex};
    r.bad += mismatches(b, s + 2);
    r.hash = mix(r.hash, hash(b));
  }
  {
    double c[300];
    for (int i = 0; i < 300; ++i)
      c[i] = pattern(s + 3, static_cast<u32>(i)) / 65536.0;
    co_await maybe_yield{ex};
    for (int i = 0; i < 300; ++i) {
      r.bad += c[i] != pattern(s + 3, static_cast<u32>(i)) / 65536.0;
      r.hash = mix(r.hash, static_cast<u64>(c[i] * 16.0));
    }
  }
  {
    char text[256];
    std::snprintf(text, sizeof text, "seed %u scope four %u %u", s, s * 3,
                  s ^ 0xffu);
    std::size_t len = std::strlen(text);
    std::memset(text + len, '#', sizeof text - len - 1);
    text[255] = 0;
    co_await maybe_yield{ex};
    char again[256];
    std::snprintf(again, sizeof again, "seed %u scope four %u %u", s, s * 3,
                  s ^ 0xffu);
    r.bad += std::strncmp(text, again, len) != 0;
    r.bad += std::strlen(text) != 255;
    r.hash = mix(r.hash, hash(text));
  }
  co_return r;
}

// --- a buffer in a loop body, and a buffer filled by an awaited task --------
task<void> fill_later(manual_executor *ex, u32 *out, std::size_t n, u32 s) {
  co_await maybe_yield{ex};
  for (std::size_t i = 0; i < n; ++i)
    out[i] = pattern(s, static_cast<u32>(i));
  co_await maybe_yield{ex};
}

task<result> loop_and_escape(manual_executor *ex, u32 s) {
  result r;
  for (u32 round = 0; round < 4; ++round) {
    u32 buf[512];
    fill(buf, s * 7 + round);
    co_await maybe_yield{ex};
    r.bad += mismatches(buf, s * 7 + round);
    r.hash = mix(r.hash, hash(buf));
  }
  u32 escaped[777];
  std::memset(escaped, 0, sizeof escaped);
  co_await fill_later(ex, escaped, 777, s + 99);
  r.bad += mismatches(escaped, s + 99);
  r.hash = mix(r.hash, hash(escaped));
  co_return r;
}

// --- two large arrays live across one co_await; partial overlaps ----------
task<result> overlapping(manual_executor *ex, u32 s) {
  result r;
  u32 x[1024], y[1024];
  fill(x, s + 10);
  fill(y, s + 11);
  co_await maybe_yield{ex}; // x and y both live
  r.bad += mismatches(x, s + 10) + mismatches(y, s + 11);
  u64 cross = 0;
  for (int i = 0; i < 1024; ++i)
    cross = mix(cross, x[i] ^ y[1023 - i]);
  r.hash = mix(r.hash, cross);

  u32 p[600];
  fill(p, s + 12);
  co_await maybe_yield{ex}; // only p live (x, y dead from here on)
  u32 q[600];
  for (int i = 0; i < 600; ++i)
    q[i] = p[599 - i] + 1;
  co_await maybe_yield{ex}; // p and q both live
  r.bad += mismatches(p, s + 12);
  for (int i = 0; i < 600; ++i)
    r.bad += q[i] != pattern(s + 12, static_cast<u32>(599 - i)) + 1;
  r.hash = mix(r.hash, hash(p));
  r.hash = mix(r.hash, hash(q));
  co_return r;
}

// --- non-trivially destructible elements -----------------------------------
task<result> strings(manual_executor *ex, u32 s) {
  result r;
  std::string names[24];
  for (int i = 0; i < 24; ++i)
    names[i] = std::string(static_cast<std::size_t>(i * 3 + 1),
                           static_cast<char>('a' + (s + i) % 26)) +
               std::to_string(pattern(s, static_cast<u32>(i)));
  co_await maybe_yield{ex};
  for (int i = 0; i < 24; ++i) {
    r.bad += names[i].size() !=
             static_cast<std::size_t>(i * 3 + 1) +
                 std::to_string(pattern(s, static_cast<u32>(i))).size();
    for (char c : names[i])
      r.hash = mix(r.hash, static_cast<unsigned char>(c));
  }
  co_return r;
}

// --- many small scalars spilled across different suspension points ---------
// Values come from a call the optimizer cannot see through (it reads a table
// filled at run time), so they can be neither folded nor recomputed after a
// suspension: each one must be stored in the frame.
static long input_table[64];
[[gnu::noinline]] static long input(u32 s, int k) {
  return input_table[(s + static_cast<u32>(k)) % 64] + k;
}

task<result> scalars(manual_executor *ex, u32 s) {
  result r;
  // twelve longs, live across suspension 1
  long l0 = input(s, 0), l1 = input(s, 1), l2 = input(s, 2), l3 = input(s, 3),
       l4 = input(s, 4), l5 = input(s, 5), l6 = input(s, 6), l7 = input(s, 7),
       l8 = input(s, 8), l9 = input(s, 9), l10 = input(s, 10),
       l11 = input(s, 11);
  co_await maybe_yield{ex};
  long lsum = l0 + l1 - l2 + l3 + l4 - l5 + l6 + l7 + l8 - l9 + l10 * 3 + l11;
  // eight doubles, live across suspension 2 (l0 and l5 stay live as well)
  double d0 = input(s, 20) / 7.0, d1 = input(s, 21) * 0.5,
         d2 = input(s, 22) / 3.0, d3 = input(s, 23) + 0.25,
         d4 = input(s, 24) * -2.0, d5 = input(s, 25) / 16.0,
         d6 = input(s, 26) / 8.0, d7 = input(s, 27) * 1.125;
  co_await maybe_yield{ex};
  double dsum = d0 + d1 + d2 + d3 + d4 + d5 + d6 * d7;
  // mixed small types across suspension 3 (with lsum, dsum, l0, l5 live too)
  int i0 = static_cast<int>(input(s, 30)), i1 = static_cast<int>(input(s, 31)),
      i2 = static_cast<int>(input(s, 32));
  short h0 = static_cast<short>(input(s, 33)),
        h1 = static_cast<short>(input(s, 34));
  char c0 = static_cast<char>('A' + input(s, 35) % 26),
       c1 = static_cast<char>('a' + input(s, 36) % 26);
  bool b0 = input(s, 37) % 2 != 0, b1 = input(s, 38) % 3 == 0;
  float f0 = static_cast<float>(input(s, 39)) / 4.0f,
        f1 = static_cast<float>(input(s, 40)) * 2.0f;
  co_await maybe_yield{ex};
  long small = i0 + i1 * 3 + i2 + h0 + h1 * 5 + c0 + c1 + b0 * 100 + b1 * 1000 +
               static_cast<long>(f0 * 4) + static_cast<long>(f1);
  // four more longs across suspension 4
  long m0 = input(s, 41), m1 = input(s, 42), m2 = input(s, 43),
       m3 = input(s, 44);
  co_await maybe_yield{ex};
  long msum = m0 * 7 - m1 + m2 * 3 - m3;
  r.hash = mix(r.hash, static_cast<u64>(lsum));
  r.hash = mix(r.hash, static_cast<u64>(static_cast<long>(dsum * 1024)));
  r.hash = mix(r.hash, static_cast<u64>(small));
  r.hash = mix(r.hash, static_cast<u64>(msum));
  r.hash = mix(r.hash, static_cast<u64>(l0 * 1000 + l5));
  std::printf(
      "  scalars(%u): lsum %ld dsum %.6f small %ld msum %ld l0 %ld l5 %ld\n", s,
      lsum, dsum, small, msum, l0, l5);
  co_return r;
}

using coro_fn = task<result> (*)(manual_executor *, u32);

struct named {
  const char *name;
  coro_fn fn;
  bool prints;
};

task<void> store(coro_fn fn, manual_executor *ex, u32 s, result &out) {
  out = co_await fn(ex, s);
}

int main() {
  const u32 s = seed();
  for (u32 i = 0; i < 64; ++i)
    input_table[i] = static_cast<long>(pattern(s, i) % 20000) - 10000;
  const corolib::alloc_count::snapshot start = corolib::alloc_count::now();
  const named coros[] = {
      {"sequential_scopes", sequential_scopes, false},
      {"loop_and_escape", loop_and_escape, false},
      {"overlapping", overlapping, false},
      {"strings", strings, false},
      {"scalars", scalars, true},
  };
  u64 total = 0;
  for (const named &c : coros) {
    // Once without real suspensions (reference), once on an executor.
    result direct = corolib::sync_wait(c.fn(nullptr, s));
    manual_executor ex1;
    result one = corolib::sync_wait(ex1, c.fn(&ex1, s));
    std::printf("%-18s direct %016llx bad %d | executor %016llx bad %d %s\n",
                c.name, static_cast<unsigned long long>(direct.hash),
                direct.bad, static_cast<unsigned long long>(one.hash), one.bad,
                direct == one ? "ok" : "MISMATCH");
    total = mix(total, direct.hash);

    // Many instances with different seeds, interleaved on one executor.
    const int n = c.prints ? 4 : 64;
    std::vector<result> results(static_cast<std::size_t>(n));
    manual_executor ex;
    for (int i = 0; i < n; ++i)
      corolib::spawn(ex, store(c.fn, &ex, s + static_cast<u32>(i),
                               results[static_cast<std::size_t>(i)]));
    std::size_t steps = ex.run_all();
    u64 h = 0;
    int bad = 0, differ = 0;
    for (int i = 0; i < n; ++i) {
      const result &got = results[static_cast<std::size_t>(i)];
      h = mix(h, got.hash);
      bad += got.bad;
      if (i == 0)
        differ += !(got == direct);
    }
    std::printf(
        "%-18s x%d interleaved: %zu resumptions, hash %016llx, bad %d%s\n",
        c.name, n, steps, static_cast<unsigned long long>(h), bad,
        differ ? " MISMATCH with direct" : "");
    total = mix(total, h);
  }
  std::printf("checksum %016llx\n", static_cast<unsigned long long>(total));
  std::printf("leaked allocations %ld\n",
              corolib::alloc_count::now().live() - start.live());
  return 0;
}
