// echo_sessions.cpp - Boost.Asio 1.81 C++20 coroutines: a loopback TCP echo
// server with 64 concurrent client sessions of four kinds, in one process
// and one thread.
//
// Third-party coroutine code for the CoroFrameOpt corpus (bench/boost/):
// most frames measured here are Boost.Asio's own (awaitable_thread, the
// co_spawn entry points, the parallel group behind the awaitable operators)
// instantiated for this program, plus the program's coroutines.
//
// What it exercises:
//   - boost::asio::awaitable / co_spawn / use_awaitable, nested awaitables;
//   - per-read idle timeouts: experimental::awaitable_operators `||` racing
//     a socket read against a steady_timer (the loser is cancelled);
//   - cancellation: a cancellation_signal bound to a co_spawn with
//     bind_cancellation_slot, emitted from another coroutine;
//     steady_timer::cancel() on a watchdog; acceptor.cancel() to stop the
//     accept loop;
//   - exceptions thrown after an await in a nested awaitable, caught two
//     awaits further up, and exceptions handed to co_spawn's completion
//     handler as std::exception_ptr.
//
// Client kinds (by index modulo 8):
//   0-4  echo: 24 messages of varying length, each read back and checked;
//   5    protocol error: sends "boom"; the server's nested check throws, the
//        session catches it, answers "ERR\n" and closes;
//   6    cancelled: one echoed message, then a read that never completes,
//        cancelled through its cancellation slot 20 ms after the echo;
//   7    silent: connects and sends nothing; the server's 1 s idle
//        timeout closes the session, the client sees the end of stream.
// Everything printed is a count or a checksum, so the output does not
// depend on scheduling. A 4.5 s watchdog ends a stuck run with exit 3.
//
// Build (Debian's libboost1.81-dev, header-only; clang >= 14 in C++20 mode
// needs no BOOST_ASIO_HAS_* defines):
//   clang++ -std=c++20 -pthread bench/boost/echo_sessions.cpp
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;

namespace {

constexpr int kClients = 64;
constexpr int kMessages = 24;
constexpr auto kIdleTimeout = 1000ms;
constexpr auto kCancelAfter = 20ms;
constexpr auto kWatchdog = 4500ms;

struct fnv {
  std::uint64_t h = 1469598103934665603ull;
  void byte(unsigned char c) { h = (h ^ c) * 1099511628211ull; }
  void bytes(const char *p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
      byte(static_cast<unsigned char>(p[i]));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
      byte(static_cast<unsigned char>(v >> (8 * i)));
  }
};

struct server_stats {
  int sessions = 0;
  int idle_timeouts = 0;
  int protocol_errors = 0;
  int clean_closes = 0;
  int failures = 0;
  std::uint64_t bytes = 0;
};

struct client_stats {
  int echo_ok = 0;
  int saw_err_reply = 0;
  int cancelled = 0;
  int closed_by_server = 0;
  int failures = 0;
  std::uint64_t bytes = 0;
  std::vector<std::uint64_t> sums = std::vector<std::uint64_t>(kClients, 0);
};

struct idle_timeout : std::runtime_error {
  idle_timeout() : std::runtime_error("idle timeout") {}
};
struct protocol_error : std::runtime_error {
  explicit protocol_error(const std::string &what)
      : std::runtime_error("protocol error: " + what) {}
};

// One read of at most buf's size, or idle_timeout if the peer sends nothing
// for `limit`. The `||` starts both operations and cancels the one that did
// not finish first.
awaitable<std::size_t> read_with_timeout(tcp::socket &sock,
                                         asio::mutable_buffer buf,
                                         std::chrono::milliseconds limit) {
  asio::steady_timer timer(co_await asio::this_coro::executor, limit);
  // `||` waits for the first operation that succeeds: as_tuple makes the
  // read succeed with its error code, so that the end of stream wins too.
  auto r = co_await (sock.async_read_some(buf, asio::as_tuple(use_awaitable)) ||
                     timer.async_wait(use_awaitable));
  if (r.index() == 1)
    throw idle_timeout();
  auto [ec, n] = std::get<0>(r);
  if (ec)
    throw boost::system::system_error(ec);
  co_return n;
}

// A check that suspends once (a post through the executor) before it
// decides, so that its exception leaves a resumed coroutine.
awaitable<void> check_chunk(const char *data, std::size_t n) {
  co_await asio::post(co_await asio::this_coro::executor, use_awaitable);
  if (n >= 4 && std::string(data, 4) == "boom")
    throw protocol_error("client asked for it");
}

awaitable<std::size_t> serve_chunk(tcp::socket &sock, char *data,
                                   std::size_t cap) {
  std::size_t n =
      co_await read_with_timeout(sock, asio::buffer(data, cap), kIdleTimeout);
  co_await check_chunk(data, n);
  co_await asio::async_write(sock, asio::buffer(data, n), use_awaitable);
  co_return n;
}

awaitable<void> session(tcp::socket sock, server_stats &st) {
  char data[1024];
  bool refused = false;
  try {
    for (;;)
      st.bytes += co_await serve_chunk(sock, data, sizeof data);
  } catch (const idle_timeout &) {
    ++st.idle_timeouts;
  } catch (const protocol_error &) {
    ++st.protocol_errors;
    refused = true;
  } catch (const boost::system::system_error &e) {
    if (e.code() != asio::error::eof)
      throw;
    ++st.clean_closes;
  }
  // An exception cannot be awaited in a handler: answer protocol errors
  // after the try block.
  if (refused) {
    boost::system::error_code ec;
    static const char reply[] = "ERR\n";
    co_await asio::async_write(sock, asio::buffer(reply, 4),
                               asio::redirect_error(use_awaitable, ec));
  }
  boost::system::error_code ignored;
  sock.shutdown(tcp::socket::shutdown_both, ignored);
  sock.close(ignored);
  ++st.sessions;
}

awaitable<void> listener(tcp::acceptor &acceptor, server_stats &st) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    auto [ec, sock] =
        co_await acceptor.async_accept(asio::as_tuple(use_awaitable));
    if (ec == asio::error::operation_aborted)
      co_return; // acceptor.cancel(): the run is over
    if (ec)
      throw boost::system::system_error(ec);
    sock.set_option(tcp::no_delay(true));
    asio::co_spawn(ex, session(std::move(sock), st),
                   [&st](std::exception_ptr e) {
                     if (e)
                       ++st.failures;
                   });
  }
}

