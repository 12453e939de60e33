// Single-await wrapper coroutines in the forms that a pass inlining them
//   W<T> w(args) { <preamble> co_return co_await C(args'); }
// into their callers must keep right. Unless noted, every case runs with
// corolib::task (lazy) and corolib::eager_task (eager) both as the wrapper W
// and as the callee C, in all four pairings, and C really suspends on a
// manual_executor. Covers:
//  - plain forwarding, the result checked against C awaited directly;
//  - C throwing before and after its suspension: the exception reaches the
//    wrapper's caller (a coroutine that catches it, and main); a wrapper
//    preamble that throws (a lazy wrapper only fails when it is run);
//  - a std::string taken by value (a heap-allocated one and a short one
//    stored in the frame itself), passed on by reference or moved, that C
//    reads only after suspending; also a temporary argument that is gone
//    before a lazy wrapper starts;
//  - reference parameters passed on: C sees a change the caller makes while
//    C is suspended, and C's write reaches the caller;
//  - pure preambles computing C's argument (x * 2 + 1, and min/abs-diff);
//  - an impure preamble (counter, trace output, read of a global changed
//    between the call and the start): its effects and their order relative
//    to C's show in the output; a lazy wrapper runs it only when started;
//  - wrappers whose promise differs from C's: task<long> over task<int>,
//    task<void> over task<void> (co_return of a void expression), and a task
//    type defined here whose promise has await_transform, its own operator
//    new/delete and tracing (as wrapper and as callee);
//  - chains of four wrappers over C, uniform and with mixed task kinds, also
//    throwing and destroyed while suspended;
//  - wrappers destroyed while suspended inside C (C's local is destroyed:
//    traced), a lazy wrapper destroyed before it started, and one destroyed
//    part-way through a C that suspends twice;
//  - heap allocations: every section checks that nothing it allocated is
//    still live at its end (a live() difference, the same at every
//    optimization level whether frame allocations are elided or not).
//
// RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %s -I%inputs/corolib | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)
//
// Which of them coro-wrapper-inline rewrites at -O2 (lazy over lazy; the
// eager C's body runs at its start, other pairings change the task type):
// RUN: %clangxx %cxxflags -O2 -fpass-plugin=%plugin -Rpass=coro-wrapper-inline -Rpass-missed=coro-wrapper-inline -I%inputs/corolib -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=INLINED
// INLINED-DAG: remark: wrapper corolib::task<int> wrap<corolib::task, corolib::task>({{.*}}) now returns the task of corolib::task<int> C<corolib::task>(
// INLINED-DAG: remark: wrapper corolib::task<long> by_ref<corolib::task, corolib::task>({{.*}}) now returns
// INLINED-DAG: remark: wrapper corolib::task<int> pure_pre<corolib::task, corolib::task>({{.*}}) now returns
// INLINED-DAG: remark: wrapper corolib::task<void> void_wrap<corolib::task, corolib::task>({{.*}}) now returns
// INLINED-DAG: remark: wrapper corolib::task<int> chain<corolib::task, corolib::task, corolib::task, corolib::task, corolib::task>({{.*}}) now returns the task of corolib::task<int> C<corolib::task>(
// INLINED-DAG: remark: wrapper corolib::task<int> impure_pre<corolib::task, corolib::task>({{.*}}) kept {{.*}}: argument 2 of {{.*}} is read from memory when the wrapper starts
// INLINED-DAG: remark: wrapper logged_task<long> logged_over<corolib::task>({{.*}}) kept {{.*}}: it returns another task type than
// INLINED-DAG: remark: wrapper corolib::task<std::{{.*}}> by_value_move<corolib::task, corolib::task>({{.*}}) kept

#define COROLIB_ALLOC_COUNT_DEFINE_OPERATORS
#include "corolib.h"

#include <coroutine>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

using corolib::eager_task;
using corolib::manual_executor;
using corolib::task;

static volatile int seed_source = 4242;
static int seed() { return seed_source; }

static bool trace = false; // C, its locals and logged_task print when set
static int mismatches = 0;

struct noisy {
  const char *name;
  int id;
  noisy(const char *n, int i) : name(n), id(i) {}
  noisy(const noisy &) = delete;
  ~noisy() {
    if (trace)
      std::printf("    ~%s(%d)\n", name, id);
  }
};

