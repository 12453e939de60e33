// A promise with its own sized operator new/delete (test/Inputs/cpp/
// custom_new.cpp): the re-laid-out frame is allocated and freed with the
// same, new size, and the program prints the same with and without the
// plugin, under ASan/UBSan too.
// RUN: %run-compare --out %t -- %inputs/cpp/custom_new.cpp | FileCheck %s
// RUN: %run-compare --out %t --sanitize -- %inputs/cpp/custom_new.cpp | FileCheck %s
// CHECK: O0: same ({{[0-9]+}} lines)
// CHECK: O2: same ({{[0-9]+}} lines)