std::string message(int client, int m) {
  std::size_t len = 1 + static_cast<std::size_t>((client * 131 + m * 37) % 900);
  std::string s(len, '\0');
  for (std::size_t i = 0; i < len; ++i)
    s[i] = static_cast<char>('a' + (client + m * 7 + i * 3) % 26);
  if (s.compare(0, 4, "boom") == 0)
    s[0] = 'B';
  return s;
}

awaitable<tcp::socket> connect_to(tcp::endpoint server) {
  tcp::socket sock(co_await asio::this_coro::executor);
  co_await sock.async_connect(server, use_awaitable);
  sock.set_option(tcp::no_delay(true));
  co_return sock;
}

awaitable<std::uint64_t> echo_client(tcp::endpoint server, int id,
                                     client_stats &cs) {
  tcp::socket sock = co_await connect_to(server);
  fnv sum;
  for (int m = 0; m < kMessages; ++m) {
    std::string out = message(id, m);
    co_await asio::async_write(sock, asio::buffer(out), use_awaitable);
    std::string in(out.size(), '\0');
    co_await asio::async_read(sock, asio::buffer(in), use_awaitable);
    if (in != out)
      throw std::runtime_error("echo mismatch");
    sum.bytes(in.data(), in.size());
    cs.bytes += in.size();
  }
  sock.shutdown(tcp::socket::shutdown_send);
  char c;
  auto [ec, n] =
      co_await sock.async_read_some(asio::buffer(&c, 1), asio::as_tuple(use_awaitable));
  if (ec != asio::error::eof || n != 0)
    throw std::runtime_error("expected the end of stream");
  ++cs.echo_ok;
  co_return sum.h;
}

awaitable<void> error_client(tcp::endpoint server, client_stats &cs) {
  tcp::socket sock = co_await connect_to(server);
  co_await asio::async_write(sock, asio::buffer("boom!", 5), use_awaitable);
  char reply[4];
  co_await asio::async_read(sock, asio::buffer(reply), use_awaitable);
  if (std::string(reply, 4) == "ERR\n")
    ++cs.saw_err_reply;
}

// Reads forever after one echo; cancelled from outside through the slot of
// the cancellation_signal bound to its co_spawn.
// `echoed` is a timer that never expires: cancelling it tells cancel_later
// that the echo is done, so the cancellation always hits the last read.
awaitable<void> stuck_client(tcp::endpoint server, int id, client_stats &cs,
                             asio::steady_timer &echoed) {
  tcp::socket sock = co_await connect_to(server);
  std::string out = message(id, 0);
  co_await asio::async_write(sock, asio::buffer(out), use_awaitable);
  std::string in(out.size(), '\0');
  co_await asio::async_read(sock, asio::buffer(in), use_awaitable);
  cs.bytes += in.size();
  echoed.cancel();
  char more[16];
  co_await asio::async_read(sock, asio::buffer(more), use_awaitable);
  throw std::logic_error("the server sent more than it was sent");
}

