// A coroutine that awaits itself, `task<int> f(n) { co_return co_await
// f(n); }`, is shaped like a single-await wrapper, but making it call its
// callee when it is called would recurse without end where the program only
// makes a lazy task and never starts it. Also: wrappers whose task type
// differs from the awaited one are kept, decided before any scratch copy.
//
// RUN: %run-compare --out %t --levels "O0 O1 O2" -- %s -I%inputs/corolib | FileCheck %s --check-prefixes=CHECK,LEVELS
// RUN: %run-compare --out %t --sanitize -- %s -I%inputs/corolib | FileCheck %s
// RUN: %clangxx %cxxflags -O2 -I%inputs/corolib -fpass-plugin=%plugin -Rpass=coro-wrapper-inline -Rpass-missed=coro-wrapper-inline -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// CHECK: O0: same (3 lines)
// LEVELS: O1: same (3 lines)
// CHECK: O2: same (3 lines)
//
// REMARK-DAG: remark: wrapper self_await(int) kept (it awaits self_await(int)): it awaits itself
// REMARK-DAG: remark: wrapper widened(corolib::manual_executor&, int) kept (it awaits inner(corolib::manual_executor&, int)): it returns another task type than 'inner(corolib::manual_executor&, int)'
// REMARK-DAG: remark: wrapper forward(corolib::manual_executor&, int) now returns the task of inner(corolib::manual_executor&, int) itself

#include "corolib.h"

#include <cstdio>

using corolib::manual_executor;
using corolib::task;

task<int> self_await(int n) { co_return co_await self_await(n); }

task<int> inner(manual_executor &ex, int x) {
  co_await ex.schedule();
  co_return x * 3;
}
task<long> widened(manual_executor &ex, int x) {
  co_return co_await inner(ex, x);
}
task<int> forward(manual_executor &ex, int x) {
  co_return co_await inner(ex, x);
}

static task<void> run(manual_executor &ex) {
  std::printf("widened %ld\n", co_await widened(ex, 5));
  std::printf("forward %d\n", co_await forward(ex, 7));
}

int main() {
  { auto never_started = self_await(1); }
  std::puts("self_await made and dropped");
  manual_executor ex;
  corolib::sync_wait(ex, run(ex));
}
