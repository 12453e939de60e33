//===- RemarksWanted.h - Whether a pass's remarks go anywhere ---*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// A pass whose remarks are costly to build (names, state lists, a
/// dominator tree for their locations) asks first whether anyone takes them.
/// OptimizationRemarkEmitter answers only for diagnostics: it builds every
/// remark an optimization record might want before the record's pass filter
/// drops it.
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_REMARKSWANTED_H
#define COROFRAMEOPT_PASSES_REMARKSWANTED_H

#include "llvm/ADT/StringRef.h"

namespace llvm {
class LLVMContext;
} // namespace llvm

namespace corofo {

/// Whether a remark of \p PassName goes anywhere: to a diagnostic
/// (-Rpass and kin) or into the optimization record, whose pass filter
/// (-foptimization-record-passes) OptimizationRemarkEmitter does not ask
/// before a remark is built.
bool remarksWanted(llvm::LLVMContext &Ctx, llvm::StringRef PassName);

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_REMARKSWANTED_H
