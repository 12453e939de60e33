// echo_proxy.cpp - an async echo server and a forwarding proxy on loopback.
//
// A small epoll reactor drives corolib tasks. In one process:
//   echo server  accepts connections on 127.0.0.1 (port 0: the kernel picks a
//                free port) and echoes every byte back,
//   proxy        accepts client connections on another ephemeral port,
//                connects to the echo server for each and pumps bytes both
//                ways with two coroutines joined by bench::when_all,
//   clients      connect to the proxy, send messages of varying length, read
//                the echo back and check it byte for byte.
// The connection and message counts are fixed, and the whole exchange must
// finish within a deadline, so the program always stops by itself. Output:
// byte counts and a checksum of everything echoed, which are deterministic.
//
// Frame-layout situation: the session coroutines keep I/O buffers (1-2 KiB
// arrays) and socket state across every suspension; the awaited I/O helpers
// (accept, read_some, write_all, connect) are small tasks that the optimizer
// may elide into their callers' frames.
#include "corolib/corolib.h"
#include "bench_coro.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

using corolib::manual_executor;
using corolib::task;

constexpr int kClients = 48;
constexpr int kMessages = 40;
constexpr int kDeadlineSeconds = 60;

[[noreturn]] static void fail(const char *what) {
  std::fprintf(stderr, "echo_proxy: %s: %s\n", what, std::strerror(errno));
  std::exit(2);
}

// ------------------------------------------------------------------ reactor
class reactor {
public:
  explicit reactor(manual_executor &ex)
      : ex_(ex), ep_(epoll_create1(EPOLL_CLOEXEC)) {
    if (ep_ < 0)
      fail("epoll_create1");
  }
  ~reactor() { ::close(ep_); }
  reactor(const reactor &) = delete;
  reactor &operator=(const reactor &) = delete;

  manual_executor &executor() { return ex_; }

  struct io_awaiter {
    reactor &r;
    int fd;
    bool write;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { r.watch(fd, write, h); }
    void await_resume() const noexcept {}
  };
  io_awaiter readable(int fd) { return {*this, fd, false}; }
  io_awaiter writable(int fd) { return {*this, fd, true}; }

  void close(int fd) {
    auto it = fds_.find(fd);
    if (it != fds_.end()) {
      if (it->second.added)
        epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
      fds_.erase(it);
    }
    ::close(fd);
  }

  // Drive the executor and epoll until every spawned task has finished.
  void run() {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::seconds(kDeadlineSeconds);
    epoll_event events[64];
    for (;;) {
      ex_.run_all();
      if (ex_.live_spawned() == 0)
        return;
      if (std::chrono::steady_clock::now() > deadline) {
        std::fprintf(stderr, "echo_proxy: deadline of %d s exceeded\n",
                     kDeadlineSeconds);
        std::exit(3);
      }
      int n = epoll_wait(ep_, events, 64, 100);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        fail("epoll_wait");
      }
      for (int i = 0; i < n; ++i) {
        auto it = fds_.find(events[i].data.fd);
        if (it == fds_.end())
          continue; // closed by an earlier event of this batch
        std::uint32_t e = events[i].events;
        std::coroutine_handle<> reader, writer;
        if (e & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
          reader = std::exchange(it->second.reader, {});
        if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))
          writer = std::exchange(it->second.writer, {});
        update(it->first, it->second);
        // Every operation retries its system call after waking up, so a
        // stale or spurious wake-up is harmless.
        if (reader)
          reader.resume();
        if (writer)
          writer.resume();
      }
    }
  }

