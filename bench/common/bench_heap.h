// bench/common/bench_heap.h - heap accounting for the Google Benchmark
// programs in bench/runtime/.
//
// Include this in exactly one translation unit of a benchmark program (each
// program is a single .cpp): it replaces the global operator new/delete with
// counting versions that update corolib's counters
// (test/Inputs/corolib/alloc_count.h), so every coroutine frame the program
// allocates is counted. In a benchmark:
//
//   static void BM_x(benchmark::State &state) {
//     bench::heap_meter heap;
//     for (auto _ : state) { ... }
//     heap.report(state);   // adds heap_B/op and allocs/op counters
//   }
//
// The counters are averaged over the iterations (Counter::kAvgIterations),
// so they read "bytes requested from operator new per operation" and
// "operator new calls per operation". Frame allocations that the optimizer
// elided (HALO) do not show up here, since they never reach operator new.
// The counters are plain integers: the benchmarks are single-threaded.
//
// Why not corolib's COROLIB_ALLOC_COUNT_DEFINE_OPERATORS: its replacements
// are ordinary inline-able definitions in the same translation unit, so at
// -O2 operator new is inlined into every coroutine ramp, and the frame size
// passed to it becomes a value that is also used outside the allocation call
// (it is added to the byte counter). coro-frame-overlap then keeps the old
// allocation size (its remark says so), and the heap numbers would not show
// a smaller frame. Here the replacements are noinline, as a real allocator
// in another library is: the ramp just calls operator new(size).
#ifndef CORO_BENCH_COMMON_BENCH_HEAP_H
#define CORO_BENCH_COMMON_BENCH_HEAP_H

#include "corolib/alloc_count.h" // the counters (without the operators)

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace bench {

class heap_meter {
public:
  heap_meter() : before_(corolib::alloc_count::now()) {}
  void report(benchmark::State &state) const {
    corolib::alloc_count::snapshot after = corolib::alloc_count::now();
    state.counters["heap_B/op"] = benchmark::Counter(
        static_cast<double>(after.bytes - before_.bytes),
        benchmark::Counter::kAvgIterations);
    state.counters["allocs/op"] = benchmark::Counter(
        static_cast<double>(after.allocations - before_.allocations),
        benchmark::Counter::kAvgIterations);
  }

private:
  corolib::alloc_count::snapshot before_;
};

// Fail the benchmark (reported as an error by coro-bench) when a computed
// result is not what the plain C++ reference says.
inline bool check(benchmark::State &state, bool ok, const char *what) {
  if (!ok)
    state.SkipWithError(what);
  return ok;
}

namespace heap_detail {

inline constexpr std::size_t default_align = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

[[gnu::noinline]] inline void *allocate(std::size_t size, std::size_t align) {
  if (size == 0)
    size = 1;
  for (;;) {
    void *p = align <= default_align
                  ? std::malloc(size)
                  : std::aligned_alloc(align, (size + align - 1) / align * align);
    if (p) {
      ++corolib::alloc_count::allocations;
      corolib::alloc_count::bytes += size;
      return p;
    }
    std::new_handler handler = std::get_new_handler();
    if (!handler)
      throw std::bad_alloc();
    handler();
  }
}

[[gnu::noinline]] inline void *allocate_nothrow(std::size_t size,
                                                std::size_t align) noexcept {
  try {
    return allocate(size, align);
  } catch (...) {
    return nullptr;
  }
}

[[gnu::noinline]] inline void deallocate(void *p) noexcept {
  if (p) {
    ++corolib::alloc_count::deallocations;
    std::free(p);
  }
}

} // namespace heap_detail
} // namespace bench

// The replacements, at global scope as the language requires.
#define BENCH_HEAP_NEW [[gnu::noinline]] void *
#define BENCH_HEAP_DELETE [[gnu::noinline]] void
namespace bench_hd = ::bench::heap_detail;

BENCH_HEAP_NEW operator new(std::size_t n) {
  return bench_hd::allocate(n, bench_hd::default_align);
}
BENCH_HEAP_NEW operator new[](std::size_t n) {
  return bench_hd::allocate(n, bench_hd::default_align);
}
BENCH_HEAP_NEW operator new(std::size_t n, std::align_val_t a) {
  return bench_hd::allocate(n, static_cast<std::size_t>(a));
}
BENCH_HEAP_NEW operator new[](std::size_t n, std::align_val_t a) {
  return bench_hd::allocate(n, static_cast<std::size_t>(a));
}
BENCH_HEAP_NEW operator new(std::size_t n, const std::nothrow_t &) noexcept {
  return bench_hd::allocate_nothrow(n, bench_hd::default_align);
}
BENCH_HEAP_NEW operator new[](std::size_t n, const std::nothrow_t &) noexcept {
  return bench_hd::allocate_nothrow(n, bench_hd::default_align);
}
BENCH_HEAP_NEW operator new(std::size_t n, std::align_val_t a,
                            const std::nothrow_t &) noexcept {
  return bench_hd::allocate_nothrow(n, static_cast<std::size_t>(a));
}
BENCH_HEAP_NEW operator new[](std::size_t n, std::align_val_t a,
                              const std::nothrow_t &) noexcept {
  return bench_hd::allocate_nothrow(n, static_cast<std::size_t>(a));
}

BENCH_HEAP_DELETE operator delete(void *p) noexcept { bench_hd::deallocate(p); }
BENCH_HEAP_DELETE operator delete[](void *p) noexcept {
  bench_hd::deallocate(p);
}
BENCH_HEAP_DELETE operator delete(void *p, std::size_t) noexcept {
  bench_hd::deallocate(p);
}
BENCH_HEAP_DELETE operator delete[](void *p, std::size_t) noexcept {
  bench_hd::deallocate(p);
}
BENCH_HEAP_DELETE operator delete(void *p, std::align_val_t) noexcept {
  bench_hd::deallocate(p);
}
BENCH_HEAP_DELETE operator delete[](void *p, std::align_val_t) noexcept {
  bench_hd::deallocate(p);
}
BENCH_HEAP_DELETE operator delete(void *p, std::size_t,
                                  std::align_val_t) noexcept {
  bench_hd::deallocate(p);
}
BENCH_HEAP_DELETE operator delete[](void *p, std::size_t,
                                    std::align_val_t) noexcept {
  bench_hd::deallocate(p);
}
BENCH_HEAP_DELETE operator delete(void *p, const std::nothrow_t &) noexcept {
  bench_hd::deallocate(p);
}
BENCH_HEAP_DELETE operator delete[](void *p, const std::nothrow_t &) noexcept {
  bench_hd::deallocate(p);
}
BENCH_HEAP_DELETE operator delete(void *p, std::align_val_t,
                                  const std::nothrow_t &) noexcept {
  bench_hd::deallocate(p);
}
BENCH_HEAP_DELETE operator delete[](void *p, std::align_val_t,
                                    const std::nothrow_t &) noexcept {
  bench_hd::deallocate(p);
}

#undef BENCH_HEAP_NEW
#undef BENCH_HEAP_DELETE

#endif // CORO_BENCH_COMMON_BENCH_HEAP_H
