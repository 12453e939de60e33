// heavy_lambdas.cpp - the coroutine-heavy translation unit: several hundred
// coroutine lambdas stamped out by templates, the way a large service ends up
// with one lambda per handler / route / pipeline stage.
//
//   make_stage<N>()   returns a captureless coroutine lambda (N = 0..299,
//                     via std::index_sequence). Each awaits a template leaf
//                     task (policy awaitable inside: immediate / reschedule /
//                     delayed<K>, chosen from N), then a leaf that may throw
//                     inside try/catch, then one of: a when_all of two leaf
//                     tasks (in try/catch), a then() adaptor over a policy
//                     awaitable, or an inner coroutine lambda awaiting the
//                     executor; some stages also drain a generator or keep a
//                     std::string across one more suspension. Between awaits
//                     it runs a large inlined mixing body whose lane count,
//                     rounds and constants depend on N.
//   make_reducer<N>() a second lambda family (N = 0..29) that runs the ten
//                     stages of one group concurrently with when_all(vector)
//                     and catches their faults and cancellation.
//
// The stage table (function pointers from unary +lambda) is driven on a
// manual_executor, once through the reducers and once stage by stage; every
// tenth group runs under a cancellation token that one of its stages trips.
// Output: group digests, fault / cancellation / generator counts, the
// virtual clock and the resume count. All deterministic.
//
// Compile-time situation: about 540 coroutines in one TU (300 stage lambdas,
// 100 inner lambdas, 30 reducers, leaves, generators, when_all helpers), each
// with a mid-sized frame and several suspend points; stock clang++-22 -O2 -c
// takes roughly 30-37 s of CPU on the 2-core development machine.
#include "reallib.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace rl = reallib;

constexpr int kStages = 300;
constexpr int kLeaves = 32; // distinct leaf<N> instantiations
constexpr int kGroup = 10; // stages per reducer
constexpr int kReducers = kStages / kGroup;

struct stage_fault : std::runtime_error {
  int stage;
  explicit stage_fault(int s)
      : std::runtime_error("fault in stage " + std::to_string(s)), stage(s) {}
};

struct stage_ctx {
  rl::manual_executor &ex;
  rl::cancellation_source cancel;
  std::uint64_t faults = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t generator_items = 0;
  std::array<std::uint64_t, 16> regs{};
};

// ----------------------------------------------------------- compile-time
template <int N> struct stage_traits {
  static constexpr unsigned lanes = 3 + N % 4;     // 3..6
  static constexpr unsigned rounds = 1 + N % 3;    // 1..3
  static constexpr unsigned rot = 5 + (N * 11) % 53;
  static constexpr std::uint64_t mul =
      0x9e3779b97f4a7c15ULL ^ (static_cast<std::uint64_t>(N) * 0x100000001b3ULL);
  static constexpr bool faulty = N % 7 == 3;
  static constexpr bool uses_generator = N % 8 == 1;
  using small_t = std::conditional_t<N % 2 == 0, std::uint32_t, std::uint16_t>;
  using policy = std::conditional_t<
      N % 3 == 0, rl::policy::immediate,
      std::conditional_t<N % 3 == 1, rl::policy::reschedule,
                         rl::policy::delayed<1 + N % 2>>>;
  using alt_policy = std::conditional_t<N % 2 == 0, rl::policy::reschedule,
                                        rl::policy::immediate>;
};

constexpr std::uint64_t rotl(std::uint64_t x, unsigned r) {
  r &= 63;
  return r == 0 ? x : (x << r) | (x >> (64 - r));
}

// The large inlined body: a few rounds of a lane-parallel mixer whose lane
// count, round count and constants depend on N.
template <int N>
[[gnu::always_inline]] inline std::uint64_t mix_block(std::array<std::uint64_t, 16> &r,
                                                      std::uint64_t x) {
  using tr = stage_traits<N>;
  std::array<std::uint64_t, tr::lanes> lane{};
  for (unsigned i = 0; i < tr::lanes; ++i)
    lane[i] = r[(i + N) % 16] ^ rotl(x, i * 7 + N);
  for (unsigned round = 0; round < tr::rounds; ++round) {
    for (unsigned i = 0; i < tr::lanes; ++i) {
      std::uint64_t v = lane[i] * tr::mul + lane[(i + 1) % tr::lanes];
      v ^= rotl(v, tr::rot + round);
      v += static_cast<typename tr::small_t>(v >> 17);
      lane[i] = v;
    }
    for (unsigned i = 0; i + 1 < tr::lanes; i += 2)
      std::swap(lane[i], lane[i + 1]);
  }
  std::uint64_t h = 0;
  for (unsigned i = 0; i < tr::lanes; ++i) {
    r[(i * 3 + N) % 16] ^= lane[i];
    h = rotl(h, 9) ^ lane[i];
  }
  return h;
}