private:
  struct fd_state {
    std::coroutine_handle<> reader, writer;
    std::uint32_t mask = 0;
    bool added = false;
  };

  void watch(int fd, bool write, std::coroutine_handle<> h) {
    fd_state &st = fds_[fd];
    (write ? st.writer : st.reader) = h;
    update(fd, st);
  }

  void update(int fd, fd_state &st) {
    std::uint32_t mask = (st.reader ? EPOLLIN | EPOLLRDHUP : 0u) |
                         (st.writer ? EPOLLOUT : 0u);
    if (st.added && mask == st.mask)
      return;
    epoll_event ev{};
    ev.events = mask;
    ev.data.fd = fd;
    if (epoll_ctl(ep_, st.added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0)
      fail("epoll_ctl");
    st.added = true;
    st.mask = mask;
  }

  manual_executor &ex_;
  int ep_;
  std::unordered_map<int, fd_state> fds_;
};

// ------------------------------------------------------- socket operations
static int make_socket() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    fail("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static int make_listener(sockaddr_in &bound) {
  int fd = make_socket();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // 127.0.0.1 only
  addr.sin_port = 0;                             // ephemeral
  if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0)
    fail("bind");
  if (::listen(fd, 256) < 0)
    fail("listen");
  socklen_t len = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &len) < 0)
    fail("getsockname");
  return fd;
}

static bool would_block() {
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

task<int> async_accept(reactor &r, int listener) {
  for (;;) {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      co_return fd;
    }
    if (!would_block())
      fail("accept4");
    co_await r.readable(listener);
  }
}

task<void> async_connect(reactor &r, int fd, sockaddr_in addr) {
  if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0)
    co_return;
  if (errno != EINPROGRESS)
    fail("connect");
  co_await r.writable(fd);
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    errno = err;
    fail("connect (deferred)");
  }
}

// Reads at least one byte; 0 means the peer closed its side.
task<std::size_t> async_read_some(reactor &r, int fd, char *buf,
                                  std::size_t n) {
  for (;;) {
    ssize_t k = ::recv(fd, buf, n, 0);
    if (k >= 0)
      co_return static_cast<std::size_t>(k);
    if (errno == ECONNRESET)
      co_return 0;
    if (!would_block())
      fail("recv");
    co_await r.readable(fd);
  }
}

task<void> async_write_all(reactor &r, int fd, const char *buf,
                           std::size_t n) {
  while (n > 0) {
    ssize_t k = ::send(fd, buf, n, MSG_NOSIGNAL);
    if (k > 0) {
      buf += k;
      n -= static_cast<std::size_t>(k);
      continue;
    }
    if (k < 0 && !would_block())
      fail("send");
    co_await r.writable(fd);
  }
}

// --------------------------------------------------------------- the server
struct stats {
  std::uint64_t echoed = 0;      // bytes the echo server sent back
  std::uint64_t upstream = 0;    // bytes the proxy forwarded client -> server
  std::uint64_t downstream = 0;  // bytes the proxy forwarded server -> client
  int sessions = 0;
};

task<void> echo_session(reactor &r, int fd, stats &st) {
  char buf[2048];
  for (;;) {
    std::size_t n = co_await async_read_some(r, fd, buf, sizeof buf);
    if (n == 0)
      break;
    co_await async_write_all(r, fd, buf, n);
    st.echoed += n;
  }
  ++st.sessions;
  r.close(fd);
}

task<void> echo_server(reactor &r, int listener, int connections,
                       stats &st) {
  for (int i = 0; i < connections; ++i) {
    int fd = co_await async_accept(r, listener);
    corolib::spawn(r.executor(), echo_session(r, fd, st));
  }
  r.close(listener);
}

// ---------------------------------------------------------------- the proxy
task<void> pump(reactor &r, int from, int to, std::uint64_t &bytes) {
  char buf[1024];
  for (;;) {
    std::size_t n = co_await async_read_some(r, from, buf, sizeof buf);
    if (n == 0)
      break;
    co_await async_write_all(r, to, buf, n);
    bytes += n;
  }
  ::shutdown(to, SHUT_WR); // pass the end of the stream on
}

