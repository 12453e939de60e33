// corolib/alloc_count.h - count global heap allocations in a test program.
//
// Coroutine frames are allocated with the global operator new (unless the
// compiler elides the allocation), so counting calls to it lets a run test
// check that every frame it created was freed again:
//
//   #define COROLIB_ALLOC_COUNT_DEFINE_OPERATORS   // in exactly ONE .cpp file
//   #include "alloc_count.h"
//   ...
//   corolib::alloc_count::snapshot before = corolib::alloc_count::now();
//   ...
//   long leaked = corolib::alloc_count::now().live() - before.live();
//
// Without the macro the header only declares the counters; with it, it also
// defines replacements for every replaceable global operator new/delete
// (which must exist once per program, hence the macro). The replacements use
// malloc/free, so AddressSanitizer still sees and leak-checks every block.
//
// Note: how many allocations happen legitimately differs between -O0 and -O2
// (the optimizer may elide coroutine frame allocations and new/delete pairs),
// so print only quantities that do not depend on that, such as live()
// differences, when output must be identical across builds.
// Counters are plain integers: the tests are single-threaded.
#ifndef COROLIB_ALLOC_COUNT_H
#define COROLIB_ALLOC_COUNT_H

#include <cstddef>

namespace corolib::alloc_count {

inline long allocations = 0;   // successful operator new calls
inline long deallocations = 0; // operator delete calls with non-null pointer
inline std::size_t bytes = 0;  // total bytes requested from operator new

struct snapshot {
  long allocations;
  long deallocations;
  std::size_t bytes;
  long live() const { return allocations - deallocations; }
};
inline snapshot now() { return {allocations, deallocations, bytes}; }

} // namespace corolib::alloc_count

#ifdef COROLIB_ALLOC_COUNT_DEFINE_OPERATORS

#include <cstdlib>
#include <new>

namespace corolib::alloc_count::detail {

inline constexpr std::size_t default_align = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

inline void *allocate(std::size_t size, std::size_t align) {
  if (size == 0)
    size = 1;
  for (;;) {
    void *p;
    if (align <= default_align)
      p = std::malloc(size);
    else // aligned_alloc wants a multiple of the alignment
      p = std::aligned_alloc(align, (size + align - 1) / align * align);
    if (p) {
      ++allocations;
      bytes += size;
      return p;
    }
    std::new_handler handler = std::get_new_handler();
    if (!handler)
      throw std::bad_alloc();
    handler();
  }
}

inline void *allocate_nothrow(std::size_t size, std::size_t align) noexcept {
  try {
    return allocate(size, align);
  } catch (...) {
    return nullptr;
  }
}

inline void deallocate(void *p) noexcept {
  if (p) {
    ++deallocations;
    std::free(p);
  }
}

} // namespace corolib::alloc_count::detail

// The replacements themselves, at global scope as the language requires.
namespace corolib_ac = ::corolib::alloc_count::detail;

void *operator new(std::size_t n) {
  return corolib_ac::allocate(n, corolib_ac::default_align);
}
void *operator new[](std::size_t n) {
  return corolib_ac::allocate(n, corolib_ac::default_align);
}
void *operator new(std::size_t n, std::align_val_t a) {
  return corolib_ac::allocate(n, static_cast<std::size_t>(a));
}
void *operator new[](std::size_t n, std::align_val_t a) {
  return corolib_ac::allocate(n, static_cast<std::size_t>(a));
}
void *operator new(std::size_t n, const std::nothrow_t &) noexcept {
  return corolib_ac::allocate_nothrow(n, corolib_ac::default_align);
}
void *operator new[](std::size_t n, const std::nothrow_t &) noexcept {
  return corolib_ac::allocate_nothrow(n, corolib_ac::default_align);
}
void *operator new(std::size_t n, std::align_val_t a,
                   const std::nothrow_t &) noexcept {
  return corolib_ac::allocate_nothrow(n, static_cast<std::size_t>(a));
}
void *operator new[](std::size_t n, std::align_val_t a,
                     const std::nothrow_t &) noexcept {
  return corolib_ac::allocate_nothrow(n, static_cast<std::size_t>(a));
}

// Every form of delete just frees; sizes and alignments are not needed.
void operator delete(void *p) noexcept { corolib_ac::deallocate(p); }
void operator delete[](void *p) noexcept { corolib_ac::deallocate(p); }
void operator delete(void *p, std::size_t) noexcept {
  corolib_ac::deallocate(p);
}
void operator delete[](void *p, std::size_t) noexcept {
  corolib_ac::deallocate(p);
}
void operator delete(void *p, std::align_val_t) noexcept {
  corolib_ac::deallocate(p);
}
void operator delete[](void *p, std::align_val_t) noexcept {
  corolib_ac::deallocate(p);
}
void operator delete(void *p, std::size_t, std::align_val_t) noexcept {
  corolib_ac::deallocate(p);
}
void operator delete[](void *p, std::size_t, std::align_val_t) noexcept {
  corolib_ac::deallocate(p);
}
void operator delete(void *p, const std::nothrow_t &) noexcept {
  corolib_ac::deallocate(p);
}
void operator delete[](void *p, const std::nothrow_t &) noexcept {
  corolib_ac::deallocate(p);
}
void operator delete(void *p, std::align_val_t,
                     const std::nothrow_t &) noexcept {
  corolib_ac::deallocate(p);
}
void operator delete[](void *p, std::align_val_t,
                       const std::nothrow_t &) noexcept {
  corolib_ac::deallocate(p);
}

#endif // COROLIB_ALLOC_COUNT_DEFINE_OPERATORS
#endif // COROLIB_ALLOC_COUNT_H
