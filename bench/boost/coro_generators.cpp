// coro_generators.cpp - Boost.Asio 1.81 experimental::coro (resumable
// coroutines that yield, return and await asio operations) and
// experimental::use_promise, driven from asio::awaitable code.
//
// Third-party coroutine code for the CoroFrameOpt corpus (bench/boost/).
//
//   1. generators: coro<u64> yielding Fibonacci numbers (with a timer wait
//      every few values, so a generator suspends on I/O between yields),
//      chained through a filtering coro<u64> that co_awaits its source, and
//      a consumer awaitable that pulls with async_resume(use_awaitable);
//   2. a bidirectional coro<u64(u64)> running total: each resume passes a
//      value in, each co_yield hands the total out;
//   3. tasks: coro<void, u64> that await timers (with the use_coro token
//      and with deferred) and co_return, awaited by other coros, and one
//      started with experimental::co_spawn and a completion handler;
//   4. exceptions: a generator that throws after an await; the consumer's
//      async_resume rethrows it, the coro is then done;
//   5. use_promise: timer waits and a coro's async_resume started eagerly
//      as experimental::promise objects, awaited later through
//      promise(use_awaitable), one cancelled through promise::cancel().
//
// Header order matters in Boost 1.81: <boost/asio/experimental/use_promise.hpp>
// uses experimental::promise without including promise.hpp, so promise.hpp
// comes first (otherwise: "no template named 'promise' in namespace
// 'boost::asio::experimental'"), and <boost/asio.hpp> comes before the
// experimental headers.
//
// Build (Debian's libboost1.81-dev, header-only):
//   clang++ -std=c++20 -pthread bench/boost/coro_generators.cpp
#include <boost/asio.hpp>
#include <boost/asio/experimental/co_spawn.hpp>
#include <boost/asio/experimental/coro.hpp>
#include <boost/asio/experimental/promise.hpp>
#include <boost/asio/experimental/use_coro.hpp>
#include <boost/asio/experimental/use_promise.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace ex = boost::asio::experimental;
using asio::awaitable;
using asio::use_awaitable;
using boost::system::error_code;
using namespace std::chrono_literals;

using u64 = std::uint64_t;

