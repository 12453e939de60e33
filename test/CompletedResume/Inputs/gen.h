// A minimal generator and lazy task for the resume-after-completion tests.
// Self-contained (no corolib) so that every test builds with and without
// -fno-exceptions. Output goes through say(), which flushes, so that what
// was printed before a trap is not lost in a buffer.
#pragma once
#include <coroutine>
#include <cstdio>
#include <exception>
#include <utility>

inline void say(const char *fmt, int a = 0, int b = 0) {
  std::printf(fmt, a, b);
  std::fflush(stdout);
}

struct gen {
  struct promise_type {
    int value = 0;
    gen get_return_object() {
      return gen{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(int v) noexcept {
      value = v;
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
  explicit gen(std::coroutine_handle<promise_type> h) : h(h) {}
  gen(gen &&o) noexcept : h(std::exchange(o.h, {})) {}
  ~gen() {
    if (h)
      h.destroy();
  }
  std::coroutine_handle<promise_type> h;
};

// A lazy task whose final suspend transfers to its awaiter.
struct task {
  struct promise_type {
    std::coroutine_handle<> continuation = std::noop_coroutine();
    task get_return_object() {
      return task{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct final_awaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<>
      await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        return h.promise().continuation;
      }
      void await_resume() noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
  explicit task(std::coroutine_handle<promise_type> h) : h(h) {}
  task(task &&o) noexcept : h(std::exchange(o.h, {})) {}
  ~task() {
    if (h)
      h.destroy();
  }
  bool await_ready() noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) noexcept {
    h.promise().continuation = c;
    return h;
  }
  void await_resume() noexcept {}
  std::coroutine_handle<promise_type> h;
};
