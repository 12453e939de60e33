// frame_alloc_log.cpp - the heap blocks a program frees, by size and by the
// second pointer-sized word of the block, for tools/coro-bench's run-time
// frame measurement (see docs/benchmarks.md, "Frame bytes at run time").
//
// The harness compiles this file once with stock clang and links it into
// every corpus program with the GNU ld / lld option -Wl,--wrap=SYM for each
// SYM below. --wrap redirects the program's own undefined references to SYM
// to __wrap_SYM (defined here) and __real_SYM to the real SYM, so no
// LD_PRELOAD is needed and the shared libraries are left alone:
//   - a TU that calls libstdc++'s operator new is seen at _Znwm & co.;
//   - a TU that defines its own operator new (corolib's alloc_count.h, a
//     promise's operator new) calls malloc/aligned_alloc, seen there (its own
//     calls of its own operator new are not undefined references, so they are
//     not wrapped and nothing is counted twice);
//   - asio's recycling allocator calls aligned_alloc and free.
// Allocations inside the shared libraries (libstdc++'s out-of-line string
// code, iostreams) are not seen; neither is new[] (libstdc++ implements it
// with its own, unwrapped, operator new).
//
// Every allocation records pointer -> size. When a recorded block of 16 bytes
// or more is freed, the logger reads its second pointer-sized word: a
// switch-ABI coroutine frame starts with the addresses of its resume and
// destroy functions, so for a frame that word is the address of the
// coroutine's .destroy (or .cleanup) function, which the harness resolves
// with llvm-nm. Frees are counted per (word, size). Words outside the
// program's code cannot be a frame's destroy function; they are only counted
// (the table would otherwise grow with every distinct heap value).
//
// At exit, if CORO_FRAME_ALLOC_LOG names a file, the logger writes:
//   corofo-frame-alloc-log 1
//   anchor <hex address of corofo_frame_alloc_log_anchor at run time>
//   total <allocations> <bytes>          every recorded allocation
//   live <blocks> <bytes>                recorded, never freed through a
//                                        wrapped function (leaked, freed by a
//                                        shared library, or alive at exit)
//   other <blocks> <bytes>               freed, second word not in the code
//   small <blocks> <bytes>               freed, smaller than 16 bytes
//   dropped <allocations> <frees>        not recorded or not counted (no
//                                        memory left for the tables)
//   block <hex word> <size> <count>      one per (word, size) freed, word in
//                                        the code
// It writes with open/write and vsnprintf into a stack buffer: no stdio
// stream, no allocation, nothing on the program's stdout or stderr.
//
// Thread safety: one spinlock (std::atomic_flag) around the tables; while it
// is held only __real_malloc/__real_free are called, which never come back
// here.

#include <atomic>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

extern "C" {
void *__real__Znwm(std::size_t);
void *__real__ZnwmRKSt9nothrow_t(std::size_t, const std::nothrow_t &) noexcept;
void *__real__ZnwmSt11align_val_t(std::size_t, std::align_val_t);
void *__real__ZnwmSt11align_val_tRKSt9nothrow_t(std::size_t, std::align_val_t,
                                                const std::nothrow_t &) noexcept;
void __real__ZdlPv(void *) noexcept;
void __real__ZdlPvm(void *, std::size_t) noexcept;
void __real__ZdlPvSt11align_val_t(void *, std::align_val_t) noexcept;
void __real__ZdlPvmSt11align_val_t(void *, std::size_t,
                                   std::align_val_t) noexcept;
void *__real_malloc(std::size_t) noexcept;
void __real_free(void *) noexcept;
void *__real_aligned_alloc(std::size_t, std::size_t) noexcept;

// The program's code, from the linker's default script (GNU ld and lld).
// Weak: without them every word is kept.
extern const char __executable_start[] __attribute__((weak));
extern const char etext[] __attribute__((weak));

// The harness subtracts this function's run-time address (in the log) from
// each word and adds its link-time address (llvm-nm): PIE binaries load at a
// random base.
__attribute__((noinline, used)) void corofo_frame_alloc_log_anchor() {
  asm volatile("");
}
}