awaitable<void> silent_client(tcp::endpoint server, client_stats &cs) {
  tcp::socket sock = co_await connect_to(server);
  asio::steady_timer limit(co_await asio::this_coro::executor, 3s);
  char c;
  auto r = co_await (
      sock.async_read_some(asio::buffer(&c, 1), asio::as_tuple(use_awaitable)) ||
      limit.async_wait(use_awaitable));
  if (r.index() == 0 && std::get<0>(std::get<0>(r)) == asio::error::eof)
    ++cs.closed_by_server;
  else
    ++cs.failures;
}

awaitable<void> cancel_later(asio::steady_timer &echoed,
                             asio::cancellation_signal &sig) {
  co_await echoed.async_wait(asio::as_tuple(use_awaitable));
  asio::steady_timer t(co_await asio::this_coro::executor, kCancelAfter);
  co_await t.async_wait(use_awaitable);
  sig.emit(asio::cancellation_type::terminal);
}

} // namespace

int main() {
  asio::io_context io(1);
  server_stats st;
  client_stats cs;
  tcp::acceptor acceptor(io,
                         tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::endpoint server = acceptor.local_endpoint();

  int pending = kClients;
  int watchdog_cancelled = 0;
  asio::steady_timer watchdog(io, kWatchdog);
  watchdog.async_wait([&](boost::system::error_code ec) {
    if (ec == asio::error::operation_aborted) {
      ++watchdog_cancelled;
      return;
    }
    std::fprintf(stderr, "echo_sessions: watchdog fired, %d clients left\n",
                 pending);
    std::exit(3);
  });
  auto finished = [&] {
    if (--pending == 0) {
      acceptor.cancel();
      watchdog.cancel();
    }
  };
  auto unexpected = [&](std::exception_ptr e) {
    if (!e)
      return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception &x) {
      std::fprintf(stderr, "echo_sessions: %s\n", x.what());
    }
    ++cs.failures;
  };

  int listener_done = 0;
  asio::co_spawn(io, listener(acceptor, st), [&](std::exception_ptr e) {
    unexpected(e);
    ++listener_done;
  });

  std::vector<asio::cancellation_signal> signals(kClients);
  std::vector<asio::steady_timer> echoed;
  for (int i = 0; i < kClients; ++i)
    echoed.emplace_back(io, asio::steady_timer::time_point::max());
  for (int i = 0; i < kClients; ++i) {
    switch (i % 8) {
    case 5:
      asio::co_spawn(io, error_client(server, cs), [&](std::exception_ptr e) {
        unexpected(e);
        finished();
      });
      break;
    case 6:
      asio::co_spawn(
          io, stuck_client(server, i, cs, echoed[i]),
          asio::bind_cancellation_slot(
              signals[i].slot(), [&](std::exception_ptr e) {
                try {
                  if (e)
                    std::rethrow_exception(e);
                  ++cs.failures;
                } catch (const boost::system::system_error &x) {
                  if (x.code() == asio::error::operation_aborted)
                    ++cs.cancelled;
                  else
                    ++cs.failures;
                } catch (...) {
                  ++cs.failures;
                }
                finished();
              }));
      asio::co_spawn(io, cancel_later(echoed[i], signals[i]), asio::detached);
      break;
    case 7:
      asio::co_spawn(io, silent_client(server, cs), [&](std::exception_ptr e) {
        unexpected(e);
        finished();
      });
      break;
    default:
      asio::co_spawn(io, echo_client(server, i, cs),
                     [&, i](std::exception_ptr e, std::uint64_t sum) {
                       unexpected(e);
                       cs.sums[i] = sum;
                       finished();
                     });
    }
  }
  io.run();

  fnv total;
  for (std::uint64_t s : cs.sums)
    total.u64(s);
  std::printf("echo_sessions: %d clients, %d messages per echo client\n",
              kClients, kMessages);
  std::printf("server: %d sessions, %d clean closes, %d idle timeouts, "
              "%d protocol errors, %d failures, %llu bytes echoed\n",
              st.sessions, st.clean_closes, st.idle_timeouts,
              st.protocol_errors, st.failures, static_cast<unsigned long long>(st.bytes));
  std::printf("clients: %d echo ok, %d ERR replies, %d cancelled, "
              "%d closed by server, %d failures, %llu bytes checked\n",
              cs.echo_ok, cs.saw_err_reply, cs.cancelled, cs.closed_by_server,
              cs.failures, static_cast<unsigned long long>(cs.bytes));
  std::printf("listener stopped %d, watchdog cancelled %d\n", listener_done,
              watchdog_cancelled);
  std::printf("checksum %016llx\n", static_cast<unsigned long long>(total.h));
  bool ok = st.sessions == kClients && cs.failures == 0 && st.failures == 0 &&
            st.bytes == cs.bytes &&
            cs.echo_ok == kClients / 8 * 5 && cs.cancelled == kClients / 8 &&
            cs.closed_by_server == kClients / 8 &&
            cs.saw_err_reply == kClients / 8;
  return ok ? 0 : 1;
}
