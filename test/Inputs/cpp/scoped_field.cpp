// A buffer whose address escapes, live across the first co_await only, and
// four values live across the second: at -O2 LLVM gives the buffer and the
// second awaiter one frame field, and without scopes recorded before
// CoroSplit that field counts as live in every state.
#include "corolib/corolib.h"

using corolib::manual_executor;
using corolib::task;

void fill(char *p);
long ext();

task<long> scoped_field(manual_executor &ex) {
  long s = 0;
  {
    char a[64];
    fill(a);
    co_await ex.schedule();
    s += a[3];
  }
  {
    long x = ext(), y = ext(), z = ext(), w = ext();
    co_await ex.schedule();
    s += x * y + z * w;
  }
  co_return s;
}
