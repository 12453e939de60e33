// asio_echo.cpp - a loopback TCP echo server and its clients with asio's C++20
// coroutines (asio::awaitable, co_spawn, use_awaitable), in one process.
//
// Third-party coroutine code for the benchmark corpus: the frames measured
// here are mostly asio's own (awaitable_thread, co_spawn entry points, the
// async_* initiation coroutines) instantiated for this program.
//
//   server   listens on 127.0.0.1 with port 0 (the kernel picks a free one,
//            so parallel runs never clash), accepts a fixed number of
//            connections and co_spawns an echo session for each,
//   clients  connect, send messages of varying length, read the echo back
//            with async_read, check it byte for byte, and close.
// Connection and message counts are fixed and a steady_timer stops the whole
// run after a deadline, so the program always ends by itself. Output: byte
// counts and a checksum of everything echoed, which are deterministic.
//
// Build (Debian's libasio-dev, header-only):
//   clang++ -std=c++20 -DASIO_HAS_CO_AWAIT -DASIO_HAS_STD_COROUTINE -pthread \
//       -I bench/common -I test/Inputs bench/asio/asio_echo.cpp
#include "bench_coro.h"

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

constexpr int kClients = 64;
constexpr int kMessages = 32;
constexpr int kDeadlineSeconds = 60;

struct stats {
  std::uint64_t echoed = 0;
  int sessions = 0;
};

awaitable<void> echo_session(tcp::socket socket, stats &st) {
  char data[2048];
  for (;;) {
    asio::error_code ec;
    std::size_t n = co_await socket.async_read_some(
        asio::buffer(data), asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::eof || ec == asio::error::connection_reset)
      break;
    if (ec)
      throw asio::system_error(ec);
    co_await asio::async_write(socket, asio::buffer(data, n), use_awaitable);
    st.echoed += n;
  }
  ++st.sessions;
}

awaitable<void> listener(tcp::acceptor acceptor, int connections, stats &st) {
  for (int i = 0; i < connections; ++i) {
    tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), echo_session(std::move(socket), st),
                   asio::detached);
  }
}

static std::size_t message_length(int client, int message) {
  return 1 + static_cast<std::size_t>((client * 193 + message * 59) % 1800);
}

awaitable<void> client(tcp::endpoint server, int id,
                       unsigned long long &result, std::uint64_t &sent) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket socket(ex);
  co_await socket.async_connect(server, use_awaitable);
  socket.set_option(tcp::no_delay(true));
  bench::checksum sum;
  std::string out, in;
  for (int m = 0; m < kMessages; ++m) {
    std::size_t len = message_length(id, m);
    out.resize(len);
    for (std::size_t i = 0; i < len; ++i)
      out[i] = static_cast<char>('A' + (id * 3 + m + i * 11) % 26);
    co_await asio::async_write(socket, asio::buffer(out), use_awaitable);
    in.assign(len, '\0');
    co_await asio::async_read(socket, asio::buffer(in), use_awaitable);
    if (in != out) {
      std::fprintf(stderr, "asio_echo: client %d: message %d came back "
                           "different\n", id, m);
      std::exit(5);
    }
    sum.add_bytes(in.data(), len);
    sent += len;
  }
  socket.shutdown(tcp::socket::shutdown_send);
  char c;
  asio::error_code ec;
  co_await socket.async_read_some(asio::buffer(&c, 1),
                                  asio::redirect_error(use_awaitable, ec));
  if (ec != asio::error::eof) {
    std::fprintf(stderr, "asio_echo: client %d: expected the end of stream\n",
                 id);
    std::exit(6);
  }
  result = sum.value();
}

int main() {
  asio::io_context io(1);
  stats st;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::endpoint server = acceptor.local_endpoint();

  std::vector<unsigned long long> results(kClients, 0);
  std::vector<std::uint64_t> sent(kClients, 0);
  int finished = 0;
  asio::steady_timer deadline(io, std::chrono::seconds(kDeadlineSeconds));
  auto on_done = [&](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception &x) {
        std::fprintf(stderr, "asio_echo: %s\n", x.what());
      }
      std::exit(2);
    }
    if (++finished == kClients + 1)
      deadline.cancel(); // everything done: let io.run() return
  };
  asio::co_spawn(io, listener(std::move(acceptor), kClients, st), on_done);
  for (int i = 0; i < kClients; ++i)
    asio::co_spawn(io, client(server, i, results[i], sent[i]), on_done);
  deadline.async_wait([](asio::error_code ec) {
    if (!ec) {
      std::fprintf(stderr, "asio_echo: deadline of %d s exceeded\n",
                   kDeadlineSeconds);
      std::exit(3);
    }
  });
  io.run();

  bench::checksum total;
  std::uint64_t bytes = 0;
  for (int i = 0; i < kClients; ++i) {
    total.add(results[i]);
    bytes += sent[i];
  }
  std::printf("asio_echo: %d clients x %d messages, %llu bytes sent, "
              "%llu echoed, %d sessions\n",
              kClients, kMessages, static_cast<unsigned long long>(bytes),
              static_cast<unsigned long long>(st.echoed), st.sessions);
  std::printf("asio_echo: checksum %016llx\n", total.value());
  return bytes == st.echoed && st.sessions == kClients ? 0 : 1;
}
