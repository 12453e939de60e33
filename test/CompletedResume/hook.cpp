// Seen, not silent: under the pending policy (the -O2 default; asked for
// here at -O0 too, where the default is trap) a program that defines
//   extern "C" void corofo_on_completed_resume(const char *coroutine)
// is called on every resume after completion (the name is null where the
// check does not know the coroutine: a resume through a handle). Without a
// definition nothing is called (the symbol is an undefined weak reference):
// the same program with -DNO_HOOK still returns from the bad resumes. At
// -O2 and -O0, also with ASan+UBSan.
//
// RUN: for O in O0 O2; do %clangxx %cxxflags -I%S/Inputs -$O -fpass-plugin=%plugin -mllvm -coro-frame-opt-completed-resume=pending %s -o %t.$O && %t.$O | FileCheck %s --check-prefix=HOOK || exit 1; done
// RUN: for O in O0 O2; do %clangxx %cxxflags -I%S/Inputs -$O -fpass-plugin=%plugin -mllvm -coro-frame-opt-completed-resume=pending -fsanitize=address,undefined -fno-sanitize-recover=all %s -o %t.san.$O && %t.san.$O | FileCheck %s --check-prefix=HOOK || exit 1; done
// RUN: for O in O0 O2; do %clangxx %cxxflags -I%S/Inputs -$O -fpass-plugin=%plugin -mllvm -coro-frame-opt-completed-resume=pending -DNO_HOOK %s -o %t.nohook.$O && %t.nohook.$O | FileCheck %s --check-prefix=NOHOOK || exit 1; done
// The hook is added last: no inlining decision sees it.
// RUN: %clangxx %cxxflags -I%S/Inputs -O2 -fpass-plugin=%plugin -mllvm -coro-frame-opt-completed-resume=pending -S -emit-llvm %s -o - | FileCheck %s --check-prefix=IR
//
// HOOK: sum 30, done 1
// HOOK-NEXT: completed resume 1: (handle)
// HOOK-NEXT: completed resume 2: (handle)
// HOOK-NEXT: after: done 1, value 20
// HOOK-NEXT: hook calls: 2
// NOHOOK: sum 30, done 1
// NOHOOK-NEXT: after: done 1, value 20
// NOHOOK-NEXT: hook calls: 0
// IR: call void @corofo_on_completed_resume(ptr null)
#include "gen.h"

static int calls;

#ifndef NO_HOOK
extern "C" void corofo_on_completed_resume(const char *coroutine) {
  ++calls;
  std::printf("completed resume %d: %s\n", calls,
              coroutine ? coroutine : "(handle)");
  std::fflush(stdout);
}
#endif

[[gnu::noinline]] gen count(int n) {
  for (int i = 0; i < n; ++i)
    co_yield i * 10;
}

int main() {
  gen g = count(3);
  int sum = 0;
  for (;;) {
    g.h.resume();
    if (g.h.done())
      break;
    sum += g.h.promise().value;
  }
  say("sum %d, done %d\n", sum, g.h.done());
  g.h.resume();
  g.h();
  say("after: done %d, value %d\n", g.h.done(), g.h.promise().value);
  say("hook calls: %d\n", calls);
  g.h.destroy();
  g.h = {};
}