namespace {

// ------------------------------------------------------------------ lock
std::atomic_flag table_lock = ATOMIC_FLAG_INIT;

struct locked {
  locked() {
    for (unsigned spins = 0;
         table_lock.test_and_set(std::memory_order_acquire); ++spins)
      if (spins > 64)
        sched_yield(); // a syscall: allocates nothing
  }
  ~locked() { table_lock.clear(std::memory_order_release); }
  locked(const locked &) = delete;
  locked &operator=(const locked &) = delete;
};

std::size_t hash(std::uintptr_t a, std::uintptr_t b) {
  std::uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

// ------------------------------------------- live blocks: pointer -> size
// Open addressing with linear probing and backward-shift deletion (no
// tombstones, so a long run of alloc/free does not degrade the table).
struct live_slot {
  std::uintptr_t ptr; // 0: empty
  std::size_t size;
};
live_slot *live;
std::size_t live_cap, live_used;

// Grows the table to hold one more entry; false when memory is short.
bool live_reserve() {
  if ((live_used + 1) * 2 <= live_cap)
    return true;
  std::size_t cap = live_cap ? live_cap * 2 : 4096;
  auto *fresh =
      static_cast<live_slot *>(__real_malloc(cap * sizeof(live_slot)));
  if (!fresh)
    return false;
  for (std::size_t i = 0; i < cap; ++i)
    fresh[i] = {0, 0};
  for (std::size_t i = 0; i < live_cap; ++i) {
    if (!live[i].ptr)
      continue;
    std::size_t j = hash(live[i].ptr, 0) & (cap - 1);
    while (fresh[j].ptr)
      j = (j + 1) & (cap - 1);
    fresh[j] = live[i];
  }
  __real_free(live);
  live = fresh;
  live_cap = cap;
  return true;
}

// Records p (a fresh block overwrites a stale record of the same address:
// one freed where the logger could not see it).
bool live_insert(std::uintptr_t p, std::size_t size) {
  if (!live_reserve())
    return false;
  std::size_t j = hash(p, 0) & (live_cap - 1);
  while (live[j].ptr && live[j].ptr != p)
    j = (j + 1) & (live_cap - 1);
  if (!live[j].ptr)
    ++live_used;
  live[j] = {p, size};
  return true;
}

bool live_remove(std::uintptr_t p, std::size_t *size) {
  if (!live_cap)
    return false;
  std::size_t mask = live_cap - 1, j = hash(p, 0) & mask;
  while (live[j].ptr != p) {
    if (!live[j].ptr)
      return false;
    j = (j + 1) & mask;
  }
  *size = live[j].size;
  // Backward shift: move later entries of the probe run into the hole when
  // their home slot is not between the hole and them.
  for (std::size_t k = (j + 1) & mask; live[k].ptr; k = (k + 1) & mask) {
    std::size_t home = hash(live[k].ptr, 0) & mask;
    if (((k - home) & mask) >= ((k - j) & mask)) {
      live[j] = live[k];
      j = k;
    }
  }
  live[j] = {0, 0};
  --live_used;
  return true;
}

// ------------------------------------- freed blocks: (word, size) -> count
struct block_slot {
  std::uintptr_t word;
  std::size_t size;
  std::uint64_t count; // 0: empty
};
block_slot *blocks;
std::size_t blocks_cap, blocks_used;

bool blocks_reserve() {
  if ((blocks_used + 1) * 2 <= blocks_cap)
    return true;
  std::size_t cap = blocks_cap ? blocks_cap * 2 : 1024;
  auto *fresh =
      static_cast<block_slot *>(__real_malloc(cap * sizeof(block_slot)));
  if (!fresh)
    return false;
  for (std::size_t i = 0; i < cap; ++i)
    fresh[i] = {0, 0, 0};
  for (std::size_t i = 0; i < blocks_cap; ++i) {
    if (!blocks[i].count)
      continue;
    std::size_t j = hash(blocks[i].word, blocks[i].size) & (cap - 1);
    while (fresh[j].count)
      j = (j + 1) & (cap - 1);
    fresh[j] = blocks[i];
  }
  __real_free(blocks);
  blocks = fresh;
  blocks_cap = cap;
  return true;
}

// ------------------------------------------------------------- counters
struct counter {
  std::uint64_t count, bytes;
  void add(std::uint64_t n) {
    ++count;
    bytes += n;
  }
};
counter total_allocs, other_frees, small_frees, lost_frees;
std::uint64_t dropped;

bool in_code(std::uintptr_t word) {
  if (!__executable_start || !etext)
    return true;
  return word >= reinterpret_cast<std::uintptr_t>(__executable_start) &&
         word < reinterpret_cast<std::uintptr_t>(etext);
}

void count_block(std::uintptr_t word, std::size_t size) {
  if (!in_code(word)) {
    other_frees.add(size);
    return;
  }
  if (!blocks_reserve()) {
    lost_frees.add(size);
    return;
  }
  std::size_t j = hash(word, size) & (blocks_cap - 1);
  while (blocks[j].count &&
         (blocks[j].word != word || blocks[j].size != size))
    j = (j + 1) & (blocks_cap - 1);
  if (!blocks[j].count) {
    blocks[j].word = word;
    blocks[j].size = size;
    ++blocks_used;
  }
  ++blocks[j].count;
}

void *note_alloc(void *p, std::size_t size) {
  if (!p)
    return p;
  locked guard;
  total_allocs.add(size);
  if (!live_insert(reinterpret_cast<std::uintptr_t>(p), size))
    ++dropped;
  return p;
}

// Called before the block is given back, so that its words are still ours.
void note_free(void *p) {
  if (!p)
    return;
  locked guard;
  std::size_t size;
  if (!live_remove(reinterpret_cast<std::uintptr_t>(p), &size))
    return; // not allocated through a wrapped function
  if (size < 2 * sizeof(void *)) {
    small_frees.add(size);
    return;
  }
  std::uintptr_t word; // the frame's destroy function, if p is a frame
  __builtin_memcpy(&word, static_cast<char *>(p) + sizeof(void *),
                   sizeof word);
  count_block(word, size);
}

// ------------------------------------------------------------------ log
struct writer {
  int fd;
  char buf[4096];
  std::size_t len;

  explicit writer(int fd) : fd(fd), len(0) {}
  void flush() {
    std::size_t off = 0;
    while (off < len) {
      ssize_t n = ::write(fd, buf + off, len - off);
      if (n <= 0)
        break;
      off += static_cast<std::size_t>(n);
    }
    len = 0;
  }
  __attribute__((format(printf, 2, 3))) void line(const char *fmt, ...) {
    char tmp[160];
    va_list ap;
    va_start(ap, fmt);
    int n = std::vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n <= 0)
      return;
    std::size_t m = static_cast<std::size_t>(n) < sizeof tmp
                        ? static_cast<std::size_t>(n)
                        : sizeof tmp - 1;
    if (len + m > sizeof buf)
      flush();
    for (std::size_t i = 0; i < m; ++i)
      buf[len++] = tmp[i];
  }
};

std::atomic_flag written = ATOMIC_FLAG_INIT;
pid_t owner_pid;

// Remember which process the log belongs to: a forked child that exits must
// not overwrite its parent's log.
__attribute__((constructor)) void remember_pid() { owner_pid = getpid(); }

// A destructor runs from the executable's .fini_array, after every atexit
// handler and C++ static destructor, so it sees (nearly) every free. Once
// only: the guard keeps a second exit path from writing twice.
__attribute__((destructor)) void write_log() {
  if (written.test_and_set())
    return;
  const char *path = std::getenv("CORO_FRAME_ALLOC_LOG");
  if (!path || !*path || getpid() != owner_pid)
    return;
  int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  locked guard;
  writer w(fd);
  w.line("corofo-frame-alloc-log 1\n");
  w.line("anchor %jx\n", static_cast<std::uintmax_t>(reinterpret_cast<
                             std::uintptr_t>(&corofo_frame_alloc_log_anchor)));
  w.line("total %ju %ju\n", static_cast<std::uintmax_t>(total_allocs.count),
         static_cast<std::uintmax_t>(total_allocs.bytes));
  std::uint64_t live_bytes = 0;
  for (std::size_t i = 0; i < live_cap; ++i)
    if (live[i].ptr)
      live_bytes += live[i].size;
  w.line("live %ju %ju\n", static_cast<std::uintmax_t>(live_used),
         static_cast<std::uintmax_t>(live_bytes));
  w.line("other %ju %ju\n", static_cast<std::uintmax_t>(other_frees.count),
         static_cast<std::uintmax_t>(other_frees.bytes));
  w.line("small %ju %ju\n", static_cast<std::uintmax_t>(small_frees.count),
         static_cast<std::uintmax_t>(small_frees.bytes));
  w.line("dropped %ju %ju\n",
         static_cast<std::uintmax_t>(dropped + lost_frees.count),
         static_cast<std::uintmax_t>(lost_frees.bytes));
  for (std::size_t i = 0; i < blocks_cap; ++i)
    if (blocks[i].count)
      w.line("block %jx %ju %ju\n",
             static_cast<std::uintmax_t>(blocks[i].word),
             static_cast<std::uintmax_t>(blocks[i].size),
             static_cast<std::uintmax_t>(blocks[i].count));
  w.flush();
  ::close(fd);
}

} // namespace

