//===- CoroStateCollapse.h - Merge identical suspend points ------*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroStateCollapse
///
/// DESCRIPTION: `if (a) co_await send(1); else co_await send(2);` gives two
/// suspend points whose code from the suspension on (await_suspend, the
/// resume path up to where the arms join, the destroy path) is the same
/// except for which awaiter and which temporaries it uses. CoroSplit makes a
/// state of each: two dispatch cases, two copies of that code in `.resume`,
/// `.destroy` and `.cleanup`, two sets of frame slots.
///
/// `coro-state-collapse` runs on presplit switch-ABI coroutines just before
/// CoroSplit and merges such suspend points into one, so that CoroSplit
/// creates one state for them: the second arm branches into the first arm's
/// continuation at the `llvm.coro.save`, and its own copy is deleted. Two
/// continuations match when, walked in lockstep from their `llvm.coro.save`
/// to the blocks where they join, they have the same instructions with the
/// same operands, except that
///   - a pair of different allocas of the same type may take each other's
///     place, if they are never live at the same time (their lifetime
///     markers never overlap, or no path leads from a use of one to a use of
///     the other); they become one alloca, so the merged state also has one
///     set of frame slots: that is how corresponding slots of collapsed
///     states get the same offsets;
///   - values from before the save that differ (each arm computed its own)
///     are carried: a slot every entry into either continuation sets, read
///     where the kept continuation used its value; constants only where that
///     drops more than twice the code it adds;
///   - the `llvm.coro.await.suspend` wrappers may be different functions with
///     identical bodies (clang emits one per co_await expression).
/// Anything else that differs, a value computed after the suspend but used
/// after the join, or control flow that re-enters a continuation, keeps the
/// states apart; for alternative suspend points (neither one's await_ready
/// test dominates the other's) that await alike (the suspend calls themselves match) a missed
/// remark names the first difference.
///
/// Because the merge happens before CoroSplit, the index values, the dispatch
/// switches, the index width and the `__coro_resume_N` debug labels all come
/// out of CoroSplit consistent and dense, in every clone.
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so
///       -passes='function(coro-state-collapse),coro-split' in.ll
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROSTATECOLLAPSE_H
#define COROFRAMEOPT_PASSES_COROSTATECOLLAPSE_H

#include "llvm/IR/PassManager.h"

#include <memory>

namespace llvm {
class GlobalNumberState;
} // namespace llvm

namespace corofo {

/// Merge identical suspend points of a presplit switch-ABI coroutine.
struct CoroStateCollapsePass : llvm::PassInfoMixin<CoroStateCollapsePass> {
  /// \p CarryConstants: also merge continuations that differ in constants,
  /// carrying them in a slot like other values, where the code dropped is
  /// more than twice the stores and loads added (docs/state-collapse.md).
  explicit CoroStateCollapsePass(bool CarryConstants = true)
      : CarryConstants(CarryConstants) {}
  llvm::PreservedAnalyses run(llvm::Function &F,
                              llvm::FunctionAnalysisManager &AM);
  bool CarryConstants;
  /// Numbers of the globals the await_suspend wrappers compared so far
  /// reference, made once for all coroutines the pass sees: its table is a
  /// few kilobytes, allocated up front (made per coroutine, a quarter of the
  /// pass's samples on a file of 1000 coroutines). Entries go with their
  /// globals.
  std::shared_ptr<llvm::GlobalNumberState> Numbers;
  // Also at -O0, where clang marks every function optnone.
  static bool isRequired() { return true; }
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROSTATECOLLAPSE_H
