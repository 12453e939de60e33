// tcp_sessions.cpp - QCoro 0.8 for Qt 6: a line-protocol TCP server and 24
// concurrent clients over loopback, in one QCoreApplication (no display).
//
// Third-party coroutine code for the CoroFrameOpt corpus (bench/qcoro/):
// QCoro::Task<> chains on Qt's event loop, the qCoro() wrappers of
// QTcpServer and QTcpSocket, signals awaited with qCoro(obj, &Class::signal)
// (with and without a timeout), QTimer waits, exceptions across awaits.
//
// The server listens on 127.0.0.1 with port 0 (the kernel picks a free
// one), accepts with qCoro(server).waitForNewConnection() and runs one
// session Task per connection. Requests are lines:
//   ECHO <text>   -> "<text>"
//   ADD <a> <b>   -> the sum, after a QTimer wait of 1 ms
//   SLOW <ms>     -> "slept <ms>", after QCoro::sleepFor
//   FAIL          -> a nested Task throws after an await; the session
//                    catches it and answers "ERR <what>"
//   BYE           -> "BYE", then the server disconnects
// A session that receives nothing for 1 s ends with an idle timeout.
// A second server takes one connection with qCoro(server)
// .waitForNewConnection() (see serve() for why the main one does not).
//
// Client kinds (by index modulo 6): 0-3 send 16 mixed requests and check
// every answer; 4 sends FAIL, then ECHO and BYE; 5 connects and stays
// silent until the server drops it (awaited as the disconnected() signal
// with a 3 s timeout). One more client connects to a port nobody listens
// on, awaits errorOccurred(SocketError) and throws; its exception is
// caught one Task up.
// Only counts and a checksum are printed, so the output does not depend on
// scheduling. A 4.5 s watchdog ends a stuck run with exit 3.
//
// Build (Debian's qcoro-qt6-dev, qt6-base-dev):
//   clang++ -std=c++20 -fPIC bench/qcoro/tcp_sessions.cpp \
//       $(pkg-config --cflags Qt6Core Qt6Network) -I/usr/include/qcoro6 \
//       -I/usr/include/qcoro6/qcoro -I/usr/include/qcoro6/QCoro \
//       -lQCoro6Network -lQCoro6Core $(pkg-config --libs Qt6Core Qt6Network)
#include <QCoreApplication>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <QCoroNetwork>
#include <QCoroSignal>
#include <QCoroTask>
#include <QCoroTimer>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr int kClients = 24;
constexpr int kRequests = 16;
constexpr auto kIdleTimeout = 1000ms;

struct Fnv {
  std::uint64_t h = 1469598103934665603ull;
  void add(const QByteArray &b) {
    for (char c : b)
      h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
};

struct ServerStats {
  int sessions = 0, requests = 0, errors = 0, byes = 0, idleTimeouts = 0,
      disconnects = 0;
};

struct ClientStats {
  int ok = 0, errReplies = 0, droppedSilent = 0, refused = 0, failures = 0;
  std::vector<std::uint64_t> sums = std::vector<std::uint64_t>(kClients, 0);
};

struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ConnectFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Splits what a socket delivers into lines. next() gives std::nullopt when
// nothing more comes: timedOut says whether the peer went quiet for
// `timeout` (still connected) or disconnected.
class LineReader {
public:
  explicit LineReader(QTcpSocket *s) : mSocket(s) {}

  QCoro::Task<std::optional<QByteArray>> next(std::chrono::milliseconds timeout) {
    for (;;) {
      int nl = mBuffer.indexOf('\n');
      if (nl >= 0) {
        QByteArray line = mBuffer.left(nl);
        mBuffer.remove(0, nl + 1);
        co_return line;
      }
      QByteArray chunk = co_await qCoro(mSocket).readAll(timeout);
      if (chunk.isEmpty()) {
        timedOut = mSocket->state() == QAbstractSocket::ConnectedState;
        co_return std::nullopt;
      }
      mBuffer += chunk;
    }
  }

