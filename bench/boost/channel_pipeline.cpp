// channel_pipeline.cpp - Boost.Asio 1.81 experimental channels and parallel
// groups with C++20 coroutines: producer/consumer pipelines, a fan-out over
// workers, a concurrent_channel fed from a thread pool, and races and joins
// with experimental::make_parallel_group.
//
// Third-party coroutine code for the CoroFrameOpt corpus (bench/boost/).
//
//   1. pipeline: source -> square -> filter -> sink, each stage an awaitable
//      connected to the next by an experimental::channel (buffers of 0, 1
//      and 4 elements); every receive uses as_tuple(use_awaitable). The end
//      of the stream is a message carrying asio::error::eof, which each
//      stage passes on before it closes its input: in Boost 1.81 close()
//      drops the messages still buffered (channel_service::close sets the
//      receive state to closed), so only a receiver may close safely;
//   2. fan-out: one producer, four workers sharing one channel, results
//      merged into a second channel; a poison value makes a worker throw
//      after an await, the exception reaches the driver through co_spawn's
//      std::exception_ptr and the other workers drain the rest (one eof
//      message per worker ends them);
//   3. concurrent_channel: four producers on a 2-thread thread_pool, one
//      consumer; only the sum and the count are printed (arrival order
//      varies), so the output is deterministic;
//   4. make_parallel_group: wait_for_one of a receive on an empty channel
//      against a 20 ms timer (the timer wins, the receive is cancelled);
//      wait_for_all of three receives fed by one sender; a ranged group
//      (std::vector of deferred operations) with wait_for_one_error; and
//      try_send / try_receive, cancel(), close() (a waiting receiver gets
//      channel_closed) and reset() of a channel.
//
// Build (Debian's libboost1.81-dev, header-only):
//   clang++ -std=c++20 -pthread bench/boost/channel_pipeline.cpp
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
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
using chan = ex::channel<void(error_code, u64)>;
using cchan = ex::concurrent_channel<void(error_code, u64)>;

