// bench/common/reallib.h - a small header-only coroutine task library written
// the way public libraries (cppcoro, libunifex, folly::coro) are written,
// rather than in the shape of the CoroFrameOpt passes. The benchmark corpus
// programs reallib_*.cpp and heavy_lambdas.cpp are built on it.
//
//   reallib::task<T>          lazy task; co_await transfers control
//                             symmetrically into it and back; exceptions are
//                             stored and rethrown in the awaiter. The class is
//                             [[clang::coro_await_elidable]], so at -O1+ clang
//                             22 may allocate an awaited callee's frame inside
//                             the caller's frame (HALO, CoroAnnotationElide).
//   frame allocation          every promise allocates its frame from a
//                             per-thread free-list pool keyed by size class
//                             (sized operator delete), all inline.
//   promise::await_transform  every co_await in a task goes through it: tasks
//                             inherit the awaiting task's cancellation token,
//                             other awaitables are wrapped so that resuming
//                             after cancellation throws operation_cancelled.
//   when_all(task<A>, ...)    runs the tasks concurrently; the counter shared
//   when_all(vector<task>)    with the children lives in when_all's own frame.
//   scope / scope::guard      a nursery: detached work holds a guard across
//                             its co_awaits; join() waits for every guard.
//   manual_executor           single-threaded FIFO run queue plus a virtual
//                             clock for sleep_for(); deterministic order.
//   cancellation_source/token an atomic<bool> and a view of it.
//   generator<T>              a synchronous pull generator.
//   value_awaiter<T, Policy>  awaitables parameterised on value type and
//   map_awaiter<A, F>         scheduling policy, and a composing adaptor.
//
// Single-threaded: the atomics are there because real libraries use them,
// not because anything here runs on several threads. Needs -std=c++20.
#ifndef REALLIB_REALLIB_H
#define REALLIB_REALLIB_H

#include <atomic>
#include <concepts>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <new>
#include <queue>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#if defined(__clang__) && __clang_major__ >= 20
#define REALLIB_AWAIT_ELIDABLE [[clang::coro_await_elidable]]
#define REALLIB_ELIDABLE_ARG [[clang::coro_await_elidable_argument]]
#else
#define REALLIB_AWAIT_ELIDABLE
#define REALLIB_ELIDABLE_ARG
#endif

namespace reallib {

template <class T = void> class task;
template <class T> class generator;
class manual_executor;

// ===================================================================== errors
struct operation_cancelled : std::exception {
  const char *what() const noexcept override { return "operation cancelled"; }
};
struct broken_promise : std::exception {
  const char *what() const noexcept override { return "broken promise"; }
};

// ============================================================== frame pool
namespace detail {

// Free lists of coroutine frames, one list per 64-byte size class, one pool
// per thread. Frames above the largest class go straight to ::operator new.
// live_bytes() counts requested bytes outstanding: allocate and deallocate
// must agree on the size, which is what a sized operator delete relies on.
class frame_pool {
public:
  static constexpr std::size_t granule = 64;
  static constexpr std::size_t classes = 40; // pooled up to 2496 bytes
  static constexpr std::size_t max_cached = 256;

  frame_pool() = default;
  frame_pool(const frame_pool &) = delete;
  frame_pool &operator=(const frame_pool &) = delete;
  ~frame_pool() {
    for (std::size_t c = 1; c < classes; ++c)
      while (block *b = free_[c]) {
        free_[c] = b->next;
        ::operator delete(static_cast<void *>(b), c * granule);
      }
  }

  static frame_pool &local() noexcept {
    thread_local frame_pool pool;
    return pool;
  }

  void *allocate(std::size_t n) {
    live_bytes_ += n;
    const std::size_t c = size_class(n);
    if (c < classes) {
      if (block *b = free_[c]) {
        free_[c] = b->next;
        --cached_[c];
        return b;
      }
      return ::operator new(c * granule);
    }
    return ::operator new(n);
  }

  void deallocate(void *p, std::size_t n) noexcept {
    live_bytes_ -= n;
    const std::size_t c = size_class(n);
    if (c < classes) {
      if (cached_[c] < max_cached) {
        block *b = ::new (p) block{free_[c]};
        free_[c] = b;
        ++cached_[c];
        return;
      }
      ::operator delete(p, c * granule);
      return;
    }
    ::operator delete(p, n);
  }

