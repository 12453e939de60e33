//===- CoroScopeMarkers.h - Object scopes recorded before CoroSplit -*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroScopeMarkers
///
/// DESCRIPTION: when CoroSplit moves an alloca into the frame it erases the
/// alloca's lifetime markers and may give several allocas one field, so after
/// the split an object whose address escaped into a call looks live in every
/// state, and a field looks live wherever any of its objects is.
/// `coro-record-scopes` runs on presplit coroutines just before CoroSplit
/// (ScalarOptimizerLate, O1+) and writes down, in a form CoroSplit copies into
/// every clone (ScopeMarkerFormat.h), whose each access is and where escaped
/// objects' scopes end: every instruction that accesses an object or lets its
/// address escape gets a tag; for objects whose address escapes, a start
/// marker precedes each lifetime.start and an end marker follows each
/// lifetime.end; a callee frame that HALO put into the coroutine (no lifetime
/// markers) gets a start before its inlined ramp and an end after each call
/// that destroys it, where a flow check proves that placement (see
/// docs/frame-analysis.md). None of them is a use of the alloca, so
/// CoroSplit's choices (which allocas go into the frame, which share a
/// field) do not change.
/// After the split the frame analysis bounds an escaped object to the program
/// points reachable from its tagged escapes or start markers without passing
/// one of its end markers, and splits a field LLVM gave several objects where
/// their sizes differ (docs/frame-analysis.md says why both are sound); the
/// plugin then removes markers and tags. `coro-scope-markers-cleanup` removes
/// what is left anywhere at the end.
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so
///       -passes='function(coro-record-scopes),coro-split' in.ll
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROSCOPEMARKERS_H
#define COROFRAMEOPT_PASSES_COROSCOPEMARKERS_H

#include "llvm/IR/PassManager.h"
#include "llvm/IR/ValueHandle.h"

namespace corofo {

/// Record object scopes in a presplit switch-ABI coroutine.
struct CoroRecordScopesPass : llvm::PassInfoMixin<CoroRecordScopesPass> {
  llvm::PreservedAnalyses run(llvm::Function &F,
                              llvm::FunctionAnalysisManager &AM);
  /// The declarations the markers call and name, looked up once per module
  /// (each look-up builds a name; per coroutine that was 8% of this pass's
  /// samples on a file of 1000 coroutines). A handle goes null when its
  /// global is erased, and it is looked up again.
  struct MarkerDecls {
    const llvm::Module *M = nullptr;
    llvm::WeakVH Annotation, StartStr, EndStr;
  };
  MarkerDecls Decls;
  // Also at -O0, where clang makes every function optnone: the markers
  // change no code (they are removed before code generation).
  static bool isRequired() { return true; }
};

/// Erase the marker strings and the annotation intrinsic's declaration once
/// nothing uses them. Returns whether it erased any.
bool eraseUnusedScopeMarkerGlobals(llvm::Module &M,
                                   llvm::FunctionAnalysisManager &FAM);

/// Remove every marker left in the module (e.g. in copies of ramp code that
/// CoroAnnotationElide inlined into callers before the plugin saw them).
struct CoroScopeMarkersCleanupPass
    : llvm::PassInfoMixin<CoroScopeMarkersCleanupPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  // Runs at OptimizerLast, after every function was optimized.
  static bool isRequired() { return true; }
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROSCOPEMARKERS_H
