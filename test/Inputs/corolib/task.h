// corolib/task.h - a lazy, single-threaded coroutine task for tests.
//
// corolib::task<T> does not start running until it is co_awaited (or handed
// to sync_wait). Awaiting a task transfers control to it symmetrically
// (await_suspend returns the task's handle) and, when the task finishes, its
// final awaiter transfers straight back to the awaiting coroutine, so long
// await chains do not grow the native stack. An exception escaping the task
// body is stored and rethrown in whoever awaits the task. A task is move-only
// and owns its coroutine frame: its destructor destroys the frame, whether the
// coroutine finished, is suspended somewhere in the middle, or never started.
//
//   corolib::task<int> answer() { co_return 42; }
//   corolib::task<int> twice() { co_return 2 * co_await answer(); }
//   int main() { return corolib::sync_wait(twice()) == 84 ? 0 : 1; }
#ifndef COROLIB_TASK_H
#define COROLIB_TASK_H

#include <coroutine>
#include <cstdio>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace corolib {

template <typename T = void> class task;

namespace detail {

// Final awaiter shared by task and eager_task: resume whoever awaits the
// finished coroutine, or return to the resumer when nobody does.
struct continue_awaiter {
  bool await_ready() const noexcept { return false; }
  template <typename Promise>
  std::coroutine_handle<>
  await_suspend(std::coroutine_handle<Promise> self) noexcept {
    if (std::coroutine_handle<> next = self.promise().continuation)
      return next;
    return std::noop_coroutine();
  }
  void await_resume() const noexcept {}
};

// The parts of a task promise that do not depend on the result type.
struct promise_base {
  std::coroutine_handle<> continuation; // resumed at final_suspend, if set
  std::exception_ptr exception;         // set by unhandled_exception

  continue_awaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception = std::current_exception(); }
  void rethrow_if_failed() const {
    if (exception)
      std::rethrow_exception(exception);
  }
};

// Result storage: a value for task<T>, nothing for task<void>.
template <typename T> struct result_promise : promise_base {
  static_assert(!std::is_reference_v<T>, "corolib tasks return values only");
  std::optional<T> value;

  void return_value(T v) { value.emplace(std::move(v)); }
  T result() {
    rethrow_if_failed();
    return std::move(*value);
  }
};

template <> struct result_promise<void> : promise_base {
  void return_void() noexcept {}
  void result() const { rethrow_if_failed(); }
};

} // namespace detail

template <typename T> class task {
public:
  struct promise_type : detail::result_promise<T> {
    task get_return_object() noexcept {
      return task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; } // lazy
  };
  using handle_type = std::coroutine_handle<promise_type>;

  task(task &&other) noexcept : h_(std::exchange(other.h_, {})) {}
  task &operator=(task &&other) noexcept {
    if (this != &other) {
      if (h_)
        h_.destroy();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  task(const task &) = delete;
  task &operator=(const task &) = delete;
  ~task() {
    if (h_)
      h_.destroy();
  }

  // co_await some_task: start (or continue) it, resume us when it finishes.
  struct awaiter {
    handle_type h;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<>
    await_suspend(std::coroutine_handle<> awaiting) noexcept {
      h.promise().continuation = awaiting;
      return h; // symmetric transfer into the task
    }
    T await_resume() { return h.promise().result(); }
  };
  awaiter operator co_await() const noexcept { return awaiter{h_}; }

  // For drivers (sync_wait, spawn); tests normally just co_await.
  handle_type handle() const noexcept { return h_; }
  bool done() const noexcept { return !h_ || h_.done(); }

private:
  explicit task(handle_type h) noexcept : h_(h) {}
  handle_type h_;
};

// Run a task to completion on the current thread and return its value (or
// rethrow its exception). The task must not wait for anything that only an
// outside event loop would resume; for tasks that co_await a manual_executor
// use sync_wait(executor, task) from executor.h.
template <typename T> T sync_wait(task<T> t) {
  auto h = t.handle();
  h.resume(); // runs until the task (and everything it awaits) finishes
  if (!h.done()) {
    std::fputs("corolib::sync_wait: the task is suspended waiting for "
               "something that will never resume it\n",
               stderr);
    std::terminate();
  }
  return h.promise().result();
}

} // namespace corolib

#endif // COROLIB_TASK_H
