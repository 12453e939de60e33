// Destroying coroutines while they are suspended. Destroying a suspended
// frame must run the destructors of exactly the locals (and parameter copies)
// that are alive at that suspension point, in reverse order of construction,
// and nothing else -- this is what a frame layout optimizer must keep right
// when it overlaps slots of locals whose lifetimes do not intersect.
// Covers: a lazy task destroyed before it ever ran (only its parameter copy
// dies), the same coroutine destroyed at each of its suspension points
// (inside nested scopes, loop iterations, a try block with a large array, and
// while awaiting a nested task), a chain of three tasks destroyed from the
// top, spawned tasks destroyed with their executor at different points,
// generators destroyed mid-iteration, and an eager task destroyed while
// suspended. Every destructor prints; at the end no object and no heap block
// may be left.
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --sanitize --out %t -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#define COROLIB_ALLOC_COUNT_DEFINE_OPERATORS
#include "corolib.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

using corolib::eager_task;
using corolib::generator;
using corolib::manual_executor;
using corolib::task;

static volatile int seed_source = 5;
static int seed() { return seed_source; }

// Prints when destroyed. Movable: only the live (not moved-from) object
// prints and counts. The name is long enough to live on the heap, so a
// missed destructor also shows up as a leak.
struct tracer {
  static int alive;
  std::string name;
  bool live = true;
  explicit tracer(std::string n)
      : name("tracer<" + std::move(n) + ">:heap-allocated-name") {
    ++alive;
  }
  tracer(tracer &&o) noexcept
      : name(std::move(o.name)), live(std::exchange(o.live, false)) {}
  tracer &operator=(tracer &&) = delete;
  ~tracer() {
    if (live) {
      --alive;
      std::printf("      ~%s\n", label().c_str());
    }
  }
  std::string label() const { return name.substr(7, name.find('>') - 7); }
};
int tracer::alive = 0;

static std::string tag(const char *what, int id) {
  return what + std::to_string(id);
}

task<int> inner(manual_executor &ex, int id) {
  tracer t(tag("inner.", id));
  co_await ex.schedule();
  tracer u(tag("inner.late.", id));
  co_await ex.schedule();
  co_return id * 2;
}

// Suspension points, numbered by how many resumptions reach them:
//   1: param, a                       2: param, a, b
//   3: param, a, loop0                4: param, a, loop1
//   5: param, a, c (+ big array)      6: param, a, d, inner.t
//   7: param, a, d, inner.t, inner.u  8 and later: finished
task<int> stages(manual_executor &ex, tracer param, int id) {
  tracer a(tag("a.", id));
  co_await ex.schedule();
  {
    tracer b(tag("b.", id));
    co_await ex.schedule();
  }
  for (int i = 0; i < 2; ++i) {
    tracer loop(tag("loop", i) + "." + std::to_string(id));
    co_await ex.schedule();
  }
  int checked = 0;
  try {
    tracer c(tag("c.", id));
    unsigned char big[2048];
    for (int i = 0; i < 2048; ++i)
      big[i] = static_cast<unsigned char>(i * 13 + id);
    co_await ex.schedule();
    for (int i = 0; i < 2048; ++i)
      checked += big[i] == static_cast<unsigned char>(i * 13 + id);
    if (checked != 2048)
      throw std::logic_error("big array corrupted");
  } catch (const std::logic_error &e) {
    std::printf("      stages %d: %s\n", id, e.what());
  }
  tracer d(tag("d.", id));
  int r = co_await inner(ex, id);
  std::printf("      stages %d finished (%s, checked %d)\n", id,
              param.label().c_str(), checked);
  co_return r + checked;
}

// Start a lazy task and give it `steps` resumptions in total.
template <typename T>
static void advance(manual_executor &ex, task<T> &t, int steps) {
  if (steps > 0)
    t.handle().resume();
  for (int i = 1; i < steps && !t.done(); ++i)
    ex.run_one();
}

