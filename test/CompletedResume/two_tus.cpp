// One program from two TUs, this one built with the plugin and
// Inputs/two_tus_stock.cpp without it (and linked first, so the linker meets
// its copies of the inline std::coroutine_handle functions first). Correct
// resumes cross in both directions; the bad resumes are made from this TU,
// of a coroutine from each TU: the check sits at the call, so a coroutine
// compiled without the plugin is covered too. (A bad resume made from the
// stock TU still calls through null, as stock does.)
//
// RUN: %completed-resume-run --out %t --stock-tu %S/Inputs/two_tus_stock.cpp -- %s -I%S/Inputs | FileCheck %s
// RUN: %completed-resume-run --out %t --sanitize --stock-tu %S/Inputs/two_tus_stock.cpp -- %s -I%S/Inputs | FileCheck %s --check-prefix=SAN
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

gen stock_count(int n);
void stock_resume(std::coroutine_handle<> h);
int stock_drain(gen &g);

gen plugin_count(int n) {
  for (int i = 0; i < n; ++i)
    co_yield 200 + i;
  say("plugin_count: finishing\n");
}

int main() {
  // This TU drives the stock TU's coroutine...
  gen a = stock_count(2);
  int sa = 0;
  for (a.h.resume(); !a.h.done(); a.h.resume())
    sa += a.h.promise().value;
  // ... and the stock TU drives this TU's.
  gen b = plugin_count(3);
  int sb = stock_drain(b);
  gen c = plugin_count(1);
  while (!c.h.done())
    stock_resume(c.h);
  say("sums %d %d\n", sa, sb);
#ifndef SKIP_BAD_RESUME
  a.h.resume(); // completed, compiled without the plugin
  b.h.resume(); // completed, compiled with it
  std::coroutine_handle<> any = c.h;
  any();
#endif
  say("done %d %d\n", a.h.done(), b.h.done() + c.h.done());
}
