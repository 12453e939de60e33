// large_locals.cpp - big local buffers in sequential scopes across co_awaits.
//
// A batch job coroutine works in phases. Each phase has its own big local --
// a 512-byte header buffer, a 256-entry histogram, a block of samples, a 1 KiB
// scratch area or a table chosen in an if/else, a per-iteration block in a
// loop -- that is filled, lives across a co_await of that phase only, and is
// read after it. No two of them are ever live at the same time, so one slot
// the size of the largest could hold them all; a frame that gives each its
// own slot is several KiB bigger. 400 jobs run on a manual executor with at
// most 64 in flight; the results are folded into a checksum.
//
// Frame-layout situation: large allocas with disjoint lifetimes across
// suspensions, also in branches and loops, and the same pattern one level
// down in an awaited helper (whose frame may be elided into the job's frame
// at -O2).
#include "corolib/corolib.h"
#include "bench_coro.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

using corolib::manual_executor;
using corolib::task;

struct job {
  int id;
  int kind;
  std::uint32_t seed;
};

// Opaque to the optimizer so that buffers cannot be folded away.
[[gnu::noinline]] static std::uint32_t next_random(std::uint32_t &state) {
  state = state * 1664525u + 1013904223u;
  return state >> 8;
}

// Some buffers are handed to an opaque function (they escape, like a buffer
// passed to write()); others are only read in place (always inlined).
[[gnu::noinline]] static std::uint64_t digest(const void *p, std::size_t n) {
  bench::checksum c;
  c.add_bytes(p, n);
  return c.value();
}
template <typename T, std::size_t N>
[[gnu::always_inline]] inline std::uint64_t fold(const T (&a)[N]) {
  std::uint64_t h = 0;
  for (std::size_t i = 0; i < N; ++i)
    h = h * 1099511628211ULL + static_cast<std::uint64_t>(a[i]);
  return h;
}

// A helper with its own sequential buffers, awaited by every job.
task<std::uint64_t> compress_phase(manual_executor &ex, std::uint32_t seed) {
  std::uint64_t out = 0;
  {
    unsigned char window[768];
    std::uint32_t st = seed;
    for (auto &b : window)
      b = static_cast<unsigned char>(next_random(st));
    co_await ex.schedule();
    out += digest(window, sizeof window);
  }
  {
    std::uint16_t codes[384];
    for (int i = 0; i < 384; ++i)
      codes[i] = static_cast<std::uint16_t>(seed * i + 7);
    co_await ex.schedule();
    out ^= fold(codes);
  }
  co_return out;
}

task<std::uint64_t> run_job(manual_executor &ex, job j) {
  std::uint64_t acc = j.id;
  std::uint32_t st = j.seed;

  { // phase 1: format a header
    char header[512];
    int n = std::snprintf(header, sizeof header,
                          "job %d kind %d seed %08x ", j.id, j.kind, j.seed);
    for (int i = n; i < 511; ++i)
      header[i] = static_cast<char>('A' + next_random(st) % 26);
    header[511] = '\0';
    co_await ex.schedule(); // send the header
    acc += digest(header, std::strlen(header));
  }

  { // phase 2: a histogram of the input
    std::uint32_t histogram[256] = {};
    for (int i = 0; i < 2048; ++i)
      ++histogram[next_random(st) & 0xff];
    co_await ex.schedule(); // wait for the reader
    std::uint32_t peak = 0;
    for (std::uint32_t h : histogram)
      peak = h > peak ? h : peak;
    acc = acc * 31 + peak + fold(histogram);
  }

  { // phase 3: a block of samples
    double samples[160];
    for (int i = 0; i < 160; ++i)
      samples[i] = static_cast<double>(next_random(st) % 1000) / 8.0;
    co_await ex.schedule();
    double sum = 0;
    for (double s : samples)
      sum += s;
    acc ^= static_cast<std::uint64_t>(sum * 8.0);
  }

  // phase 4: one of two big scratch areas
  if (j.kind % 2 == 0) {
    unsigned char scratch[1024];
    for (auto &b : scratch)
      b = static_cast<unsigned char>(next_random(st));
    co_await ex.schedule();
    acc += digest(scratch, sizeof scratch);
  } else {
    std::uint32_t table[200];
    for (auto &t : table)
      t = next_random(st);
    co_await ex.schedule();
    acc += fold(table);
  }

  // phase 5: per-iteration blocks
  for (int round = 0; round < 3; ++round) {
    unsigned char block[300];
    for (auto &b : block)
      b = static_cast<unsigned char>(next_random(st) ^ round);
    co_await ex.schedule();
    acc = acc * 131 + fold(block);
  }

  acc += co_await compress_phase(ex, st);
  co_return acc;
}

task<void> worker(manual_executor &ex, std::vector<job> &jobs,
                  std::size_t &next, std::vector<std::uint64_t> &results) {
  while (next < jobs.size()) {
    std::size_t i = next++;
    results[i] = co_await run_job(ex, jobs[i]);
  }
}

int main() {
  constexpr int kJobs = 400, kWorkers = 64;
  manual_executor ex;
  std::vector<job> jobs;
  for (int i = 0; i < kJobs; ++i)
    jobs.push_back(job{i, i % 3, 0x1234567u * static_cast<std::uint32_t>(i + 1)});
  std::vector<std::uint64_t> results(kJobs);
  std::size_t next = 0;
  std::vector<task<void>> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.push_back(worker(ex, jobs, next, results));
  corolib::sync_wait(ex, bench::when_all(std::move(workers)));
  bench::checksum sum;
  for (std::uint64_t r : results)
    sum.add(r);
  std::printf("large_locals: %d jobs on %d workers, checksum %016llx\n", kJobs,
              kWorkers, sum.value());
}
