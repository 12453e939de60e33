// Coroutines using clang's coroutine attributes: a task marked
// coro_await_elidable (its callee gets a .noalloc variant at -O1+) and one
// marked coro_only_destroy_when_complete.
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
