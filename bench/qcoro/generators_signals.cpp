// generators_signals.cpp - QCoro 0.8 for Qt 6 without networking: Task<>
// chains, QCoro::Generator and QCoro::AsyncGenerator, signals awaited with
// qCoro(obj, &Class::signal) and qCoroSignalListener, QTimer waits, QFuture
// results, QCoro::waitFor, Task::then and QCoro::connect, exceptions across
// awaits. One QCoreApplication, no display, no Q_OBJECT classes (so no moc):
// the signals awaited are those of Qt's own classes (QBuffer,
// QVariantAnimation).
//
// Third-party coroutine code for the CoroFrameOpt corpus (bench/qcoro/).
//
//   1. Generator: a lazy synchronous generator of primes, filtered by a
//      second generator that iterates the first one (both suspended in
//      their frames between values), abandoned midway by a range-for break;
//   2. AsyncGenerator: values produced after QTimer waits and
//      QCoro::sleepFor, consumed with QCORO_FOREACH and by hand with
//      `co_await ++it`; one generator throws after an await and the
//      exception comes out of the consumer's `co_await ++it`;
//   3. signals: QBuffer::bytesWritten(qint64) and readyRead() (queued by
//      QBuffer), QIODevice::aboutToClose(), a
//      timed-out wait on a signal that never comes (empty optional), the
//      two-argument QAbstractAnimation::stateChanged (a tuple) and
//      QAbstractAnimation::finished of a 20 ms QVariantAnimation, and
//      qCoroSignalListener over a series of queued emissions;
//   4. Task chains: three levels, the innermost throws after a QTimer
//      await, caught at the top; Task::then() continuations; a QFuture
//      fulfilled by a QPromise from a timer, co_awaited; QCoro::waitFor
//      running a Task to completion from main() before app.exec();
//      QCoro::connect delivering the final result to main().
// Everything is driven by timers of a few milliseconds and the output has
// only values and counts, so it does not depend on timing. A 4.5 s
// watchdog ends a stuck run with exit 3.
//
// Build (Debian's qcoro-qt6-dev, qt6-base-dev):
//   clang++ -std=c++20 -fPIC bench/qcoro/generators_signals.cpp \
//       $(pkg-config --cflags Qt6Core) -I/usr/include/qcoro6 \
//       -I/usr/include/qcoro6/qcoro -I/usr/include/qcoro6/QCoro \
//       -lQCoro6Core $(pkg-config --libs Qt6Core)
#include <QBuffer>
#include <QCoreApplication>
#include <QFuture>
#include <QObject>
#include <QPromise>
#include <QTimer>
#include <QVariantAnimation>

#include <QCoroAsyncGenerator>
#include <QCoroCore>
#include <QCoroFuture>
#include <QCoroGenerator>
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
#include <tuple>
#include <vector>

using namespace std::chrono_literals;