namespace {

int failures = 0;

void expect(bool ok, const char *what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}

// ------------------------------------------------------------- generators

ex::coro<u64> fibonacci(asio::any_io_executor exec, int count) {
  u64 a = 0, b = 1;
  asio::steady_timer t(exec);
  for (int i = 0; i < count; ++i) {
    if (i % 8 == 7) {
      t.expires_after(1ms);
      co_await t.async_wait(ex::use_coro);
    }
    co_yield a;
    u64 next = a + b;
    a = b;
    b = next;
  }
}

// Pulls from another generator: `co_await *source` resumes it and gives an
// optional that is empty once the source is done. The source is passed by
// pointer: a coro has get_executor(), so with an `ex::coro<u64> &` parameter
// clang 22 finds the promise's constructors (Executor, Args...) and
// (First, Context, Args...) ambiguous for (any_io_executor, coro &), falls
// back to the promise's default constructor, which does not exist, and
// rejects the coroutine (g++ 12 accepts it).
ex::coro<u64> every_third(asio::any_io_executor, ex::coro<u64> *source) {
  int index = 0;
  while (std::optional<u64> v = co_await *source) {
    if (index++ % 3 == 0)
      co_yield *v;
  }
}

awaitable<void> consume_generators() {
  auto exec = co_await asio::this_coro::executor;
  auto fib = fibonacci(exec, 60);
  auto thirds = every_third(exec, &fib);
  u64 sum = 0, last = 0;
  int n = 0;
  while (std::optional<u64> v = co_await thirds.async_resume(use_awaitable)) {
    sum += *v % 1000000007;
    last = *v;
    ++n;
  }
  std::printf("generators: %d values, sum mod p %llu, last %llu\n", n,
              (unsigned long long)(sum % 1000000007),
              (unsigned long long)last);
  expect(n == 20 && !thirds.is_open(), "generator counts");
}

// ---------------------------------------------------------- bidirectional

// The value passed with the first resume is not seen: that resume runs the
// body up to the first co_yield.
ex::coro<u64(u64)> running_total(asio::any_io_executor) {
  u64 total = 0;
  for (;;) {
    u64 in = co_yield total;
    total += in;
  }
}

awaitable<void> drive_running_total() {
  auto exec = co_await asio::this_coro::executor;
  auto acc = running_total(exec);
  std::vector<u64> seen;
  for (u64 v : {5, 7, 11, 13, 17})
    seen.push_back((co_await acc.async_resume(v, use_awaitable)).value());
  std::printf("running total:");
  for (u64 s : seen)
    std::printf(" %llu", (unsigned long long)s);
  std::printf("\n");
}

// ------------------------------------------------------------------ tasks

ex::coro<void, u64> slow_square(asio::any_io_executor exec, u64 x) {
  asio::steady_timer t(exec, 1ms);
  co_await t.async_wait(asio::deferred);
  co_return x * x;
}

ex::coro<void, u64> sum_of_squares(asio::any_io_executor exec, u64 n) {
  u64 s = 0;
  for (u64 i = 1; i <= n; ++i)
    s += co_await slow_square(exec, i);
  co_return s;
}

// -------------------------------------------------------------- exceptions

struct bad_reading : std::runtime_error {
  explicit bad_reading(int i)
      : std::runtime_error("bad reading at " + std::to_string(i)) {}
};

ex::coro<int> sensor(asio::any_io_executor exec) {
  asio::steady_timer t(exec);
  for (int i = 0;; ++i) {
    t.expires_after(1ms);
    co_await t.async_wait(ex::use_coro);
    if (i == 4)
      throw bad_reading(i);
    co_yield i * 10;
  }
}

awaitable<void> read_sensor() {
  auto exec = co_await asio::this_coro::executor;
  auto s = sensor(exec);
  int got = 0, sum = 0;
  std::string what;
  try {
    for (;;) {
      std::optional<int> v = co_await s.async_resume(use_awaitable);
      if (!v)
        break;
      sum += *v;
      ++got;
    }
  } catch (const bad_reading &e) {
    what = e.what();
  }
  std::printf("sensor: %d readings, sum %d, then '%s', open %d\n", got, sum,
              what.c_str(), s.is_open() ? 1 : 0);
  expect(got == 4 && sum == 60 && !what.empty(), "sensor exception");
}

// ------------------------------------------------------------ use_promise

awaitable<void> promises() {
  auto exec = co_await asio::this_coro::executor;
  asio::steady_timer t1(exec, 3ms), t2(exec, 1ms), t3(exec, 10s);
  // Started now, awaited later: the operations run meanwhile.
  auto p1 = t1.async_wait(ex::use_promise);
  auto p2 = t2.async_wait(ex::use_promise);
  auto p3 = t3.async_wait(ex::use_promise);
  auto [e2] = co_await p2(asio::as_tuple(use_awaitable));
  auto [e1] = co_await p1(asio::as_tuple(use_awaitable));
  bool done_before = p3.completed();
  p3.cancel();
  auto [e3] = co_await p3(asio::as_tuple(use_awaitable));
  std::printf("promises: t1 %s, t2 %s, t3 %s (completed before cancel %d)\n",
              e1 ? "error" : "ok", e2 ? "error" : "ok",
              e3 == asio::error::operation_aborted ? "cancelled" : "?",
              done_before ? 1 : 0);
  expect(!e1 && !e2 && e3 == asio::error::operation_aborted && !done_before,
         "promises");

  // A coro's resumption as a promise.
  auto fib = fibonacci(exec, 12);
  auto first = fib.async_resume(ex::use_promise);
  auto [err, v] = co_await first(asio::as_tuple(use_awaitable));
  std::printf("promise of a coro: first value %llu, error %d\n",
              (unsigned long long)v.value_or(99), err ? 1 : 0);
  expect(!err && v && *v == 0, "promise of a coro");
}

awaitable<void> all_tests(u64 &spawned_result) {
  co_await consume_generators();
  co_await drive_running_total();
  auto exec = co_await asio::this_coro::executor;
  auto task = sum_of_squares(exec, 10);
  u64 s = co_await task.async_resume(use_awaitable);
  std::printf("tasks: sum of squares 1..10 = %llu\n", (unsigned long long)s);
  expect(s == 385, "sum of squares");
  co_await read_sensor();
  co_await promises();
  // Wait for the co_spawned task started in main.
  asio::steady_timer t(exec, 5ms);
  while (spawned_result == 0) {
    t.expires_after(1ms);
    co_await t.async_wait(use_awaitable);
  }
}

} // namespace

int main() {
  asio::io_context io(1);
  u64 spawned = 0;
  ex::co_spawn(sum_of_squares(io.get_executor(), 20),
               [&](std::exception_ptr e, u64 v) {
                 expect(!e, "co_spawned coro threw");
                 spawned = v;
               });
  asio::co_spawn(io, all_tests(spawned), [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception &x) {
        std::printf("threw: %s\n", x.what());
      }
      ++failures;
    }
  });
  io.run();
  std::printf("co_spawned coro: sum of squares 1..20 = %llu\n",
              (unsigned long long)spawned);
  expect(spawned == 2870, "co_spawn");
  std::printf("coro_generators: %s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
