// overlapping_buffers.cpp - two 256-byte buffers live across the same co_await.
//
// Frame-layout situation: `left` and `right` are both filled before the
// suspension and both read after it, so their lifetimes overlap and each
// needs its own 256-byte frame slot. This is the counterpart of
// seq_buffers.cpp: here sharing storage would be a miscompile, so a correct
// optimizer must leave the two slots apart (the frame cannot shrink below
// 512 bytes of buffers). After the co_await, the program checks every byte.
//
// Build and run (from the repository root):
//   clang++ -std=c++20 -O2 -I test/Inputs examples/overlapping_buffers.cpp
//   ./a.out
// With the plugin and its frame report:
//   ... -fpass-plugin=build/lib/libCoroFrameOpt.so -Rpass-analysis=coro-frame
#include "corolib/corolib.h"

#include <cstdio>

using corolib::manual_executor;
using corolib::task;

struct result {
  unsigned checksum;
  int bad_bytes;
};

task<result> overlapping_buffers(manual_executor &ex, unsigned seed) {
  unsigned char left[256], right[256];
  for (unsigned i = 0; i < 256; ++i) {
    left[i] = static_cast<unsigned char>(seed + i);
    right[i] = static_cast<unsigned char>(seed * 3 - i);
  }
  co_await ex.schedule(); // `left` and `right` are both live here
  result r{2166136261u, 0};
  for (unsigned i = 0; i < 256; ++i) {
    r.bad_bytes += left[i] != static_cast<unsigned char>(seed + i);
    r.bad_bytes += right[i] != static_cast<unsigned char>(seed * 3 - i);
    r.checksum =
        (r.checksum ^ left[i] ^ (right[255 - i] << 8)) * 16777619u; // FNV-1a
  }
  co_return r;
}

int main(int argc, char **) {
  manual_executor ex;
  for (unsigned seed = 1; seed <= 4; ++seed) {
    unsigned s = seed * 1000 + static_cast<unsigned>(argc); // not a constant
    result r = corolib::sync_wait(ex, overlapping_buffers(ex, s));
    std::printf("overlapping_buffers(%u) = %08x, %d bad bytes\n", s, r.checksum,
                r.bad_bytes);
  }
}
