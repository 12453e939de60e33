// bench/runtime/scheduler.cpp - Google Benchmark: thousands of live tasks.
//
// corolib::spawn() starts K tasks on a manual_executor; each suspends R times
// (co_await ex.schedule()) before it finishes, and run_all() drives them
// round-robin, so all K frames are alive at once and every resumption touches
// a different frame: with K in the thousands the frames no longer fit in the
// L1/L2 cache and the frame size shows up in the time per resumption.
//
//   BM_many_tasks/K          a task with a few scalars live across each
//                            suspension (a small frame)
//   BM_many_tasks_phases/K   a task whose phases each keep a 128-256 byte
//                            buffer across one suspension only (a frame
//                            that a layout sharing slots between phases
//                            could make much smaller)
// K = 1024 and 16384, R = 4. One op = the whole batch. Counters:
// items_per_second (resumptions), heap_B/op, allocs/op.
#include "bench_heap.h" // first: replaces operator new/delete

#include "corolib/executor.h"
#include "corolib/task.h"

#include <cstdint>

using corolib::manual_executor;
using corolib::task;

constexpr int kRounds = 4;

static volatile int opaque_one = 1;

task<void> small_task(manual_executor &ex, std::uint64_t &out, int id) {
  std::uint64_t a = static_cast<std::uint64_t>(id) * opaque_one, b = a ^ 0x55,
                c = a + 3;
  for (int r = 0; r < kRounds; ++r) {
    co_await ex.schedule();
    a = a * 31 + b;
    b ^= c + static_cast<std::uint64_t>(r);
    c += a >> 3;
  }
  out += a ^ b ^ c;
}

task<void> phased_task(manual_executor &ex, std::uint64_t &out, int id) {
  std::uint64_t acc = static_cast<std::uint64_t>(id) * opaque_one;
  {
    unsigned char in[256];
    for (int i = 0; i < 256; ++i)
      in[i] = static_cast<unsigned char>(acc + i * 7);
    co_await ex.schedule();
    for (unsigned char v : in)
      acc = acc * 131 + v;
  }
  {
    std::uint32_t mid[48];
    for (int i = 0; i < 48; ++i)
      mid[i] = static_cast<std::uint32_t>(acc >> (i % 32)) + i;
    co_await ex.schedule();
    for (std::uint32_t v : mid)
      acc ^= v + (acc << 1);
  }
  {
    double samples[24];
    for (int i = 0; i < 24; ++i)
      samples[i] = static_cast<double>((acc >> i) & 0xff) * 0.5;
    co_await ex.schedule();
    double s = 0;
    for (double v : samples)
      s += v;
    acc += static_cast<std::uint64_t>(s);
  }
  {
    std::uint64_t tail[16];
    for (int i = 0; i < 16; ++i)
      tail[i] = acc * static_cast<std::uint64_t>(i + 1);
    co_await ex.schedule();
    for (std::uint64_t v : tail)
      acc ^= v;
  }
  out += acc;
}

template <task<void> (*Body)(manual_executor &, std::uint64_t &, int)>
static void run_batch(benchmark::State &state) {
  const int k = static_cast<int>(state.range(0)) * opaque_one;
  manual_executor ex;
  // The reference: the same batch once before measuring.
  std::uint64_t expect = 0;
  for (int i = 0; i < k; ++i)
    corolib::spawn(ex, Body(ex, expect, i));
  ex.run_all();
  bench::heap_meter heap;
  for (auto _ : state) {
    std::uint64_t out = 0;
    for (int i = 0; i < k; ++i)
      corolib::spawn(ex, Body(ex, out, i));
    ex.run_all();
    benchmark::DoNotOptimize(out);
    if (!bench::check(state, out == expect && ex.live_spawned() == 0,
                      "wrong result"))
      break;
  }
  heap.report(state);
  state.SetItemsProcessed(state.iterations() * k * (kRounds + 1));
}

static void BM_many_tasks(benchmark::State &state) {
  run_batch<small_task>(state);
}
BENCHMARK(BM_many_tasks)->Arg(1024)->Arg(16384);

static void BM_many_tasks_phases(benchmark::State &state) {
  run_batch<phased_task>(state);
}
BENCHMARK(BM_many_tasks_phases)->Arg(1024)->Arg(16384);

BENCHMARK_MAIN();