  std::ptrdiff_t live_bytes() const noexcept { return live_bytes_; }

private:
  struct block {
    block *next;
  };
  static constexpr std::size_t size_class(std::size_t n) noexcept {
    return (n + granule - 1) / granule;
  }

  block *free_[classes] = {};
  std::size_t cached_[classes] = {};
  std::ptrdiff_t live_bytes_ = 0;
};

} // namespace detail

// Promise types derive from this to get their frames from the pool.
struct pooled_frame {
  static void *operator new(std::size_t n) {
    return detail::frame_pool::local().allocate(n);
  }
  static void operator delete(void *p, std::size_t n) noexcept {
    detail::frame_pool::local().deallocate(p, n);
  }
};

// Bytes of coroutine frames allocated from this thread's pool and not yet
// freed (0 when every frame has been destroyed).
inline std::ptrdiff_t outstanding_frame_bytes() noexcept {
  return detail::frame_pool::local().live_bytes();
}

// ============================================================ cancellation
class cancellation_token {
public:
  cancellation_token() noexcept = default;
  explicit cancellation_token(const std::atomic<bool> *flag) noexcept
      : flag_(flag) {}

  bool can_be_cancelled() const noexcept { return flag_ != nullptr; }
  bool is_cancellation_requested() const noexcept {
    return flag_ && flag_->load(std::memory_order_acquire);
  }
  void throw_if_cancellation_requested() const {
    if (is_cancellation_requested())
      throw operation_cancelled{};
  }
  friend bool operator==(const cancellation_token &,
                         const cancellation_token &) = default;

private:
  const std::atomic<bool> *flag_ = nullptr;
};

class cancellation_source {
public:
  cancellation_source() = default;
  cancellation_source(const cancellation_source &) = delete;
  cancellation_source &operator=(const cancellation_source &) = delete;

