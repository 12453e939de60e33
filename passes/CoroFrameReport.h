//===- CoroFrameReport.h - Report coroutine frame sizes ---------*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroFrameReport
///
/// DESCRIPTION: emits one analysis remark (pass name `coro-frame`) per split
/// switch-ABI coroutine, giving its frame size and alignment, and a missed
/// remark for coroutines of an ABI the plugin does not handle. Changes nothing.
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so -passes=coro-frame-report
///       -pass-remarks-analysis=coro-frame -disable-output in.ll
///   clang++ -O2 -fpass-plugin=libCoroFrameOpt.so -Rpass-analysis=coro-frame
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROFRAMEREPORT_H
#define COROFRAMEOPT_PASSES_COROFRAMEREPORT_H

#include "llvm/IR/PassManager.h"

namespace llvm {
class OptimizationRemarkEmitter;
}

namespace corofo {

struct SplitCoroutine;
enum class CoroABI;

/// The remarks' pass name; `-Rpass-analysis=coro-frame` selects them.
inline constexpr const char *ReportRemarkPass = "coro-frame";

/// Emit the frame remark for one coroutine (ORE belongs to C.anchor()).
void reportCoroutineFrame(const SplitCoroutine &C,
                          llvm::OptimizationRemarkEmitter &ORE);

/// Emit the missed remark saying \p F is left alone because of its \p ABI.
void reportUnsupportedABI(llvm::Function &F, CoroABI ABI,
                          llvm::OptimizationRemarkEmitter &ORE);

/// Module form, for `opt -passes=coro-frame-report` and clang at -O0.
struct CoroFrameReportPass : llvm::PassInfoMixin<CoroFrameReportPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  // Clang marks every function optnone at -O0, where this must still run.
  static bool isRequired() { return true; }
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROFRAMEREPORT_H
