// Issue 24's reproducer: a scope guard whose destructor resumes a
// continuation through std::coroutine_handle<>::resume(), held across one
// co_await whose await_resume may throw. The completion checks go into
// resume() only after every inlining decision (OptimizerLast): checked
// there before the inliner, the guard's destructor was too costly to
// inline on the exception path, the guard escaped into the frame, and the
// frame grew from stock's 32 bytes to 48. The frame must never be larger
// than stock's, at any level; the checks are still there.
//
// RUN: %clangxx %cxxflags -O0 -Rpass=coro-split -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=STOCK0
// RUN: %clangxx %cxxflags -O0 -fpass-plugin=%plugin -Rpass-analysis=coro-frame -Rpass=coro-completed-resume -c %s -o /dev/null 2> %t-O0
// RUN: FileCheck %s --check-prefix=PLUGIN0 < %t-O0
// RUN: FileCheck %s --check-prefix=CHECKED < %t-O0
// RUN: %clangxx %cxxflags -O1 -Rpass=coro-split -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=STOCK
// RUN: %clangxx %cxxflags -O2 -Rpass=coro-split -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=STOCK
// RUN: %clangxx %cxxflags -Os -Rpass=coro-split -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=STOCK
// RUN: %clangxx %cxxflags -O1 -fpass-plugin=%plugin -Rpass-analysis=coro-frame -Rpass=coro-completed-resume -c %s -o /dev/null 2> %t-O1
// RUN: FileCheck %s --check-prefix=PLUGIN < %t-O1
// RUN: FileCheck %s --check-prefix=CHECKED < %t-O1
// RUN: %clangxx %cxxflags -O2 -fpass-plugin=%plugin -Rpass-analysis=coro-frame -Rpass=coro-completed-resume -c %s -o /dev/null 2> %t-O2
// RUN: FileCheck %s --check-prefix=PLUGIN < %t-O2
// RUN: FileCheck %s --check-prefix=CHECKED < %t-O2
// RUN: %clangxx %cxxflags -Os -fpass-plugin=%plugin -Rpass-analysis=coro-frame -Rpass=coro-completed-resume -c %s -o /dev/null 2> %t-Os
// RUN: FileCheck %s --check-prefix=PLUGIN < %t-Os
// RUN: FileCheck %s --check-prefix=CHECKED < %t-Os
//
// STOCK0: remark: Split '_Z3runP5scopei' (frame_size=48, align=8)
// PLUGIN0: remark: coroutine 'run(scope*, int)': frame 40 bytes
// STOCK: remark: Split '_Z3runP5scopei' (frame_size=32, align=8)
// PLUGIN: remark: coroutine 'run(scope*, int)': frame 32 bytes
// CHECKED: remark: resume through a handle in '{{.*}}' checks for a completed coroutine

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdio>
#include <exception>

struct oneway {
  struct promise_type {
    oneway get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
};

struct scope {
  std::atomic<size_t> n{1};
  std::coroutine_handle<> cont;
  void finished() {
    if (n.fetch_sub(1) == 1)
      cont.resume();
  }
};

struct guard {
  scope *s;
  ~guard() { s->finished(); }
};

void may_throw(int);
std::coroutine_handle<> pending;

struct awaiter {
  int v;
  bool await_ready() { return false; }
  void await_suspend(std::coroutine_handle<> h) { pending = h; }
  int await_resume() {
    may_throw(v);
    return v;
  }
};

oneway run(scope *s, int v) {
  guard g{s};
  int r = co_await awaiter{v};
  std::printf("%d\n", r);
}