  cancellation_token token() const noexcept {
    return cancellation_token(&requested_);
  }
  bool request_cancellation() noexcept {
    return !requested_.exchange(true, std::memory_order_acq_rel);
  }
  bool is_cancellation_requested() const noexcept {
    return requested_.load(std::memory_order_acquire);
  }
  void reset() noexcept { requested_.store(false, std::memory_order_release); }

private:
  std::atomic<bool> requested_{false};
};

// co_await reallib::get_cancellation_token  -> the current task's token.
inline constexpr struct get_cancellation_token_t {
} get_cancellation_token{};

// ====================================================== awaitable concepts
namespace detail {

template <class A>
concept has_member_co_await =
    requires(A &&a) { static_cast<A &&>(a).operator co_await(); };
template <class A>
concept has_free_co_await =
    requires(A &&a) { operator co_await(static_cast<A &&>(a)); };

template <class T> struct is_coroutine_handle : std::false_type {};
template <class P>
struct is_coroutine_handle<std::coroutine_handle<P>> : std::true_type {};

template <class T>
concept await_suspend_result =
    std::is_void_v<T> || std::is_same_v<T, bool> ||
    is_coroutine_handle<T>::value;

template <class A>
concept awaiter = requires(A &a, std::coroutine_handle<> h) {
  { a.await_ready() } -> std::convertible_to<bool>;
  a.await_resume();
};

template <class A> decltype(auto) get_awaiter(A &&a) {
  if constexpr (has_member_co_await<A>)
    return static_cast<A &&>(a).operator co_await();
  else if constexpr (has_free_co_await<A>)
    return operator co_await(static_cast<A &&>(a));
  else
    return static_cast<A &&>(a);
}

template <class A>
using awaiter_t = decltype(get_awaiter(std::declval<A>()));
template <class A>
using await_result_t =
    decltype(std::declval<std::remove_reference_t<awaiter_t<A>> &>()
                 .await_resume());

// Awaiters may opt out of being cancellation points.
template <class A>
concept not_cancellation_point =
    requires { requires std::remove_cvref_t<A>::is_cancellation_point == false; };

struct void_value {
  friend bool operator==(void_value, void_value) = default;
};
template <class T>
using non_void_t = std::conditional_t<std::is_void_v<T>, void_value, T>;

} // namespace detail

template <class A>
concept awaitable = requires(A &&a) {
  { detail::get_awaiter(static_cast<A &&>(a)) };
} && detail::awaiter<std::remove_reference_t<detail::awaiter_t<A>>>;

// =============================================== cancellation point adaptor
namespace detail {

// What await_transform turns a foreign awaitable into: forwards to the real
// awaiter and, on resumption, throws operation_cancelled if the awaiting
// task's token was cancelled in the meantime.
template <class Awaiter> class cancellable_awaiter {
  using stored_t =
      std::conditional_t<std::is_lvalue_reference_v<Awaiter>, Awaiter,
                         std::remove_cvref_t<Awaiter>>;

public:
  template <class A>
  cancellable_awaiter(A &&a, cancellation_token tok) noexcept(
      std::is_nothrow_constructible_v<stored_t, A &&>)
      : inner_(static_cast<A &&>(a)), token_(tok) {}

  bool await_ready() noexcept(noexcept(std::declval<stored_t &>().await_ready())) {
    return inner_.await_ready();
  }
  template <class P>
  decltype(auto) await_suspend(std::coroutine_handle<P> h) noexcept(
      noexcept(std::declval<stored_t &>().await_suspend(h))) {
    return inner_.await_suspend(h);
  }
  decltype(auto) await_resume() {
    token_.throw_if_cancellation_requested();
    return inner_.await_resume();
  }

private:
  stored_t inner_;
  cancellation_token token_;
};

template <class T> struct ready_awaiter {
  T value;
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  T await_resume() noexcept(std::is_nothrow_move_constructible_v<T>) {
    return std::move(value);
  }
};

} // namespace detail

// ====================================================================== task
namespace detail {

template <class T> class task_promise;

class task_promise_base : public pooled_frame {
public:
  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<>
    await_suspend(std::coroutine_handle<P> self) noexcept {
      // Symmetric transfer back to whoever awaited us.
      if (std::coroutine_handle<> next = self.promise().continuation_)
        return next;
      return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  final_awaiter final_suspend() const noexcept { return {}; }

  void set_continuation(std::coroutine_handle<> h) noexcept {
    continuation_ = h;
  }
  const cancellation_token &token() const noexcept { return token_; }
  void set_token(const cancellation_token &t) noexcept { token_ = t; }

  // ---- await_transform: every co_await in a task body comes through here.
  template <class U> auto await_transform(task<U> &&t) noexcept;
  template <class U> auto await_transform(task<U> &t) noexcept;

  ready_awaiter<cancellation_token>
  await_transform(get_cancellation_token_t) const noexcept {
    return {token_};
  }

  template <class A>
    requires(!std::is_same_v<std::remove_cvref_t<A>, get_cancellation_token_t>)
  decltype(auto) await_transform(A &&a) {
    if constexpr (not_cancellation_point<awaiter_t<A>>)
      return get_awaiter(static_cast<A &&>(a));
    else
      return cancellable_awaiter<awaiter_t<A>>(
          get_awaiter(static_cast<A &&>(a)), token_);
  }

private:
  std::coroutine_handle<> continuation_{};
  cancellation_token token_{};
};

template <class T> class task_promise final : public task_promise_base {
public:
  task<T> get_return_object() noexcept;

  void unhandled_exception() noexcept {
    result_.template emplace<2>(std::current_exception());
  }
  template <class V = T>
    requires std::convertible_to<V &&, T>
  void return_value(V &&v) noexcept(std::is_nothrow_constructible_v<T, V &&>) {
    result_.template emplace<1>(static_cast<V &&>(v));
  }

  T &result() & {
    rethrow_if_failed();
    return std::get<1>(result_);
  }
  T result() && {
    rethrow_if_failed();
    return std::move(std::get<1>(result_));
  }

private:
  void rethrow_if_failed() const {
    if (result_.index() == 2)
      std::rethrow_exception(std::get<2>(result_));
    if (result_.index() == 0)
      throw broken_promise{};
  }
  std::variant<std::monostate, T, std::exception_ptr> result_;
};

template <> class task_promise<void> final : public task_promise_base {
public:
  task<void> get_return_object() noexcept;
  void unhandled_exception() noexcept { error_ = std::current_exception(); }
  void return_void() noexcept {}
  void result() const {
    if (error_)
      std::rethrow_exception(error_);
  }

private:
  std::exception_ptr error_;
};

// co_await task: `Move` selects what await_resume hands out (a moved value
// for an rvalue task, a reference for an lvalue one).
template <class T, bool Move> struct task_awaiter {
  std::coroutine_handle<task_promise<T>> h;

  bool await_ready() const noexcept { return !h || h.done(); }
  std::coroutine_handle<>
  await_suspend(std::coroutine_handle<> awaiting) noexcept {
    h.promise().set_continuation(awaiting);
    return h; // symmetric transfer into the task
  }
  decltype(auto) await_resume() {
    if (!h)
      throw broken_promise{};
    if constexpr (std::is_void_v<T>)
      return h.promise().result();
    else if constexpr (Move)
      return std::move(h.promise()).result();
    else
      return h.promise().result();
  }
};

struct task_access;

} // namespace detail

template <class T>
class REALLIB_AWAIT_ELIDABLE [[nodiscard]] task {
public:
  using promise_type = detail::task_promise<T>;
  using value_type = T;
  using handle_type = std::coroutine_handle<promise_type>;

