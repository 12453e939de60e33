// bench/runtime/when_all.cpp - Google Benchmark: fan-out with when_all.
//
// A parent task starts N child tasks with bench::when_all (bench/common),
// every child suspends on a manual_executor once or twice, and the parent is
// resumed when the last child finishes. One op = sync_wait of the parent.
//
//   BM_when_all/N         children that each await one sub-task (a request
//                         and its reply), N = 4, 64, 1024
//   BM_when_all_nested/N  a two-level tree: N/8 groups of 8 children, each
//                         group itself a when_all
// Counters: items_per_second (children), heap_B/op, allocs/op.
#include "bench_heap.h" // first: replaces operator new/delete

#include "bench_coro.h"
#include "corolib/executor.h"
#include "corolib/task.h"

#include <cstdint>
#include <vector>

using corolib::manual_executor;
using corolib::task;

static volatile int opaque_one = 1;

task<std::int64_t> request(manual_executor &ex, std::int64_t key) {
  std::int64_t h = key * 2654435761 + 17;
  co_await ex.schedule(); // the reply arrives later
  co_return h % 1000003;
}

task<std::int64_t> child(manual_executor &ex, std::int64_t i) {
  std::int64_t base = i * opaque_one;
  std::int64_t reply = co_await request(ex, base);
  co_await ex.schedule();
  co_return reply + base;
}

task<std::int64_t> fan_out(manual_executor &ex, std::int64_t n) {
  std::vector<task<std::int64_t>> children;
  children.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    children.push_back(child(ex, i));
  std::vector<std::int64_t> results =
      co_await bench::when_all(std::move(children));
  std::int64_t sum = 0;
  for (std::int64_t r : results)
    sum += r;
  co_return sum;
}

task<std::int64_t> group(manual_executor &ex, std::int64_t first) {
  std::vector<task<std::int64_t>> children;
  for (std::int64_t i = first; i < first + 8; ++i)
    children.push_back(child(ex, i));
  std::vector<std::int64_t> results =
      co_await bench::when_all(std::move(children));
  std::int64_t sum = 0;
  for (std::int64_t r : results)
    sum += r;
  co_return sum;
}

task<std::int64_t> fan_out_nested(manual_executor &ex, std::int64_t n) {
  std::vector<task<std::int64_t>> groups;
  for (std::int64_t g = 0; g < n; g += 8)
    groups.push_back(group(ex, g));
  std::vector<std::int64_t> results =
      co_await bench::when_all(std::move(groups));
  std::int64_t sum = 0;
  for (std::int64_t r : results)
    sum += r;
  co_return sum;
}

static std::int64_t reference(std::int64_t n) {
  std::int64_t sum = 0;
  for (std::int64_t i = 0; i < n; ++i)
    sum += (i * 2654435761 + 17) % 1000003 + i;
  return sum;
}

static void BM_when_all(benchmark::State &state) {
  const std::int64_t n = state.range(0);
  const std::int64_t expect = reference(n);
  manual_executor ex;
  bench::heap_meter heap;
  for (auto _ : state) {
    std::int64_t v = corolib::sync_wait(ex, fan_out(ex, n));
    benchmark::DoNotOptimize(v);
    if (!bench::check(state, v == expect, "wrong result"))
      break;
  }
  heap.report(state);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_when_all)->Arg(4)->Arg(64)->Arg(1024);

static void BM_when_all_nested(benchmark::State &state) {
  const std::int64_t n = state.range(0);
  const std::int64_t expect = reference(n);
  manual_executor ex;
  bench::heap_meter heap;
  for (auto _ : state) {
    std::int64_t v = corolib::sync_wait(ex, fan_out_nested(ex, n));
    benchmark::DoNotOptimize(v);
    if (!bench::check(state, v == expect, "wrong result"))
      break;
  }
  heap.report(state);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_when_all_nested)->Arg(64)->Arg(1024);

BENCHMARK_MAIN();
