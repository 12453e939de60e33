// Debian's asio: awaitable frames come from asio's recycling allocator
// (thread_info_base::allocate), which asks for the frame size rounded up to
// 8-byte chunks plus one byte (aligned_alloc, so rounded up to 16 again),
// and keeps the chunk count at mem[size]: the sized operator delete reads it
// back from mem[size], so the size must be the same in the ramp and in
// .destroy/.cleanup. Sessions are
// created before the io_context runs (no thread context: every frame is a
// fresh block) and wait on timers concurrently; one throws across an await.
// aligned_alloc is wrapped at link time (-Wl,--wrap) to count what asio asks
// for.
//
// REQUIRES: asio
// RUN: %run-compare --out %t --plugin-flags "-Rpass=coro-frame-overlap -Rpass-missed=coro-frame-overlap" -- %s -I%inputs/cpp -DASIO_HAS_CO_AWAIT -DASIO_HAS_STD_COROUTINE -pthread -Wl,--wrap=aligned_alloc | FileCheck %s
// RUN: (cat %t/plugin-O0.compile.log; echo STOCK; cat %t/stock-O0.stderr; echo PLUGIN; cat %t/plugin-O0.stderr) | FileCheck %s --check-prefix=BYTES
// RUN: (cat %t/plugin-O2.compile.log; echo STOCK; cat %t/stock-O2.stderr; echo PLUGIN; cat %t/plugin-O2.stderr) | FileCheck %s --check-prefix=BYTES
// RUN: %run-compare --out %t.san --sanitize --plugin-flags "-Rpass=coro-frame-overlap -Rpass-missed=coro-frame-overlap" -- %s -I%inputs/cpp -DASIO_HAS_CO_AWAIT -DASIO_HAS_STD_COROUTINE -pthread -Wl,--wrap=aligned_alloc | FileCheck %s
// RUN: (cat %t.san/plugin-O2-san.compile.log; echo STOCK; cat %t.san/stock-O2-san.stderr; echo PLUGIN; cat %t.san/plugin-O2-san.stderr) | FileCheck %s --check-prefix=BYTES
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)
//
// 40 session frames, each a block of ceil(size / 8) * 8 + 1 bytes, rounded
// up to 16.
// BYTES-NOT: allocation stays
// BYTES: frame of 'session(int)' re-laid out: [[#OLD:]] -> [[#NEW:]] bytes
// BYTES: STOCK
// BYTES: frame alloc [[#mul(div(mul(div(OLD+7,8),8)+16,16),16)]] bytes, handed out [[#mul(div(mul(div(OLD+7,8),8)+16,16),16)]] x40
// BYTES: PLUGIN
// BYTES-NOT: frame alloc [[#mul(div(mul(div(OLD+7,8),8)+16,16),16)]] bytes
// BYTES: frame alloc [[#mul(div(mul(div(NEW+7,8),8)+16,16),16)]] bytes, handed out [[#mul(div(mul(div(NEW+7,8),8)+16,16),16)]] x40
// BYTES-NOT: frame alloc [[#mul(div(mul(div(OLD+7,8),8)+16,16),16)]] bytes

#include "frame_alloc_stats.h"

#include <asio.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <stdexcept>

// Every block asio's frame allocator asks for, by size; the lock because
// asio may allocate from its own threads.
static std::mutex stats_lock;
extern "C" void *__real_aligned_alloc(std::size_t align, std::size_t n);
extern "C" void *__wrap_aligned_alloc(std::size_t align, std::size_t n) {
  {
    std::lock_guard<std::mutex> g(stats_lock);
    frame_alloc_stats::record(n, n);
  }
  return __real_aligned_alloc(align, n);
}

[[gnu::noinline]] long opaque(long x) {
  asm volatile("" : "+r"(x));
  return x;
}

asio::io_context io;
long total;

// Two phases with their own values, each across its own timer waits.
asio::awaitable<long> session(int id) {
  asio::steady_timer timer(io);
  long a1 = opaque(id), a2 = opaque(id * 2), a3 = opaque(id * 3),
       a4 = opaque(id * 4), a5 = opaque(id * 5);
  timer.expires_after(std::chrono::milliseconds(id % 5));
  co_await timer.async_wait(asio::use_awaitable);
  long sum = a1 + a2 + a3 + a4 + a5;
  timer.expires_after(std::chrono::milliseconds(id % 3));
  co_await timer.async_wait(asio::use_awaitable);
  sum += a1 * a2 * a3 * a4 * a5;
  long b1 = opaque(id + 1), b2 = opaque(id + 2), b3 = opaque(id + 3),
       b4 = opaque(id + 4), b5 = opaque(id + 5);
  timer.expires_after(std::chrono::milliseconds(id % 4));
  co_await timer.async_wait(asio::use_awaitable);
  if (id == 17)
    throw std::runtime_error("session 17 gives up");
  sum += b1 + b2 + b3 + b4 + b5;
  timer.expires_after(std::chrono::milliseconds(1));
  co_await timer.async_wait(asio::use_awaitable);
  co_return sum + b1 * b2 * b3 * b4 * b5;
}

int main() {
  long results[40] = {};
  int failed = 0;
  for (int i = 0; i < 40; ++i)
    asio::co_spawn(io, session(i),
                   [&, i](std::exception_ptr e, long v) {
                     if (e)
                       ++failed;
                     else
                       results[i] = v;
                   });
  io.run();
  for (long r : results)
    total += r;
  std::printf("total %ld, failed %d\n", total, failed);
  frame_alloc_stats::print();
}
