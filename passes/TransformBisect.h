//===- TransformBisect.h - Stop after N transformations ---------*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// `-coro-frame-opt-max-transforms=N`, like LLVM's -opt-bisect-limit but
/// counting this plugin's transformations one by one: one frame re-laid out,
/// one `.resume` entry check added or dropped, one resume site checked, one
/// inline function made local. Transformations 1..N are applied, the rest
/// skipped, and each is listed on stderr:
///   coro-frame-opt: transformation 3: overlap: re-lay out the frame of 'f(int)' (applied)
/// When a program breaks with the plugin, the smallest N at which it breaks
/// names the transformation responsible (tools/coro-difftest searches it).
/// Without the option nothing is counted or printed.
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_TRANSFORMBISECT_H
#define COROFRAMEOPT_PASSES_TRANSFORMBISECT_H

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <string>

namespace corofo {

/// Negative: no limit (the default).
void setTransformLimit(int64_t Limit);

/// Ask before each transformation; \p What describes it (only called when a
/// limit is set). False once the limit is reached: leave the IR alone.
bool shouldTransform(llvm::function_ref<std::string()> What);

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_TRANSFORMBISECT_H