task<void> proxy_session(reactor &r, int client, sockaddr_in upstream_addr,
                         stats &st) {
  int upstream = make_socket();
  co_await async_connect(r, upstream, upstream_addr);
  std::vector<task<void>> directions;
  directions.push_back(pump(r, client, upstream, st.upstream));
  directions.push_back(pump(r, upstream, client, st.downstream));
  co_await bench::when_all(std::move(directions));
  r.close(upstream);
  r.close(client);
}

task<void> proxy_server(reactor &r, int listener, sockaddr_in upstream,
                        int connections, stats &st) {
  for (int i = 0; i < connections; ++i) {
    int fd = co_await async_accept(r, listener);
    corolib::spawn(r.executor(), proxy_session(r, fd, upstream, st));
  }
  r.close(listener);
}

// -------------------------------------------------------------- the clients
static std::size_t message_length(int client, int message) {
  return 1 + static_cast<std::size_t>((client * 131 + message * 71) % 1500);
}

task<void> client(reactor &r, sockaddr_in proxy, int id,
                  unsigned long long &result, std::uint64_t &sent) {
  int fd = make_socket();
  co_await async_connect(r, fd, proxy);
  bench::checksum sum;
  std::string out, in;
  for (int m = 0; m < kMessages; ++m) {
    std::size_t len = message_length(id, m);
    out.resize(len);
    for (std::size_t i = 0; i < len; ++i)
      out[i] = static_cast<char>('a' + (id + m * 7 + i * 13) % 26);
    co_await async_write_all(r, fd, out.data(), len);
    in.assign(len, '\0');
    std::size_t got = 0;
    while (got < len) {
      std::size_t k = co_await async_read_some(r, fd, in.data() + got, len - got);
      if (k == 0) {
        std::fprintf(stderr, "echo_proxy: client %d: early end of stream\n",
                     id);
        std::exit(4);
      }
      got += k;
    }
    if (in != out) {
      std::fprintf(stderr, "echo_proxy: client %d: message %d came back "
                           "different\n", id, m);
      std::exit(5);
    }
    sum.add_bytes(in.data(), len);
    sent += len;
  }
  ::shutdown(fd, SHUT_WR);
  char c;
  if (co_await async_read_some(r, fd, &c, 1) != 0) {
    std::fprintf(stderr, "echo_proxy: client %d: data after the end\n", id);
    std::exit(6);
  }
  r.close(fd);
  result = sum.value();
}

int main() {
  manual_executor ex;
  reactor r(ex);
  stats st;
  sockaddr_in server_addr{}, proxy_addr{};
  int server_listener = make_listener(server_addr);
  int proxy_listener = make_listener(proxy_addr);

  std::vector<unsigned long long> results(kClients, 0);
  std::vector<std::uint64_t> sent(kClients, 0);
  corolib::spawn(ex, echo_server(r, server_listener, kClients, st));
  corolib::spawn(ex, proxy_server(r, proxy_listener, server_addr, kClients, st));
  for (int i = 0; i < kClients; ++i)
    corolib::spawn(ex, client(r, proxy_addr, i, results[i], sent[i]));
  r.run();

  bench::checksum total;
  std::uint64_t bytes = 0;
  for (int i = 0; i < kClients; ++i) {
    total.add(results[i]);
    bytes += sent[i];
  }
  std::printf("echo_proxy: %d clients x %d messages, %llu bytes sent\n",
              kClients, kMessages, static_cast<unsigned long long>(bytes));
  std::printf("echo_proxy: proxied up %llu, down %llu, echoed %llu, "
              "server sessions %d\n",
              static_cast<unsigned long long>(st.upstream),
              static_cast<unsigned long long>(st.downstream),
              static_cast<unsigned long long>(st.echoed), st.sessions);
  std::printf("echo_proxy: checksum %016llx\n", total.value());
  bool ok = bytes == st.upstream && bytes == st.downstream &&
            bytes == st.echoed && st.sessions == kClients;
  return ok ? 0 : 1;
}