// Prints, at the end of a section, how many heap blocks allocated in it are
// still alive (must be 0). Declare it first in the section's block.
struct leak_check {
  const char *name;
  long before;
  explicit leak_check(const char *n)
      : name(n), before(corolib::alloc_count::now().live()) {}
  leak_check(const leak_check &) = delete;
  ~leak_check() {
    long left = corolib::alloc_count::now().live() - before;
    std::printf("  [%s: %ld heap blocks left]\n", name, left);
    mismatches += left != 0;
  }
};

// --- a task type with a promise unlike corolib's ----------------------------
static long logged_live_frames = 0;

template <typename T> class logged_task {
public:
  struct promise_type {
    std::coroutine_handle<> continuation;
    std::optional<T> value;
    std::exception_ptr error;

    static void *operator new(std::size_t n) {
      void *p = ::operator new(n);
      ++logged_live_frames;
      return p;
    }
    static void operator delete(void *p, std::size_t) noexcept {
      --logged_live_frames;
      ::operator delete(p);
    }

    logged_task get_return_object() noexcept {
      return logged_task(
          std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct final_awaiter {
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<>
      await_suspend(std::coroutine_handle<promise_type> self) noexcept {
        if (trace)
          std::printf("    [logged] final suspend\n");
        if (std::coroutine_handle<> next = self.promise().continuation)
          return next;
        return std::noop_coroutine();
      }
      void await_resume() const noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }
    template <typename U> void return_value(U &&v) {
      value.emplace(std::forward<U>(v));
    }
    void unhandled_exception() noexcept { error = std::current_exception(); }
    // Every co_await in a logged_task body passes through here.
    template <typename A> A &&await_transform(A &&a) noexcept {
      if (trace)
        std::printf("    [logged] co_await\n");
      return std::forward<A>(a);
    }
    T result() {
      if (error)
        std::rethrow_exception(error);
      return std::move(*value);
    }
  };
  using handle_type = std::coroutine_handle<promise_type>;

  logged_task(logged_task &&o) noexcept : h_(std::exchange(o.h_, {})) {}
  logged_task(const logged_task &) = delete;
  logged_task &operator=(const logged_task &) = delete;
  ~logged_task() {
    if (h_)
      h_.destroy();
  }

  struct awaiter {
    handle_type h;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<>
    await_suspend(std::coroutine_handle<> awaiting) noexcept {
      h.promise().continuation = awaiting;
      return h;
    }
    T await_resume() { return h.promise().result(); }
  };
  awaiter operator co_await() const noexcept { return awaiter{h_}; }

  handle_type handle() const noexcept { return h_; }
  bool done() const noexcept { return h_.done(); }

private:
  explicit logged_task(handle_type h) noexcept : h_(h) {}
  handle_type h_;
};

template <template <typename> class K> constexpr const char *kind = "?";
template <> constexpr const char *kind<task> = "task";
template <> constexpr const char *kind<eager_task> = "eager";
template <> constexpr const char *kind<logged_task> = "logged";
template <template <typename> class K> constexpr bool lazy = true;
template <> constexpr bool lazy<eager_task> = false;

// --- driving a top-level wrapper from main ----------------------------------
// Lazy tasks run up to their first suspension when started; eager ones did
// so in the call already.
template <typename T> void start(task<T> &t) { t.handle().resume(); }
template <typename T> void start(logged_task<T> &t) { t.handle().resume(); }
template <typename T> void start(eager_task<T> &) {}

template <typename Task> auto result(Task &t) {
  if (!t.done()) {
    std::puts("result: the task has not finished");
    std::exit(3);
  }
  if constexpr (requires { t.get(); })
    return t.get();
  else
    return t.handle().promise().result();
}

static std::size_t last_steps = 0; // executor resumptions of the last run()

template <typename Task> auto run(manual_executor &ex, Task t) {
  start(t);
  last_steps = ex.run_all();
  return result(t);
}

// --- the callees ------------------------------------------------------------
static int expect_c(int x) { return x * 3 + seed() % 97 + 1; }

// Suspends once. Negative x: throws, before suspending when x is odd and
// after resuming when x is even.
template <template <typename> class Task>
Task<int> C(manual_executor &ex, int x) {
  noisy local("C.local", x);
  int v = x * 3 + seed() % 97;
  if (trace)
    std::printf("    C(%d) runs\n", x);
  if (x < 0 && x % 2 != 0)
    throw std::domain_error("C(" + std::to_string(x) + ") before suspending");
  co_await ex.schedule();
  if (trace)
    std::printf("    C(%d) resumed\n", x);
  if (x < 0)
    throw std::domain_error("C(" + std::to_string(x) + ") after resuming");
  co_return v + 1;
}

template <template <typename> class Task>
Task<int> C_twice(manual_executor &ex, int x) {
  noisy a("C_twice.a", x);
  co_await ex.schedule();
  noisy b("C_twice.b", x);
  co_await ex.schedule();
  co_return x + seed() % 5;
}

template <template <typename> class Task>
Task<std::string> quote(manual_executor &ex, const std::string &s) {
  co_await ex.schedule(); // s is only read after this
  co_return "<" + s + "> " + std::to_string(s.size());
}

template <template <typename> class Task>
Task<std::string> quote_owned(manual_executor &ex, std::string s) {
  co_await ex.schedule();
  s += '!';
  co_return "<" + s + "> " + std::to_string(s.size());
}

// Reads target before and after suspending, then writes it.
template <template <typename> class Task>
Task<long> bump(manual_executor &ex, long &target, long by) {
  const long before = target;
  co_await ex.schedule();
  const long seen = target;
  target = seen + by;
  co_return seen - before;
}

template <template <typename> class Task>
Task<void> store(manual_executor &ex, int &out, int v) {
  co_await ex.schedule();
  out = v;
}

// --- the wrappers -----------------------------------------------------------
#define KINDS template <typename> class W, template <typename> class Cc

template <KINDS> W<int> wrap(manual_executor &ex, int x) {
  co_return co_await C<Cc>(ex, x);
}

template <KINDS> W<int> wrap_twice(manual_executor &ex, int x) {
  co_return co_await C_twice<Cc>(ex, x);
}

template <KINDS> W<int> checked(manual_executor &ex, int x) {
  if (x > 100000)
    throw std::out_of_range("checked(" + std::to_string(x) + ") too large");
  co_return co_await C<Cc>(ex, x);
}

template <KINDS> W<std::string> by_value_ref(manual_executor &ex,
                                             std::string s) {
  co_return co_await quote<Cc>(ex, s);
}

template <KINDS> W<std::string> by_value_move(manual_executor &ex,
                                              std::string s) {
  co_return co_await quote_owned<Cc>(ex, std::move(s));
}

template <KINDS> W<std::string> by_cref(manual_executor &ex,
                                        const std::string &s) {
  co_return co_await quote<Cc>(ex, s);
}

template <KINDS> W<long> by_ref(manual_executor &ex, long &target, long by) {
  co_return co_await bump<Cc>(ex, target, by);
}

template <KINDS> W<int> pure_pre(manual_executor &ex, int x) {
  co_return co_await C<Cc>(ex, x * 2 + 1);
}

template <KINDS> W<int> pure_pre2(manual_executor &ex, int x, int y) {
  const int lo = x < y ? x : y;
  const int span = (x > y ? x - y : y - x) % 50;
  co_return co_await C<Cc>(ex, lo * 4 + span);
}

static int preambles_run = 0;
static int bias = 0;

template <KINDS> W<int> impure_pre(manual_executor &ex, int x) {
  ++preambles_run;
  std::printf("    preamble #%d sees bias %d\n", preambles_run, bias);
  co_return co_await C<Cc>(ex, x + bias);
}

template <KINDS> W<long> widen(manual_executor &ex, int x) {
  co_return co_await C<Cc>(ex, x);
}

template <KINDS> W<void> void_wrap(manual_executor &ex, int &out, int v) {
  co_return co_await store<Cc>(ex, out, v);
}

// chain<W1, W2, W3, W4, Cc>: W1 awaits chain<W2, W3, W4, Cc>, ..., W4 awaits
// C<Cc>: four wrappers over C.
template <template <typename> class W, template <typename> class Next,
          template <typename> class... Rest>
W<int> chain(manual_executor &ex, int x) {
  if constexpr (sizeof...(Rest) == 0)
    co_return co_await C<Next>(ex, x);
  else
    co_return co_await chain<Next, Rest...>(ex, x);
}

// The wrapper's caller, a coroutine, catches what comes out of the wrapper.
template <typename Make>
task<std::string> catching_caller(manual_executor &ex, Make make, int x) {
  try {
    int v = co_await make(ex, x);
    co_return "returned " + std::to_string(v);
  } catch (const std::exception &e) {
    co_return std::string("caught '") + e.what() + "'";
  }
}

static void check(const char *what, long got, long want) {
  if (got != want) {
    std::printf("  MISMATCH in %s: %ld, expected %ld\n", what, got, want);
    ++mismatches;
  }
}

#define FOR_EACH_PAIRING(fn)                                                  \
  do {                                                                        \
    fn<task, task>();                                                         \
    fn<task, eager_task>();                                                   \
    fn<eager_task, task>();                                                   \
    fn<eager_task, eager_task>();                                             \
  } while (0)

// --- the cases, one function per case and pairing ---------------------------
template <KINDS> void plain_case() {
  manual_executor ex;
  const int x = seed() % 1000;
  const int direct = run(ex, C<Cc>(ex, x));
  const int v = run(ex, wrap<W, Cc>(ex, x));
  std::printf("  %s over %s: wrap(%d) = %d, %zu resumption(s)\n", kind<W>,
              kind<Cc>, x, v, last_steps);
  check("plain", v, direct);
  check("plain", v, expect_c(x));
}

template <KINDS> void exception_case() {
  std::printf("  %s over %s:\n", kind<W>, kind<Cc>);
  const int odd = -(seed() % 50 * 2 + 1), even = odd - 1;
  auto make = [](manual_executor &e, int x) { return wrap<W, Cc>(e, x); };
  for (int x : {odd, even, seed() % 100}) {
    manual_executor ex;
    std::string r = corolib::sync_wait(ex, catching_caller(ex, make, x));
    std::printf("    caller coroutine, x=%d: %s\n", x, r.c_str());
  }
  trace = true; // C's local must be destroyed before main catches
  for (int x : {odd, even}) {
    manual_executor ex;
    try {
      int v = run(ex, wrap<W, Cc>(ex, x));
      std::printf("    main, x=%d: no exception, %d\n", x, v);
    } catch (const std::domain_error &e) {
      std::printf("    main, x=%d: caught '%s'\n", x, e.what());
    }
  }
  trace = false;
  {
    manual_executor ex;
    auto t = checked<W, Cc>(ex, 100000 + seed());
    std::printf("    throwing preamble: call returned, done=%d\n", t.done());
    try {
      run(ex, std::move(t));
      std::printf("    throwing preamble: no exception\n");
    } catch (const std::out_of_range &e) {
      std::printf("    throwing preamble: caught '%s'\n", e.what());
    }
  }
}

static std::string short_text() { return "k" + std::to_string(seed() % 10); }
static std::string long_text() {
  return "a string far too long for the small buffer, seed " +
         std::to_string(seed()) + ", and then some";
}

template <KINDS> void string_case() {
  std::printf("  %s over %s:\n", kind<W>, kind<Cc>);
  manual_executor ex;
  const std::string sh = short_text(), lg = long_text();
  std::printf("    by value, ref on, short: %s\n",
              run(ex, by_value_ref<W, Cc>(ex, sh)).c_str());
  std::printf("    by value, ref on, long:  %s\n",
              run(ex, by_value_ref<W, Cc>(ex, lg)).c_str());
  std::printf("    by value, moved, short:  %s\n",
              run(ex, by_value_move<W, Cc>(ex, sh)).c_str());
  std::printf("    by value, moved, long:   %s\n",
              run(ex, by_value_move<W, Cc>(ex, lg)).c_str());
  // The temporary argument dies at the end of each declaration, before a
  // lazy wrapper even starts; only the frame's copy is left.
  auto t1 = by_value_ref<W, Cc>(ex, short_text());
  auto t2 = by_value_ref<W, Cc>(ex, long_text() + " (temporary)");
  auto t3 = by_value_move<W, Cc>(ex, long_text() + " (moved temporary)");
  std::printf("    temporary, short: %s\n", run(ex, std::move(t1)).c_str());
  std::printf("    temporary, long:  %s\n", run(ex, std::move(t2)).c_str());
  std::printf("    temporary, moved: %s\n", run(ex, std::move(t3)).c_str());
}

template <KINDS> void reference_case() {
  manual_executor ex;
  long value = seed();
  auto t = by_ref<W, Cc>(ex, value, 7);
  start(t);      // C is now suspended, having read value once
  value += 1000; // C must see this after resuming
  ex.run_all();
  const long seen_change = result(t);
  std::printf("  %s over %s: long& saw change %ld, value now %ld\n", kind<W>,
              kind<Cc>, seen_change, value);
  check("reference change", seen_change, 1000);
  check("reference write", value, seed() + 1007L);

  std::string text = short_text();
  auto q = by_cref<W, Cc>(ex, text);
  start(q);
  text += " changed while C was suspended";
  ex.run_all();
  std::printf("    const std::string&: %s\n", result(q).c_str());
}

template <KINDS> void pure_case() {
  manual_executor ex;
  const int x = seed() % 300, y = seed() % 77;
  const int a = run(ex, pure_pre<W, Cc>(ex, x));
  const int b = run(ex, pure_pre2<W, Cc>(ex, x, y));
  std::printf("  %s over %s: C(%d*2+1) = %d, C(min*4+span) = %d\n", kind<W>,
              kind<Cc>, x, a, b);
  check("pure x*2+1", a, expect_c(x * 2 + 1));
  check("pure min/span",
        b, expect_c((x < y ? x : y) * 4 + (x > y ? x - y : y - x) % 50));
}

template <KINDS> void impure_case() {
  std::printf("  %s over %s:\n", kind<W>, kind<Cc>);
  manual_executor ex;
  const int x = seed() % 100;
  preambles_run = 0;
  bias = 0;
  trace = true;
  auto t = impure_pre<W, Cc>(ex, x);
  std::printf("    call returned, preambles run: %d\n", preambles_run);
  bias = 500; // a lazy wrapper reads bias only now, when it starts
  start(t);
  std::printf("    started, preambles run: %d\n", preambles_run);
  std::size_t steps = ex.run_all();
  std::printf("    executor ran %zu\n", steps);
  const int v = result(t);
  trace = false;
  std::printf("    result %d\n", v);
  check("impure", v, expect_c(x + (lazy<W> ? 500 : 0)));
}

template <KINDS> void promise_case() {
  manual_executor ex;
  const int x = seed() % 1000;
  const long w = run(ex, widen<W, Cc>(ex, x));
  int out = 0;
  run(ex, void_wrap<W, Cc>(ex, out, x + 1));
  std::printf("  %s<long> over %s<int>: %ld; %s<void> over %s<void>: out=%d\n",
              kind<W>, kind<Cc>, w, kind<W>, kind<Cc>, out);
  check("widen", w, expect_c(x));
  check("void", out, x + 1);
}

template <template <typename> class Cc>
logged_task<long> logged_over(manual_executor &ex, int x) {
  co_return co_await C<Cc>(ex, x);
}

template <template <typename> class W>
W<int> over_logged(manual_executor &ex, int x) {
  co_return co_await C<logged_task>(ex, x);
}

template <template <typename> class Cc> void logged_wrapper_case() {
  std::printf("  logged<long> over %s<int>:\n", kind<Cc>);
  manual_executor ex;
  trace = true;
  const long v = run(ex, logged_over<Cc>(ex, 7));
  trace = false;
  std::printf("    -> %ld\n", v);
  check("logged_over", v, expect_c(7));
}

template <template <typename> class W> void logged_callee_case() {
  std::printf("  %s<int> over logged<int>:\n", kind<W>);
  manual_executor ex;
  trace = true;
  const int v = run(ex, over_logged<W>(ex, 8));
  trace = false;
  std::printf("    -> %d\n", v);
  check("over_logged", v, expect_c(8));
}

template <template <typename> class... Ks> void chain_case(const char *label) {
  std::printf("  %s:\n", label);
  const int x = seed() % 500;
  {
    manual_executor ex;
    const int v = run(ex, chain<Ks...>(ex, x));
    std::printf("    chain(%d) = %d, %zu resumption(s)\n", x, v, last_steps);
    check("chain", v, expect_c(x));
  }
  for (int bad : {-3, -4}) {
    manual_executor ex;
    try {
      run(ex, chain<Ks...>(ex, bad));
      std::printf("    chain(%d): no exception\n", bad);
    } catch (const std::domain_error &e) {
      std::printf("    chain(%d): caught '%s'\n", bad, e.what());
    }
  }
  {
    manual_executor ex;
    trace = true;
    {
      auto t = chain<Ks...>(ex, 44);
      start(t);
      std::printf("    suspended in C: done=%d, queued=%zu\n", t.done(),
                  ex.size());
    }
    std::printf("    chain destroyed\n");
    trace = false;
  }
}

template <KINDS> void destroy_case() {
  std::printf("  %s over %s:\n", kind<W>, kind<Cc>);
  trace = true;
  {
    manual_executor ex;
    {
      auto t = wrap<W, Cc>(ex, 11);
      start(t);
      std::printf("    suspended in C: done=%d, queued=%zu\n", t.done(),
                  ex.size());
    }
    std::printf("    wrapper destroyed\n");
  }
  if constexpr (lazy<W>) {
    manual_executor ex;
    { auto t = wrap<W, Cc>(ex, 12); }
    std::printf("    never started: destroyed, queued=%zu\n", ex.size());
  }
  {
    manual_executor ex;
    {
      auto t = wrap_twice<W, Cc>(ex, 13);
      start(t);
      ex.run_one(); // now at C_twice's second suspension
      std::printf("    C_twice at its second suspension: done=%d\n",
                  t.done());
    }
    std::printf("    wrapper destroyed\n");
  }
  {
    manual_executor ex;
    {
      auto t = by_value_move<W, Cc>(ex, long_text());
      start(t);
    }
    std::printf("    string wrapper destroyed while suspended\n");
  }
  trace = false;
}

static void all_cases() {

  std::printf("plain forwarding:\n");
  {
    const leak_check lc("plain");
    FOR_EACH_PAIRING(plain_case);
  }

  std::printf("exceptions:\n");
  {
    const leak_check lc("exceptions");
    FOR_EACH_PAIRING(exception_case);
  }

  std::printf("std::string by value:\n");
  {
    const leak_check lc("strings");
    FOR_EACH_PAIRING(string_case);
  }

  std::printf("reference parameters:\n");
  {
    const leak_check lc("references");
    FOR_EACH_PAIRING(reference_case);
  }

  std::printf("pure preambles:\n");
  {
    const leak_check lc("pure");
    FOR_EACH_PAIRING(pure_case);
  }

  std::printf("impure preambles:\n");
  {
    const leak_check lc("impure");
    FOR_EACH_PAIRING(impure_case);
  }

  std::printf("different promise types:\n");
  {
    const leak_check lc("promises");
    FOR_EACH_PAIRING(promise_case);
    logged_wrapper_case<task>();
    logged_wrapper_case<eager_task>();
    logged_wrapper_case<logged_task>();
    logged_callee_case<task>();
    logged_callee_case<eager_task>();
  }

  std::printf("chains of four wrappers:\n");
  {
    const leak_check lc("chains");
    chain_case<task, task, task, task, task>("task x4 over task");
    chain_case<eager_task, eager_task, eager_task, eager_task, eager_task>(
        "eager x4 over eager");
    chain_case<task, eager_task, task, eager_task, task>(
        "task/eager/task/eager over task");
    chain_case<eager_task, task, eager_task, task, eager_task>(
        "eager/task/eager/task over eager");
    chain_case<task, logged_task, task, logged_task, eager_task>(
        "task/logged/task/logged over eager");
  }

  std::printf("destroyed while suspended:\n");
  {
    const leak_check lc("destroy");
    FOR_EACH_PAIRING(destroy_case);
  }
}

int main() {
  {
    const leak_check all("whole program");
    all_cases();
  }
  std::printf("logged_task frames still live: %ld\n", logged_live_frames);
  std::printf("mismatches: %d\n", mismatches);
  return mismatches == 0 && logged_live_frames == 0 ? 0 : 1;
}
