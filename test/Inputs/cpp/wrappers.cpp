// Wrapper coroutines for the IR tests of coro-wrapper-inline: each w_* is
// a candidate (one co_await of a task returned by a direct call); the
// comment says whether it may become the coroutine it awaits.
#include "corolib/eager.h"
#include "corolib/task.h"

#include <coroutine>
#include <cstdio>
#include <exception>
#include <utility>
#include <string>

using corolib::eager_task;
using corolib::task;

int counter;
int g_value;

task<int> c(int x) { co_return x * 3 + 1; }
task<int> c_ref(int &r) { co_return r += 1; }
task<void> c_void(int &r) {
  r += 2;
  co_return;
}
task<int> c_str(const std::string &s) { co_return int(s.size()); }
task<int> ext(int x); // defined elsewhere

// Become their callee.
task<int> w_plain(int x) { co_return co_await c(x); }
task<int> w_pure(int x) { co_return co_await c(x * 2 + 1); }
task<int> w_ref(int &r) { co_return co_await c_ref(r); }
task<void> w_void(int &r) { co_await c_void(r); }
task<int> w_chain(int x) { co_return co_await w_plain(x); } // -> c
task<int> w_chain2(int x) { co_return co_await w_chain(x); } // -> c
task<int> w_cref(const std::string &s) { co_return co_await c_str(s); }

// Stay as they are.
task<int> w_impure(int x) { // effect before the call
  ++counter;
  co_return co_await c(x);
}
task<int> w_scaled(int x) { co_return 2 * co_await c(x); } // postamble
task<long> w_long(int x) { co_return co_await c(x); } // other promise type
task<int> w_byvalue(std::string s) { co_return co_await c_str(s); } // copy
task<int> w_global(int x) { co_return co_await c(x + g_value); } // read
task<int> w_branch(bool b, int x) { // may not call c
  if (b)
    co_return co_await c(x);
  co_return 0;
}
task<int> w_ext(int x) { co_return co_await ext(x); } // not in this module
// Too large to read: with its calls inlined, thousands of instructions (as
// a test framework's reporting macro around the co_await makes).
template <int N> void tally(int x) {
  if (x == N)
    counter += N;
  tally<N - 1>(x);
}
template <> void tally<0>(int) {}
task<int> w_large(int x) {
  tally<300>(x);
  co_return co_await c(x);
}
task<int> w_print(int x) { // effect after the call
  int r = co_await c(x);
  std::printf("%d\n", r);
  co_return r;
}
task<int> w_self(int x) { // awaits itself
  if (x <= 0)
    co_return 0;
  co_return co_await w_self(x - 1);
}

// Eager callee whose body (run by its ramp) has an effect.
eager_task<int> ce(int x) {
  std::printf("ce %d\n", x);
  co_return x;
}
eager_task<int> w_eager(int x) { co_return co_await ce(x); }

// A task whose co_yield resumes the awaiting coroutine before the task has
// finished: a wrapper of it would destroy it early, so it stays.
struct early {
  struct promise_type;
  using handle = std::coroutine_handle<promise_type>;
  struct to_awaiter {
    bool await_ready() noexcept { return false; }
    std::coroutine_handle<> await_suspend(handle h) noexcept {
      std::coroutine_handle<> next = h.promise().awaiting;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  struct promise_type {
    std::coroutine_handle<> awaiting;
    int value = 0;
    early get_return_object() { return early(handle::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    to_awaiter final_suspend() noexcept { return {}; }
    to_awaiter yield_value(int v) {
      value = v;
      return {};
    }
    void return_value(int v) { value = v; }
    void unhandled_exception() noexcept { std::terminate(); }
  };
  struct awaiter {
    handle h;
    bool await_ready() noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> a) noexcept {
      h.promise().awaiting = a;
      return h;
    }
    int await_resume() { return h.promise().value; }
  };
  explicit early(handle h) : h(h) {}
  early(early &&o) noexcept : h(std::exchange(o.h, {})) {}
  ~early() {
    if (h)
      h.destroy();
  }
  awaiter operator co_await() { return {h}; }
  handle h;
};

early e_yield(int x) {
  co_yield x;
  co_return x + 1;
}
early w_early(int x) { co_return co_await e_yield(x); }
