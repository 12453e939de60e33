// Control flow that puts different co_awaits on mutually exclusive paths:
//   - a switch whose arms each do `co_return co_await send(k)` (arms awaiting
//     tasks of different result types, two awaits in one arm, fallthrough,
//     arm-local arrays live across the arm's own co_await),
//   - if/else with `co_await send(1)` / `co_await send(2)` and a ternary,
//   - a switch-driven state machine in a loop whose state and accumulators
//     stay live across the awaits of every arm.
// The per-arm temporaries and locals are never live at the same time, so a
// layout optimizer may overlap them; values from other paths must not leak
// in. Every arm runs both without real suspension and suspended on an
// executor, and all results are printed.
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#include "corolib.h"

#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <string>

using corolib::manual_executor;
using corolib::task;

static volatile int seed_source = 8675309;
static int seed() { return seed_source; }

static std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

// Suspends on the executor when there is one, else continues at once.
struct maybe_yield {
  manual_executor *ex;
  bool await_ready() const noexcept { return ex == nullptr; }
  void await_suspend(std::coroutine_handle<> h) {
    ex->schedule().await_suspend(h);
  }
  void await_resume() const noexcept {}
};

task<int> send(manual_executor *ex, int k) {
  int local = k * 10 + seed() % 7; // live across the suspension
  co_await maybe_yield{ex};
  co_return local + 1;
}
task<long> send_long(manual_executor *ex, long k) {
  long local = k * 1000003;
  co_await maybe_yield{ex};
  co_return local ^ 0x5a5a;
}
task<std::string> send_text(manual_executor *ex, int k) {
  std::string local = "text" + std::to_string(k);
  co_await maybe_yield{ex};
  co_return local + "!";
}
task<double> send_double(manual_executor *ex, int k) {
  double local = k / 4.0;
  co_await maybe_yield{ex};
  co_return local * 3.0;
}

task<long> dispatch(manual_executor *ex, int sel) {
  switch (sel) {
  case 0:
    co_return co_await send(ex, 0);
  case 1:
    co_return co_await send(ex, 1);
  case 2:
    co_return co_await send_long(ex, sel + seed());
  case 3:
    co_return static_cast<long>((co_await send_text(ex, sel)).size()) * 100;
  case 4:
    co_return static_cast<long>(co_await send_double(ex, seed() % 1000) * 8);
  case 5: {
    int a = co_await send(ex, 5); // two awaits in one arm
    co_return a + co_await send(ex, a);
  }
  case 6:
  case 7: // shared by two labels
    co_return co_await send(ex, sel * 2);
  case 8: {
    char buf[200]; // arm-local array live across this arm's co_await
    for (int i = 0; i < 200; ++i)
      buf[i] = static_cast<char>('a' + (i * 7 + sel) % 26);
    int v = co_await send(ex, 8);
    long sum = 0;
    for (char c : buf)
      sum = sum * 31 % 1000003 + c;
    co_return v + sum;
  }
  case 9: {
    long arr[40];
    for (int i = 0; i < 40; ++i)
      arr[i] = static_cast<long>(i) * seed() + sel;
    long v = co_await send_long(ex, 9);
    std::uint64_t sum = 0;
    for (long x : arr)
      sum ^= static_cast<std::uint64_t>(x) + (sum << 1);
    co_return v + static_cast<long>(sum % 1000000007);
  }
  case 10:
    if (seed() % 2 == 0)
      co_return co_await send(ex, 100);
    [[fallthrough]];
  case 11:
    co_return co_await send(ex, 11) + 1;
  default:
    co_return -sel;
  }
}

// The same situation with exactly one await expression per arm and nothing
// else: `co_return co_await send(k)`.
task<int> just_send(manual_executor *ex, int sel) {
  switch (sel % 4) {
  case 0:
    co_return co_await send(ex, 1);
  case 1:
    co_return co_await send(ex, 2);
  case 2:
    co_return co_await send(ex, 3);
  default:
    co_return co_await send(ex, 4);
  }
}

task<int> if_else(manual_executor *ex, bool b) {
  int v;
  if (b)
    v = co_await send(ex, 1);
  else
    v = co_await send(ex, 2);
  co_return v * 3;
}

