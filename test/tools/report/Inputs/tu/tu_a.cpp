// One of two TUs that each define a static (internal-linkage) coroutine
// `helper`, with frames of different sizes, and both use the template
// coroutine buffered<32>. See test/tools/report/tu.test.
#include "task.h"

static task helper() {
  char small[64];
  use(small);
  co_await std::suspend_always{};
  use(small);
}

task run_a() { return helper(); }
task buffered_a() { return buffered<32>(); }
