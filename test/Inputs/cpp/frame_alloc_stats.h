// frame_alloc_stats.h - what an allocator in a test program handed out, for
// the run tests of test/CoroFrameSizeMarkers.
//
// A test's own allocator calls record(requested, handed_out) for every block
// and check(requested_at_free, recorded) for every sized deallocation. At the
// end, print() writes to stderr, one line per distinct request:
//   frame alloc <requested> bytes, handed out <handed_out> x<count>
// and the total. Stock and plugin builds print different sizes there (that
// is the point), so this goes to stderr; stdout, which run-compare compares,
// gets only the mismatch count, which must be 0 in both.
// Single-threaded, fixed capacity, no allocation of its own.
#ifndef TEST_INPUTS_CPP_FRAME_ALLOC_STATS_H
#define TEST_INPUTS_CPP_FRAME_ALLOC_STATS_H

#include <cstddef>
#include <cstdio>

namespace frame_alloc_stats {

struct entry {
  std::size_t requested, handed_out;
  long count;
};
inline entry entries[64];
inline int used;
inline long mismatches; // sized frees whose size is not the allocation's

inline void record(std::size_t requested, std::size_t handed_out) {
  for (int i = 0; i < used; ++i)
    if (entries[i].requested == requested &&
        entries[i].handed_out == handed_out) {
      ++entries[i].count;
      return;
    }
  if (used < 64)
    entries[used++] = {requested, handed_out, 1};
}

inline void check(std::size_t freed, std::size_t allocated) {
  if (freed != allocated)
    ++mismatches;
}

inline void print() {
  std::size_t total = 0;
  for (int i = 0; i < used; ++i) {
    std::fprintf(stderr, "frame alloc %zu bytes, handed out %zu x%ld\n",
                 entries[i].requested, entries[i].handed_out,
                 entries[i].count);
    total += entries[i].handed_out * entries[i].count;
  }
  std::fprintf(stderr, "handed out in all: %zu bytes\n", total);
  std::printf("size mismatches: %ld\n", mismatches);
}

} // namespace frame_alloc_stats

#endif // TEST_INPUTS_CPP_FRAME_ALLOC_STATS_H
