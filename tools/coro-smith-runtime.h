//===- coro-smith-runtime.h - the runtime of coro-smith's programs -------===//
//
// Every program tools/coro-smith generates starts with this runtime: the
// checksum helpers, the executor, the awaiters and the coroutine types
// (task, eager, gen). A generated program stays one self-contained file:
// coro-smith copies the lines between `coro-smith-runtime: begin` and
// `coro-smith-runtime: end` into it, after the program's own comment lines.
//
// What a program gets depends on the program and its seed. The SMITH_*
// macros say what; coro-smith resolves them while copying
// (tools/corofo_tools/smith_runtime.py):
//   - an #if/#elif/#else/#endif whose condition names a SMITH_ macro is
//     evaluated and left out, with the lines it leaves out;
//   - any other SMITH_ name is replaced by its value;
//   - every other line, preprocessor lines included (CORO_SMITH_INJECT), is
//     copied as it is.
// So the programs are what they were when this runtime was Python string
// literals, byte for byte. The file is also a header that compiles as it
// is, with the macros' defaults below or other values given with -D
// (test/difftest/smith_runtime.test compiles several settings).
//
// Keep the rules of tools/coro-smith's docstring: nothing here may make a
// program's output depend on anything but its seed.
//
//===----------------------------------------------------------------------===//
#pragma once

// -fno-exceptions: no Boom, no exception_ptr in the promises.
#ifndef SMITH_NOEXC
#define SMITH_NOEXC 0
#endif
// Parts of the runtime the program uses.
#ifndef SMITH_TR
#define SMITH_TR 1
#endif
#ifndef SMITH_POD
#define SMITH_POD 1
#endif
#ifndef SMITH_HOLDER
#define SMITH_HOLDER 1
#endif
#ifndef SMITH_PASS
#define SMITH_PASS 1
#endif
#ifndef SMITH_MAYBE
#define SMITH_MAYBE 1
#endif
#ifndef SMITH_AGAIN
#define SMITH_AGAIN 1
#endif
#ifndef SMITH_EAGER
#define SMITH_EAGER 1
#endif
#ifndef SMITH_GEN
#define SMITH_GEN 1
#endif
// Choices drawn from the seed.
#ifndef SMITH_TR_LOUD
#define SMITH_TR_LOUD 1 // Tr's destructor prints
#endif
#ifndef SMITH_ALLOC
#define SMITH_ALLOC 1 // FrameAlloc: promises allocate their frames
#endif
#ifndef SMITH_SIZED
#define SMITH_SIZED 1 // FrameAlloc's operator delete takes the size
#endif
#ifndef SMITH_BOOKS
#define SMITH_BOOKS 0 // where FrameAlloc keeps the size: 0 header,
#endif                // 1 after the frame, 2 size class
#ifndef SMITH_TASK_ALLOC
#define SMITH_TASK_ALLOC 1 // task's promise derives from FrameAlloc
#endif
#ifndef SMITH_EAGER_ALLOC
#define SMITH_EAGER_ALLOC 1
#endif
#ifndef SMITH_GEN_ALLOC
#define SMITH_GEN_ALLOC 1
#endif
#ifndef SMITH_POLICY
#define SMITH_POLICY 4 // the executor's order: 0 fifo, 1 lifo, 2 alternate,
#endif                 // 3 stride, 4 lcg
#ifndef SMITH_STRIDE_MUL
#define SMITH_STRIDE_MUL 5U
#endif
#ifndef SMITH_STRIDE_ADD
#define SMITH_STRIDE_ADD 3U
#endif
#ifndef SMITH_LCG_SEED
#define SMITH_LCG_SEED 0x2545f4914f6cdd1dULL
#endif
#ifndef SMITH_ELIDABLE
#define SMITH_ELIDABLE 1 // task is [[clang::coro_await_elidable]]
#endif

// coro-smith-runtime: begin
#include <array>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <utility>
#include <vector>

