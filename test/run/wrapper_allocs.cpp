// Heap allocations per call of a chain of single-await wrappers
//   chain<N>(x) { co_return co_await chain<N - 1>(x); },  chain<0> = C
// counted through operator new: stock clang -O2 allocates a frame per level
// (N + 1), with the plugin the wrappers return C's task and only C's frame
// is allocated. The results are the same either way (and checked).
//
// RUN: %clangxx %cxxflags -O2 %s -o %t.stock
// RUN: %t.stock | FileCheck %s --check-prefixes=CHECK,STOCK
// RUN: %clangxx %cxxflags -O2 -fpass-plugin=%plugin %s -o %t.plugin
// RUN: %t.plugin | FileCheck %s --check-prefixes=CHECK,PLUGIN
// Disabling the pass gives stock's count back.
// RUN: %clangxx %cxxflags -O2 -fpass-plugin=%plugin -mllvm -coro-frame-opt-disable=wrapper %s -o %t.off
// RUN: %t.off | FileCheck %s --check-prefixes=CHECK,STOCK
//
// CHECK:  depth 1: result 61 ok
// STOCK-SAME: , 2 allocations per call
// PLUGIN-SAME: , 1 allocations per call
// CHECK:  depth 4: result 61 ok
// STOCK-SAME: , 5 allocations per call
// PLUGIN-SAME: , 1 allocations per call
// CHECK:  depth 16: result 61 ok
// STOCK-SAME: , 17 allocations per call
// PLUGIN-SAME: , 1 allocations per call
// CHECK:  heap blocks left: 0
#define COROLIB_ALLOC_COUNT_DEFINE_OPERATORS
#include "corolib/alloc_count.h"
#include "corolib/task.h"

#include <cstdio>

using corolib::task;

static volatile int seed = 20;

task<int> leaf(int x) { co_return x * 3 + 1; }

template <int N> task<int> chain(int x) {
  if constexpr (N == 0)
    co_return co_await leaf(x);
  else
    co_return co_await chain<N - 1>(x);
}

template <int N> void measure() {
  constexpr int Calls = 10;
  corolib::alloc_count::snapshot before = corolib::alloc_count::now();
  int result = 0;
  for (int i = 0; i < Calls; ++i)
    result = corolib::sync_wait(chain<N - 1>(seed));
  long allocs = corolib::alloc_count::now().allocations - before.allocations;
  std::printf("depth %d: result %d %s, %ld allocations per call\n", N, result,
              result == seed * 3 + 1 ? "ok" : "WRONG", allocs / Calls);
}

int main() {
  long live = corolib::alloc_count::now().live();
  measure<1>();
  measure<4>();
  measure<16>();
  std::printf("heap blocks left: %ld\n", corolib::alloc_count::now().live() - live);
}
