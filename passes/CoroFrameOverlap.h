//===- CoroFrameOverlap.h - Share frame bytes between slots -----*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroFrameOverlap
///
/// DESCRIPTION: gives the slots of a split coroutine's frame new offsets so
/// that slots never holding values at the same time share bytes, and shrinks
/// the frame. LLVM overlaps only allocas with lifetime markers, only at O1+,
/// and never spilled values; this pass works on every slot the frame analysis
/// can bound, at every level.
///
///   before:  [resume|destroy|promise|idx| a (state 0) | b (state 1) ]
///   after:   [resume|destroy|promise|idx| a / b       ]
///
/// The resume/destroy pointers and the promise never move (ABI); every other
/// slot may. Every access in the ramp and the clones is rewritten, and every
/// record of the frame size: operator new / sized delete (also a promise's
/// own), dereferenceable attributes, debug info. A coroutine whose frame the
/// analysis cannot fully account for is left alone with a missed remark.
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so -passes=coro-frame-overlap
///       -pass-remarks=coro-frame-overlap in.ll
///   clang++ -fpass-plugin=libCoroFrameOpt.so -Rpass=coro-frame-overlap
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROFRAMEOVERLAP_H
#define COROFRAMEOPT_PASSES_COROFRAMEOVERLAP_H

#include "llvm/IR/PassManager.h"

#include "CoroFrameAnalysis.h"
#include "CoroFrameSizeMarkers.h"

#include <cstdint>
#include <optional>

namespace llvm {
class OptimizationRemarkEmitter;
}

namespace corofo {

struct SplitCoroutine;
struct FrameLayout;

/// The remarks' pass name.
inline constexpr const char *OverlapRemarkPass = "coro-frame-overlap";

/// Re-lay out the frame of \p C (analysed as \p L). Returns the layout after
/// the change (same slots and liveness, new offsets and size), or nothing if
/// the IR was left alone; \p ORE (of C.anchor()) gets a remark either way.
/// \p SizeMarkers, if given, must be up to date for \p C's functions.
/// \p Flows, if given (the analysis' known control flow of those
/// functions), limits the rewrite of frame addresses to the blocks that run:
/// the caller folds the branches to the others, which leaves them
/// unreachable.
std::optional<FrameLayout>
overlapFrameSlots(const SplitCoroutine &C, const FrameLayout &L,
                  llvm::OptimizationRemarkEmitter &ORE,
                  FrameSizeMarkerIndex *SizeMarkers = nullptr,
                  const KnownFlows *Flows = nullptr);

/// Drop the cached analyses of every function a change to \p C may have
/// touched: C's own, and those that call its clones directly (a re-layout
/// rewrites the frame-size attributes of those calls: their CFG analyses
/// stay).
void invalidateCoroutineAndCallers(const SplitCoroutine &C,
                                   llvm::FunctionAnalysisManager &FAM);

/// Module form, for `opt -passes=coro-frame-overlap`.
struct CoroFrameOverlapPass : llvm::PassInfoMixin<CoroFrameOverlapPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  // Clang marks every function optnone at -O0, where this must still run.
  static bool isRequired() { return true; }
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROFRAMEOVERLAP_H
