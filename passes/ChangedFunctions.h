//===- ChangedFunctions.h - What a module pass leaves valid ------*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// The plugin's module passes change a few functions of a module (a
/// coroutine's clones, the functions that resume through a handle) and
/// invalidate the cached analyses of each one they change themselves.
/// Returning PreservedAnalyses::none() on top of that would throw away every
/// other function's dominator tree, loop info and alias results too: passes
/// after them compute those again, and the pass manager runs that teardown
/// inside the pass's own time (`-ftime-report` counted it to the pass).
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_CHANGEDFUNCTIONS_H
#define COROFRAMEOPT_PASSES_CHANGEDFUNCTIONS_H

#include "llvm/IR/PassManager.h"

namespace corofo {

/// The result of a module pass that invalidated each function it changed
/// and cleared the analyses of each function it erased: the analyses of all
/// other functions stay (ModuleToFunctionPassAdaptor's rule), no module
/// analysis does (calls may have been added or removed).
inline llvm::PreservedAnalyses changedFunctionsInvalidated() {
  llvm::PreservedAnalyses PA;
  PA.preserveSet<llvm::AllAnalysesOn<llvm::Function>>();
  PA.preserve<llvm::FunctionAnalysisManagerModuleProxy>();
  return PA;
}

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_CHANGEDFUNCTIONS_H
