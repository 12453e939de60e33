// async_pipeline.cpp - pipelines of async generators on a manual executor.
//
// Each pipeline is a chain of bench::async_generator stages, each owning its
// upstream generator (moved into its frame as a parameter):
//   read_blocks  produces 256-byte blocks, suspending on the executor before
//                each one as if waiting for I/O,
//   records      cuts the byte stream into length-prefixed records; a record
//                may straddle blocks, so a partial record (std::vector) lives
//                across the co_awaits of the upstream,
//   select_records  drops some records and yields to the executor every
//                few records (cooperative scheduling),
//   windows      folds fixed-size windows of records into summaries (min,
//                max, sum, count, hash) kept across suspensions,
// and a sink task drains it. Sixteen pipelines run interleaved, joined by
// bench::when_all. Output: per-pipeline summaries and a checksum.
//
// Frame-layout situation: long-lived generator frames holding their
// upstream, arrays and small accumulators across both co_await and co_yield.
#include "corolib/corolib.h"
#include "bench_coro.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <utility>
#include <vector>

using bench::async_generator;
using corolib::manual_executor;
using corolib::task;

using block = std::array<std::uint8_t, 256>;

struct rec {
  int source;
  std::uint32_t seq;
  std::vector<std::uint8_t> bytes;
};

struct summary {
  std::uint32_t first_seq, count;
  std::uint32_t min_len, max_len;
  std::uint64_t sum, hash;
};

// Deterministic byte source: a record is [len][seq lo][seq hi][len-3 bytes].
static std::uint8_t stream_byte(int source, std::uint64_t pos) {
  std::uint64_t x = pos * 0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(source) * 7919;
  x ^= x >> 29;
  return static_cast<std::uint8_t>(x);
}

static std::vector<std::uint8_t> make_stream(int source, int records) {
  std::vector<std::uint8_t> s;
  for (int r = 0; r < records; ++r) {
    std::uint8_t len = static_cast<std::uint8_t>(3 + (r * 37 + source * 11) % 200);
    s.push_back(len);
    s.push_back(static_cast<std::uint8_t>(r & 0xff));
    s.push_back(static_cast<std::uint8_t>((r >> 8) & 0xff));
    for (int i = 3; i < len; ++i)
      s.push_back(stream_byte(source, s.size()));
  }
  return s;
}

async_generator<block> read_blocks(manual_executor &ex,
                                   const std::vector<std::uint8_t> &data) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    co_await ex.schedule(); // "waiting for the device"
    block b{};
    std::size_t n = data.size() - pos < b.size() ? data.size() - pos : b.size();
    for (std::size_t i = 0; i < n; ++i)
      b[i] = data[pos + i];
    pos += n;
    co_yield b;
  }
}

async_generator<rec> records(async_generator<block> in, int source,
                             std::size_t total_bytes) {
  std::vector<std::uint8_t> partial;
  std::size_t consumed = 0;
  while (const block *b = co_await in.next()) {
    std::size_t n = total_bytes - consumed < b->size() ? total_bytes - consumed
                                                      : b->size();
    consumed += n;
    for (std::size_t i = 0; i < n; ++i) {
      partial.push_back((*b)[i]);
      if (partial.size() == partial[0]) {
        rec r{source,
              static_cast<std::uint32_t>(partial[1] | (partial[2] << 8)),
              std::move(partial)};
        partial.clear();
        co_yield r;
      }
    }
  }
}

async_generator<rec> select_records(manual_executor &ex,
                                    async_generator<rec> in, int keep_mod) {
  std::uint32_t seen = 0;
  while (const rec *r = co_await in.next()) {
    if (++seen % 8 == 0)
      co_await ex.schedule(); // let the other pipelines run
    if (r->seq % static_cast<std::uint32_t>(keep_mod) != 0)
      co_yield *r;
  }
}

async_generator<summary> windows(async_generator<rec> in, std::uint32_t size) {
  summary s{0, 0, ~0u, 0, 0, 1469598103934665603ULL};
  while (const rec *r = co_await in.next()) {
    if (s.count == 0)
      s.first_seq = r->seq;
    std::uint32_t len = static_cast<std::uint32_t>(r->bytes.size());
    s.min_len = len < s.min_len ? len : s.min_len;
    s.max_len = len > s.max_len ? len : s.max_len;
    for (std::uint8_t byte : r->bytes) {
      s.sum += byte;
      s.hash = (s.hash ^ byte) * 1099511628211ULL;
    }
    if (++s.count == size) {
      co_yield s;
      s = summary{0, 0, ~0u, 0, 0, 1469598103934665603ULL};
    }
  }
  if (s.count)
    co_yield s;
}

task<unsigned long long> sink(async_generator<summary> in, int source,
                              bool print) {
  bench::checksum sum;
  std::uint32_t windows_seen = 0, records_seen = 0;
  std::uint64_t bytes = 0;
  while (const summary *s = co_await in.next()) {
    ++windows_seen;
    records_seen += s->count;
    bytes += s->sum;
    sum.add(s->hash);
    sum.add((std::uint64_t(s->min_len) << 32) | s->max_len);
    sum.add(s->first_seq);
  }
  if (print)
    std::printf("async_pipeline: source %2d: %u windows, %u records, "
                "byte sum %llu\n",
                source, windows_seen, records_seen,
                static_cast<unsigned long long>(bytes));
  co_return sum.value();
}

task<unsigned long long> pipeline(manual_executor &ex,
                                  const std::vector<std::uint8_t> &data,
                                  int source) {
  co_return co_await sink(
      windows(select_records(
                  ex, records(read_blocks(ex, data), source, data.size()),
                  3 + source % 4),
              16),
      source, source % 4 == 0);
}

int main() {
  constexpr int kPipelines = 16;
  manual_executor ex;
  std::vector<std::vector<std::uint8_t>> streams;
  for (int s = 0; s < kPipelines; ++s)
    streams.push_back(make_stream(s, 1500 + 97 * s));
  std::vector<task<unsigned long long>> all;
  for (int s = 0; s < kPipelines; ++s)
    all.push_back(pipeline(ex, streams[s], s));
  std::vector<unsigned long long> results =
      corolib::sync_wait(ex, bench::when_all(std::move(all)));
  bench::checksum total;
  for (unsigned long long r : results)
    total.add(r);
  std::printf("async_pipeline: %d pipelines, checksum %016llx\n", kPipelines,
              total.value());
}
