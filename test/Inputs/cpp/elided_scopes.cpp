// Callee frames that coro_await_elidable puts into the caller (at -O1 and
// above), awaited one after another, in a loop, in both arms of an if, around
// a caught exception, and destroyed while suspended. Each callee keeps a
// buffer across a suspend, so an elided frame reused before its callee was
// destroyed would print other sums. Driven by main() below; the frame
// analysis gives each elided frame a scope from its inlined ramp to the call
// that destroys it (coro-record-scopes), so their bytes can be shared.
// `handoff` is the case that must not be scoped: its await_suspend takes the
// callee's handle away, and main() destroys the callee much later (before the
// caller: legal); the callee's promise checks its bytes when destroyed.
#include "elidable_task.h"

#include <array>
#include <cstdio>
#include <deque>
#include <stdexcept>

static std::deque<std::coroutine_handle<>> ready;
struct park {
  bool await_ready() noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { ready.push_back(h); }
  void await_resume() noexcept {}
};

// Wraps instead of overflowing (UBSan checks the programs).
__attribute__((noinline)) long mix(long a, long b) {
  return long(static_cast<unsigned long>(a) * 31u +
              static_cast<unsigned long>(b));
}

elidable<long> fill_a(long x) {
  std::array<long, 24> buf;
  for (long i = 0; i < 24; ++i)
    buf[i] = mix(x, i);
  co_await park{};
  long s = 0;
  for (long v : buf)
    s = mix(s, v);
  co_return s;
}

elidable<long> fill_b(long x) {
  std::array<long, 40> buf;
  for (long i = 0; i < 40; ++i)
    buf[i] = mix(i, x);
  co_await park{};
  co_await park{};
  long s = 7;
  for (long v : buf)
    s = mix(v, s);
  co_return s;
}

elidable<long> may_throw(long x) {
  std::array<long, 16> buf;
  for (long i = 0; i < 16; ++i)
    buf[i] = mix(x, -i);
  co_await park{};
  long s = 0;
  try {
    for (long v : buf)
      if ((s = mix(s, v)) % 5 == 0)
        throw std::runtime_error("five");
  } catch (const std::exception &) {
    s = ~s;
  }
  co_await park{};
  co_return mix(s, buf[3]);
}

// A task whose co_await hands the callee over to `handed_off`.
static std::deque<std::coroutine_handle<>> handed_off;
template <typename T> struct [[clang::coro_await_elidable]] handoff {
  struct promise_type {
    T value{};
    std::array<long, 12> seal{};
    std::coroutine_handle<> cont;
    handoff get_return_object() {
      return handoff{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct final_awaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<>
      await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        return h.promise().cont;
      }
      void await_resume() noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }
    void return_value(T v) {
      value = v;
      for (long i = 0; i < 12; ++i)
        seal[i] = mix(v, i);
    }
    void unhandled_exception() {}
    ~promise_type() {
      long bad = 0;
      for (long i = 0; i < 12; ++i)
        bad += seal[i] != mix(value, i);
      std::printf("handoff callee destroyed: %ld bad\n", bad);
    }
  };
  std::coroutine_handle<promise_type> h;
  explicit handoff(std::coroutine_handle<promise_type> h) : h(h) {}
  ~handoff() { if (h) h.destroy(); }
  bool await_ready() { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) {
    h.promise().cont = c;
    value = &h.promise().value;
    handed_off.push_back(h);
    return std::exchange(h, {});
  }
  T await_resume() { return *value; }
  T *value = nullptr;
};

handoff<long> handed(long x) {
  co_await park{};
  co_return mix(x, 3);
}

elidable<long> hands_off(long x) {
  long a = co_await handed(x);
  long b = co_await fill_b(a);
  long c = co_await fill_a(b);
  co_return mix(a, mix(b, c));
}

elidable<long> sequence(long x) {
  long a = co_await fill_a(x);
  long b = co_await fill_b(a);
  long c = co_await fill_a(b + 1);
  co_return mix(mix(a, b), c);
}

elidable<long> in_loop(long n) {
  long s = 0;
  for (long i = 0; i < n; ++i)
    s = mix(s, co_await fill_a(i));
  co_return s;
}

elidable<long> arms(long x) {
  long r;
  if (x % 2)
    r = co_await fill_a(x);
  else
    r = co_await fill_b(x);
  co_return mix(r, co_await may_throw(r));
}

elidable<long> nested(long x) {
  long a = co_await sequence(x);
  long b = co_await arms(a);
  co_return mix(a, b);
}

static long run(elidable<long> t) {
  t.h.resume();
  while (!ready.empty()) {
    auto h = ready.front();
    ready.pop_front();
    h.resume();
  }
  return t.await_resume();
}

int main(int argc, char **) {
  for (long k = 0; k < 3; ++k) {
    long x = k + argc;
    std::printf("sequence(%ld) = %ld\n", x, run(sequence(x)));
    std::printf("in_loop(%ld) = %ld\n", x + 2, run(in_loop(x + 2)));
    std::printf("arms(%ld) = %ld\n", x, run(arms(x)));
    std::printf("arms(%ld) = %ld\n", x + 1, run(arms(x + 1)));
    std::printf("nested(%ld) = %ld\n", x, run(nested(x)));
    {
      auto t = hands_off(x);
      t.h.resume();
      while (!ready.empty()) {
        auto h = ready.front();
        ready.pop_front();
        h.resume();
      }
      std::printf("hands_off(%ld) = %ld\n", x, t.await_resume());
      for (auto h : handed_off)
        h.destroy(); // before the caller's frame (in t) goes
      handed_off.clear();
    }
  }
  // Destroyed while suspended inside an elided callee: the caller's
  // destroy runs the task's destructor, which destroys the callee.
  {
    auto t = nested(5);
    t.h.resume();
    ready.front().resume();
    std::printf("destroyed with %zu parked\n", ready.size());
    ready.clear();
  }
  std::printf("done\n");
}
