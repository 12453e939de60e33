// A coro_await_elidable task whose callee has values live across different
// suspends (so its frame shrinks): its .noalloc variant must follow.
#include "elidable_task.h"

extern long input(long);
extern void publish(long);

elidable<long> stages(long x) {
  long a = input(x), b = input(a), c = input(b);
  co_await std::suspend_always{};
  publish(a + b + c);
  long d = input(c), e = input(d), f = input(e);
  co_await std::suspend_always{};
  co_return d * e - f;
}

elidable<long> run_stages(long x) {
  long r = co_await stages(x);
  co_return r + 1;
}
