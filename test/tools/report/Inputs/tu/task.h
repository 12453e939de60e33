// A minimal task type and a coroutine template for the tests of
// coro-frame-report's keying by translation unit (tu_a.cpp, tu_b.cpp).
#include <coroutine>

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
extern void use(int *);

// A small struct template: LLVM names the IR type of the first
// instantiation a TU needs %struct.box, the next ones %struct.box.0, ...
template <class T> struct box { T value; };

// A template coroutine: every TU that uses buffered<N> compiles its own
// linkonce_odr copy, the same in each; the report lists it once. Its frame
// holds a box<int>, whose IR type name differs between the TUs (tu_b.cpp
// needs a box<char> first), which must not keep the copies apart.
template <int N> task buffered() {
  char buf[N];
  box<int> b{N};
  use(buf);
  use(&b.value);
  co_await std::suspend_always{};
  use(buf);
  use(&b.value);
}
