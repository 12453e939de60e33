// bench/runtime/task_chain.cpp - Google Benchmark: chains of awaited tasks.
//
//   BM_task_chain/N          sync_wait a recursive chain of N tasks, each
//                            awaiting the next one (one op = the whole chain)
//   BM_task_chain_suspend/N  the same, but the innermost task suspends on a
//                            manual_executor, so all N frames stay alive
//                            while it waits and are resumed back up the chain
//   BM_wrapper_chain/N       N distinct wrapper coroutines, each just
//                            `co_return co_await next(x)` (adapters, logging
//                            shims): at -O2 the compiler may elide the inner
//                            frames into the outer ones (HALO)
//   BM_wrapper_chain_suspend/N  wrappers over a task that suspends
//   BM_leaf_direct, BM_leaf_suspend_direct  the task the wrappers await,
//                            called directly (what a wrapper chain costs at
//                            best: coro-wrapper-inline's target)
// N = 1, 4, 16. Counters: heap_B/op, allocs/op.
#include "bench_heap.h" // first: replaces operator new/delete

#include "corolib/executor.h"
#include "corolib/task.h"

#include <cstdint>

using corolib::manual_executor;
using corolib::task;

static volatile int opaque_one = 1;

// ---------------------------------------------------------- recursive chain
task<std::int64_t> chain(int depth, std::int64_t x) {
  if (depth <= 1)
    co_return x + 1;
  std::int64_t below = co_await chain(depth - 1, x * 3);
  co_return below + x;
}

task<std::int64_t> chain_suspend(manual_executor &ex, int depth,
                                 std::int64_t x) {
  if (depth <= 1) {
    co_await ex.schedule();
    co_return x + 1;
  }
  std::int64_t below = co_await chain_suspend(ex, depth - 1, x * 3);
  co_return below + x;
}

static std::int64_t chain_ref(int depth, std::int64_t x) {
  return depth <= 1 ? x + 1 : chain_ref(depth - 1, x * 3) + x;
}

static void BM_task_chain(benchmark::State &state) {
  const int n = static_cast<int>(state.range(0)) * opaque_one;
  const std::int64_t expect = chain_ref(n, 5);
  bench::heap_meter heap;
  for (auto _ : state) {
    std::int64_t v = corolib::sync_wait(chain(n, 5));
    benchmark::DoNotOptimize(v);
    if (!bench::check(state, v == expect, "wrong result"))
      break;
  }
  heap.report(state);
}
BENCHMARK(BM_task_chain)->Arg(1)->Arg(4)->Arg(16);

static void BM_task_chain_suspend(benchmark::State &state) {
  const int n = static_cast<int>(state.range(0)) * opaque_one;
  const std::int64_t expect = chain_ref(n, 5);
  manual_executor ex;
  bench::heap_meter heap;
  for (auto _ : state) {
    std::int64_t v = corolib::sync_wait(ex, chain_suspend(ex, n, 5));
    benchmark::DoNotOptimize(v);
    if (!bench::check(state, v == expect, "wrong result"))
      break;
  }
  heap.report(state);
}
BENCHMARK(BM_task_chain_suspend)->Arg(1)->Arg(4)->Arg(16);

// ------------------------------------------------------------ wrapper chain
task<std::int64_t> leaf(std::int64_t x) { co_return x * 2 + 1; }

task<std::int64_t> leaf_suspend(manual_executor &ex, std::int64_t x) {
  co_await ex.schedule();
  co_return x * 2 + 1;
}

template <int N> task<std::int64_t> wrap(std::int64_t x) {
  if constexpr (N == 0)
    co_return co_await leaf(x);
  else
    co_return co_await wrap<N - 1>(x);
}

template <int N>
task<std::int64_t> wrap_suspend(manual_executor &ex, std::int64_t x) {
  if constexpr (N == 0)
    co_return co_await leaf_suspend(ex, x);
  else
    co_return co_await wrap_suspend<N - 1>(ex, x);
}

// N wrappers in total (the leaf not counted).
template <int N> static void BM_wrapper_chain(benchmark::State &state) {
  const std::int64_t x = 7 * opaque_one;
  bench::heap_meter heap;
  for (auto _ : state) {
    std::int64_t v = corolib::sync_wait(wrap<N - 1>(x));
    benchmark::DoNotOptimize(v);
    if (!bench::check(state, v == 15, "wrong result"))
      break;
  }
  heap.report(state);
}
BENCHMARK_TEMPLATE(BM_wrapper_chain, 1);
BENCHMARK_TEMPLATE(BM_wrapper_chain, 4);
BENCHMARK_TEMPLATE(BM_wrapper_chain, 16);

template <int N>
static void BM_wrapper_chain_suspend(benchmark::State &state) {
  const std::int64_t x = 7 * opaque_one;
  manual_executor ex;
  bench::heap_meter heap;
  for (auto _ : state) {
    std::int64_t v = corolib::sync_wait(ex, wrap_suspend<N - 1>(ex, x));
    benchmark::DoNotOptimize(v);
    if (!bench::check(state, v == 15, "wrong result"))
      break;
  }
  heap.report(state);
}
BENCHMARK_TEMPLATE(BM_wrapper_chain_suspend, 1);
BENCHMARK_TEMPLATE(BM_wrapper_chain_suspend, 4);
BENCHMARK_TEMPLATE(BM_wrapper_chain_suspend, 16);

static void BM_leaf_direct(benchmark::State &state) {
  const std::int64_t x = 7 * opaque_one;
  bench::heap_meter heap;
  for (auto _ : state) {
    std::int64_t v = corolib::sync_wait(leaf(x));
    benchmark::DoNotOptimize(v);
    if (!bench::check(state, v == 15, "wrong result"))
      break;
  }
  heap.report(state);
}
BENCHMARK(BM_leaf_direct);

static void BM_leaf_suspend_direct(benchmark::State &state) {
  const std::int64_t x = 7 * opaque_one;
  manual_executor ex;
  bench::heap_meter heap;
  for (auto _ : state) {
    std::int64_t v = corolib::sync_wait(ex, leaf_suspend(ex, x));
    benchmark::DoNotOptimize(v);
    if (!bench::check(state, v == 15, "wrong result"))
      break;
  }
  heap.report(state);
}
BENCHMARK(BM_leaf_suspend_direct);

BENCHMARK_MAIN();
