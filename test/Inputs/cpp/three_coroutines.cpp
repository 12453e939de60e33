// Three small coroutines with a self-contained task type, for clang
// end-to-end tests of the plugin's wiring. No library headers but <coroutine>.
#include <coroutine>
#include <cstdio>

struct task {
  struct promise_type {
    task get_return_object() {
      return {std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept {}
  };
  std::coroutine_handle<promise_type> h;
};

extern void use(char *);

task seq_buffers() {
  { char a[256]; use(a); co_await std::suspend_always{}; use(a); }
  { char b[256]; use(b); co_await std::suspend_always{}; use(b); }
}

task both_buffers() {
  char a[256], b[256];
  use(a); use(b);
  co_await std::suspend_always{};
  use(a); use(b);
}

task count(int n) {
  for (int i = 0; i < n; ++i) {
    std::printf("%d\n", i);
    co_await std::suspend_always{};
  }
}

// Not a coroutine: must not be reported.
int plain(int x) { return x * 3; }
