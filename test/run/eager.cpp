// corolib::eager_task<T>: coroutines that start running as soon as they are
// called. Covers: a task that finishes before the call returns (the frame then
// only holds the result), tasks that suspend on an executor part-way with
// locals live across the suspension, co_await of an eager task before and
// after it finished, eager_task<void> and <std::string>, hundreds of eager
// tasks moved into a vector and driven together, exceptions thrown before and
// after the first suspension (rethrown by get() and by co_await), and an eager
// task destroyed while suspended.
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#define COROLIB_ALLOC_COUNT_DEFINE_OPERATORS
#include "corolib.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

using corolib::eager_task;
using corolib::manual_executor;
using corolib::task;

static volatile int seed_source = 2718;
static int seed() { return seed_source; }

static std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

struct noisy {
  const char *name;
  int id;
  noisy(const char *n, int i) : name(n), id(i) {}
  noisy(const noisy &) = delete;
  ~noisy() { std::printf("    ~%s(%d)\n", name, id); }
};

eager_task<int> immediate(int x) {
  int y = x * x % 1009;
  co_return y + 1;
}

// Suspends `rounds` times; the array and the scalars live across each.
eager_task<long> stepper(manual_executor &ex, int id, int rounds) {
  long acc = id;
  int hist[12] = {};
  double weight = 1.0 + id / 16.0;
  for (int r = 0; r < rounds; ++r) {
    hist[(id + r) % 12] += r + 1;
    co_await ex.schedule();
    acc = acc * 17 + hist[(id + r) % 12] + static_cast<long>(weight * r);
    weight *= 0.75;
  }
  for (int v : hist)
    acc = acc * 3 + v;
  co_return acc % 1000000007;
}

static long stepper_ref(int id, int rounds) {
  long acc = id;
  int hist[12] = {};
  double weight = 1.0 + id / 16.0;
  for (int r = 0; r < rounds; ++r) {
    hist[(id + r) % 12] += r + 1;
    acc = acc * 17 + hist[(id + r) % 12] + static_cast<long>(weight * r);
    weight *= 0.75;
  }
  for (int v : hist)
    acc = acc * 3 + v;
  return acc % 1000000007;
}

eager_task<std::string> greeter(manual_executor &ex, std::string name) {
  std::string greeting = "hello, " + name; // live across the suspension
  co_await ex.schedule();
  greeting += "!";
  co_return greeting + " (" + std::to_string(greeting.size()) + ")";
}

eager_task<void> flag_setter(manual_executor &ex, int &flag, int value) {
  co_await ex.schedule();
  flag = value;
}

eager_task<int> failing(manual_executor *ex, int code) {
  noisy n("failing", code);
  if (ex)
    co_await ex->schedule();
  throw std::runtime_error("eager failure " + std::to_string(code));
}

eager_task<int> holds_locals(manual_executor &ex, int id) {
  noisy a("holds.a", id);
  co_await ex.schedule();
  noisy b("holds.b", id);
  co_await ex.schedule();
  co_return id;
}

// A lazy task awaiting an eager one that may or may not have finished.
task<long> await_eager(const eager_task<long> &e, long bias) {
  long local = bias * 3; // live across the co_await
  long v = co_await e;
  co_return v + local;
}

int main() {
  const int s = seed();
  const corolib::alloc_count::snapshot start = corolib::alloc_count::now();
  std::uint64_t h = 0;

  {
    auto t = immediate(s);
    std::printf("immediate: done=%d value=%d\n", t.done(), t.get());
    h = mix(h, static_cast<std::uint64_t>(t.get()));
  }

  {
    manual_executor ex;
    auto t = stepper(ex, s % 100, 5);
    std::printf("stepper: done after call=%d\n", t.done());
    std::size_t steps = ex.run_all();
    long v = t.get();
    std::printf("stepper: %zu resumptions, value %ld %s\n", steps, v,
                v == stepper_ref(s % 100, 5) ? "ok" : "MISMATCH");
    h = mix(h, static_cast<std::uint64_t>(v));
  }

  {
    manual_executor ex;
    auto early = stepper(ex, 3, 0); // no suspension: finished already
    auto late = stepper(ex, 4, 3);  // still running when awaited
    auto a = corolib::sync_wait(ex, await_eager(early, s));
    auto b = corolib::sync_wait(ex, await_eager(late, s));
    std::printf("await_eager: finished-first %ld, awaited-while-running %ld\n",
                a, b);
    std::printf("  expected %ld %ld\n", stepper_ref(3, 0) + 3L * s,
                stepper_ref(4, 3) + 3L * s);
    h = mix(h, static_cast<std::uint64_t>(a + b));
  }

  {
    manual_executor ex;
    auto g = greeter(ex, "eager world " + std::to_string(s));
    int flag = 0;
    auto f = flag_setter(ex, flag, s);
    std::printf("greeter/flag before run: %d %d flag=%d\n", g.done(), f.done(),
                flag);
    ex.run_all();
    f.get();
    std::printf("greeter: %s; flag=%d\n", g.get().c_str(), flag);
  }

  {
    manual_executor ex;
    std::vector<eager_task<long>> tasks;
    for (int id = 0; id < 400; ++id)
      tasks.push_back(stepper(ex, id, id % 6));
    int finished_early = 0;
    for (auto &t : tasks)
      finished_early += t.done();
    std::size_t steps = ex.run_all();
    std::uint64_t vh = 0;
    int wrong = 0;
    for (int id = 0; id < 400; ++id) {
      long v = tasks[id].get();
      wrong += v != stepper_ref(id, id % 6);
      vh = mix(vh, static_cast<std::uint64_t>(v));
    }
    std::printf("400 steppers: %d finished during the call, %zu resumptions, "
                "%d wrong, hash %016llx\n",
                finished_early, steps, wrong,
                static_cast<unsigned long long>(vh));
    h = mix(h, vh);
  }

  std::printf("exceptions:\n");
  {
    auto t = failing(nullptr, 1); // throws before any suspension
    std::printf("  failing(sync) done=%d\n", t.done());
    try {
      t.get();
    } catch (const std::runtime_error &e) {
      std::printf("  get() rethrew '%s'\n", e.what());
    }
  }
  {
    manual_executor ex;
    auto t = failing(&ex, 2);
    auto waiter = [](const eager_task<int> &e) -> task<int> {
      try {
        co_return co_await e;
      } catch (const std::runtime_error &err) {
        std::printf("  co_await rethrew '%s'\n", err.what());
        co_return -1;
      }
    };
    int v = corolib::sync_wait(ex, waiter(t));
    std::printf("  waiter returned %d\n", v);
  }

  std::printf("destroyed while suspended:\n");
  for (int steps = 0; steps <= 2; ++steps) {
    manual_executor ex;
    std::printf("  after %d resumptions:\n", steps);
    {
      auto t = holds_locals(ex, steps);
      for (int i = 0; i < steps; ++i)
        ex.run_one();
      std::printf("  done=%d\n", t.done());
    }
  }

  std::printf("checksum %016llx\n", static_cast<unsigned long long>(h));
  std::printf("leaked allocations %ld\n",
              corolib::alloc_count::now().live() - start.live());
  return 0;
}