// --- a chain of three, destroyed from the top -----------------------------
task<int> level3(manual_executor &ex) {
  tracer t("level3");
  co_await ex.schedule();
  co_return 3;
}
task<int> level2(manual_executor &ex) {
  tracer t("level2");
  co_return co_await level3(ex) + 2;
}
task<int> level1(manual_executor &ex) {
  tracer t("level1");
  tracer t2("level1.second");
  int v = co_await level2(ex);
  co_return v + 1;
}

// --- spawned tasks ---------------------------------------------------------
task<void> spawned(manual_executor &ex, int id) {
  tracer p(tag("spawned.", id));
  for (int i = 0; i < id; ++i) {
    tracer step(tag("spawned.step", i) + "." + std::to_string(id));
    co_await ex.schedule();
  }
  co_await ex.schedule();
}

// --- generators and eager tasks -------------------------------------------
generator<int> counting(int id) {
  tracer g(tag("gen.", id));
  for (int i = 0;; ++i) {
    tracer per(tag("gen.item", i) + "." + std::to_string(id));
    co_yield i *id;
  }
}

eager_task<int> eager_holder(manual_executor &ex, int id) {
  tracer e(tag("eager.", id));
  co_await ex.schedule();
  tracer e2(tag("eager.second.", id));
  co_await ex.schedule();
  co_return id;
}

int main() {
  const int s = seed();
  const corolib::alloc_count::snapshot start = corolib::alloc_count::now();

  std::printf("stages, destroyed after N resumptions:\n");
  for (int steps = 0; steps <= 9; ++steps) {
    std::printf("  N=%d\n", steps);
    manual_executor ex;
    task<int> t = stages(ex, tracer(tag("param.", steps)), steps * 100 + s);
    advance(ex, t, steps);
    std::printf("    done=%d, alive before destroy: %d\n", t.done(),
                tracer::alive);
    if (t.done())
      std::printf("    result %d\n", t.handle().promise().result());
    {
      task<int> sink = std::move(t); // destroyed at the end of this scope
    }
    std::printf("    alive after destroy: %d\n", tracer::alive);
  }

  std::printf("chain of three destroyed from the top:\n");
  for (int steps : {0, 1, 2}) {
    manual_executor ex;
    {
      task<int> t = level1(ex);
      advance(ex, t, steps);
      std::printf("  after %d steps done=%d, destroying\n", steps, t.done());
    }
    std::printf("  destroyed\n");
  }

  std::printf("executor destroyed with spawned tasks at different points:\n");
  {
    manual_executor ex;
    for (int id = 0; id < 5; ++id) {
      corolib::spawn(ex, spawned(ex, id));
      for (int i = 0; i < id; ++i)
        ex.run_at(ex.size() - 1); // advance only the newest task
    }
    std::printf("  %zu spawned tasks live, alive %d; destroying executor\n",
                ex.live_spawned(), tracer::alive);
  }
  std::printf("  alive %d\n", tracer::alive);

  std::printf("generators destroyed mid-iteration:\n");
  for (int stop : {0, 1, 3}) {
    int sum = 0, n = 0;
    auto g = counting(stop + s);
    for (int v : g) {
      if (n++ == stop)
        break;
      sum += v;
    }
    std::printf("  stop=%d sum=%d, destroying\n", stop, sum);
  }

  std::printf("eager tasks destroyed while suspended:\n");
  for (int steps : {0, 1}) {
    manual_executor ex;
    auto e = eager_holder(ex, steps);
    for (int i = 0; i < steps; ++i)
      ex.run_one();
    std::printf("  after %d steps done=%d, destroying\n", steps, e.done());
  }

  std::printf("alive tracers %d, leaked allocations %ld\n", tracer::alive,
              corolib::alloc_count::now().live() - start.live());
  return tracer::alive == 0 ? 0 : 1;
}