// --------------------------------------------------------------- wrappers
extern "C" {

void *__wrap__Znwm(std::size_t n) { return note_alloc(__real__Znwm(n), n); }

void *__wrap__ZnwmRKSt9nothrow_t(std::size_t n,
                                 const std::nothrow_t &t) noexcept {
  return note_alloc(__real__ZnwmRKSt9nothrow_t(n, t), n);
}

void *__wrap__ZnwmSt11align_val_t(std::size_t n, std::align_val_t a) {
  return note_alloc(__real__ZnwmSt11align_val_t(n, a), n);
}

void *__wrap__ZnwmSt11align_val_tRKSt9nothrow_t(
    std::size_t n, std::align_val_t a, const std::nothrow_t &t) noexcept {
  return note_alloc(__real__ZnwmSt11align_val_tRKSt9nothrow_t(n, a, t), n);
}

void __wrap__ZdlPv(void *p) noexcept {
  note_free(p);
  __real__ZdlPv(p);
}

void __wrap__ZdlPvm(void *p, std::size_t n) noexcept {
  note_free(p);
  __real__ZdlPvm(p, n);
}

void __wrap__ZdlPvSt11align_val_t(void *p, std::align_val_t a) noexcept {
  note_free(p);
  __real__ZdlPvSt11align_val_t(p, a);
}

void __wrap__ZdlPvmSt11align_val_t(void *p, std::size_t n,
                                   std::align_val_t a) noexcept {
  note_free(p);
  __real__ZdlPvmSt11align_val_t(p, n, a);
}

void *__wrap_malloc(std::size_t n) noexcept {
  return note_alloc(__real_malloc(n), n);
}

void __wrap_free(void *p) noexcept {
  note_free(p);
  __real_free(p);
}

void *__wrap_aligned_alloc(std::size_t align, std::size_t n) noexcept {
  return note_alloc(__real_aligned_alloc(align, n), n);
}

} // extern "C"
