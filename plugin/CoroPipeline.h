//===- CoroPipeline.h - Run the plugin's passes on split coroutines -*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// The two drivers that clang's default pipelines run, each applying every
/// enabled pass to every split coroutine it sees:
///  - CoroFrameOptCGSCCPass, at the CGSCCOptimizerLate extension point (O1+).
///    CoroSplit has just run; the walk revisits the clones and then the ramp,
///    before their simplification and before any caller inlines the ramp or
///    elides the frame. The driver acts on the first function of a
///    coroutine it reaches.
///  - CoroFrameOptModulePass, at OptimizerLast (O0), the only extension point
///    after CoroSplit in clang's O0 pipeline.
/// and the one that prepares each coroutine before CoroSplit:
///  - CoroPresplitPass, at ScalarOptimizerLate (every level).
/// docs/pipeline.md says why these points and how to check them.
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PLUGIN_COROPIPELINE_H
#define COROFRAMEOPT_PLUGIN_COROPIPELINE_H

#include "CoroFrameReport.h"
#include "CoroScopeMarkers.h"
#include "CoroStateCollapse.h"
#include "Options.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LazyCallGraph.h"
#include "llvm/IR/PassManager.h"

namespace corofo {

struct CoroFrameOptCGSCCPass : llvm::PassInfoMixin<CoroFrameOptCGSCCPass> {
  explicit CoroFrameOptCGSCCPass(PluginOptions Opts)
      : Opts(Opts), Policy(Opts.completedResumePolicy(/*AtO0=*/false)) {}
  llvm::PreservedAnalyses run(llvm::LazyCallGraph::SCC &C,
                              llvm::CGSCCAnalysisManager &AM,
                              llvm::LazyCallGraph &CG,
                              llvm::CGSCCUpdateResult &UR);
  // Coroutine ramps may be optnone (e.g. [[clang::optnone]]); still report.
  static bool isRequired() { return true; }

private:
  PluginOptions Opts; ///< Which passes run.
  CompletedResumePolicy Policy;
  /// Coroutines already handled in this pipeline run, by name: the CGSCC walk
  /// revisits a ramp (e.g. when devirtualization repeats the SCC pipeline).
  /// Names rather than marks in the IR, so a report-only run changes nothing.
  llvm::StringSet<> Handled;
  /// Whether the module declares a continuation ABI's coroutine id (async,
  /// retcon), looked up once per module rather than by name on every SCC:
  /// only the frontends of those ABIs declare them, no pass does.
  const llvm::Module *CheckedModule = nullptr;
  bool MayHoldContinuations = false;
  /// Which remarks showing slot names go anywhere, asked with the above.
  WantedRemarks Wanted;
  /// Presplit coroutines this pass saw: the only functions it looks up as
  /// possible ramps once split. (A pointer a deleted function leaves for a
  /// new one only costs that one a look-up.)
  llvm::SmallPtrSet<const llvm::Function *, 16> SeenPresplit;
};

struct CoroFrameOptModulePass : llvm::PassInfoMixin<CoroFrameOptModulePass> {
  /// \p AtO0: the driver of clang's -O0 pipeline (sets the default policy
  /// for resuming a completed coroutine).
  CoroFrameOptModulePass(PluginOptions Opts, bool AtO0)
      : Opts(Opts), Policy(Opts.completedResumePolicy(AtO0)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  // Clang marks every function optnone at -O0, where this driver runs.
  static bool isRequired() { return true; }

private:
  PluginOptions Opts; ///< Which passes run.
  CompletedResumePolicy Policy;
};

/// `coro-presplit`: the enabled passes that prepare a presplit coroutine for
/// CoroSplit (coro-state-collapse, coro-record-scopes, coro-mark-frame-size,
/// in that order) as one entry of the function pipeline. Pass instrumentation
/// (a timer per pass and function under -ftime-report, -print-after, ...)
/// costs per entry, and nearly every function is no coroutine: one entry that
/// returns at once for those instead of three. The passes stay parseable one
/// by one for tests and bisection.
struct CoroPresplitPass : llvm::PassInfoMixin<CoroPresplitPass> {
  explicit CoroPresplitPass(PluginOptions Opts)
      : Opts(Opts), Collapse(Opts.CollapseCarryConstants) {}
  llvm::PreservedAnalyses run(llvm::Function &F,
                              llvm::FunctionAnalysisManager &AM);
  // As the passes it runs: also at -O0, where every function is optnone.
  static bool isRequired() { return true; }

private:
  PluginOptions Opts; ///< Which passes run.
  /// Kept from one coroutine to the next: what they cache serves them all.
  CoroStateCollapsePass Collapse;
  CoroRecordScopesPass Scopes;
};

} // namespace corofo

#endif // COROFRAMEOPT_PLUGIN_COROPIPELINE_H
