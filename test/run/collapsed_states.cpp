// Suspend points that coro-state-collapse merges into one state, run through
// everything a state must still do after the merge:
//   - if/else arms `co_await send(ex, 1)` / `co_await send(ex, 2)`,
//   - a switch with three identical arms and a default that differs,
//   - identical arms inside a loop (the merged state is reached again and
//     again, from either arm),
//   - an awaiter with a destructor that prints, so the destroy path of the
//     merged state shows which object it destroys,
//   - the resume path throwing (await_resume rethrows the callee's
//     exception) and the exception caught in the coroutine,
//   - coroutines destroyed while suspended at a merged state, from either
//     arm.
// The merges are checked to happen (remarks at O0 and O2), and the programs
// must print the same with and without the plugin, also under ASan+UBSan.
//
// RUN: %clangxx %cxxflags -O0 -fpass-plugin=%plugin -Rpass=coro-state-collapse -I%inputs/corolib -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=MERGED
// RUN: %clangxx %cxxflags -O2 -fpass-plugin=%plugin -Rpass=coro-state-collapse -I%inputs/corolib -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=MERGED
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)
//
// MERGED-DAG: suspend point collapsed into an identical one (line {{[0-9]+}}) of 'two_arms(
// MERGED-DAG: suspend point collapsed into an identical one (line {{[0-9]+}}) of 'three_arms(
// MERGED-DAG: suspend point collapsed into an identical one (line {{[0-9]+}}) of 'three_arms(
// MERGED-DAG: suspend point collapsed into an identical one (line {{[0-9]+}}) of 'in_loop(
// MERGED-DAG: suspend point collapsed into an identical one (line {{[0-9]+}}) of 'guarded(

#include "corolib.h"

#include <cstdio>
#include <stdexcept>
#include <string>

using corolib::manual_executor;
using corolib::task;

static volatile int seed_source = 17;
static int seed() { return seed_source; }

// A request that suspends on the executor, with a destructor that prints.
struct request {
  static int alive;
  int id;
  explicit request(int i) : id(i) { ++alive; }
  request(const request &) = delete;
  ~request() {
    --alive;
    std::printf("    ~request %d\n", id);
  }
};
int request::alive = 0;

task<int> send(manual_executor &ex, int k) {
  request r(k);
  co_await ex.schedule();
  if (k < 0)
    throw std::runtime_error("negative request " + std::to_string(k));
  co_return k * 10 + seed() % 7;
}

task<int> two_arms(manual_executor &ex, bool first, int k) {
  int v;
  if (first)
    v = co_await send(ex, k + 1);
  else
    v = co_await send(ex, k + 2);
  co_return v + 1;
}

task<int> three_arms(manual_executor &ex, int which, int k) {
  int v = 0;
  switch (which) {
  case 0:
    v = co_await send(ex, k);
    break;
  case 1:
    v = co_await send(ex, 2 * k);
    break;
  case 2:
    v = co_await send(ex, 3 * k);
    break;
  default:
    v = co_await send(ex, k) + 1000;
    break;
  }
  co_return v;
}

task<long> in_loop(manual_executor &ex, int n) {
  long sum = 0;
  for (int i = 0; i < n; ++i) {
    int v;
    if (i % 3 == 0)
      v = co_await send(ex, i);
    else
      v = co_await send(ex, -i - 100 + 100 + 2 * i); // == i, computed apart
    sum = sum * 31 + v;
  }
  co_return sum;
}

// The resume path throws for negative requests; the coroutine catches it.
task<int> guarded(manual_executor &ex, int k) {
  int v;
  try {
    if (k % 2)
      v = co_await send(ex, k);
    else
      v = co_await send(ex, -k);
  } catch (const std::runtime_error &e) {
    std::printf("    guarded(%d) caught: %s\n", k, e.what());
    v = -1;
  }
  co_return v;
}

// Start a lazy task and give it `steps` resumptions in total.
template <typename T>
static void advance(manual_executor &ex, task<T> &t, int steps) {
  if (steps > 0)
    t.handle().resume();
  for (int i = 1; i < steps && !t.done(); ++i)
    ex.run_one();
}

int main() {
  manual_executor ex;
  for (int f = 0; f < 2; ++f)
    for (int k = 0; k < 3; ++k)
      std::printf("two_arms(%d, %d) = %d\n", f, k,
                  corolib::sync_wait(ex, two_arms(ex, f == 1, k)));
  for (int w = 0; w < 4; ++w)
    std::printf("three_arms(%d) = %d\n", w,
                corolib::sync_wait(ex, three_arms(ex, w, 5 + w)));
  std::printf("in_loop(7) = %ld\n", corolib::sync_wait(ex, in_loop(ex, 7)));
  for (int k = 1; k < 5; ++k)
    std::printf("guarded(%d) = %d\n", k, corolib::sync_wait(ex, guarded(ex, k)));

  // Destroyed while suspended in the merged state, from either arm: the
  // callee's frame (and its request) goes with it. Each gets an executor of
  // its own, destroyed after the task, which drops the queued handle.
  for (int f = 0; f < 2; ++f) {
    std::printf("destroy two_arms(%d) suspended:\n", f);
    {
      manual_executor ex2;
      task<int> t = two_arms(ex2, f == 1, 40);
      advance(ex2, t, 1);
      std::printf("    queued %zu, requests alive %d\n", ex2.size(),
                  request::alive);
    }
    std::printf("    requests alive %d\n", request::alive);
  }
  for (int w = 0; w < 4; ++w) {
    std::printf("destroy three_arms(%d) suspended:\n", w);
    {
      manual_executor ex2;
      task<int> t = three_arms(ex2, w, 7);
      advance(ex2, t, 1);
    }
    std::printf("    requests alive %d\n", request::alive);
  }
  for (int steps = 0; steps < 6; ++steps) {
    std::printf("destroy in_loop after %d resumptions:\n", steps);
    {
      manual_executor ex2;
      task<long> t = in_loop(ex2, 9);
      advance(ex2, t, steps);
    }
    std::printf("    requests alive %d\n", request::alive);
  }
  while (ex.run_one()) {
  }
  return request::alive;
}