namespace {

int failures = 0;

void expect(bool ok, const char *what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}

// -------------------------------------------------------------- Generator

QCoro::Generator<int> primes() {
  for (int n = 2;; ++n) {
    bool prime = true;
    for (int d = 2; d * d <= n; ++d)
      if (n % d == 0) {
        prime = false;
        break;
      }
    if (prime)
      co_yield n;
  }
}

// Primes p with p + 2 also prime, from one pass over primes().
QCoro::Generator<std::pair<int, int>> twinPrimes() {
  int previous = 0;
  for (int p : primes()) {
    if (previous && p - previous == 2)
      co_yield std::pair<int, int>(previous, p);
    previous = p;
  }
}

void generators() {
  std::printf("twin primes:");
  int count = 0;
  for (auto [a, b] : twinPrimes()) {
    std::printf(" (%d,%d)", a, b);
    if (++count == 10)
      break; // destroys both suspended generators
  }
  std::printf("\n");
  std::uint64_t sum = 0;
  int n = 0;
  for (int p : primes()) {
    if (n++ == 1000)
      break;
    sum += static_cast<std::uint64_t>(p);
  }
  std::printf("sum of the first 1000 primes: %llu\n",
              static_cast<unsigned long long>(sum));
  expect(sum == 3682913, "primes");
}

// --------------------------------------------------------- AsyncGenerator

QCoro::AsyncGenerator<int> ticks(int count) {
  QTimer timer;
  timer.setSingleShot(true);
  for (int i = 0; i < count; ++i) {
    timer.start(1ms);
    // `co_await timer` works in a Task (its promise turns the QTimer into an
    // awaitable), not in an AsyncGenerator: await the wrapper's Task.
    co_await qCoro(&timer).waitForTimeout();
    co_yield i * i;
  }
}

QCoro::AsyncGenerator<QByteArray> words(QList<QByteArray> list, int failAt) {
  for (int i = 0; i < list.size(); ++i) {
    co_await QCoro::sleepFor(1ms);
    if (i == failAt)
      throw std::runtime_error("word " + std::to_string(i) + " is missing");
    co_yield list[i];
  }
}

QCoro::Task<> asyncGenerators() {
  int sum = 0, n = 0;
  QCORO_FOREACH(int v, ticks(12)) {
    sum += v;
    ++n;
  }
  std::printf("ticks: %d values, sum %d\n", n, sum);
  expect(n == 12 && sum == 506, "ticks");

  QList<QByteArray> list{"alpha", "beta", "gamma", "delta", "epsilon"};
  QByteArray joined;
  auto gen = words(list, -1);
  for (auto it = co_await gen.begin(); it != gen.end(); co_await ++it)
    joined += *it + ' ';
  std::printf("words: %s\n", joined.trimmed().constData());

  QByteArray partial;
  std::string error;
  try {
    auto failing = words(list, 3);
    for (auto it = co_await failing.begin(); it != failing.end(); co_await ++it)
      partial += *it + ' ';
  } catch (const std::runtime_error &e) {
    error = e.what();
  }
  std::printf("words before the error: %s; error: %s\n",
              partial.trimmed().constData(), error.c_str());
  expect(error == "word 3 is missing", "async generator exception");
}

// ----------------------------------------------------------------- signals

QCoro::Task<> signals_() {
  // QBuffer queues bytesWritten/readyRead only if someone is connected when
  // it is written to: qCoro() returns an eager Task that connects at once.
  QBuffer buffer;
  buffer.open(QIODevice::ReadWrite);
  auto written = qCoro(&buffer, &QIODevice::bytesWritten);
  auto readable = qCoro(&buffer, &QIODevice::readyRead);
  buffer.write("0123456789abcdef");
  qint64 n = co_await written;
  co_await readable;
  std::printf("QBuffer: bytesWritten(%lld), readyRead\n",
              static_cast<long long>(n));
  expect(n == 16, "bytesWritten");

  // Not QObject::destroyed: QCoro 0.8 connects with the sender as the
  // context object and Qt::QueuedConnection, so the queued call is dropped
  // with the object and the awaiting coroutine never resumes.
  auto closing = qCoro(&buffer, &QIODevice::aboutToClose);
  buffer.close();
  co_await closing;
  std::printf("QBuffer: aboutToClose, open %d\n", buffer.isOpen() ? 1 : 0);

  // A signal that never comes: the timeout gives an empty optional.
  QBuffer idle;
  idle.open(QIODevice::ReadOnly);
  auto nothing = co_await qCoro(&idle, &QIODevice::readyRead, 10ms);
  std::printf("readyRead on an idle buffer: %s\n",
              nothing ? "emitted" : "timed out");
  expect(!nothing, "timeout");

  QVariantAnimation animation;
  animation.setStartValue(0);
  animation.setEndValue(100);
  animation.setDuration(20);
  auto stateChange = qCoro(&animation, &QAbstractAnimation::stateChanged);
  auto finished = qCoro(&animation, &QAbstractAnimation::finished);
  animation.start();
  auto [newState, oldState] = co_await stateChange;
  co_await finished;
  std::printf("animation: state %d -> %d, finished at %d\n",
              static_cast<int>(oldState), static_cast<int>(newState),
              animation.currentValue().toInt());
  expect(newState == QAbstractAnimation::Running &&
             animation.currentValue().toInt() == 100,
         "animation");

  // A listener keeps one connection for a series of emissions.
  QBuffer sink;
  sink.open(QIODevice::WriteOnly);
  auto listener = qCoroSignalListener(&sink, &QIODevice::bytesWritten, 500ms);
  qint64 total = 0;
  int emissions = 0;
  sink.write(QByteArray(10, 'x'));
  auto it = co_await listener.begin();
  for (int chunk = 2; it != listener.end(); ++chunk) {
    total += *it;
    ++emissions;
    if (chunk > 5)
      break;
    sink.write(QByteArray(chunk * 10, 'x'));
    co_await ++it;
  }
  std::printf("listener: %d emissions, %lld bytes\n", emissions,
              static_cast<long long>(total));
}

// -------------------------------------------------------------- Task chains

struct Overheated : std::runtime_error {
  explicit Overheated(int t)
      : std::runtime_error("overheated at " + std::to_string(t)) {}
};

QCoro::Task<int> measure(int step) {
  QTimer timer;
  timer.setSingleShot(true);
  timer.start(1ms);
  co_await timer;
  int t = 20 + step * 7;
  if (t > 60)
    throw Overheated(t);
  co_return t;
}

QCoro::Task<int> averageOf(int steps) {
  int sum = 0;
  for (int s = 0; s < steps; ++s)
    sum += co_await measure(s);
  co_return sum / steps;
}

QCoro::Task<std::string> report(int steps) {
  try {
    int avg = co_await averageOf(steps);
    co_return "average " + std::to_string(avg);
  } catch (const Overheated &e) {
    co_return std::string("stopped: ") + e.what();
  }
}

QFuture<int> answerLater() {
  auto promise = std::make_shared<QPromise<int>>();
  promise->start();
  QTimer::singleShot(2ms, [promise] {
    promise->addResult(42);
    promise->finish();
  });
  return promise->future();
}

QCoro::Task<int> taskChains() {
  std::string a = co_await report(4);
  std::string b = co_await report(9);
  std::printf("report(4): %s\nreport(9): %s\n", a.c_str(), b.c_str());
  expect(a == "average 30" && b == "stopped: overheated at 62", "reports");

  // then(): the continuation runs when the task finishes and its result
  // is what co_await gives.
  int doubled = co_await averageOf(3).then([](int avg) { return avg * 2; });
  std::string caught;
  co_await averageOf(7).then([&caught](int) { caught = "no error"; },
                             [&caught](const std::exception &e) {
                               caught = e.what();
                             });
  std::printf("then: doubled %d, error handler got '%s'\n", doubled,
              caught.c_str());
  expect(doubled == 54 && caught == "overheated at 62", "then");

  int answer = co_await answerLater();
  std::printf("QFuture: %d\n", answer);
  expect(answer == 42, "future");
  co_return answer;
}

QCoro::Task<int> runAll() {
  generators();
  co_await asyncGenerators();
  co_await signals_();
  int r = co_await taskChains();
  co_return failures == 0 && r == 42 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  QCoreApplication app(argc, argv);
  QTimer::singleShot(4500ms, [] {
    std::fprintf(stderr, "generators_signals: watchdog fired\n");
    std::fflush(stdout);
    std::_Exit(3);
  });

  // QCoro::waitFor runs its own event loop until the Task is done.
  int warmup = QCoro::waitFor(averageOf(2));
  std::printf("waitFor: %d\n", warmup);
  expect(warmup == 23, "waitFor");

  int rc = 1;
  QTimer::singleShot(0ms, &app, [&] {
    QCoro::connect(runAll(), &app, [&](int r) {
      rc = r;
      app.quit();
    });
  });
  app.exec();
  std::printf("generators_signals: %s\n", rc == 0 ? "ok" : "FAILED");
  std::fflush(stdout);
  return rc;
}