  bool timedOut = false;

private:
  QTcpSocket *mSocket;
  QByteArray mBuffer;
};

// ------------------------------------------------------------------ server

QCoro::Task<std::int64_t> slowAdd(std::int64_t a, std::int64_t b) {
  QTimer timer;
  timer.setSingleShot(true);
  timer.start(1ms);
  co_await timer;
  co_return a + b;
}

QCoro::Task<> refuse(const QByteArray &what) {
  co_await QCoro::sleepFor(1ms);
  throw BadRequest(what.toStdString());
}

QCoro::Task<QByteArray> handle(const QByteArray &line) {
  QList<QByteArray> words = line.split(' ');
  const QByteArray &cmd = words.front();
  if (cmd == "ECHO")
    co_return line.mid(5);
  if (cmd == "ADD" && words.size() == 3) {
    std::int64_t sum = co_await slowAdd(words[1].toLongLong(), words[2].toLongLong());
    co_return QByteArray::number(static_cast<qlonglong>(sum));
  }
  if (cmd == "SLOW" && words.size() == 2) {
    co_await QCoro::sleepFor(std::chrono::milliseconds(words[1].toInt()));
    co_return "slept " + words[1];
  }
  if (cmd == "BYE")
    co_return "BYE";
  co_await refuse("unknown request '" + cmd + "'");
  co_return QByteArray(); // not reached
}

QCoro::Task<> session(QTcpSocket *socket, ServerStats &st) {
  LineReader reader(socket);
  for (;;) {
    std::optional<QByteArray> line = co_await reader.next(kIdleTimeout);
    if (!line) {
      ++(reader.timedOut ? st.idleTimeouts : st.disconnects);
      break;
    }
    ++st.requests;
    QByteArray reply;
    try {
      reply = co_await handle(*line);
    } catch (const BadRequest &e) {
      ++st.errors;
      reply = QByteArray("ERR ") + e.what();
    }
    co_await qCoro(socket).write(reply + '\n');
    if (reply == "BYE") {
      ++st.byes;
      break;
    }
  }
  socket->disconnectFromHost();
  if (socket->state() != QAbstractSocket::UnconnectedState)
    co_await qCoro(socket).waitForDisconnected(2000ms);
  socket->deleteLater();
  ++st.sessions;
}

// Accepts through qCoroSignalListener (an AsyncGenerator of newConnection
// emissions), one emission per connection. Not through
// qCoro(server).waitForNewConnection() in a loop: in QCoro 0.8 each wait is
// a QCoroSignal with a queued connection, and when two clients connect in
// one event-loop iteration the second queued emission reaches the
// QCoroSignal the first one already destroyed (a crash in QTimer::stop, with
// g++ as with clang; QCoro issue #167, fixed in 0.9).
QCoro::Task<> serve(QTcpServer &server, int connections, ServerStats &st) {
  std::vector<QCoro::Task<>> sessions;
  auto emissions = qCoroSignalListener(&server, &QTcpServer::newConnection,
                                       3000ms);
  auto it = co_await emissions.begin();
  for (int i = 0; i < connections; ++i) {
    if (i > 0)
      co_await ++it;
    if (it == emissions.end())
      throw std::runtime_error("accept timed out");
    QTcpSocket *socket = server.nextPendingConnection();
    if (!socket)
      throw std::runtime_error("newConnection without a connection");
    sessions.push_back(session(socket, st));
  }
  for (QCoro::Task<> &s : sessions)
    co_await s;
}

// One connection at a time is safe with waitForNewConnection().
QCoro::Task<bool> acceptOne(QTcpServer &server) {
  QTcpSocket *socket = co_await qCoro(server).waitForNewConnection(3000ms);
  if (!socket)
    co_return false;
  LineReader reader(socket);
  std::optional<QByteArray> hello = co_await reader.next(2000ms);
  co_await qCoro(socket).write("hello yourself\n");
  socket->disconnectFromHost();
  socket->deleteLater();
  co_return hello && *hello == "hello";
}

// ------------------------------------------------------------------ client

QCoro::Task<std::unique_ptr<QTcpSocket>> connectTo(quint16 port) {
  auto socket = std::make_unique<QTcpSocket>();
  bool ok = co_await qCoro(socket.get()).connectToHost(QHostAddress::LocalHost,
                                                       port, QIODevice::ReadWrite, 2000ms);
  if (!ok)
    throw ConnectFailed("cannot connect to port " + std::to_string(port) +
                        ": " + socket->errorString().toStdString());
  co_return socket;
}

QCoro::Task<QByteArray> request(QTcpSocket *socket, LineReader &reader,
                                const QByteArray &line) {
  co_await qCoro(socket).write(line + '\n');
  std::optional<QByteArray> reply = co_await reader.next(3000ms);
  if (!reply)
    throw std::runtime_error("no reply to " + line.toStdString());
  co_return *reply;
}

QCoro::Task<std::uint64_t> chattyClient(quint16 port, int id) {
  std::unique_ptr<QTcpSocket> socket = co_await connectTo(port);
  LineReader reader(socket.get());
  Fnv sum;
  for (int r = 0; r < kRequests; ++r) {
    QByteArray req, want;
    switch ((id + r) % 3) {
    case 0:
      req = "ECHO client " + QByteArray::number(id) + " says " +
            QByteArray(1 + (id * 7 + r * 13) % 200, char('a' + r % 26));
      want = req.mid(5);
      break;
    case 1:
      req = "ADD " + QByteArray::number(id * 1000 + r) + " " +
            QByteArray::number(-r * 17);
      want = QByteArray::number(id * 1000 + r - r * 17);
      break;
    default:
      req = "SLOW " + QByteArray::number(r % 4);
      want = "slept " + QByteArray::number(r % 4);
    }
    QByteArray got = co_await request(socket.get(), reader, req);
    if (got != want)
      throw std::runtime_error("client " + std::to_string(id) + ": '" +
                               got.toStdString() + "' for '" +
                               req.toStdString() + "'");
    sum.add(got);
  }
  if (co_await request(socket.get(), reader, "BYE") != "BYE")
    throw std::runtime_error("no BYE");
  if (socket->state() != QAbstractSocket::UnconnectedState)
    co_await qCoro(socket.get(), &QAbstractSocket::disconnected, 2000ms);
  co_return sum.h;
}

QCoro::Task<bool> failingClient(quint16 port) {
  std::unique_ptr<QTcpSocket> socket = co_await connectTo(port);
  LineReader reader(socket.get());
  QByteArray err = co_await request(socket.get(), reader, "FAIL");
  QByteArray echo = co_await request(socket.get(), reader, "ECHO still here");
  QByteArray bye = co_await request(socket.get(), reader, "BYE");
  co_return err == "ERR unknown request 'FAIL'" && echo == "still here" &&
      bye == "BYE";
}

QCoro::Task<bool> silentClient(quint16 port) {
  std::unique_ptr<QTcpSocket> socket = co_await connectTo(port);
  // The signal has no arguments: the result is an optional empty tuple,
  // empty if 3 s pass first.
  auto dropped = co_await qCoro(socket.get(), &QAbstractSocket::disconnected, 3000ms);
  co_return dropped.has_value();
}

QCoro::Task<bool> helloClient(quint16 port) {
  std::unique_ptr<QTcpSocket> socket = co_await connectTo(port);
  LineReader reader(socket.get());
  QByteArray reply = co_await request(socket.get(), reader, "hello");
  if (socket->state() != QAbstractSocket::UnconnectedState)
    co_await qCoro(socket.get(), &QAbstractSocket::disconnected, 2000ms);
  co_return reply == "hello yourself";
}

QCoro::Task<quint16> unusedPort() {
  QTcpServer probe;
  probe.listen(QHostAddress::LocalHost, 0);
  quint16 port = probe.serverPort();
  probe.close();
  co_await QCoro::sleepFor(0ms);
  co_return port;
}

// Not qCoro(socket).connectToHost(): in QCoro 0.8 a refused connection
// still waits for the whole timeout. The errorOccurred(SocketError) signal
// says it at once; its argument is the awaited value.
QCoro::Task<> connectExpectingRefusal(quint16 port) {
  QTcpSocket socket;
  socket.connectToHost(QHostAddress::LocalHost, port);
  std::optional<QAbstractSocket::SocketError> err =
      co_await qCoro(&socket, &QAbstractSocket::errorOccurred, 2000ms);
  if (!err)
    co_return; // connected (someone else took the port): no exception
  throw ConnectFailed(*err == QAbstractSocket::ConnectionRefusedError
                          ? "connection refused"
                          : "other error");
}

QCoro::Task<> refusedClient(ClientStats &cs) {
  quint16 port = co_await unusedPort();
  try {
    co_await connectExpectingRefusal(port);
    ++cs.failures;
  } catch (const ConnectFailed &e) {
    if (std::string(e.what()) == "connection refused")
      ++cs.refused;
    else
      ++cs.failures;
  }
}

QCoro::Task<> runClient(quint16 port, int id, ClientStats &cs) {
  try {
    switch (id % 6) {
    case 4:
      if (co_await failingClient(port))
        ++cs.errReplies;
      else
        ++cs.failures;
      break;
    case 5:
      if (co_await silentClient(port))
        ++cs.droppedSilent;
      else
        ++cs.failures;
      break;
    default:
      cs.sums[id] = co_await chattyClient(port, id);
      ++cs.ok;
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "tcp_sessions: %s\n", e.what());
    ++cs.failures;
  }
}

QCoro::Task<int> runAll() {
  QTcpServer server;
  if (!server.listen(QHostAddress::LocalHost, 0)) {
    std::fprintf(stderr, "tcp_sessions: cannot listen\n");
    co_return 2;
  }
  ServerStats st;
  ClientStats cs;
  QCoro::Task<> serverTask = serve(server, kClients, st);
  std::vector<QCoro::Task<>> clients;
  for (int i = 0; i < kClients; ++i)
    clients.push_back(runClient(server.serverPort(), i, cs));
  co_await refusedClient(cs);
  for (QCoro::Task<> &c : clients)
    co_await c;

  QTcpServer single;
  single.listen(QHostAddress::LocalHost, 0);
  QCoro::Task<bool> accepted = acceptOne(single);
  bool helloOk = co_await helloClient(single.serverPort());
  bool acceptOk = co_await accepted;

  bool serverFailed = false;
  try {
    co_await serverTask;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "tcp_sessions: server: %s\n", e.what());
    serverFailed = true;
  }

