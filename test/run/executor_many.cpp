// Thousands of tasks alive at once on a corolib::manual_executor, each
// suspending several times with locals (scalars, a double, a small array, a
// std::string) live across every suspension, some awaiting a nested task that
// suspends too. The same workload is resumed in varied orders -- FIFO, LIFO,
// pseudo-random, strided -- and once abandoned half-way (the executor then
// destroys every suspended task). Each task's result does not depend on the
// order, so every order must reproduce the sequentially computed reference.
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#define COROLIB_ALLOC_COUNT_DEFINE_OPERATORS
#include "corolib.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using corolib::manual_executor;
using corolib::task;
using u64 = std::uint64_t;

static volatile int seed_source = 4242;
static u64 seed() { return static_cast<u64>(seed_source); }

static u64 mix(u64 h, u64 v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

constexpr int kTasks = 3000;

// The per-task coroutine, followed by the same computation as a plain
// function (the reference). Keep the two in sync.
static u64 sub_value(int id, u64 x) {
  return (x * 3 + static_cast<u64>(id)) ^ (x >> 2);
}

task<u64> sub(manual_executor &ex, int id, u64 x) {
  u64 a = x * 3 + static_cast<u64>(id); // live across the suspension
  co_await ex.schedule();
  co_return a ^ (x >> 2);
}

task<void> worker(manual_executor &ex, int id, u64 s, std::vector<u64> &out) {
  u64 acc = static_cast<u64>(id) * 7919 + s;
  std::uint32_t ring[8];
  for (int i = 0; i < 8; ++i)
    ring[i] = static_cast<std::uint32_t>(id * (i + 3) + i);
  double d = id / 8.0;
  std::string tag = "t" + std::to_string(id % 100);
  const int rounds = 1 + id % 5;
  for (int r = 0; r < rounds; ++r) {
    co_await ex.schedule();
    ring[r % 8] ^= static_cast<std::uint32_t>(acc);
    acc = acc * 31 + ring[(r + 3) % 8];
    d += r * 0.25;
    if (id % 7 == 0)
      acc += co_await sub(ex, id, acc);
    tag += static_cast<char>('a' + acc % 26);
  }
  u64 fold = acc;
  for (std::uint32_t v : ring)
    fold = fold * 1000003 + v;
  fold += static_cast<u64>(d * 4);
  for (char c : tag)
    fold = fold * 131 + static_cast<unsigned char>(c);
  out[id] = fold;
}

static u64 worker_ref(int id, u64 s) {
  u64 acc = static_cast<u64>(id) * 7919 + s;
  std::uint32_t ring[8];
  for (int i = 0; i < 8; ++i)
    ring[i] = static_cast<std::uint32_t>(id * (i + 3) + i);
  double d = id / 8.0;
  std::string tag = "t" + std::to_string(id % 100);
  const int rounds = 1 + id % 5;
  for (int r = 0; r < rounds; ++r) {
    ring[r % 8] ^= static_cast<std::uint32_t>(acc);
    acc = acc * 31 + ring[(r + 3) % 8];
    d += r * 0.25;
    if (id % 7 == 0)
      acc += sub_value(id, acc);
    tag += static_cast<char>('a' + acc % 26);
  }
  u64 fold = acc;
  for (std::uint32_t v : ring)
    fold = fold * 1000003 + v;
  fold += static_cast<u64>(d * 4);
  for (char c : tag)
    fold = fold * 131 + static_cast<unsigned char>(c);
  return fold;
}

enum class order { fifo, lifo, random, strided, abandon };
static const char *name(order o) {
  switch (o) {
  case order::fifo:
    return "fifo";
  case order::lifo:
    return "lifo";
  case order::random:
    return "random";
  case order::strided:
    return "strided";
  case order::abandon:
    return "abandon";
  }
  return "?";
}

static u64 run(order o, const std::vector<u64> &ref) {
  const u64 s = seed();
  std::vector<u64> out(kTasks, 0);
  const corolib::alloc_count::snapshot before = corolib::alloc_count::now();
  std::size_t steps = 0, peak_queue = 0;
  {
    manual_executor ex;
    for (int id = 0; id < kTasks; ++id)
      corolib::spawn(ex, worker(ex, id, s, out));
    std::printf("%s: spawned %zu, queued %zu\n", name(o), ex.live_spawned(),
                ex.size());
    u64 rng = 88172645463325252ULL;
    while (!ex.empty()) {
      if (ex.size() > peak_queue)
        peak_queue = ex.size();
      switch (o) {
      case order::fifo:
        ex.run_one();
        break;
      case order::lifo:
        ex.run_at(ex.size() - 1);
        break;
      case order::random:
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        ex.run_at(static_cast<std::size_t>(rng % ex.size()));
        break;
      case order::strided:
        ex.run_at((steps * 7) % ex.size());
        break;
      case order::abandon:
        ex.run_at((steps * 3) % ex.size());
        break;
      }
      ++steps;
      if (o == order::abandon && steps == kTasks * 3 / 2) {
        std::printf("%s: stopping with %zu tasks suspended\n", name(o),
                    ex.live_spawned());
        break; // ~manual_executor destroys the rest
      }
    }
  }
  int done = 0, wrong = 0;
  u64 h = 0;
  for (int id = 0; id < kTasks; ++id) {
    if (out[id] == 0)
      continue;
    ++done;
    wrong += out[id] != ref[id];
    h = mix(h, out[id]);
  }
  std::printf("%s: %zu resumptions, peak queue %zu, %d finished, %d wrong, "
              "hash %016llx, leaked %ld\n",
              name(o), steps, peak_queue, done, wrong,
              static_cast<unsigned long long>(h),
              corolib::alloc_count::now().live() - before.live());
  return h;
}

int main() {
  const u64 s = seed();
  std::vector<u64> ref(kTasks);
  u64 ref_hash = 0;
  for (int id = 0; id < kTasks; ++id) {
    ref[id] = worker_ref(id, s);
    ref_hash = mix(ref_hash, ref[id]);
  }
  std::printf("reference hash %016llx\n",
              static_cast<unsigned long long>(ref_hash));
  int bad = 0;
  for (order o : {order::fifo, order::lifo, order::random, order::strided})
    bad += run(o, ref) != ref_hash;
  run(order::abandon, ref);
  std::printf("orders not matching the reference: %d\n", bad);
  return bad == 0 ? 0 : 1;
}
