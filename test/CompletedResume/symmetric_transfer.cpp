// A symmetric transfer (await_suspend returning a handle) into a coroutine
// that has already completed. With pending the transfer returns to whoever
// resumed the transferring coroutine (here main), which goes on; the
// reference transfers to std::noop_coroutine() instead, which does the same.
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

[[gnu::noinline]] gen once() {
  say("once: body\n");
  co_yield 1;
  say("once: finishing\n");
}

struct transfer_to {
  std::coroutine_handle<> target;
  bool await_ready() noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<>) noexcept {
#ifdef SKIP_BAD_RESUME
    return std::noop_coroutine();
#else
    return target;
#endif
  }
  void await_resume() noexcept {}
};

[[gnu::noinline]] task user(std::coroutine_handle<> target, int k) {
  say("user: before the transfer, k=%d\n", k);
  co_await transfer_to{target};
  say("user: resumed after the transfer, k=%d\n", k);
  co_await transfer_to{target};
  say("user: done, k=%d\n", k * 2);
}

int main() {
  gen g = once();
  while (!g.h.done())
    g.h.resume();
  say("once is done: %d\n", g.h.done());
  task t = user(g.h, 21);
  int rounds = 0;
  while (!t.h.done()) {
    t.h.resume();
    say("main: back after round %d, once done %d\n", ++rounds, g.h.done());
  }
}
