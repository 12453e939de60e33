// Sixteen long/double locals, each live across three co_awaits: at -O2 they
// are SSA values that CoroSplit spills into the frame, one slot each (LLVM
// keeps each double's integer source and recomputes the double after the
// resume, so those slots hold i64).
#include "corolib/corolib.h"

using corolib::manual_executor;
using corolib::task;

long seed_of(long x);
void observe(long, long, long, long, long, long, long, long);
void observe(double, double, double, double, double, double, double, double);

task<double> sixteen(manual_executor &ex, long s) {
  long alpha = seed_of(s + 1), bravo = seed_of(s + 2);
  long charlie = seed_of(s + 3), delta = seed_of(s + 4);
  long echo = seed_of(s + 5), foxtrot = seed_of(s + 6);
  long golf = seed_of(s + 7), hotel = seed_of(s + 8);
  double india = double(seed_of(s + 9)) * 0.5;
  double juliet = double(seed_of(s + 10)) * 0.25;
  double kilo = double(seed_of(s + 11)) * 0.125;
  double lima = double(seed_of(s + 12)) * 1.5;
  double mike = double(seed_of(s + 13)) * 2.5;
  double november = double(seed_of(s + 14)) * 3.5;
  double oscar = double(seed_of(s + 15)) * 4.5;
  double papa = double(seed_of(s + 16)) * 5.5;
  co_await ex.schedule();
  observe(alpha, bravo, charlie, delta, echo, foxtrot, golf, hotel);
  co_await ex.schedule();
  observe(india, juliet, kilo, lima, mike, november, oscar, papa);
  co_await ex.schedule();
  observe(alpha, bravo, charlie, delta, echo, foxtrot, golf, hotel);
  observe(india, juliet, kilo, lima, mike, november, oscar, papa);
  co_return 0.0;
}
