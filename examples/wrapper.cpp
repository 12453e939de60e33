// wrapper.cpp - a wrapper coroutine `co_return co_await inner(x)`.
//
// Frame-layout situation: `wrapper` does nothing but await `inner` and return
// its result, yet it is a full coroutine with a frame of its own: resume and
// destroy pointers, the promise (continuation, exception, result), the
// parameter copies, and the temporary task and its awaiter, which are live
// across the one suspension. At -O2 the compiler usually also elides the
// allocation of `inner`'s frame into the wrapper's frame, so a wrapper's frame
// contains its callee's, and stacked wrappers (outermost -> outer -> wrapper
// -> inner) nest them all. Wrappers like this are common (adapters, overload
// forwarders, logging shims), so their overhead multiplies.
//
// Build and run (from the repository root):
//   clang++ -std=c++20 -O2 -I test/Inputs examples/wrapper.cpp
//   ./a.out
// With the plugin and its frame report:
//   ... -fpass-plugin=build/lib/libCoroFrameOpt.so -Rpass-analysis=coro-frame
#include "corolib/corolib.h"

#include <cstdio>

using corolib::manual_executor;
using corolib::task;

task<int> inner(manual_executor &ex, int x) {
  int squared = x * x;
  co_await ex.schedule();
  co_return squared + 1;
}

task<int> wrapper(manual_executor &ex, int x) {
  co_return co_await inner(ex, x);
}

task<int> outer(manual_executor &ex, int x) {
  co_return co_await wrapper(ex, x + 1);
}

task<int> outermost(manual_executor &ex, int x) {
  co_return co_await outer(ex, x * 2);
}

int main(int argc, char **) {
  manual_executor ex;
  for (int i = 0; i < 4; ++i) {
    int x = i * 5 + argc; // not a constant
    std::printf("wrapper(%d) = %d, outermost(%d) = %d\n", x,
                corolib::sync_wait(ex, wrapper(ex, x)), x,
                corolib::sync_wait(ex, outermost(ex, x)));
  }
}
