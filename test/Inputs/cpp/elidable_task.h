// A lazy task marked [[clang::coro_await_elidable]]: awaiting it directly
// lets CoroAnnotationElide place the callee's frame in the caller's and call
// the callee's .noalloc variant (at -O1 and above).
#pragma once
#include <coroutine>
#include <utility>

template <typename T> struct [[clang::coro_await_elidable]] elidable {
  struct promise_type {
    T value{};
    std::coroutine_handle<> cont;
    elidable get_return_object() {
      return elidable{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct final_awaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        return h.promise().cont ? h.promise().cont : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }
    void return_value(T v) { value = v; }
    void unhandled_exception() {}
  };
  std::coroutine_handle<promise_type> h;
  explicit elidable(std::coroutine_handle<promise_type> h) : h(h) {}
  elidable(elidable &&o) : h(std::exchange(o.h, {})) {}
  ~elidable() { if (h) h.destroy(); }
  bool await_ready() { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) {
    h.promise().cont = c;
    return h;
  }
  T await_resume() { return h.promise().value; }
};
