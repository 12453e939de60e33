// Resuming a completed coroutine through its handle: resume(), operator(),
// then done() and destroy() after completion. The reference is the same
// program without the bad resumes (-DSKIP_BAD_RESUME).
//
// RUN: %completed-resume-run --out %t -- %s -I%S/Inputs | FileCheck %s
// RUN: %completed-resume-run --out %t --sanitize -- %s -I%S/Inputs | FileCheck %s --check-prefix=SAN
// CHECK: O0 pending: same as without the bad resume
// CHECK: O0 trap: stopped at the bad resume (SIGILL): coro-frame-opt: {{.*}}completed
// CHECK: O0 ub: same as stock
// CHECK: O0-fno-exceptions pending: same as without the bad resume
// CHECK: O0-fno-exceptions trap: stopped at the bad resume
// CHECK: O0-fno-exceptions ub: same as stock
// CHECK: O2 pending: same as without the bad resume
// CHECK: O2 trap: stopped at the bad resume
// CHECK: O2 ub: same as stock
// CHECK: O2-fno-exceptions pending: same as without the bad resume
// CHECK: O2-fno-exceptions trap: stopped at the bad resume
// CHECK: O2-fno-exceptions ub: same as stock
// SAN-COUNT-4: pending: same as without the bad resume
// SAN-NOT: FAIL
#include "gen.h"

// Not inlinable into main, so the handle is all main has.
[[gnu::noinline]] gen count(int n) {
  for (int i = 0; i < n; ++i) {
    say("count: step %d\n", i);
    co_yield i * 10;
  }
  say("count: finishing\n");
}

int main() {
  gen g = count(3);
  int sum = 0;
  for (;;) {
    g.h.resume();
    if (g.h.done())
      break;
    sum += g.h.promise().value;
  }
  say("sum %d, done %d\n", sum, g.h.done());
#ifndef SKIP_BAD_RESUME
  g.h.resume();
  g.h();
#endif
  say("after: done %d, value %d\n", g.h.done(), g.h.promise().value);
  g.h.destroy();
  g.h = {};
  say("destroyed\n");
}
