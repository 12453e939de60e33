// A coro_await_elidable task whose callee has values live across different
// suspends (so its frame shrinks): its .noalloc variant must follow.
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
