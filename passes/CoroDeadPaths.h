//===- CoroDeadPaths.h - Code CoroSplit leaves behind constants -*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroDeadPaths
///
/// DESCRIPTION: CoroSplit makes the ramp and each clone from the whole
/// coroutine body and replaces what selects between them with constants:
/// every suspend's result (-1 in the ramp, 0 in `.resume`, 1 in `.destroy`
/// and `.cleanup`) and `coro.alloc`. Through phis and comparisons (a
/// cleanup's destination) these decide most branches of `.destroy` and
/// `.cleanup`, and some of the others. Above -O0 simplification then deletes
/// the code they cut off. At -O0 nothing does: `.destroy` and `.cleanup`
/// keep every resumed path, which code generation compiles (in a coroutine-
/// heavy translation unit, five sixths of those clones and a third of all
/// its code). `coro-prune-dead-paths` makes each branch whose way is known
/// (findKnownControlFlow) go there only, in the ramp and clones of each split
/// coroutine, and deletes the blocks no longer reachable. Only code that
/// cannot run goes: a breakpoint in it could never be hit. Clang's -O0
/// pipeline runs it after the -O0 driver (CoroFrameOptModulePass), whose
/// frame analysis reads the clones as CoroSplit made them; one remark per
/// coroutine (`-Rpass=coro-prune-dead-paths`).
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so
///       -passes='coro-prune-dead-paths' in.ll
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_CORODEADPATHS_H
#define COROFRAMEOPT_PASSES_CORODEADPATHS_H

#include "CoroFrameAnalysis.h"

#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/IR/PassManager.h"

namespace corofo {

struct SplitCoroutine;

/// Make each branch and switch of \p F whose way \p Flow knows go there
/// only (the other successors lose their phi entries for it). The blocks
/// cut off stay, unreachable: simplification deletes them. Returns how many
/// were folded.
unsigned foldKnownBranches(llvm::Function &F, const KnownControlFlow &Flow);

/// The same on each function of \p C, with its flow from \p Flows (those
/// missing are found and added). Above -O0 the driver does this once the
/// frame passes are done: everything after it, in the plugin and in the
/// pipeline, then skips the cut-off code until simplification deletes it.
/// Returns true if it folded a branch.
bool foldKnownBranches(const SplitCoroutine &C, KnownFlows &Flows);

/// Fold the constant branches of \p C's ramp and clones and delete the
/// blocks they no longer reach. Returns true if anything changed.
bool pruneDeadPaths(const SplitCoroutine &C,
                    llvm::OptimizationRemarkEmitter &ORE);

/// pruneDeadPaths on every split switch-ABI coroutine of the module.
struct CoroPruneDeadPathsPass
    : llvm::PassInfoMixin<CoroPruneDeadPathsPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  // Clones are optnone at -O0, where this matters.
  static bool isRequired() { return true; }
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_CORODEADPATHS_H