namespace {

int failures = 0;

void expect(bool ok, const char *what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}

u64 mixin(u64 h, u64 v) {
  for (int i = 0; i < 8; ++i)
    h = (h ^ ((v >> (8 * i)) & 0xff)) * 1099511628211ull;
  return h;
}

// ---------------------------------------------------------------- pipeline

const error_code end_of_stream = asio::error::eof;

awaitable<void> source(chan &out, u64 n) {
  for (u64 i = 1; i <= n; ++i)
    co_await out.async_send(error_code{}, i, use_awaitable);
  co_await out.async_send(end_of_stream, 0, use_awaitable);
}

awaitable<void> square(chan &in, chan &out) {
  for (;;) {
    auto [ec, v] = co_await in.async_receive(asio::as_tuple(use_awaitable));
    if (ec) {
      in.close();
      co_await out.async_send(ec, 0, use_awaitable);
      co_return;
    }
    co_await out.async_send(error_code{}, v * v, use_awaitable);
  }
}

awaitable<void> keep_odd(chan &in, chan &out, u64 &dropped) {
  for (;;) {
    auto [ec, v] = co_await in.async_receive(asio::as_tuple(use_awaitable));
    if (ec) {
      in.close();
      co_await out.async_send(ec, 0, use_awaitable);
      co_return;
    }
    if (v % 2 == 0) {
      ++dropped;
      continue;
    }
    co_await out.async_send(error_code{}, v, use_awaitable);
  }
}

struct sink_result {
  u64 count = 0, sum = 0, hash = 1469598103934665603ull;
};

awaitable<sink_result> sink(chan &in) {
  sink_result r;
  for (;;) {
    auto [ec, v] = co_await in.async_receive(asio::as_tuple(use_awaitable));
    if (ec == end_of_stream) {
      in.close();
      co_return r;
    }
    if (ec)
      throw boost::system::system_error(ec);
    ++r.count;
    r.sum += v;
    r.hash = mixin(r.hash, v);
  }
}

void run_pipeline() {
  asio::io_context io;
  chan a(io, 0), b(io, 1), c(io, 4);
  u64 dropped = 0;
  sink_result res;
  asio::co_spawn(io, source(a, 200), asio::detached);
  asio::co_spawn(io, square(a, b), asio::detached);
  asio::co_spawn(io, keep_odd(b, c, dropped), asio::detached);
  asio::co_spawn(io, sink(c), [&](std::exception_ptr e, sink_result r) {
    expect(!e, "pipeline sink threw");
    res = r;
  });
  io.run();
  std::printf("pipeline: %llu values, sum %llu, dropped %llu, hash %016llx\n",
              (unsigned long long)res.count, (unsigned long long)res.sum,
              (unsigned long long)dropped, (unsigned long long)res.hash);
  expect(res.count == 100 && dropped == 100, "pipeline counts");
}

// ----------------------------------------------------------------- fan-out

struct poison : std::runtime_error {
  explicit poison(u64 v)
      : std::runtime_error("poison value " + std::to_string(v)) {}
};

awaitable<void> producer(chan &out, u64 n, u64 poison_at, int workers) {
  for (u64 i = 0; i < n; ++i)
    co_await out.async_send(error_code{}, i == poison_at ? ~u64{0} : i * 3 + 1,
                            use_awaitable);
  // One end marker per worker; the poisoned worker is gone by then, so one
  // is left in the buffer.
  for (int w = 0; w < workers; ++w)
    out.async_send(end_of_stream, 0, asio::detached);
}

awaitable<u64> work(u64 v) {
  // A timer of zero duration still goes through the reactor: the worker
  // really suspends here before it looks at the value.
  asio::steady_timer t(co_await asio::this_coro::executor, 0ms);
  co_await t.async_wait(use_awaitable);
  if (v == ~u64{0})
    throw poison(v);
  co_return (v * 2654435761u) % 1000003;
}

awaitable<u64> worker(chan &in, chan &out) {
  u64 handled = 0;
  for (;;) {
    auto [ec, v] = co_await in.async_receive(asio::as_tuple(use_awaitable));
    if (ec)
      co_return handled;
    u64 r = co_await work(v);
    co_await out.async_send(error_code{}, r, use_awaitable);
    ++handled;
  }
}

void run_fanout() {
  asio::io_context io;
  chan jobs(io, 2), results(io, 64);
  constexpr int kWorkers = 4;
  int done = 0, poisoned = 0;
  u64 handled = 0;
  std::string message;
  asio::co_spawn(io, producer(jobs, 120, 57, kWorkers), asio::detached);
  for (int w = 0; w < kWorkers; ++w)
    asio::co_spawn(io, worker(jobs, results),
                   [&](std::exception_ptr e, u64 n) {
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const poison &p) {
                         ++poisoned;
                         message = p.what();
                       }
                     }
                     handled += n;
                     if (++done == kWorkers)
                       results.async_send(end_of_stream, 0, asio::detached);
                   });
  u64 sum = 0, count = 0;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        for (;;) {
          auto [ec, v] =
              co_await results.async_receive(asio::as_tuple(use_awaitable));
          if (ec) {
            results.close();
            co_return;
          }
          sum += v;
          ++count;
        }
      },
      asio::detached);
  io.run();
  std::printf("fan-out: %d workers, %llu results, sum %llu, %d poisoned (%s)\n",
              kWorkers, (unsigned long long)count, (unsigned long long)sum,
              poisoned, message.c_str());
  // `handled` misses what the poisoned worker did before it threw.
  expect(count == 119 && handled < 119 && poisoned == 1, "fan-out counts");
}

// ------------------------------------------------------ concurrent_channel

awaitable<void> pool_producer(cchan &out, u64 first, u64 n,
                              std::atomic<int> &left) {
  for (u64 i = first; i < first + n; ++i)
    co_await out.async_send(error_code{}, i, use_awaitable);
  // The last producer's marker comes after every value (the channel keeps
  // the order of the sends that completed).
  if (--left == 0)
    co_await out.async_send(end_of_stream, 0, use_awaitable);
}

awaitable<void> pool_consumer(cchan &in, u64 &sum, u64 &count) {
  for (;;) {
    auto [ec, v] = co_await in.async_receive(asio::as_tuple(use_awaitable));
    if (ec) {
      in.close();
      co_return;
    }
    sum += v;
    ++count;
  }
}

void run_concurrent() {
  asio::thread_pool pool(2);
  cchan ch(pool, 3);
  std::atomic<int> left{4};
  u64 sum = 0, count = 0;
  for (u64 p = 0; p < 4; ++p)
    asio::co_spawn(pool, pool_producer(ch, p * 1000, 250, left),
                   asio::detached);
  // One consumer: its own variables need no lock.
  std::atomic<bool> consumer_done{false};
  asio::co_spawn(pool, pool_consumer(ch, sum, count),
                 [&](std::exception_ptr e) {
                   expect(!e, "pool consumer threw");
                   consumer_done = true;
                 });
  pool.join();
  std::printf("concurrent_channel: %llu values, sum %llu, consumer done %d\n",
              (unsigned long long)count, (unsigned long long)sum,
              consumer_done.load() ? 1 : 0);
  expect(count == 1000 && sum == 4 * (250 * 249 / 2) + 250 * 6000,
         "concurrent_channel sum");
}

// ---------------------------------------------------------- parallel groups

