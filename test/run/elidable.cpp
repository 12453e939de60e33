// coro_await_elidable: the callee's frame lives in the caller's frame (at
// -O2) and is re-laid out; the program prints the same with and without the
// plugin, under ASan/UBSan too.
// RUN: %run-compare --out %t -- %inputs/cpp/elidable_main.cpp | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %inputs/cpp/elidable_main.cpp | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)
