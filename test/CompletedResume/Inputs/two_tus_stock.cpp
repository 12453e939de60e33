// The half of two_tus.cpp always built without the plugin.
#include "gen.h"

gen stock_count(int n) {
  for (int i = 0; i < n; ++i)
    co_yield 100 + i;
  say("stock_count: finishing\n");
}

// Resumes any coroutine: code of this TU calling into coroutines built
// with the plugin.
void stock_resume(std::coroutine_handle<> h) { h.resume(); }

int stock_drain(gen &g) {
  int s = 0;
  for (;;) {
    g.h.resume();
    if (g.h.done())
      return s;
    s += g.h.promise().value;
  }
}
