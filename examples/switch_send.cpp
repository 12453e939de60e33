// switch_send.cpp - a switch whose arms each do `co_return co_await send(k)`.
//
// Frame-layout situation: each arm calls `send(k)` and suspends in the
// co_await of the task it returns. Only one arm runs per call, so whatever
// each arm keeps in the frame across its suspension -- the temporary task,
// its awaiter and, at -O2, the frame of `send` itself, whose allocation the
// compiler elides into `dispatch`'s frame -- is never live at the same time
// as the other arm's. A layout that gives every arm separate slots grows the
// frame with each arm, while one set of slots could serve them all.
//
// Build and run (from the repository root):
//   clang++ -std=c++20 -O2 -I test/Inputs examples/switch_send.cpp
//   ./a.out
// With the plugin and its frame report:
//   ... -fpass-plugin=build/lib/libCoroFrameOpt.so -Rpass-analysis=coro-frame
#include "corolib/corolib.h"

#include <cstdio>

using corolib::manual_executor;
using corolib::task;

// Sends a request and waits (on the executor) for the reply.
task<int> send(manual_executor &ex, int k) {
  int request = k * 100 + 7;
  co_await ex.schedule();
  co_return request + 1;
}

task<int> dispatch(manual_executor &ex, int which, int k) {
  switch (which) {
  case 0:
    co_return co_await send(ex, k);
  default:
    co_return co_await send(ex, -k);
  }
}

int main(int argc, char **) {
  manual_executor ex;
  for (int i = 0; i < 6; ++i) {
    int k = i * 3 + argc; // not a constant
    std::printf("dispatch(%d, %d) = %d\n", i % 2, k,
                corolib::sync_wait(ex, dispatch(ex, i % 2, k)));
  }
}
