// Drives elidable_relayout.cpp's coroutines (a coro_await_elidable task
// whose callee's frame is re-laid out) and prints what they compute.
#include "elidable_relayout.cpp"

#include <cstdio>

long input(long x) { return x * 3 + 1; }
static long published;
void publish(long v) { published += v; }

int main(int argc, char **) {
  long sum = 0;
  for (long i = 0; i < 6; ++i) {
    auto t = run_stages(i + argc);
    t.h.resume(); // runs into stages(), which parks
    while (parked) {
      auto h = std::exchange(parked, nullptr);
      h.resume();
    }
    sum += t.await_resume();
  }
  std::printf("sum %ld published %ld\n", sum, published);
}