task<int> ternary(manual_executor *ex, int x) {
  int before = x * 2; // live across whichever await runs
  int v = x % 3 == 0 ? co_await send(ex, x) : co_await send(ex, -x);
  co_return v + before;
}

// A state machine: state, step count and two accumulators are live across the
// awaits in all arms.
task<long> machine(manual_executor *ex, int start, int steps) {
  int state = start % 4;
  long acc = start;
  double dacc = 0.5;
  std::string trail;
  for (int i = 0; i < steps; ++i) {
    switch (state) {
    case 0:
      acc += co_await send(ex, i);
      state = static_cast<int>(acc % 4);
      break;
    case 1:
      acc ^= co_await send_long(ex, i);
      state = 2;
      break;
    case 2:
      trail += co_await send_text(ex, i % 10);
      state = static_cast<int>(trail.size() % 4);
      break;
    default:
      dacc += co_await send_double(ex, i);
      state = (i * 3 + 1) % 4;
      break;
    }
    trail += static_cast<char>('0' + state);
  }
  long th = 0;
  for (char c : trail)
    th = th * 131 % 1000000007 + c;
  co_return acc + th + static_cast<long>(dacc * 4);
}

template <typename T>
static T run_both(task<T> (*make)(manual_executor *, int), int arg,
                  bool &same) {
  T direct = corolib::sync_wait(make(nullptr, arg));
  manual_executor ex;
  T suspended = corolib::sync_wait(ex, make(&ex, arg));
  same = direct == suspended;
  return direct;
}

int main() {
  const int s = seed();
  std::uint64_t h = 0;
  bool same = true;
  int mismatches = 0;

  for (int sel = 0; sel <= 13; ++sel) {
    long v = run_both(dispatch, sel, same);
    mismatches += !same;
    std::printf("dispatch(%d) = %ld%s\n", sel, v, same ? "" : " MISMATCH");
    h = mix(h, static_cast<std::uint64_t>(v));
  }
  for (int sel = 0; sel < 8; ++sel) {
    int v = run_both(just_send, sel, same);
    mismatches += !same;
    std::printf("just_send(%d) = %d%s\n", sel, v, same ? "" : " MISMATCH");
    h = mix(h, static_cast<std::uint64_t>(v));
  }
  for (int b = 0; b <= 1; ++b) {
    int v = run_both(
        +[](manual_executor *ex, int x) { return if_else(ex, x != 0); }, b,
        same);
    mismatches += !same;
    std::printf("if_else(%d) = %d%s\n", b, v, same ? "" : " MISMATCH");
    h = mix(h, static_cast<std::uint64_t>(v));
  }
  for (int x : {3, 4, s % 100}) {
    int v = run_both(ternary, x, same);
    mismatches += !same;
    std::printf("ternary(%d) = %d%s\n", x, v, same ? "" : " MISMATCH");
    h = mix(h, static_cast<std::uint64_t>(v));
  }

  // Many machines interleaved on one executor.
  {
    manual_executor ex;
    long results[50] = {};
    auto run = [](manual_executor &e, int start, long &out) -> task<void> {
      out = co_await machine(&e, start, 40 + start % 17);
    };
    for (int i = 0; i < 50; ++i)
      corolib::spawn(ex, run(ex, s % 1000 + i, results[i]));
    std::size_t steps = ex.run_all();
    int wrong = 0;
    std::uint64_t mh = 0;
    for (int i = 0; i < 50; ++i) {
      long direct = corolib::sync_wait(
          machine(nullptr, s % 1000 + i, 40 + (s % 1000 + i) % 17));
      wrong += direct != results[i];
      mh = mix(mh, static_cast<std::uint64_t>(results[i]));
    }
    std::printf(
        "machines: %zu resumptions, %d differ from direct, hash %016llx\n",
        steps, wrong, static_cast<unsigned long long>(mh));
    std::printf("machine(0) = %ld, machine(49) = %ld\n", results[0],
                results[49]);
    mismatches += wrong;
    h = mix(h, mh);
  }

  std::printf("checksum %016llx\n", static_cast<unsigned long long>(h));
  std::printf("mismatches %d\n", mismatches);
  return mismatches == 0 ? 0 : 1;
}
