// spilled_values.cpp - many small values live across different suspensions.
//
// Three coroutines in the style of a control loop reading sensors:
//   calibrate()  reads three groups of channels (ten ints, eight doubles,
//                twelve shorts and flags); each group lives across one
//                co_await only, so the groups could share frame storage,
//   track()      a Kalman-style filter over a stream of readings: its state
//                (position, velocity, covariance, a few counters) lives
//                across every co_await of the loop and cannot be shared,
//   classify()   per-branch values: which values are live depends on the
//                branch taken before the co_await.
// Inputs come through an opaque function, so nothing can be folded or
// recomputed after a suspension: every value is a real spill. 200 devices
// run interleaved on a manual executor; results are printed as fixed-point
// integers and folded into a checksum.
//
// Frame-layout situation: dozens of 1-8 byte spills with short, disjoint or
// branch-dependent live ranges next to long-lived ones.
#include "corolib/corolib.h"
#include "bench_coro.h"

#include <cstdint>
#include <cstdio>
#include <vector>

using corolib::manual_executor;
using corolib::task;

static volatile int input_noise = 3;

// One reading of channel `ch` of device `dev`; opaque to the optimizer.
[[gnu::noinline]] static int sensor(int dev, int ch, int t) {
  return (dev * 37 + ch * 101 + t * 13 + input_noise) % 1009 - 400;
}

struct calibration {
  long long offset, gain, flags;
};

task<calibration> calibrate(manual_executor &ex, int dev) {
  // Group 1: ten ints, live across the first suspension only.
  int a0 = sensor(dev, 0, 0), a1 = sensor(dev, 1, 0), a2 = sensor(dev, 2, 0),
      a3 = sensor(dev, 3, 0), a4 = sensor(dev, 4, 0), a5 = sensor(dev, 5, 0),
      a6 = sensor(dev, 6, 0), a7 = sensor(dev, 7, 0), a8 = sensor(dev, 8, 0),
      a9 = sensor(dev, 9, 0);
  co_await ex.schedule();
  long long offset = a0 - a1 + a2 * 2 - a3 + a4 * 3 - a5 + a6 - a7 * 2 + a8 - a9;

  // Group 2: eight doubles, live across the second suspension only.
  double g0 = sensor(dev, 10, 1) * 0.5, g1 = sensor(dev, 11, 1) * 0.25,
         g2 = sensor(dev, 12, 1) * 1.5, g3 = sensor(dev, 13, 1) * 0.75,
         g4 = sensor(dev, 14, 1) / 3.0, g5 = sensor(dev, 15, 1) / 5.0,
         g6 = sensor(dev, 16, 1) * 2.0, g7 = sensor(dev, 17, 1) * 0.125;
  co_await ex.schedule();
  long long gain =
      static_cast<long long>((g0 + g1 - g2 + g3 * g4 - g5 + g6 - g7) * 1000.0);

  // Group 3: twelve small values (shorts, chars and bools).
  short s0 = static_cast<short>(sensor(dev, 20, 2)),
        s1 = static_cast<short>(sensor(dev, 21, 2)),
        s2 = static_cast<short>(sensor(dev, 22, 2)),
        s3 = static_cast<short>(sensor(dev, 23, 2));
  signed char c0 = static_cast<signed char>(sensor(dev, 24, 2)),
              c1 = static_cast<signed char>(sensor(dev, 25, 2)),
              c2 = static_cast<signed char>(sensor(dev, 26, 2)),
              c3 = static_cast<signed char>(sensor(dev, 27, 2));
  bool f0 = sensor(dev, 28, 2) > 0, f1 = sensor(dev, 29, 2) > 100,
       f2 = sensor(dev, 30, 2) < -100, f3 = sensor(dev, 31, 2) % 2 == 0;
  co_await ex.schedule();
  long long flags = (s0 ^ s1) + (s2 - s3) + c0 * c1 - c2 + c3 +
                    (f0 ? 1 : 0) + (f1 ? 2 : 0) + (f2 ? 4 : 0) + (f3 ? 8 : 0);
  co_return calibration{offset, gain, flags};
}

struct track_result {
  long long position, velocity, variance;
  int outliers;
};

