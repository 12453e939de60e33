//===- TransformBisect.cpp - Stop after N transformations -----------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// One counter per process: clang compiles one module per process, so the
/// numbering is that module's.
//===----------------------------------------------------------------------===//

#include "TransformBisect.h"

#include "llvm/Support/raw_ostream.h"

#include <atomic>

namespace corofo {

static std::atomic<int64_t> TransformLimit{-1};
static std::atomic<int64_t> TransformCount{0};

void setTransformLimit(int64_t Limit) { TransformLimit = Limit; }

bool shouldTransform(llvm::function_ref<std::string()> What) {
  int64_t Limit = TransformLimit;
  if (Limit < 0)
    return true;
  int64_t N = ++TransformCount;
  bool Apply = N <= Limit;
  llvm::errs() << "coro-frame-opt: transformation " << N << ": " << What()
               << (Apply ? " (applied)\n" : " (skipped)\n");
  return Apply;
}

} // namespace corofo