awaitable<void> groups() {
  auto exec = co_await asio::this_coro::executor;

  // wait_for_one: an empty channel against a timer.
  {
    chan empty(exec, 0);
    asio::steady_timer t(exec, 20ms);
    auto [order, rec_ec, value, timer_ec] =
        co_await ex::make_parallel_group(empty.async_receive(asio::deferred),
                                         t.async_wait(asio::deferred))
            .async_wait(ex::wait_for_one(), use_awaitable);
    std::printf("race: first %zu, receive: %s, timer: %s\n", order[0],
                rec_ec.message().c_str(),
                timer_ec ? timer_ec.message().c_str() : "ok");
    expect(order[0] == 1 && rec_ec == ex::error::channel_cancelled &&
               !timer_ec && value == 0,
           "wait_for_one");
  }

  // wait_for_all: three receives; a sender fills the channel after a delay.
  {
    chan ch(exec, 0);
    asio::co_spawn(
        exec,
        [&ch]() -> awaitable<void> {
          asio::steady_timer t(co_await asio::this_coro::executor, 5ms);
          co_await t.async_wait(use_awaitable);
          for (u64 v : {7, 11, 13})
            co_await ch.async_send(error_code{}, v, use_awaitable);
        },
        asio::detached);
    auto [order, e1, v1, e2, v2, e3, v3] =
        co_await ex::make_parallel_group(ch.async_receive(asio::deferred),
                                         ch.async_receive(asio::deferred),
                                         ch.async_receive(asio::deferred))
            .async_wait(ex::wait_for_all(), use_awaitable);
    std::printf("join: product %llu, errors %d\n",
                (unsigned long long)(v1 * v2 * v3), !!e1 + !!e2 + !!e3);
    expect(v1 * v2 * v3 == 1001 && v1 + v2 + v3 == 31, "wait_for_all");
  }

  // A ranged group: timers of different lengths; wait_for_one_error waits
  // for all of them since none fails.
  {
    std::vector<asio::steady_timer> timers;
    for (int i = 0; i < 5; ++i)
      timers.emplace_back(exec, std::chrono::milliseconds(2 * (5 - i)));
    using op_type = decltype(timers[0].async_wait(asio::deferred));
    std::vector<op_type> ops;
    for (auto &t : timers)
      ops.push_back(t.async_wait(asio::deferred));
    auto [order, errors] =
        co_await ex::make_parallel_group(std::move(ops))
            .async_wait(ex::wait_for_one_error(), use_awaitable);
    int failed = 0;
    for (auto &e : errors)
      failed += !!e;
    std::printf("ranged: %zu timers, %d errors\n", order.size(), failed);
    expect(order.size() == 5 && failed == 0, "ranged group");
  }

  // try_send / try_receive, cancel() and reset().
  {
    chan ch(exec, 2);
    int sent = 0;
    while (ch.try_send(error_code{}, u64(40 + sent)))
      ++sent;
    u64 got = 0;
    int received = 0;
    while (ch.try_receive([&](error_code, u64 v) { got += v; }))
      ++received;
    std::printf("try: sent %d, received %d, total %llu\n", sent, received,
                (unsigned long long)got);
    expect(sent == 2 && received == 2 && got == 81, "try_send/try_receive");

    bool cancelled = false;
    asio::co_spawn(
        exec,
        [&]() -> awaitable<void> {
          auto [ec, v] = co_await ch.async_receive(asio::as_tuple(use_awaitable));
          cancelled = ec == ex::error::channel_cancelled && v == 0;
        },
        asio::detached);
    asio::steady_timer t(exec, 1ms);
    co_await t.async_wait(use_awaitable);
    ch.cancel();
    co_await asio::post(exec, use_awaitable);

    bool closed = false;
    asio::co_spawn(
        exec,
        [&]() -> awaitable<void> {
          auto [ec, v] = co_await ch.async_receive(asio::as_tuple(use_awaitable));
          closed = ec == ex::error::channel_closed;
        },
        asio::detached);
    co_await asio::post(exec, use_awaitable);
    ch.close();
    co_await asio::post(exec, use_awaitable);
    bool open_after_close = ch.is_open();
    ch.reset();
    std::printf("cancel: receiver cancelled %d, closed %d, open after close "
                "%d, open after reset %d\n",
                cancelled, closed, open_after_close, ch.is_open());
    expect(cancelled && closed && !open_after_close && ch.is_open(),
           "cancel/close/reset");
  }
}

void run_groups() {
  asio::io_context io;
  asio::co_spawn(io, groups(), [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception &x) {
        std::printf("groups threw: %s\n", x.what());
      }
      ++failures;
    }
  });
  io.run();
}

} // namespace

int main() {
  run_pipeline();
  run_fanout();
  run_concurrent();
  run_groups();
  std::printf("channel_pipeline: %s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