task<track_result> track(manual_executor &ex, int dev, calibration cal,
                         int steps) {
  // Filter state: live across every suspension of the loop.
  double x = 0, v = 0, p00 = 1000, p01 = 0, p10 = 0, p11 = 1000;
  const double q = 0.01 + (cal.flags & 7) * 0.001, r = 4.0 + (cal.gain & 3);
  int outliers = 0;
  long long last = 0;
  for (int t = 0; t < steps; ++t) {
    double z = sensor(dev, 40, t) + static_cast<double>(cal.offset % 17);
    // Predict.
    x += v;
    p00 += p01 + p10 + p11 + q;
    p01 += p11;
    p10 += p11;
    p11 += q;
    co_await ex.schedule(); // wait for the next sample
    // Update.
    double y = z - x, s = p00 + r;
    if (y * y > 9 * s) {
      ++outliers;
      continue;
    }
    double k0 = p00 / s, k1 = p10 / s;
    x += k0 * y;
    v += k1 * y;
    double n00 = (1 - k0) * p00, n01 = (1 - k0) * p01;
    double n10 = p10 - k1 * p00, n11 = p11 - k1 * p01;
    p00 = n00; p01 = n01; p10 = n10; p11 = n11;
    last = static_cast<long long>(x * 1000);
  }
  co_return track_result{last, static_cast<long long>(v * 1000),
                         static_cast<long long>(p00 * 1000), outliers};
}

task<long long> classify(manual_executor &ex, int dev) {
  int kind = sensor(dev, 50, 0) & 3;
  long long score = 0;
  if (kind == 0) {
    long long m0 = sensor(dev, 51, 0), m1 = sensor(dev, 52, 0),
              m2 = sensor(dev, 53, 0);
    co_await ex.schedule();
    score = m0 * m1 - m2;
  } else if (kind == 1) {
    float h0 = sensor(dev, 54, 0) * 0.5f, h1 = sensor(dev, 55, 0) * 0.25f;
    int h2 = sensor(dev, 56, 0);
    co_await ex.schedule();
    score = static_cast<long long>(h0 * h1) + h2;
  } else {
    unsigned char b[6];
    for (int i = 0; i < 6; ++i)
      b[i] = static_cast<unsigned char>(sensor(dev, 57 + i, 0));
    co_await ex.schedule();
    score = b[0] + b[1] * 2 + b[2] * 3 - b[3] + b[4] * b[5];
  }
  short tail = static_cast<short>(sensor(dev, 63, 1));
  co_await ex.schedule();
  co_return score * 3 + tail;
}

task<unsigned long long> device(manual_executor &ex, int dev) {
  co_await ex.schedule();
  calibration cal = co_await calibrate(ex, dev);
  track_result tr = co_await track(ex, dev, cal, 24 + dev % 16);
  long long cls = co_await classify(ex, dev);
  bench::checksum c;
  c.add(static_cast<std::uint64_t>(cal.offset));
  c.add(static_cast<std::uint64_t>(cal.gain));
  c.add(static_cast<std::uint64_t>(cal.flags));
  c.add(static_cast<std::uint64_t>(tr.position));
  c.add(static_cast<std::uint64_t>(tr.velocity));
  c.add(static_cast<std::uint64_t>(tr.variance));
  c.add(static_cast<std::uint64_t>(tr.outliers));
  c.add(static_cast<std::uint64_t>(cls));
  if (dev % 50 == 0)
    std::printf("spilled_values: device %3d: offset %lld gain %lld flags %lld "
                "position %lld outliers %d class %lld\n",
                dev, cal.offset, cal.gain, cal.flags, tr.position, tr.outliers,
                cls);
  co_return c.value();
}

int main() {
  constexpr int kDevices = 200;
  manual_executor ex;
  std::vector<task<unsigned long long>> devices;
  for (int d = 0; d < kDevices; ++d)
    devices.push_back(device(ex, d));
  std::vector<unsigned long long> results =
      corolib::sync_wait(ex, bench::when_all(std::move(devices)));
  bench::checksum sum;
  for (unsigned long long r : results)
    sum.add(r);
  std::printf("spilled_values: %d devices, checksum %016llx\n", kDevices,
              sum.value());
}