template <int N> inline std::uint64_t mix_scalar(std::uint64_t v) {
  using tr = stage_traits<N>;
  v ^= v >> 31;
  v *= tr::mul | 1;
  v ^= rotl(v, tr::rot);
  return v;
}

inline std::uint64_t fnv(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// ------------------------------------------------------------- leaf tasks
template <int N> rl::task<std::uint64_t> leaf(stage_ctx &c, std::uint64_t x) {
  using tr = stage_traits<N>;
  std::uint64_t v = co_await rl::async_value<typename tr::policy>(c.ex, x);
  if constexpr (tr::faulty) {
    if (v % 3 == 0)
      throw stage_fault(N);
  }
  co_return mix_scalar<N>(v);
}

template <int N> rl::generator<std::uint64_t> spread(std::uint64_t seed) {
  for (unsigned i = 0; i < stage_traits<N>::lanes; ++i)
    co_yield mix_scalar<N>(seed + i);
}

// ------------------------------------------------------------------ stages
template <int N> auto make_stage() {
  return [](stage_ctx &c, std::uint64_t seed) -> rl::task<std::uint64_t> {
    using tr = stage_traits<N>;
    std::array<std::uint64_t, 16> &regs = c.regs;

    // 1. a template leaf task
    std::uint64_t a = co_await leaf<N % kLeaves>(c, seed);
    std::uint64_t h1 = mix_block<N>(regs, a);

    // 2. a leaf that may throw, inside try/catch
    std::uint64_t d = 0;
    try {
      d = co_await leaf<(N * 7 + 3) % kLeaves>(c, a ^ seed);
    } catch (const stage_fault &f) {
      ++c.faults;
      d = static_cast<std::uint64_t>(f.stage) * 0x51ed27ULL;
    }
    std::uint64_t h2 = mix_scalar<N + 3>(d ^ h1);

    std::uint64_t p = h2, q = ~h2, e = 0;
    if constexpr (N % 3 == 0) {
      // 3a. fan-out of two leaves
      try {
        auto [pp, qq] = co_await rl::when_all(leaf<(N + 1) % kLeaves>(c, a + 1),
                                              leaf<(N + 2) % kLeaves>(c, d + 2));
        p = pp;
        q = qq;
      } catch (const stage_fault &f) {
        ++c.faults;
        p = static_cast<std::uint64_t>(f.stage);
        q = ~p;
      }
      e = p ^ q;
    } else if constexpr (N % 3 == 1) {
      // 3b. a policy awaitable through then()
      e = co_await rl::then(rl::async_value<typename tr::alt_policy>(c.ex, a ^ h2),
                            [](std::uint64_t v) { return mix_scalar<N + 1>(v); });
    } else {
      // 3c. an inner coroutine lambda that awaits the executor
      auto inner = [](stage_ctx &cc, std::uint64_t v) -> rl::task<std::uint64_t> {
        co_await cc.ex.schedule();
        std::uint64_t w = co_await rl::async_value<rl::policy::delayed<1>>(cc.ex, v);
        co_return mix_scalar<N + 2>(w);
      };
      try {
        e = co_await inner(c, p ^ q);
      } catch (const rl::operation_cancelled &) {
        ++c.cancelled;
        e = 0xcafe;
      }
    }

    // 6. sometimes a generator
    std::uint64_t g = 0;
    if constexpr (tr::uses_generator) {
      for (std::uint64_t v : spread<N>(e)) {
        g = rotl(g, 5) ^ v;
        ++c.generator_items;
      }
    }

    std::uint64_t h3 = mix_block<N + 2>(regs, e ^ g);
    if (N % 50 == 49)
      c.cancel.request_cancellation(); // trips the next stages' inner awaits
    std::uint64_t h = h1 ^ h2 ^ h3 ^ p ^ q;
    if constexpr (N % 15 == 0) {
      // Some stages keep a label alive across one more suspension.
      std::string label = "stage-" + std::to_string(N);
      co_await c.ex.schedule();
      h = fnv(h, label);
    }
    co_return h;
  };
}

using stage_fn = rl::task<std::uint64_t> (*)(stage_ctx &, std::uint64_t);

template <std::size_t... I>
constexpr std::array<stage_fn, sizeof...(I)> make_stage_table(std::index_sequence<I...>) {
  return {+make_stage<static_cast<int>(I)>()...};
}

static const std::array<stage_fn, kStages> stage_table =
    make_stage_table(std::make_index_sequence<kStages>{});

// --------------------------------------------------------------- reducers
template <int N> auto make_reducer() {
  return [](stage_ctx &c, std::uint64_t seed) -> rl::task<std::uint64_t> {
    std::vector<rl::task<std::uint64_t>> batch;
    for (int i = 0; i < kGroup; ++i)
      batch.push_back(stage_table[N * kGroup + i](c, seed + static_cast<std::uint64_t>(i)));
    std::vector<std::uint64_t> r;
    try {
      r = co_await rl::when_all(std::move(batch));
    } catch (const rl::operation_cancelled &) {
      ++c.cancelled;
      co_return 0;
    } catch (const stage_fault &f) {
      // A stage's first leaf failed: the whole group reports the fault.
      ++c.faults;
      co_return static_cast<std::uint64_t>(f.stage) << 32 | N;
    }
    std::uint64_t h = mix_scalar<N>(seed);
    for (std::uint64_t v : r)
      h = rotl(h, 13) ^ v;
    co_await c.ex.sleep_for(1 + N % 3);
    co_return h;
  };
}

using reducer_fn = rl::task<std::uint64_t> (*)(stage_ctx &, std::uint64_t);

template <std::size_t... I>
constexpr std::array<reducer_fn, sizeof...(I)> make_reducer_table(std::index_sequence<I...>) {
  return {+make_reducer<static_cast<int>(I)>()...};
}

static const std::array<reducer_fn, kReducers> reducer_table =
    make_reducer_table(std::make_index_sequence<kReducers>{});

// ------------------------------------------------------------------ driver
static rl::task<void> run_all(stage_ctx &c) {
  std::uint64_t total = 0;
  std::uint64_t seed = 0x243f6a8885a308d3ULL;
  for (int g = 0; g < kReducers; ++g) {
    // Every tenth group runs under the cancellation token; the token is
    // reset before each such group so only stages that trip it see it.
    std::uint64_t h;
    if (g % 10 == 9) {
      c.cancel.reset();
      h = co_await rl::with_cancellation(c.cancel.token(), reducer_table[g](c, seed));
    } else {
      h = co_await reducer_table[g](c, seed);
    }
    total = rotl(total, 7) ^ h;
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    if (g % 6 == 5)
      std::printf("group %2d digest %016llx\n", g, static_cast<unsigned long long>(total));
  }
  // A second pass runs the stages directly, sequentially.
  std::uint64_t direct = 0;
  for (int i = 0; i < kStages; ++i) {
    std::uint64_t v;
    try {
      v = co_await stage_table[i](c, static_cast<std::uint64_t>(i));
    } catch (const stage_fault &f) {
      ++c.faults;
      v = static_cast<std::uint64_t>(f.stage);
    }
    direct = rotl(direct, 3) ^ v;
  }
  std::printf("total %016llx direct %016llx\n", static_cast<unsigned long long>(total),
              static_cast<unsigned long long>(direct));
}

int main() {
  {
    rl::manual_executor ex;
    stage_ctx c{ex, {}};
    rl::sync_wait(ex, run_all(c));
    std::uint64_t regs = 0;
    for (std::uint64_t r : c.regs)
      regs = rotl(regs, 11) ^ r;
    std::printf("faults %llu cancelled %llu generator items %llu\n",
                static_cast<unsigned long long>(c.faults),
                static_cast<unsigned long long>(c.cancelled),
                static_cast<unsigned long long>(c.generator_items));
    std::printf("regs %016llx virtual time %llu resumes %llu\n",
                static_cast<unsigned long long>(regs),
                static_cast<unsigned long long>(ex.now()),
                static_cast<unsigned long long>(ex.resumed()));
  }
  std::ptrdiff_t leaked = rl::outstanding_frame_bytes();
  std::printf("frame bytes outstanding: %td\n", leaked);
  return leaked == 0 ? 0 : 1;
}
