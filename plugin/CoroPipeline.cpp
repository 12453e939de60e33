//===- CoroPipeline.cpp - Run the plugin's passes on split coroutines -----===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//

#include "CoroPipeline.h"

#include "CoroFrameAnalysis.h"
#include "CoroFrameReport.h"

#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace corofo {

/// Run every enabled pass on coroutine \p C. Returns true if IR changed.
static bool handleCoroutine(const SplitCoroutine &C, const PluginOptions &Opts,
                            FunctionAnalysisManager &FAM) {
  FrameLayout Layout = analyzeFrame(C);
  if (Opts.PrintAnalysis)
    printFrameLayout(C, Layout, errs());
  if (Opts.isEnabled(PassId::Report))
    reportCoroutineFrame(
        C, Layout, Opts.Report,
        FAM.getResult<OptimizationRemarkEmitterAnalysis>(*C.anchor()));
  return false;
}

PreservedAnalyses CoroFrameOptCGSCCPass::run(LazyCallGraph::SCC &SCC,
                                             CGSCCAnalysisManager &AM,
                                             LazyCallGraph &CG,
                                             CGSCCUpdateResult &) {
  auto &FAM =
      AM.getResult<FunctionAnalysisManagerCGSCCProxy>(SCC, CG).getManager();
  for (LazyCallGraph::Node &N : SCC) {
    Function &F = N.getFunction();
    if (F.isDeclaration() || Handled.contains(F.getName()))
      continue;
    if (std::optional<CoroABI> ABI = getUnsupportedABI(F)) {
      Handled.insert(F.getName());
      if (Opts.isEnabled(PassId::Report))
        reportUnsupportedABI(
            F, *ABI, FAM.getResult<OptimizationRemarkEmitterAnalysis>(F));
      continue;
    }
    // Act on the first function of a coroutine the walk reaches after the
    // split (usually .cleanup): only then are the ramp and all clones still
    // unsimplified, and no caller has inlined the ramp yet.
    std::optional<SplitCoroutine> C = getSplitCoroutineOf(F);
    if (!C || !Handled.insert(C->Name).second)
      continue;
    handleCoroutine(*C, Opts, FAM);
  }
  return PreservedAnalyses::all();
}

PreservedAnalyses CoroFrameOptModulePass::run(Module &M,
                                              ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  for (const SplitCoroutine &C : findSplitCoroutines(M))
    handleCoroutine(C, Opts, FAM);
  if (Opts.isEnabled(PassId::Report))
    for (Function &F : M)
      if (std::optional<CoroABI> ABI = getUnsupportedABI(F))
        reportUnsupportedABI(
            F, *ABI, FAM.getResult<OptimizationRemarkEmitterAnalysis>(F));
  return PreservedAnalyses::all();
}

} // namespace corofo
