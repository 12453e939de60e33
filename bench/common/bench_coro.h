// bench/common/bench_coro.h - coroutine pieces the benchmark corpus needs on
// top of the bundled corolib (test/Inputs/corolib, which stays read-only):
//
//   bench::when_all(std::vector<corolib::task<T>>)  -> task<std::vector<T>>
//   bench::when_all(std::vector<corolib::task<void>>) -> task<void>
//       Starts every task at once and resumes the caller (by symmetric
//       transfer) when the last one finishes. Tasks that suspend on a
//       manual_executor interleave; the first exception is rethrown.
//   bench::async_generator<T>
//       A lazy generator whose body may also co_await (e.g. ex.schedule()):
//           while (const T *v = co_await gen.next()) use(*v);
//       Every co_yield and every end of the body transfers straight back to
//       the consumer, so the consumer must itself be a coroutine.
//   bench::checksum
//       An FNV-1a style accumulator that the corpus programs print.
//
// Single-threaded, like corolib. Needs -std=c++20 and -I test/Inputs.
#ifndef CORO_BENCH_COMMON_BENCH_CORO_H
#define CORO_BENCH_COMMON_BENCH_CORO_H

#include "corolib/task.h"

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace bench {

// ---------------------------------------------------------------- checksum
struct checksum {
  std::uint64_t h = 1469598103934665603ULL;
  void add(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 1099511628211ULL;
    }
  }
  void add_bytes(const void *p, std::size_t n) {
    auto *b = static_cast<const unsigned char *>(p);
    for (std::size_t i = 0; i < n; ++i) {
      h ^= b[i];
      h *= 1099511628211ULL;
    }
  }
  unsigned long long value() const { return h; }
};

// ---------------------------------------------------------------- when_all
namespace detail {

struct when_all_counter {
  std::size_t remaining;            // children not finished + 1 (the starter)
  std::coroutine_handle<> parent;   // resumed when remaining reaches 0
  std::coroutine_handle<> arrive() noexcept {
    if (--remaining == 0)
      return parent;
    return std::noop_coroutine();
  }
};

// The coroutine that runs one child task and reports to the counter.
struct when_all_child {
  struct promise_type {
    when_all_counter *counter = nullptr;
    std::exception_ptr exception;
    when_all_child get_return_object() noexcept {
      return when_all_child(
          std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct final_awaiter {
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<>
      await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        return h.promise().counter->arrive();
      }
      void await_resume() const noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept {
      exception = std::current_exception();
    }
  };
  using handle_type = std::coroutine_handle<promise_type>;

  explicit when_all_child(handle_type h) noexcept : h(h) {}
  when_all_child(when_all_child &&o) noexcept : h(std::exchange(o.h, {})) {}
  when_all_child(const when_all_child &) = delete;
  ~when_all_child() {
    if (h)
      h.destroy();
  }
  handle_type h;
};

template <typename T>
when_all_child run_child(corolib::task<T> &t, std::optional<T> &out) {
  out.emplace(co_await t);
}
inline when_all_child run_child(corolib::task<void> &t) { co_await t; }

struct when_all_awaiter {
  std::vector<when_all_child> &children;
  when_all_counter &counter;
  bool await_ready() const noexcept { return children.empty(); }
  bool await_suspend(std::coroutine_handle<> parent) noexcept {
    counter.parent = parent;
    counter.remaining = children.size() + 1;
    for (auto &c : children) {
      c.h.promise().counter = &counter;
      c.h.resume(); // runs until it suspends or finishes
    }
    // Drop the starter's count; if every child already finished, go on.
    return --counter.remaining != 0;
  }
  void await_resume() const {
    for (auto &c : children)
      if (c.h.promise().exception)
        std::rethrow_exception(c.h.promise().exception);
  }
};

} // namespace detail

template <typename T>
corolib::task<std::vector<T>> when_all(std::vector<corolib::task<T>> tasks) {
  std::vector<std::optional<T>> results(tasks.size());
  std::vector<detail::when_all_child> children;
  children.reserve(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i)
    children.push_back(detail::run_child(tasks[i], results[i]));
  detail::when_all_counter counter{0, {}};
  co_await detail::when_all_awaiter{children, counter};
  std::vector<T> out;
  out.reserve(results.size());
  for (auto &r : results)
    out.push_back(std::move(*r));
  co_return out;
}

inline corolib::task<void> when_all(std::vector<corolib::task<void>> tasks) {
  std::vector<detail::when_all_child> children;
  children.reserve(tasks.size());
  for (auto &t : tasks)
    children.push_back(detail::run_child(t));
  detail::when_all_counter counter{0, {}};
  co_await detail::when_all_awaiter{children, counter};
}

// --------------------------------------------------------- async_generator
template <typename T> class async_generator {
public:
  struct promise_type {
    const T *current = nullptr;
    std::coroutine_handle<> consumer;
    std::exception_ptr exception;

    async_generator get_return_object() noexcept {
      return async_generator(
          std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }

    // co_yield and the end of the body both hand control to the consumer.
    struct to_consumer {
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<>
      await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        return h.promise().consumer;
      }
      void await_resume() const noexcept {}
    };
    to_consumer yield_value(const T &value) noexcept {
      current = std::addressof(value);
      return {};
    }
    to_consumer final_suspend() noexcept {
      current = nullptr;
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept {
      exception = std::current_exception();
    }
  };
  using handle_type = std::coroutine_handle<promise_type>;

  async_generator(async_generator &&o) noexcept : h_(std::exchange(o.h_, {})) {}
  async_generator(const async_generator &) = delete;
  async_generator &operator=(const async_generator &) = delete;
  ~async_generator() {
    if (h_)
      h_.destroy();
  }

  // co_await gen.next(): the next value, or nullptr at the end.
  struct next_awaiter {
    handle_type h;
    bool await_ready() const noexcept { return !h || h.done(); }
    std::coroutine_handle<>
    await_suspend(std::coroutine_handle<> consumer) noexcept {
      h.promise().consumer = consumer;
      return h;
    }
    const T *await_resume() {
      if (!h || h.done()) {
        if (h && h.promise().exception)
          std::rethrow_exception(std::exchange(h.promise().exception, {}));
        return nullptr;
      }
      return h.promise().current;
    }
  };
  next_awaiter next() noexcept { return next_awaiter{h_}; }

private:
  explicit async_generator(handle_type h) noexcept : h_(h) {}
  handle_type h_;
};

} // namespace bench

#endif // CORO_BENCH_COMMON_BENCH_CORO_H
