// A completed coroutine whose frame CoroElide put into the caller (at -O2):
// the handle's resume is then a direct call of `.resume`, which stock LLVM
// lets run the last state's body a second time (visible here with
// -fno-exceptions, where the final suspend does not store the index). The
// callee-side check in `.resume` turns that into pending / trap.
//
// RUN: %completed-resume-run --out %t -- %s -I%S/Inputs | FileCheck %s
// RUN: %completed-resume-run --out %t --sanitize -- %s -I%S/Inputs | FileCheck %s --check-prefix=SAN
// The frame really is elided at -O2, with the plugin too:
// RUN: %clangxx -std=c++20 -O2 -I%S/Inputs -fpass-plugin=%plugin -Rpass=coro-elide -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=ELIDE
// ELIDE: '_Z5countii' elided in '_Z3sumii'
//
// CHECK: O0 pending: same as without the bad resume
// CHECK: O0 trap: stopped at the bad resume
// CHECK: O0 ub: same as stock
// CHECK: O0-fno-exceptions pending: same as without the bad resume
// CHECK: O0-fno-exceptions trap: stopped at the bad resume
// CHECK: O0-fno-exceptions ub: same as stock
// CHECK: O2 pending: same as without the bad resume
// CHECK: O2 stock: differs from ref (exit 0, 7 lines)
// CHECK: O2 trap: stopped at the bad resume (SIGILL): coro-frame-opt: coroutine 'count(int, int)' resumed after it completed
// CHECK: O2 ub: same as stock
// CHECK: O2-fno-exceptions pending: same as without the bad resume
// CHECK: O2-fno-exceptions stock: differs from ref
// CHECK: O2-fno-exceptions trap: stopped at the bad resume (SIGILL): coro-frame-opt: coroutine 'count(int, int)' resumed after it completed
// CHECK: O2-fno-exceptions ub: same as stock
// SAN-COUNT-4: pending: same as without the bad resume
// SAN-NOT: FAIL
#include "gen.h"

static volatile int sink;

gen count(int n, int tag) {
  for (int i = 0; i < n; ++i) {
    sink = i;
    co_yield i + tag;
  }
  say("count %d: finishing\n", tag);
}

// count's frame lives in sum's stack frame at -O2: the generator never
// escapes and is destroyed on every path.
[[gnu::noinline]] int sum(int n, int tag) {
  gen g = count(n, tag);
  int s = 0;
  for (;;) {
    g.h.resume();
    if (g.h.done())
      break;
    s += g.h.promise().value;
  }
#ifndef SKIP_BAD_RESUME
  g.h.resume();
#endif
  say("sum %d: done %d\n", tag, g.h.done());
  return s;
}

int main() {
  say("total %d\n", sum(3, 1) + sum(2, 7));
}
