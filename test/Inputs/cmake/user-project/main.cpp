#include <coroutine>
#include <cstdio>

struct gen {
  struct promise_type {
    int value = 0;
    gen get_return_object() {
      return {std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(int v) noexcept { value = v; return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept {}
  };
  std::coroutine_handle<promise_type> h;
};

gen squares(int n) {
  for (int i = 1; i <= n; ++i)
    co_yield i * i;
}

int main() {
  gen g = squares(4);
  for (g.h.resume(); !g.h.done(); g.h.resume())
    std::printf("%d\n", g.h.promise().value);
  g.h.destroy();
}