  Fnv total;
  for (std::uint64_t s : cs.sums)
    total.add(QByteArray::number(static_cast<qulonglong>(s)));
  std::printf("tcp_sessions: %d clients, %d requests per chatty client\n",
              kClients, kRequests);
  std::printf("server: %d sessions, %d requests, %d errors, %d byes, "
              "%d idle timeouts, %d disconnects\n",
              st.sessions, st.requests, st.errors, st.byes, st.idleTimeouts,
              st.disconnects);
  std::printf("clients: %d ok, %d ERR replies, %d dropped silent, %d refused, "
              "%d failures\n",
              cs.ok, cs.errReplies, cs.droppedSilent, cs.refused, cs.failures);
  std::printf("single accept: server %s, client %s\n", acceptOk ? "ok" : "FAILED",
              helloOk ? "ok" : "FAILED");
  std::printf("checksum %016llx\n", static_cast<unsigned long long>(total.h));
  bool ok = !serverFailed && acceptOk && helloOk && cs.failures == 0 &&
            st.sessions == kClients &&
            cs.ok == kClients / 6 * 4 && cs.errReplies == kClients / 6 &&
            cs.droppedSilent == kClients / 6 && cs.refused == 1 &&
            st.idleTimeouts == kClients / 6;
  co_return ok ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  QCoreApplication app(argc, argv);
  QTimer::singleShot(4500ms, [] {
    std::fprintf(stderr, "tcp_sessions: watchdog fired\n");
    std::fflush(stdout);
    std::_Exit(3);
  });
  int rc = 1;
  QTimer::singleShot(0ms, &app, [&] {
    QCoro::connect(runAll(), &app, [&](int r) {
      rc = r;
      app.quit();
    });
  });
  app.exec();
  std::fflush(stdout);
  return rc;
}
