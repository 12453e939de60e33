// A promise with its own sized operator new/delete: the plugin must give both
// the new frame size, consistently. operator delete checks it receives the
// size operator new was asked for and the program prints whether it did.
#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <map>

static std::map<void *, std::size_t> *live_frames;
static int mismatches, frames;

struct task {
  struct promise_type {
    static void *operator new(std::size_t n) {
      void *p = std::malloc(n);
      if (!live_frames)
        live_frames = new std::map<void *, std::size_t>;
      (*live_frames)[p] = n;
      ++frames;
      return p;
    }
    static void operator delete(void *p, std::size_t n) {
      if ((*live_frames)[p] != n)
        ++mismatches;
      live_frames->erase(p);
      std::free(p);
    }
    long result = 0;
    task get_return_object() {
      return {std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(long v) { result = v; }
    void unhandled_exception() { std::abort(); }
  };
  std::coroutine_handle<promise_type> h;
};

[[gnu::noinline]] long input(long i) { return i * 7 + 3; }

// Two groups of values, each live across its own suspend: they can share.
task work(long seed) {
  long a = input(seed), b = input(a), c = input(b);
  co_await std::suspend_always{};
  long s1 = input(a + b + c);
  double x = input(s1) * 0.5, y = input(s1 + 1) * 0.25, z = input(s1 + 2) * 2.0;
  co_await std::suspend_always{};
  co_return s1 + static_cast<long>(x + y + z);
}

int main(int argc, char **) {
  long total = 0;
  for (long i = 0; i < 5; ++i) {
    task t = work(i + argc);
    while (!t.h.done())
      t.h.resume();
    total += t.h.promise().result;
    t.h.destroy();
  }
  // Destroyed while suspended, at each state.
  for (int stop = 0; stop < 3; ++stop) {
    task t = work(stop);
    for (int i = 0; i < stop; ++i)
      t.h.resume();
    t.h.destroy();
  }
  std::printf("total %ld frames %d mismatches %d\n", total, frames, mismatches);
  return mismatches != 0;
}
