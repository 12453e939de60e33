// corolib/generator.h - a lazy, synchronous generator for CoroFrameOpt tests.
//
// corolib::generator<T> runs its body only when the consumer asks for the
// next value, so every co_yield is a suspension point whose live locals must
// survive in the coroutine frame. It is a single-pass input range:
//
//   corolib::generator<int> iota(int n) {
//     for (int i = 0; i < n; ++i)
//       co_yield i;
//   }
//   for (int v : iota(3)) ...   // 0 1 2
//
// The yielded object is not copied: the promise keeps a pointer to it, which
// stays valid while the generator is suspended at that co_yield (a yielded
// temporary lives until the end of its full-expression, i.e. across the
// suspension). Leaving a range-for early (break, return, exception) destroys
// the suspended generator, running the destructors of its live locals.
// An exception escaping the body is rethrown from begin() / operator++.
// co_await is not allowed inside a generator.
#ifndef COROLIB_GENERATOR_H
#define COROLIB_GENERATOR_H

#include <coroutine>
#include <cstddef>
#include <exception>
#include <iterator>
#include <memory>
#include <utility>

namespace corolib {

template <typename T> class generator {
public:
  struct promise_type {
    const T *current = nullptr;
    std::exception_ptr exception;

    generator get_return_object() noexcept {
      return generator(
          std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; } // lazy
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(const T &value) noexcept {
      current = std::addressof(value);
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept {
      exception = std::current_exception();
    }

    // Generators are synchronous: forbid co_await in their bodies.
    template <typename U> std::suspend_never await_transform(U &&) = delete;
  };
  using handle_type = std::coroutine_handle<promise_type>;

  class iterator {
  public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;

    iterator() noexcept = default;
    explicit iterator(handle_type h) noexcept : h_(h) {}

    const T &operator*() const noexcept { return *h_.promise().current; }
    const T *operator->() const noexcept { return h_.promise().current; }
    iterator &operator++() {
      advance(h_);
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator &it,
                           std::default_sentinel_t) noexcept {
      return !it.h_ || it.h_.done();
    }

  private:
    handle_type h_;
  };

  generator(generator &&other) noexcept : h_(std::exchange(other.h_, {})) {}
  generator &operator=(generator &&other) noexcept {
    if (this != &other) {
      if (h_)
        h_.destroy();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  generator(const generator &) = delete;
  generator &operator=(const generator &) = delete;
  ~generator() {
    if (h_)
      h_.destroy();
  }

  // Runs the body up to its first co_yield. Call once.
  iterator begin() {
    advance(h_);
    return iterator(h_);
  }
  std::default_sentinel_t end() const noexcept { return {}; }

private:
  explicit generator(handle_type h) noexcept : h_(h) {}

  static void advance(handle_type h) {
    h.resume();
    if (h.done() && h.promise().exception)
      std::rethrow_exception(std::exchange(h.promise().exception, {}));
  }

  handle_type h_;
};

} // namespace corolib

#endif // COROLIB_GENERATOR_H