  task() noexcept = default;
  task(task &&o) noexcept : h_(std::exchange(o.h_, {})) {}
  task &operator=(task &&o) noexcept {
    if (this != &o) {
      if (h_)
        h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  task(const task &) = delete;
  task &operator=(const task &) = delete;
  ~task() {
    if (h_)
      h_.destroy();
  }

  bool is_ready() const noexcept { return !h_ || h_.done(); }
  explicit operator bool() const noexcept { return static_cast<bool>(h_); }

  detail::task_awaiter<T, false> operator co_await() const & noexcept {
    return {h_};
  }
  detail::task_awaiter<T, true> operator co_await() const && noexcept {
    return {h_};
  }

private:
  friend promise_type;
  friend struct detail::task_access;
  explicit task(handle_type h) noexcept : h_(h) {}
  handle_type h_{};
};

namespace detail {

struct task_access {
  template <class T>
  static std::coroutine_handle<task_promise<T>> handle(const task<T> &t) {
    return t.h_;
  }
  template <class T>
  static void set_token(task<T> &t, const cancellation_token &tok) noexcept {
    if (t.h_)
      t.h_.promise().set_token(tok);
  }
  // The awaiting task's token, unless the task was given its own.
  template <class T>
  static void inherit_token(task<T> &t, const cancellation_token &tok) noexcept {
    if (t.h_ && !t.h_.promise().token().can_be_cancelled())
      t.h_.promise().set_token(tok);
  }
};

template <class T> task<T> task_promise<T>::get_return_object() noexcept {
  return task<T>(std::coroutine_handle<task_promise>::from_promise(*this));
}
inline task<void> task_promise<void>::get_return_object() noexcept {
  return task<void>(std::coroutine_handle<task_promise>::from_promise(*this));
}

template <class U>
auto task_promise_base::await_transform(task<U> &&t) noexcept {
  task_access::inherit_token(t, token_); // the child inherits our token
  return task_awaiter<U, true>{task_access::handle(t)};
}
template <class U>
auto task_promise_base::await_transform(task<U> &t) noexcept {
  task_access::inherit_token(t, token_);
  return task_awaiter<U, false>{task_access::handle(t)};
}

} // namespace detail

template <class T> struct is_task : std::false_type {};
template <class T> struct is_task<task<T>> : std::true_type {};
template <class T> inline constexpr bool is_task_v = is_task<T>::value;

// Run `t` under `tok`: the task and everything it awaits observe it
// (folly's co_withCancellation).
template <class T>
task<T> with_cancellation(cancellation_token tok, task<T> t) noexcept {
  detail::task_access::set_token(t, tok);
  return t;
}

// ============================================================ manual_executor
class manual_executor {
public:
  using time_point = std::uint64_t;

  manual_executor() = default;
  manual_executor(const manual_executor &) = delete;
  manual_executor &operator=(const manual_executor &) = delete;

  struct schedule_awaiter {
    manual_executor *ex;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { ex->ready_.push_back(h); }
    void await_resume() const noexcept {}
  };
  struct sleep_awaiter {
    manual_executor *ex;
    time_point deadline;
    bool await_ready() const noexcept { return deadline <= ex->now_; }
    void await_suspend(std::coroutine_handle<> h) {
      ex->timers_.push(timer{deadline, ex->seq_++, h});
    }
    void await_resume() const noexcept {}
  };

  // co_await ex.schedule(): continue later, after everything already queued.
  schedule_awaiter schedule() noexcept { return {this}; }
  // co_await ex.sleep_for(n): continue when the virtual clock reaches now+n.
  sleep_awaiter sleep_for(time_point ticks) noexcept {
    return {this, now_ + ticks};
  }
  time_point now() const noexcept { return now_; }

  // Resume one queued coroutine; when nothing is ready, advance the clock to
  // the earliest timer. Returns false when there was nothing to do.
  bool run_one() {
    if (ready_.empty()) {
      if (timers_.empty())
        return false;
      now_ = timers_.top().deadline;
      while (!timers_.empty() && timers_.top().deadline <= now_) {
        ready_.push_back(timers_.top().h);
        timers_.pop();
      }
    }
    std::coroutine_handle<> h = ready_.front();
    ready_.pop_front();
    ++resumed_;
    h.resume();
    return true;
  }
  std::size_t run() {
    std::size_t n = 0;
    while (run_one())
      ++n;
    return n;
  }
  std::uint64_t resumed() const noexcept { return resumed_; }
  bool idle() const noexcept { return ready_.empty() && timers_.empty(); }

private:
  struct timer {
    time_point deadline;
    std::uint64_t seq;
    std::coroutine_handle<> h;
    bool operator>(const timer &o) const noexcept {
      return deadline != o.deadline ? deadline > o.deadline : seq > o.seq;
    }
  };
  std::deque<std::coroutine_handle<>> ready_;
  std::priority_queue<timer, std::vector<timer>, std::greater<timer>> timers_;
  time_point now_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t resumed_ = 0;
};

// Run a task to completion, driving `ex` while it waits.
template <class T> T sync_wait(manual_executor &ex, task<T> t) {
  auto h = detail::task_access::handle(t);
  h.resume();
  while (!h.done()) {
    if (!ex.run_one()) {
      std::fputs("reallib::sync_wait: deadlock, task waits on nothing\n",
                 stderr);
      std::terminate();
    }
  }
  if constexpr (std::is_void_v<T>)
    h.promise().result();
  else
    return std::move(h.promise()).result();
}

template <class T> T sync_wait(task<T> t) {
  manual_executor ex;
  return sync_wait(ex, std::move(t));
}

// ========================================================= policy awaitables
namespace policy {
// Complete inline, never suspend.
struct immediate {
  static constexpr bool always_ready = true;
  static void suspend(manual_executor &, std::coroutine_handle<>) noexcept {}
};
// Go to the back of the executor's queue first.
struct reschedule {
  static constexpr bool always_ready = false;
  static void suspend(manual_executor &ex, std::coroutine_handle<> h) {
    ex.schedule().await_suspend(h);
  }
};
// Wait Ticks of virtual time first.
template <unsigned Ticks> struct delayed {
  static constexpr bool always_ready = Ticks == 0;
  static void suspend(manual_executor &ex, std::coroutine_handle<> h) {
    ex.sleep_for(Ticks).await_suspend(h);
  }
};
} // namespace policy

template <class P>
concept scheduling_policy = requires(manual_executor &ex,
                                     std::coroutine_handle<> h) {
  { P::always_ready } -> std::convertible_to<bool>;
  P::suspend(ex, h);
};

// An awaitable that yields a value of type T, scheduled according to Policy.
template <class T, scheduling_policy Policy = policy::immediate>
class value_awaiter {
public:
  template <class... Args>
  explicit value_awaiter(manual_executor &ex, std::in_place_t, Args &&...args)
      : ex_(&ex), value_(std::forward<Args>(args)...) {}

  bool await_ready() const noexcept { return Policy::always_ready; }
  void await_suspend(std::coroutine_handle<> h) { Policy::suspend(*ex_, h); }
  T await_resume() noexcept(std::is_nothrow_move_constructible_v<T>) {
    return std::move(value_);
  }

private:
  manual_executor *ex_;
  T value_;
};

template <scheduling_policy Policy = policy::immediate, class T>
value_awaiter<std::decay_t<T>, Policy> async_value(manual_executor &ex,
                                                   T &&v) {
  return value_awaiter<std::decay_t<T>, Policy>(ex, std::in_place,
                                                std::forward<T>(v));
}

// An awaitable that fails with E once resumed, after Policy's scheduling.
template <class T, class E, scheduling_policy Policy = policy::immediate>
class failing_awaiter {
public:
  failing_awaiter(manual_executor &ex, E e) : ex_(&ex), error_(std::move(e)) {}
  bool await_ready() const noexcept { return Policy::always_ready; }
  void await_suspend(std::coroutine_handle<> h) { Policy::suspend(*ex_, h); }
  T await_resume() { throw error_; }

private:
  manual_executor *ex_;
  E error_;
};

template <class T, scheduling_policy Policy = policy::immediate, class E>
failing_awaiter<T, E, Policy> async_error(manual_executor &ex, E e) {
  return failing_awaiter<T, E, Policy>(ex, std::move(e));
}

// map_awaiter: await A, pass its result through F.
template <class A, class F> class map_awaiter {
  using inner_t = std::remove_cvref_t<detail::awaiter_t<A>>;
  using inner_result_t = decltype(std::declval<inner_t &>().await_resume());

public:
  map_awaiter(A &&a, F f)
      : inner_(detail::get_awaiter(std::forward<A>(a))), f_(std::move(f)) {}

  bool await_ready() { return inner_.await_ready(); }
  template <class P> decltype(auto) await_suspend(std::coroutine_handle<P> h) {
    return inner_.await_suspend(h);
  }
  decltype(auto) await_resume() {
    if constexpr (std::is_void_v<inner_result_t>) {
      inner_.await_resume();
      return std::invoke(f_);
    } else {
      return std::invoke(f_, inner_.await_resume());
    }
  }

private:
  inner_t inner_;
  F f_;
};

template <class A, class F>
  requires(!is_task_v<std::remove_cvref_t<A>>)
map_awaiter<A, std::decay_t<F>> then(A &&a, F &&f) {
  return map_awaiter<A, std::decay_t<F>>(std::forward<A>(a),
                                         std::forward<F>(f));
}

// ==================================================================== when_all
namespace detail {

// Shared by when_all and its children; lives in when_all's frame.
class when_all_counter {
public:
  explicit when_all_counter(std::size_t n) noexcept : count_(n + 1) {}
  // Called by when_all after starting every child: suspend unless all done.
  bool try_await(std::coroutine_handle<> awaiting) noexcept {
    awaiting_ = awaiting;
    return count_.fetch_sub(1, std::memory_order_acq_rel) > 1;
  }
  // Called by each child when it finishes: the last one resumes when_all.
  std::coroutine_handle<> notify_completed() noexcept {
    if (count_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      return awaiting_;
    return std::noop_coroutine();
  }

private:
  std::atomic<std::size_t> count_;
  std::coroutine_handle<> awaiting_{};
};

template <class T> class when_all_child {
public:
  using value_type = non_void_t<T>;

  class promise_type : public pooled_frame {
  public:
    when_all_child get_return_object() noexcept {
      return when_all_child(
          std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    auto final_suspend() const noexcept {
      struct notify {
        bool await_ready() const noexcept { return false; }
        std::coroutine_handle<>
        await_suspend(std::coroutine_handle<promise_type> h) noexcept {
          return h.promise().counter_->notify_completed();
        }
        void await_resume() const noexcept {}
      };
      return notify{};
    }
    void unhandled_exception() noexcept {
      result_.template emplace<2>(std::current_exception());
    }
    void return_value(value_type v) {
      result_.template emplace<1>(std::move(v));
    }

  private:
    friend when_all_child;
    when_all_counter *counter_ = nullptr;
    std::variant<std::monostate, value_type, std::exception_ptr> result_;
  };

  when_all_child(when_all_child &&o) noexcept : h_(std::exchange(o.h_, {})) {}
  when_all_child &operator=(when_all_child &&) = delete;
  ~when_all_child() {
    if (h_)
      h_.destroy();
  }

  void start(when_all_counter &c) {
    h_.promise().counter_ = &c;
    h_.resume();
  }
  value_type take() {
    auto &r = h_.promise().result_;
    if (r.index() == 2)
      std::rethrow_exception(std::get<2>(r));
    return std::move(std::get<1>(r));
  }
  bool failed() const noexcept { return h_.promise().result_.index() == 2; }

private:
  explicit when_all_child(std::coroutine_handle<promise_type> h) noexcept
      : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

template <class T> when_all_child<T> make_when_all_child(task<T> t) {
  if constexpr (std::is_void_v<T>) {
    co_await std::move(t);
    co_return void_value{};
  } else {
    co_return co_await std::move(t);
  }
}

// Starts every child, then suspends until the last one finishes. Not a
// cancellation point: the children observe cancellation themselves.
template <class Children> struct when_all_ready_awaiter {
  static constexpr bool is_cancellation_point = false;
  when_all_counter &counter;
  Children &children;

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    if constexpr (requires { children.begin(); }) {
      for (auto &c : children)
        c.start(counter);
    } else {
      std::apply([&](auto &...c) { (c.start(counter), ...); }, children);
    }
    return counter.try_await(h);
  }
  void await_resume() const noexcept {}
};

} // namespace detail

template <class... Ts>
task<std::tuple<detail::non_void_t<Ts>...>>
when_all(REALLIB_ELIDABLE_ARG task<Ts>... tasks) {
  cancellation_token tok = co_await get_cancellation_token;
  (detail::task_access::inherit_token(tasks, tok), ...);
  detail::when_all_counter counter(sizeof...(Ts));
  std::tuple<detail::when_all_child<Ts>...> children(
      detail::make_when_all_child(std::move(tasks))...);
  co_await detail::when_all_ready_awaiter<decltype(children)>{counter,
                                                              children};
  co_return std::apply(
      [](auto &...c) {
        return std::tuple<detail::non_void_t<Ts>...>(c.take()...);
      },
      children);
}

template <class T>
task<std::vector<detail::non_void_t<T>>> when_all(std::vector<task<T>> tasks) {
  cancellation_token tok = co_await get_cancellation_token;
  std::vector<detail::when_all_child<T>> children;
  children.reserve(tasks.size());
  for (auto &t : tasks) {
    detail::task_access::inherit_token(t, tok);
    children.push_back(detail::make_when_all_child(std::move(t)));
  }
  detail::when_all_counter counter(children.size());
  co_await detail::when_all_ready_awaiter<decltype(children)>{counter,
                                                              children};
  std::vector<detail::non_void_t<T>> out;
  out.reserve(children.size());
  for (auto &c : children)
    out.push_back(c.take());
  co_return out;
}

// =============================================================== scope/nursery
namespace detail {
struct detached_task {
  struct promise_type : pooled_frame {
    detached_task get_return_object() const noexcept { return {}; }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept { std::terminate(); }
  };
};
} // namespace detail

// A nursery for detached work. Every piece of work holds a guard for as long
// as it runs (typically across several co_awaits); join() suspends until the
// last guard is gone.
struct scope {
  std::atomic<std::size_t> n{1};
  std::coroutine_handle<> cont;
  std::size_t errors = 0;
  std::exception_ptr first_error;

  scope() = default;
  scope(const scope &) = delete;
  scope &operator=(const scope &) = delete;

  void finished() {
    if (n.fetch_sub(1, std::memory_order_acq_rel) == 1)
      cont.resume();
  }
  void record_error(std::exception_ptr e) noexcept {
    if (errors++ == 0)
      first_error = std::move(e);
  }

  class guard {
  public:
    explicit guard(scope *s) noexcept : s_(s) {
      s_->n.fetch_add(1, std::memory_order_relaxed);
    }
    guard(guard &&o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    guard(const guard &) = delete;
    guard &operator=(const guard &) = delete;
    ~guard() {
      if (s_)
        s_->finished();
    }
    scope *get() const noexcept { return s_; }

  private:
    scope *s_;
  };

  struct join_awaiter {
    static constexpr bool is_cancellation_point = false;
    scope *s;
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) noexcept {
      s->cont = h;
      return s->n.fetch_sub(1, std::memory_order_acq_rel) != 1;
    }
    void await_resume() const noexcept {
      s->n.store(1, std::memory_order_relaxed); // reusable after a join
    }
  };
  join_awaiter join() noexcept { return {this}; }

  // Start `t` now, detached; the scope's join() waits for it. An exception
  // escaping `t` is recorded, not propagated.
  template <class T> void spawn(task<T> t) { run_detached(guard(this), std::move(t)); }

private:
  template <class T>
  static detail::detached_task run_detached(guard g, task<T> t) {
    try {
      co_await std::move(t);
    } catch (...) {
      g.get()->record_error(std::current_exception());
    }
  }
};

// =================================================================== generator
template <class T> class generator {
public:
  using value_type = std::remove_cvref_t<T>;
  using reference = std::conditional_t<std::is_reference_v<T>, T, T &>;
  using pointer = std::add_pointer_t<reference>;

  class promise_type : public pooled_frame {
  public:
    generator get_return_object() noexcept {
      return generator(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    std::suspend_always
    yield_value(std::remove_reference_t<reference> &v) noexcept {
      value_ = std::addressof(v);
      return {};
    }
    std::suspend_always
    yield_value(std::remove_reference_t<reference> &&v) noexcept {
      value_ = std::addressof(v);
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error_ = std::current_exception(); }
    template <class U> std::suspend_never await_transform(U &&) = delete;

    reference value() const noexcept { return static_cast<reference>(*value_); }
    void rethrow_if_failed() {
      if (error_)
        std::rethrow_exception(std::exchange(error_, nullptr));
    }

  private:
    pointer value_ = nullptr;
    std::exception_ptr error_;
  };
  using handle_type = std::coroutine_handle<promise_type>;

  struct sentinel {};
  class iterator {
  public:
    using iterator_category = std::input_iterator_tag;
    using difference_type = std::ptrdiff_t;
    using value_type = generator::value_type;

    iterator() noexcept = default;
    explicit iterator(handle_type h) noexcept : h_(h) {}
    friend bool operator==(const iterator &it, sentinel) noexcept {
      return !it.h_ || it.h_.done();
    }
    iterator &operator++() {
      h_.resume();
      if (h_.done())
        h_.promise().rethrow_if_failed();
      return *this;
    }
    void operator++(int) { ++*this; }
    reference operator*() const noexcept { return h_.promise().value(); }

  private:
    handle_type h_{};
  };

  generator(generator &&o) noexcept : h_(std::exchange(o.h_, {})) {}
  generator &operator=(generator &&o) noexcept {
    if (this != &o) {
      if (h_)
        h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  ~generator() {
    if (h_)
      h_.destroy();
  }

  iterator begin() {
    if (h_) {
      h_.resume();
      if (h_.done())
        h_.promise().rethrow_if_failed();
    }
    return iterator(h_);
  }
  sentinel end() const noexcept { return {}; }

private:
  explicit generator(handle_type h) noexcept : h_(h) {}
  handle_type h_;
};

// ============================================================ async_event
// A manual-reset event for tasks on one thread (cppcoro's
// single_consumer_event, for many consumers).
class async_event {
public:
  explicit async_event(bool set = false) noexcept : set_(set) {}
  async_event(const async_event &) = delete;
  async_event &operator=(const async_event &) = delete;

  bool is_set() const noexcept { return set_.load(std::memory_order_acquire); }
  void set() {
    set_.store(true, std::memory_order_release);
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto h : waiters)
      h.resume();
  }
  void reset() noexcept { set_.store(false, std::memory_order_release); }

  struct awaiter {
    async_event *ev;
    bool await_ready() const noexcept { return ev->is_set(); }
    void await_suspend(std::coroutine_handle<> h) { ev->waiters_.push_back(h); }
    void await_resume() const noexcept {}
  };
  awaiter operator co_await() noexcept { return {this}; }

private:
  std::atomic<bool> set_;
  std::vector<std::coroutine_handle<>> waiters_;
};

} // namespace reallib

#endif // REALLIB_REALLIB_H
