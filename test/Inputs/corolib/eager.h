// corolib/eager.h - an eagerly started coroutine task for CoroFrameOpt tests.
//
// corolib::eager_task<T> starts running as soon as it is called
// (initial_suspend is suspend_never) and runs until its first real suspension
// or to completion. Afterwards the caller can
//   - ask done(), and once done, get() the value (get() rethrows an exception
//     that escaped the body), or
//   - co_await it: this completes immediately if it already finished, and
//     otherwise resumes the awaiting coroutine (by symmetric transfer) when it
//     does.
// The eager_task owns its frame and destroys it in its destructor, also while
// the coroutine is still suspended. Do not destroy an eager_task that another
// coroutine is currently awaiting.
#ifndef COROLIB_EAGER_H
#define COROLIB_EAGER_H

#include "task.h" // detail::result_promise, detail::continue_awaiter

#include <coroutine>
#include <cstdio>
#include <exception>
#include <utility>

namespace corolib {

template <typename T = void> class eager_task {
public:
  struct promise_type : detail::result_promise<T> {
    eager_task get_return_object() noexcept {
      return eager_task(
          std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_never initial_suspend() noexcept { return {}; } // eager
  };
  using handle_type = std::coroutine_handle<promise_type>;

  eager_task(eager_task &&other) noexcept : h_(std::exchange(other.h_, {})) {}
  eager_task &operator=(eager_task &&other) noexcept {
    if (this != &other) {
      if (h_)
        h_.destroy();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  eager_task(const eager_task &) = delete;
  eager_task &operator=(const eager_task &) = delete;
  ~eager_task() {
    if (h_)
      h_.destroy();
  }

  bool done() const noexcept { return h_.done(); }

  // The result of a finished task; rethrows if the body threw.
  T get() {
    if (!h_.done()) {
      std::fputs("corolib::eager_task::get: the task has not finished\n",
                 stderr);
      std::terminate();
    }
    return h_.promise().result();
  }

  struct awaiter {
    handle_type h;
    bool await_ready() const noexcept { return h.done(); }
    void await_suspend(std::coroutine_handle<> awaiting) noexcept {
      h.promise().continuation = awaiting; // resumed by its final_suspend
    }
    T await_resume() { return h.promise().result(); }
  };
  awaiter operator co_await() const noexcept { return awaiter{h_}; }

private:
  explicit eager_task(handle_type h) noexcept : h_(h) {}
  handle_type h_;
};

} // namespace corolib

#endif // COROLIB_EAGER_H
