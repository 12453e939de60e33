// The other TU of test/tools/report/tu.test: its static `helper` has the
// same mangled name as tu_a.cpp's (_ZL6helperv) but a larger frame.
#include "task.h"

// Makes box<char> this TU's %struct.box: buffered<32>'s box<int> gets a
// suffixed name (%struct.box.N) here, %struct.box in tu_a.cpp.
void first_box() {
  box<char> b{'x'};
  use(&b.value);
}

static task helper() {
  char large[256];
  use(large);
  co_await std::suspend_always{};
  use(large);
}

task run_b() { return helper(); }
task buffered_b() { return buffered<32>(); }
