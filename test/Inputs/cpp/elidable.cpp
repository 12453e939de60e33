// Coroutines using clang's coroutine attributes: a task marked
// coro_await_elidable (its callee gets a .noalloc variant at -O1+) and one
// marked coro_only_destroy_when_complete.
#include "elidable_task.h"

extern long input(long);

elidable<long> leaf(long x) {
  long a = input(x), b = input(a);
  co_return a + b;
}

elidable<long> caller(long x) {
  long r = co_await leaf(x);
  co_return r + 1;
}

struct [[clang::coro_only_destroy_when_complete]] oneshot {
  struct promise_type {
    oneshot get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
};

oneshot fire(long x) {
  long y = input(x);
  co_await std::suspend_always{};
  input(y);
}
