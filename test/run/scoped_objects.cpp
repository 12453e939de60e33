// Objects whose address escapes, in scopes that end before later suspends:
// the case where the scopes recorded before CoroSplit (coro-record-scopes)
// let the frame overlap share an object's bytes with values of other states.
//   - buffers filled by functions that are never inlined, live across one
//     co_await each, followed by scalars spilled across the next one;
//   - an object registered in a global list while suspended: main() reads
//     and writes it through the list while the coroutine waits (accesses the
//     coroutine's own code never sees);
//   - a registered object per loop iteration, with values spilled around it;
//   - an exception thrown while a registered object is in scope, and
//     coroutines destroyed while suspended with one in scope (its destructor
//     unregisters it, reading it through the list).
// Every value is checked after each resume; the output is a checksum per
// coroutine.
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --sanitize --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --out %t.noexc -- %s -I%inputs/corolib -fno-exceptions -DNO_EXCEPTIONS | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)

#include "corolib.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

using corolib::manual_executor;
using corolib::task;

static uint64_t mix(uint64_t h, uint64_t v) {
  return (h ^ v) * 1099511628211ull;
}

__attribute__((noinline)) void fill(unsigned char *p, unsigned n,
                                    unsigned seed) {
  for (unsigned i = 0; i < n; ++i)
    p[i] = static_cast<unsigned char>(seed * 31 + i * 7);
}

__attribute__((noinline)) uint64_t digest(const unsigned char *p, unsigned n) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned i = 0; i < n; ++i)
    h = mix(h, p[i]);
  return h;
}

__attribute__((noinline)) long value(long x) { return x * 2654435761 % 1000003; }

// A global list of live objects, read and written by main() while the
// coroutines are suspended.
struct tracked {
  long payload = 0;
  tracked *next = nullptr;
  static tracked *head;
  explicit tracked(long p) : payload(p) { enlist(this); }
  ~tracked() { delist(this); }
  __attribute__((noinline)) static void enlist(tracked *t) {
    t->next = head;
    head = t;
  }
  __attribute__((noinline)) static void delist(tracked *t) {
    for (tracked **p = &head; *p; p = &(*p)->next)
      if (*p == t) {
        *p = t->next;
        return;
      }
    std::printf("delist: object not found\n");
  }
};
tracked *tracked::head = nullptr;

// main() between resumes: every registered object's payload is bumped.
static void poke_all() {
  for (tracked *t = tracked::head; t; t = t->next)
    t->payload += 1000;
}

task<uint64_t> buffers_then_scalars(manual_executor &ex, unsigned seed) {
  uint64_t h = seed;
  {
    unsigned char a[96];
    fill(a, sizeof a, seed);
    uint64_t before = digest(a, sizeof a);
    co_await ex.schedule();
    h = mix(h, digest(a, sizeof a) == before);
    h = mix(h, before);
  }
  {
    long x = value(seed), y = value(seed + 1), z = value(seed + 2),
         w = value(seed + 3), v = value(seed + 4), u = value(seed + 5);
    co_await ex.schedule();
    h = mix(h, x + 2 * y + 3 * z + 4 * w + 5 * v + 6 * u);
  }
  {
    unsigned char b[48];
    fill(b, sizeof b, seed + 9);
    co_await ex.schedule();
    h = mix(h, digest(b, sizeof b));
  }
  co_return h;
}

task<uint64_t> registered_while_suspended(manual_executor &ex, long seed) {
  uint64_t h = static_cast<uint64_t>(seed);
  {
    tracked t(seed);
    co_await ex.schedule(); // main() adds 1000
    h = mix(h, static_cast<uint64_t>(t.payload));
    co_await ex.schedule(); // and again
    h = mix(h, static_cast<uint64_t>(t.payload));
  }
  long p = value(seed), q = value(seed * 3), r = value(seed * 5);
  co_await ex.schedule();
  h = mix(h, static_cast<uint64_t>(p - q + r));
  co_return h;
}

task<uint64_t> loop_of_scopes(manual_executor &ex, int rounds) {
  uint64_t h = 7;
  long carried = value(rounds);
  for (int i = 0; i < rounds; ++i) {
    {
      tracked t(i);
      unsigned char tmp[32];
      fill(tmp, sizeof tmp, static_cast<unsigned>(i));
      co_await ex.schedule();
      h = mix(h, static_cast<uint64_t>(t.payload) + digest(tmp, sizeof tmp));
    }
    long a = value(i), b = value(i + carried);
    co_await ex.schedule();
    h = mix(h, static_cast<uint64_t>(a * 3 + b));
    carried += a;
  }
  h = mix(h, static_cast<uint64_t>(carried));
  co_return h;
}

#ifndef NO_EXCEPTIONS
__attribute__((noinline)) void maybe_throw(long v) {
  if (v % 3 == 0)
    throw v;
}

task<uint64_t> throws_in_scope(manual_executor &ex, long seed) {
  uint64_t h = 3;
  try {
    tracked t(seed);
    co_await ex.schedule();
    maybe_throw(t.payload);
    h = mix(h, static_cast<uint64_t>(t.payload));
  } catch (long v) {
    h = mix(h, static_cast<uint64_t>(v) + 1);
  }
  long k = value(seed);
  co_await ex.schedule();
  h = mix(h, static_cast<uint64_t>(k));
  co_return h;
}
#endif

template <class T> static uint64_t run(manual_executor &ex, task<T> t) {
  auto h = t.handle();
  h.resume();
  while (!h.done()) {
    poke_all();
    ex.run_one();
  }
  return h.promise().result();
}

int main() {
  manual_executor ex;
  uint64_t total = 0;
  for (unsigned s = 1; s <= 4; ++s) {
    uint64_t v = run(ex, buffers_then_scalars(ex, s));
    std::printf("buffers_then_scalars(%u) = %016llx\n", s,
                static_cast<unsigned long long>(v));
    total = mix(total, v);
  }
  for (long s = 1; s <= 4; ++s) {
    uint64_t v = run(ex, registered_while_suspended(ex, s));
    std::printf("registered_while_suspended(%ld) = %016llx\n", s,
                static_cast<unsigned long long>(v));
    total = mix(total, v);
  }
  for (int r = 0; r <= 3; ++r) {
    uint64_t v = run(ex, loop_of_scopes(ex, r));
    std::printf("loop_of_scopes(%d) = %016llx\n", r,
                static_cast<unsigned long long>(v));
    total = mix(total, v);
  }
#ifndef NO_EXCEPTIONS
  for (long s = 1; s <= 6; ++s) {
    uint64_t v = run(ex, throws_in_scope(ex, s));
    std::printf("throws_in_scope(%ld) = %016llx\n", s,
                static_cast<unsigned long long>(v));
    total = mix(total, v);
  }
#endif
  // Destroyed while suspended with a registered object in scope: its
  // destructor unregisters it through the list.
  for (long s = 1; s <= 3; ++s) {
    manual_executor local; // drops the destroyed coroutine's queued handle
    {
      auto t = registered_while_suspended(local, s);
      t.handle().resume();
      for (long k = 1; k < s; ++k) {
        poke_all();
        local.run_one();
      }
      std::printf("suspended at step %ld, registered objects: %d\n", s,
                  tracked::head != nullptr);
    }
    std::printf("destroyed at step %ld, registered objects left: %d\n", s,
                tracked::head != nullptr);
  }
  std::printf("registered objects at exit: %d\n", tracked::head != nullptr);
  std::printf("total = %016llx\n", static_cast<unsigned long long>(total));
}
