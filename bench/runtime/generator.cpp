// bench/runtime/generator.cpp - Google Benchmark: generator loops.
//
//   BM_generator_sum/N      create a generator of N values and sum them
//                           (one op = one whole generator: allocation, N
//                           resumptions, destruction)
//   BM_generator_stack/N    the same through a stack of three generators
//                           (map over filter over iota), each suspended in
//                           the loop of the next
//   BM_generator_state/N    a generator with a dozen scalars of state live
//                           across its co_yield (frame size matters more)
// Counters: items_per_second (values yielded), heap_B/op, allocs/op.
#include "bench_heap.h" // first: replaces operator new/delete

#include "corolib/generator.h"

#include <cstdint>

using corolib::generator;

static volatile int opaque_one = 1;

generator<std::int64_t> iota(std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i)
    co_yield i;
}

generator<std::int64_t> odd(generator<std::int64_t> in) {
  for (std::int64_t v : in)
    if (v & 1)
      co_yield v;
}

generator<std::int64_t> scaled(generator<std::int64_t> in, std::int64_t k) {
  for (std::int64_t v : in)
    co_yield v * k;
}

generator<std::uint64_t> lcg_stats(std::int64_t n, std::uint64_t seed) {
  std::uint64_t x = seed, lo = ~0ull, hi = 0, sum = 0, sq = 0, ones = 0,
                evens = 0, runs = 0, last = 0, xorsum = 0, count = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    std::uint64_t v = x >> 40;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
    sum += v;
    sq += v * v;
    ones += static_cast<std::uint64_t>(__builtin_popcountll(v));
    evens += (v & 1) == 0;
    runs += (v & 1) == (last & 1);
    xorsum ^= v;
    last = v;
    ++count;
    co_yield (sum ^ sq ^ lo ^ hi) + ones + evens + runs + xorsum + count;
  }
}

static void BM_generator_sum(benchmark::State &state) {
  const std::int64_t n = state.range(0) * opaque_one;
  bench::heap_meter heap;
  for (auto _ : state) {
    std::int64_t sum = 0;
    for (std::int64_t v : iota(n))
      sum += v;
    benchmark::DoNotOptimize(sum);
    if (!bench::check(state, sum == n * (n - 1) / 2, "wrong sum"))
      break;
  }
  heap.report(state);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_generator_sum)->Arg(16)->Arg(1024);

static void BM_generator_stack(benchmark::State &state) {
  const std::int64_t n = state.range(0) * opaque_one;
  bench::heap_meter heap;
  for (auto _ : state) {
    std::int64_t sum = 0;
    for (std::int64_t v : scaled(odd(iota(n)), 3))
      sum += v;
    benchmark::DoNotOptimize(sum);
    // The odd numbers below n sum to (n/2)^2.
    if (!bench::check(state, sum == 3 * (n / 2) * (n / 2), "wrong sum"))
      break;
  }
  heap.report(state);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_generator_stack)->Arg(16)->Arg(1024);

static void BM_generator_state(benchmark::State &state) {
  const std::int64_t n = state.range(0) * opaque_one;
  std::uint64_t expect = 0;
  for (std::uint64_t v : lcg_stats(n, 42))
    expect ^= v;
  bench::heap_meter heap;
  for (auto _ : state) {
    std::uint64_t acc = 0;
    for (std::uint64_t v : lcg_stats(n, 42))
      acc ^= v;
    benchmark::DoNotOptimize(acc);
    if (!bench::check(state, acc == expect, "wrong result"))
      break;
  }
  heap.report(state);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_generator_state)->Arg(256);

BENCHMARK_MAIN();
