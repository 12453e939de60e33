// spilled_scalars.cpp - scalars spilled across different suspension points.
//
// Frame-layout situation: six longs are live across the first suspension
// only, six doubles across the second only, and four longs across the third
// only (plus one running total live throughout). The values come from
// run-time input through a call the optimizer cannot see through, so they can
// be neither constant-folded nor recomputed after the suspension: each must
// be stored in the frame while its suspension is pending. The three groups
// are never live at the same time, so a layout giving every value its own
// 8-byte slot needs 16 slots (128 bytes) where the largest group needs 6
// (48 bytes).
//
// Each group's result goes through observe() before the next suspension. If
// it did not, LLVM would keep the running total as an expression of the
// earlier inputs and spill those inputs instead (CoroSplit rematerializes
// cheap arithmetic after a suspension), so they would stay live to the end.
//
// Build and run (from the repository root):
//   clang++ -std=c++20 -O2 -I test/Inputs examples/spilled_scalars.cpp
//   ./a.out
// With the plugin and its frame report:
//   ... -fpass-plugin=build/lib/libCoroFrameOpt.so -Rpass-analysis=coro-frame
#include "corolib/corolib.h"

#include <cstdio>

using corolib::manual_executor;
using corolib::task;

// Run-time input, filled in main() from argc.
static long inputs[16];
[[gnu::noinline]] static long input(int i) { return inputs[i]; }
// Consumes a value and returns it through memory the optimizer cannot see
// through, so the value is final where it is computed.
static volatile double observed;
[[gnu::noinline]] static double observe(double v) {
  observed = v;
  return observed;
}

task<double> spilled_scalars(manual_executor &ex) {
  // Six longs, live across suspension 1.
  long a = input(0), b = input(1), c = input(2), d = input(3), e = input(4),
       f = input(5);
  co_await ex.schedule();
  double total = observe(static_cast<double>(a + b - c + d * e - f));

  // Six doubles, live across suspension 2.
  double p = input(6) * 0.5, q = input(7) / 3.0, r = input(8) * 0.25,
         s = input(9) * 1.5, t = input(10) / 8.0, u = input(11) * 2.0;
  co_await ex.schedule();
  total = observe(total + p + q - r + s * t - u);

  // Four longs, live across suspension 3.
  long w = input(12), x = input(13), y = input(14), z = input(15);
  co_await ex.schedule();
  total += static_cast<double>(w * x - y + z);

  co_return total;
}

int main(int argc, char **) {
  manual_executor ex;
  for (long round = 1; round <= 4; ++round) {
    for (int i = 0; i < 16; ++i)
      inputs[i] = round * 1000 + i * 37 + argc; // not constants
    std::printf("spilled_scalars(round %ld) = %.3f\n", round,
                corolib::sync_wait(ex, spilled_scalars(ex)));
  }
}
