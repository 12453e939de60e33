// seq_buffers.cpp - two 256-byte buffers in sequential scopes.
//
// Frame-layout situation: `first` is filled, lives across the first co_await
// and dies at the end of its scope; only then is `second` created, and it
// lives across the second co_await. Both must be in the coroutine frame
// (they are live across a suspension), but never at the same time, so a
// single 256-byte slot could hold either. A layout that gives each buffer its
// own slot wastes 256 bytes in every frame. (At -O1 and above, LLVM's
// CoroSplit already lets allocas whose lifetime markers do not overlap share
// frame storage; at -O0 it does not. Compare the frame reports.)
//
// Build and run (from the repository root):
//   clang++ -std=c++20 -O2 -I test/Inputs examples/seq_buffers.cpp
//   ./a.out
// With the plugin and its frame report:
//   ... -fpass-plugin=build/lib/libCoroFrameOpt.so -Rpass-analysis=coro-frame
#include "corolib/corolib.h"

#include <cstdio>

using corolib::manual_executor;
using corolib::task;

task<unsigned> seq_buffers(manual_executor &ex, unsigned seed) {
  unsigned sum = 2166136261u;
  {
    unsigned char first[256];
    for (unsigned i = 0; i < 256; ++i)
      first[i] = static_cast<unsigned char>(seed * i + 1);
    co_await ex.schedule(); // `first` is live across this suspension
    for (unsigned char c : first)
      sum = (sum ^ c) * 16777619u; // FNV-1a
  }
  {
    unsigned char second[256];
    for (unsigned i = 0; i < 256; ++i)
      second[i] = static_cast<unsigned char>(seed ^ (i * 7));
    co_await ex.schedule(); // `second` is live across this one
    for (unsigned char c : second)
      sum = (sum ^ c) * 16777619u; // FNV-1a
  }
  co_return sum;
}

int main(int argc, char **) {
  manual_executor ex;
  for (unsigned seed = 1; seed <= 4; ++seed) {
    unsigned s = seed * 1000 + static_cast<unsigned>(argc); // not a constant
    std::printf("seq_buffers(%u) = %08x\n", s,
                corolib::sync_wait(ex, seq_buffers(ex, s)));
  }
}