using u64 = std::uint64_t;
static u64 g_ck = 0x6a09e667f3bcc908ULL, g_nmix = 0, g_in = 0, g_steps = 0;
[[gnu::noinline]] static void mix(u64 v) {
  g_ck ^= v + 0x9e3779b97f4a7c15ULL + (g_ck << 6) + (g_ck >> 2);
  ++g_nmix;
}
[[gnu::noinline]] static u64 in(u64 k) { return g_in * 0x2545f4914f6cdd1dULL + k; }
[[gnu::noinline]] static u64 op1(u64 a, u64 b) { return (a ^ (b * 0x9e3779b97f4a7c15ULL)) + (a >> 17); }
[[gnu::noinline]] static u64 op2(u64 a, u64 b) { return a * 0xbf58476d1ce4e5b9ULL + (b ^ (b >> 31)); }
static inline u64 op3(u64 a, u64 b) { return ((a << 7) | (a >> 57)) ^ b; }
[[gnu::noinline, maybe_unused]] static void fill(u64 *p, u64 n, u64 x) {
  for (u64 i = 0; i < n; ++i) p[i] = (x = x * 6364136223846793005ULL + 1442695040888963407ULL) >> 11;
}
[[gnu::noinline, maybe_unused]] static u64 sum(const u64 *p, u64 n) {
  u64 s = 0;
  for (u64 i = 0; i < n; ++i) s = s * 31U + p[i];
  return s;
}
[[gnu::noinline, maybe_unused]] static std::string mkstr(u64 x) {
  std::string s;
  for (u64 i = 0, n = x % 40U; i < n; ++i) s.push_back(char('a' + ((x >> (i % 50U)) % 26U)));
  return s;
}
[[gnu::noinline, maybe_unused]] static u64 hs(const std::string &s) {
  u64 h = 1469598103934665603ULL;
  for (char c : s) h = (h ^ (unsigned char)c) * 1099511628211ULL;
  return h + s.size();
}
[[gnu::noinline, maybe_unused]] static u64 hv(const std::vector<u64> &v) { return sum(v.data(), v.size()) + v.size(); }
// Self-test of the differential tester only: -DCORO_SMITH_INJECT=n plants a
// difference (1), crash (2), hang (3), heap overflow (4), or a difference in
// optimized builds only (5).
static void inject() {
#if defined(CORO_SMITH_INJECT)
  static volatile int k = CORO_SMITH_INJECT;
#if defined(__OPTIMIZE__)
  if (k == 5) std::printf("optimized\n");
#endif
  if (k == 1) std::printf("injected difference\n");
  if (k == 2) __builtin_trap();
  while (k == 3) {}
  if (k == 4) { u64 *p = new u64[2]; p[k - 2] = 1; delete[] p; }
#endif
}
#if !SMITH_NOEXC
struct Boom { u64 v; };
#endif
#if SMITH_TR
struct Tr {  // a local with a destructor
  u64 v;
  explicit Tr(u64 x) : v(x) { mix(v ^ 0x7472ULL); }
#if SMITH_TR_LOUD
  ~Tr() { std::printf("~Tr %llu\n", (unsigned long long)v); mix(v + 0xdeadULL); }
#else
  ~Tr() { mix(v + 0xdeadULL); }
#endif
  Tr(const Tr &) = delete;
  Tr &operator=(const Tr &) = delete;
};
#endif
#if SMITH_POD
struct Pod { std::uint8_t a; u64 b; std::uint16_t c; bool d; };  // padding inside
#endif
#if SMITH_HOLDER
// A local's address stored in another local by calls the optimizer cannot see into.
struct Holder { u64 *p; };
[[gnu::noinline, maybe_unused]] static void hold(Holder *h, u64 *p) { h->p = p; }
[[gnu::noinline, maybe_unused]] static u64 peekh(const Holder *h) { return *h->p; }
[[gnu::noinline, maybe_unused]] static void bumph(Holder *h, u64 v) { *h->p += v; }
#endif
#if SMITH_ALLOC
// Frames allocated by the promises: the size given to delete must be the
// size given to new, and no frame may be left at the end.
static u64 g_frames = 0;
struct FrameAlloc {
#if SMITH_BOOKS == 2
  static std::size_t size_class(std::size_t n) {
    std::size_t c = 64;
    while (c < n) c *= 2;
    return c;
  }
#endif
  static void *operator new(std::size_t n) {
#if SMITH_BOOKS == 0
    unsigned char *p = static_cast<unsigned char *>(::operator new(n + 16));
    *reinterpret_cast<std::size_t *>(p) = n;
    ++g_frames;
    return p + 16;
#elif SMITH_BOOKS == 1
    std::size_t at = (n + 7) & ~std::size_t(7);
    unsigned char *p = static_cast<unsigned char *>(::operator new(at + 8));
    *reinterpret_cast<std::size_t *>(p + at) = n;
    ++g_frames;
    return p;
#else
    std::size_t c = size_class(n);
    unsigned char *p = static_cast<unsigned char *>(::operator new(c + 16));
    *reinterpret_cast<std::size_t *>(p) = c;
    ++g_frames;
    return p + 16;
#endif
  }
#if SMITH_SIZED
  static void operator delete(void *q, std::size_t n) {
#if SMITH_BOOKS == 1
    unsigned char *p = static_cast<unsigned char *>(q);
    if (*reinterpret_cast<std::size_t *>(p + ((n + 7) & ~std::size_t(7))) != n) {
#elif SMITH_BOOKS == 2
    unsigned char *p = static_cast<unsigned char *>(q) - 16;
    if (*reinterpret_cast<std::size_t *>(p) != size_class(n)) {
#else
    unsigned char *p = static_cast<unsigned char *>(q) - 16;
    if (*reinterpret_cast<std::size_t *>(p) != n) {
#endif
      std::printf("sized delete mismatch\n");
      std::abort();
    }
#else
  static void operator delete(void *q) {
    unsigned char *p = static_cast<unsigned char *>(q) - 16;
#endif
    --g_frames;
    ::operator delete(p);
  }
};
#endif

// The executor: coroutines suspended by sched() wait in g_q, tagged with
// the job they belong to, so a job can be cancelled before its frames die.
struct Entry { std::coroutine_handle<> h; unsigned job; };
static std::vector<Entry> g_q;
static unsigned g_job = 0;
#if SMITH_POLICY == 4
static u64 g_lcg = SMITH_LCG_SEED;
#endif
static std::size_t pick(std::size_t n) {
#if SMITH_POLICY == 0
  (void)n;
  return 0;
#elif SMITH_POLICY == 1
  return n - 1;
#elif SMITH_POLICY == 2
  return (g_steps & 1U) ? n - 1 : 0;
#elif SMITH_POLICY == 3
  return (std::size_t)((g_steps * SMITH_STRIDE_MUL + SMITH_STRIDE_ADD) % n);
#else
  g_lcg = g_lcg * 6364136223846793005ULL + 1442695040888963407ULL;
  return (std::size_t)((g_lcg >> 33) % n);
#endif
}
static bool run_steps(u64 limit) {
  for (; !g_q.empty() && limit > 0; --limit) {
    std::size_t i = pick(g_q.size());
    Entry e = g_q[i];
    g_q.erase(g_q.begin() + (std::ptrdiff_t)i);
    g_job = e.job;
    ++g_steps;
    e.h.resume();
  }
  return g_q.empty();
}
[[maybe_unused]] static void cancel_job(unsigned j) {
  for (std::size_t i = 0; i < g_q.size();)
    if (g_q[i].job == j) g_q.erase(g_q.begin() + (std::ptrdiff_t)i); else ++i;
}
static void spawn(std::coroutine_handle<> h, unsigned j) { g_q.push_back({h, j}); }
struct SchedAw {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { g_q.push_back({h, g_job}); }
  void await_resume() const noexcept {}
};
static SchedAw sched() { return {}; }
#if SMITH_PASS
struct PassAw {  // suspends unless v % 4 == 0; v waits in the frame
  u64 v;
  bool await_ready() const noexcept { return (v & 3U) == 0U; }
  void await_suspend(std::coroutine_handle<> h) { g_q.push_back({h, g_job}); }
  u64 await_resume() const noexcept { return v * 3U + 1U; }
};
static PassAw pass(u64 v) { return {v}; }
#endif
#if SMITH_MAYBE
struct MaybeAw {  // bool await_suspend: resumes at once when v is even
  u64 v;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    if ((v & 1U) == 0U) return false;
    g_q.push_back({h, g_job});
    return true;
  }
  u64 await_resume() const noexcept { return v ^ 0x55U; }
};
static MaybeAw maybe(u64 v) { return {v}; }
#endif
#if SMITH_AGAIN
struct AgainAw {  // symmetric transfer to itself when v is even
  u64 v;
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) {
    if ((v & 1U) == 0U) return h;
    g_q.push_back({h, g_job});
    return std::noop_coroutine();
  }
  u64 await_resume() const noexcept { return v + 7U; }
};
static AgainAw again(u64 v) { return {v}; }
#endif

// Final awaiter of task and eager: continue the awaiting coroutine, if any.
template <class P> struct FinalAw {
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    if (std::coroutine_handle<> c = h.promise().cont) return c;
    return std::noop_coroutine();
  }
  void await_resume() const noexcept {}
};
// Lazy task: starts when awaited (symmetric transfer) or spawned.
#if SMITH_ELIDABLE
struct [[clang::coro_await_elidable]] task {
#else
struct task {
#endif
#if SMITH_TASK_ALLOC
  struct promise_type : FrameAlloc {
#else
  struct promise_type {
#endif
    u64 value = 0;
#if !SMITH_NOEXC
    std::exception_ptr exc;
#endif
    std::coroutine_handle<> cont;
    task get_return_object() { return task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    FinalAw<promise_type> final_suspend() noexcept { return {}; }
    void return_value(u64 v) { value = v; }
#if SMITH_NOEXC
    void unhandled_exception() { std::abort(); }
    u64 get() const { return value; }
#else
    void unhandled_exception() { exc = std::current_exception(); }
    u64 get() const {
      if (exc) std::rethrow_exception(exc);
      return value;
    }
#endif
    std::suspend_always initial_suspend() noexcept { return {}; }
  };
  std::coroutine_handle<promise_type> h;
  explicit task(std::coroutine_handle<promise_type> x) : h(x) {}
  task(task &&o) noexcept : h(std::exchange(o.h, {})) {}
  task &operator=(task &&) = delete;
  ~task() { reset(); }
  void reset() {
    if (h) h.destroy();
    h = {};
  }
  bool done() const { return !h || h.done(); }
  u64 result() const { return h.promise().get(); }
  struct Aw {
    std::coroutine_handle<promise_type> h;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) noexcept {
      h.promise().cont = c;
      return h;
    }
    u64 await_resume() const { return h.promise().get(); }
  };
  Aw operator co_await() const noexcept { return Aw{h}; }
};
[[maybe_unused]] static void report(const char *name, unsigned j, const task &t) {
  if (!t.done()) {
    std::printf("job %u %s: not done\n", j, name);
    return;
  }
#if SMITH_NOEXC
  std::printf("job %u %s = %llu\n", j, name, (unsigned long long)t.result());
  mix(t.result());
#else
  try {
    u64 r = t.result();
    std::printf("job %u %s = %llu\n", j, name, (unsigned long long)r);
    mix(r);
  } catch (const Boom &b) {
    std::printf("job %u %s threw %llu\n", j, name, (unsigned long long)b.v);
    mix(b.v ^ 0xb00bULL);
  }
#endif
}
#if SMITH_EAGER
// Eager task: runs at once up to its first suspend; awaiting it waits
// for the rest.
struct eager {
#if SMITH_EAGER_ALLOC
  struct promise_type : FrameAlloc {
#else
  struct promise_type {
#endif
    u64 value = 0;
#if !SMITH_NOEXC
    std::exception_ptr exc;
#endif
    std::coroutine_handle<> cont;
    eager get_return_object() { return eager{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    FinalAw<promise_type> final_suspend() noexcept { return {}; }
    void return_value(u64 v) { value = v; }
#if SMITH_NOEXC
    void unhandled_exception() { std::abort(); }
    u64 get() const { return value; }
#else
    void unhandled_exception() { exc = std::current_exception(); }
    u64 get() const {
      if (exc) std::rethrow_exception(exc);
      return value;
    }
#endif
    std::suspend_never initial_suspend() noexcept { return {}; }
  };
  std::coroutine_handle<promise_type> h;
  explicit eager(std::coroutine_handle<promise_type> x) : h(x) {}
  eager(eager &&o) noexcept : h(std::exchange(o.h, {})) {}
  eager &operator=(eager &&) = delete;
  ~eager() { reset(); }
  void reset() {
    if (h) h.destroy();
    h = {};
  }
  bool done() const { return !h || h.done(); }
  u64 result() const { return h.promise().get(); }
  struct Aw {
    std::coroutine_handle<promise_type> h;
    bool await_ready() const noexcept { return h.done(); }
    void await_suspend(std::coroutine_handle<> c) noexcept { h.promise().cont = c; }
    u64 await_resume() const { return h.promise().get(); }
  };
  Aw operator co_await() const noexcept { return Aw{h}; }
};
[[maybe_unused]] static void report(const char *name, unsigned j, const eager &t) {
  if (!t.done()) {
    std::printf("job %u %s: not done\n", j, name);
    return;
  }
#if SMITH_NOEXC
  std::printf("job %u %s = %llu\n", j, name, (unsigned long long)t.result());
  mix(t.result());
#else
  try {
    u64 r = t.result();
    std::printf("job %u %s = %llu\n", j, name, (unsigned long long)r);
    mix(r);
  } catch (const Boom &b) {
    std::printf("job %u %s threw %llu\n", j, name, (unsigned long long)b.v);
    mix(b.v ^ 0xb00bULL);
  }
#endif
}
#endif
#if SMITH_GEN
#if SMITH_NOEXC
// Synchronous generator of u64.
#else
// Synchronous generator of u64; next() rethrows what the body threw.
#endif
struct gen {
#if SMITH_GEN_ALLOC
  struct promise_type : FrameAlloc {
#else
  struct promise_type {
#endif
    u64 cur = 0;
#if !SMITH_NOEXC
    std::exception_ptr exc;
#endif
    gen get_return_object() { return gen{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(u64 v) noexcept {
      cur = v;
      return {};
    }
    void return_void() noexcept {}
#if SMITH_NOEXC
    void unhandled_exception() { std::abort(); }
#else
    void unhandled_exception() { exc = std::current_exception(); }
#endif
  };
  std::coroutine_handle<promise_type> h;
  explicit gen(std::coroutine_handle<promise_type> x) : h(x) {}
  gen(gen &&o) noexcept : h(std::exchange(o.h, {})) {}
  gen &operator=(gen &&) = delete;
  ~gen() {
    if (h) h.destroy();
  }
  bool next() {
    if (!h || h.done()) return false;
    h.resume();
#if !SMITH_NOEXC
    if (h.promise().exc) std::rethrow_exception(std::exchange(h.promise().exc, nullptr));
#endif
    return !h.done();
  }
  u64 value() const { return h.promise().cur; }
};
#endif

// coro-smith-runtime: end
