// Elided callee frames scoped from their inlined ramp to their destroy
// (coro-record-scopes): awaited in sequence, in a loop, in if/else arms,
// nested, around a caught exception, destroyed while suspended, and handed
// away by await_suspend and destroyed by main(). The program prints the same
// with and without the plugin, under ASan/UBSan too, with LLVM's default
// elision and with every elidable call elided.
// RUN: %run-compare --out %t/all -- %inputs/cpp/elided_scopes.cpp -mllvm -coro-elide-branch-ratio=0 | FileCheck %s
// RUN: %run-compare --out %t/all --sanitize -- %inputs/cpp/elided_scopes.cpp -mllvm -coro-elide-branch-ratio=0 | FileCheck %s
// RUN: %run-compare --out %t/default -- %inputs/cpp/elided_scopes.cpp | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)
