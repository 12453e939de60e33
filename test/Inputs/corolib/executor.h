// corolib/executor.h - a manually driven, single-threaded executor for
// CoroFrameOpt tests.
//
// corolib::manual_executor is a FIFO queue of suspended coroutines. A
// coroutine gives up control with
//     co_await ex.schedule();
// which enqueues it; nothing runs until the test drives the queue with
// run_one() / run_all(), or picks a queued coroutine by position with
// run_at(i) to resume coroutines in any order it likes. This makes it easy to
// keep thousands of coroutines suspended at once and to resume them in
// varied, deterministic orders.
//
// corolib::spawn(ex, task) starts a task<void> "detached": the task begins
// running on the executor's next run_one/run_all and its frame is freed when
// it finishes. Spawned tasks still alive when the executor is destroyed are
// destroyed with it (so a test may stop driving at any point without
// leaking). An exception escaping a spawned task calls std::terminate.
//
// corolib::sync_wait(ex, task) runs a task to completion, driving the
// executor while the task waits on it.
#ifndef COROLIB_EXECUTOR_H
#define COROLIB_EXECUTOR_H

#include "task.h"

#include <coroutine>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <exception>
#include <utility>

namespace corolib {

class manual_executor;

namespace detail {
// The coroutine type behind spawn(): starts at once, frees itself at the end.
struct detached {
  struct promise_type {
    manual_executor *ex;
    promise_type *prev = nullptr; // list of unfinished spawned tasks,
    promise_type *next = nullptr; // in spawn order
    promise_type(manual_executor &e, task<void> &) noexcept;
    detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept {
      std::fputs("corolib::spawn: exception escaped a spawned task\n", stderr);
      std::terminate();
    }
    ~promise_type();
  };
};
} // namespace detail

class manual_executor {
public:
  manual_executor() = default;
  manual_executor(const manual_executor &) = delete;
  manual_executor &operator=(const manual_executor &) = delete;

  // Destroys the frames of spawned tasks that have not finished, oldest
  // first. Handles of other coroutines still in the queue are dropped without
  // resuming them; their owners remain responsible for destroying them.
  ~manual_executor() {
    queue_.clear();
    while (first_) // destroying a frame unlinks it (see ~promise_type)
      std::coroutine_handle<detail::detached::promise_type>::from_promise(
          *first_)
          .destroy();
  }

  struct schedule_awaiter {
    manual_executor &ex;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { ex.queue_.push_back(h); }
    void await_resume() const noexcept {}
  };
  // co_await ex.schedule(): suspend and go to the back of the queue.
  schedule_awaiter schedule() noexcept { return schedule_awaiter{*this}; }

  // Resume the coroutine at the front of the queue. False if it was empty.
  bool run_one() {
    if (queue_.empty())
      return false;
    std::coroutine_handle<> h = queue_.front();
    queue_.pop_front();
    h.resume();
    return true;
  }

  // Resume the coroutine at position i (0 = front) of the queue.
  void run_at(std::size_t i) {
    std::coroutine_handle<> h = queue_.at(i);
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
    h.resume();
  }

  // Run until the queue is empty (coroutines may enqueue themselves again).
  // Returns the number of resumptions.
  std::size_t run_all() {
    std::size_t n = 0;
    while (run_one())
      ++n;
    return n;
  }

  std::size_t size() const noexcept { return queue_.size(); }
  bool empty() const noexcept { return queue_.empty(); }
  // Number of spawned tasks that have not finished yet.
  std::size_t live_spawned() const noexcept { return live_spawned_; }

private:
  friend struct detail::detached::promise_type;
  std::deque<std::coroutine_handle<>> queue_;
  // Unfinished spawned tasks, a doubly linked list through their promises.
  detail::detached::promise_type *first_ = nullptr;
  detail::detached::promise_type *last_ = nullptr;
  std::size_t live_spawned_ = 0;
};

namespace detail {
inline detached::promise_type::promise_type(manual_executor &e,
                                            task<void> &) noexcept
    : ex(&e), prev(e.last_) {
  (prev ? prev->next : e.first_) = this;
  e.last_ = this;
  ++e.live_spawned_;
}
inline detached::promise_type::~promise_type() {
  (prev ? prev->next : ex->first_) = next;
  (next ? next->prev : ex->last_) = prev;
  --ex->live_spawned_;
}
inline detached spawn_detached(manual_executor &ex, task<void> t) {
  co_await ex.schedule(); // start on the executor, not inside spawn()
  co_await t;
}
} // namespace detail

// Start t on ex without waiting for it; see the comment at the top.
inline void spawn(manual_executor &ex, task<void> t) {
  detail::spawn_detached(ex, std::move(t));
}

// Run t to completion, driving ex while t waits on it. Rethrows t's exception.
template <typename T> T sync_wait(manual_executor &ex, task<T> t) {
  auto h = t.handle();
  h.resume();
  while (!h.done()) {
    if (!ex.run_one()) {
      std::fputs("corolib::sync_wait: the task is suspended but the executor "
                 "has nothing left to run\n",
                 stderr);
      std::terminate();
    }
  }
  return h.promise().result();
}

} // namespace corolib

#endif // COROLIB_EXECUTOR_H
