// A coro_await_elidable task whose callee has values live across different
// suspends (so its frame shrinks): its .noalloc variant must follow.
#include "elidable_task.h"

extern long input(long);
extern void publish(long);

// Suspends and leaves the coroutine in `parked` for the driver to resume.
inline std::coroutine_handle<> parked;
struct park {
  bool await_ready() noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept { parked = h; }
  void await_resume() noexcept {}
};

elidable<long> stages(long x) {
  long a = input(x), b = input(a), c = input(b);
  co_await park{};
  publish(a + b + c);
  long d = input(c), e = input(d), f = input(e);
  co_await park{};
  co_return d * e - f;
}

elidable<long> run_stages(long x) {
  long r = co_await stages(x);
  co_return r + 1;
}
