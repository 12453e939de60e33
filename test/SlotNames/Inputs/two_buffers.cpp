// Two 256-byte buffers in sequential scopes: at -O1 and above LLVM gives
// both one frame field. That field is neither awaiter.
#include "corolib/corolib.h"

using corolib::manual_executor;
using corolib::task;

void fill(unsigned char *p, unsigned n, unsigned seed);
unsigned sum(const unsigned char *p, unsigned n);

task<unsigned> two_buffers(manual_executor &ex, unsigned seed) {
  unsigned total = 0;
  {
    unsigned char buf1[256];
    fill(buf1, 256, seed);
    co_await ex.schedule();
    total += sum(buf1, 256);
  }
  {
    unsigned char buf2[256];
    fill(buf2, 256, seed + 1);
    co_await ex.schedule();
    total += sum(buf2, 256);
  }
  co_return total;
}
