//===- CoroPipeline.cpp - Run the plugin's passes on split coroutines -----===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//

#include "CoroPipeline.h"

#include "ChangedFunctions.h"
#include "CoroCompletedResume.h"
#include "CoroDeadPaths.h"
#include "CoroFrameAnalysis.h"
#include "CoroFrameOverlap.h"
#include "CoroFrameReport.h"
#include "CoroFrameSizeMarkers.h"
#include "CoroScopeMarkers.h"
#include "ScopeMarkerFormat.h"
#include "CoroStateCollapse.h"

#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace corofo {

/// Run every enabled pass on coroutine \p C, then report the frame as it
/// ends up. Returns true if IR changed; the caller invalidates analyses.
/// \p Annotations, \p SizeMarkers: indexes of the module's annotation calls
/// and frame-size markers, kept up to date here, or null. \p FoldBranches:
/// fold the branches CoroSplit's constants decide (above -O0, where the
/// pipeline simplifies the clones after this).
static bool handleCoroutine(const SplitCoroutine &C, const PluginOptions &Opts,
                            const WantedRemarks &Wanted,
                            CompletedResumePolicy Policy, bool MarkResumeSites,
                            bool FoldBranches, FunctionAnalysisManager &FAM,
                            AnnotationIndex *Annotations,
                            FrameSizeMarkerIndex *SizeMarkers) {
  auto &ORE = FAM.getResult<OptimizationRemarkEmitterAnalysis>(*C.anchor());
  // Slot names and the lower bound serve only readers of the report: with
  // no remark asked for, no size warning and no printout, they are left out.
  bool Readers = Opts.PrintAnalysis || Opts.Report.WarnAbove || Wanted.any();
  KnownFlows Flows;
  FrameLayout Layout =
      analyzeFrame(C, Readers ? FrameDetail::Full : FrameDetail::Layout,
                   Annotations, FoldBranches ? &Flows : nullptr);
  if (Opts.PrintAnalysis)
    printFrameLayout(C, Layout, errs());
  bool Changed = false;
  if (Opts.isEnabled(PassId::Overlap))
    if (std::optional<FrameLayout> After =
            overlapFrameSlots(C, Layout, ORE, SizeMarkers,
                              FoldBranches ? &Flows : nullptr)) {
      Layout = std::move(*After);
      Changed = true;
      if (Opts.PrintAnalysis)
        printFrameLayout(C, Layout, errs());
    }
  // Frame-size markers the overlap did not resolve carry CoroSplit's size:
  // constants again before anything simplifies the clones or the ramp.
  Changed |= resolveFrameSizeMarkers(
                 findFrameSizeMarkers(C.functions(), SizeMarkers), std::nullopt,
                 SizeMarkers) > 0;
  if (Opts.isEnabled(PassId::Report))
    reportCoroutineFrame(C, Layout, Opts.Report, Wanted, ORE);
  // CoroSplit made the ramp and each clone from the whole body, with
  // constants for what its suspends return: the branches on them cut off
  // most of the ramp, `.destroy` and `.cleanup` (in a coroutine-heavy file,
  // three fifths of all their code). Folded as soon as the frame passes are
  // done, that code is unreachable before the pipeline simplifies the
  // clones: SROA, EarlyCSE and jump threading no longer work through it,
  // and the first simplifycfg deletes it (deleting it here would only move
  // that cost). The walk below skips it too.
  bool Folded = FoldBranches && foldKnownBranches(C, Flows);
  Changed |= Folded;
  // In one walk over each function: the symmetric transfers CoroSplit just
  // made are marked, to be checked at the end of the pipeline with every
  // other resume through a handle; the recorded scopes, which have served,
  // go (they must not outlive this layout; in folded-off code they go with
  // it, and the last cleanup strips any left).
  for (Function *F : C.functions()) {
    if (Annotations)
      Annotations->erase(F);
    const KnownControlFlow *Flow = Folded ? flowOf(Flows, F) : nullptr;
    ScopeMarkerStripper Strip(F->getContext());
    auto visitBlock = [&](const BasicBlock &BB) {
      for (Instruction &I : const_cast<BasicBlock &>(BB)) {
        Changed |= Strip.visit(I);
        if (auto *CB = dyn_cast<CallBase>(&I); CB && MarkResumeSites)
          Changed |= markResumeSite(*CB);
      }
    };
    // Over the running blocks only (the rest is most of .destroy, .cleanup
    // and the ramp); in no particular order: the effects are per instruction.
    if (Flow)
      for (const BasicBlock *BB : Flow->Running)
        visitBlock(*BB);
    else
      for (BasicBlock &BB : *F)
        visitBlock(BB);
    Changed |= Strip.finish();
  }
  // Last (its blocks are new to the flows above): the frame passes read the
  // clones as CoroSplit left them.
  Changed |= guardResumeEntry(C, Policy, ORE);
  return Changed;
}

PreservedAnalyses CoroFrameOptCGSCCPass::run(LazyCallGraph::SCC &SCC,
                                             CGSCCAnalysisManager &AM,
                                             LazyCallGraph &CG,
                                             CGSCCUpdateResult &) {
  auto &FAM =
      AM.getResult<FunctionAnalysisManagerCGSCCProxy>(SCC, CG).getManager();
  bool Changed = false;
  // Every function of every SCC passes here: most are no coroutine, and
  // each look-up by name hashes a long mangled name, so as few as can be.
  if (const Module *M = SCC.begin()->getFunction().getParent();
      M != CheckedModule) {
    CheckedModule = M;
    MayHoldContinuations = mayHoldContinuationCoroutines(*M);
    Wanted = WantedRemarks::in(M->getContext());
  }
  for (LazyCallGraph::Node &N : SCC) {
    Function &F = N.getFunction();
    if (F.isDeclaration())
      continue;
    if (MayHoldContinuations && !Handled.contains(F.getName()))
      if (std::optional<CoroABI> ABI = getUnsupportedABI(F)) {
        Handled.insert(F.getName());
        if (Opts.isEnabled(PassId::Report))
          reportUnsupportedABI(
              F, *ABI, FAM.getResult<OptimizationRemarkEmitterAnalysis>(F));
        continue;
      }
    // Act on the first function of a coroutine the walk reaches after the
    // split (usually .cleanup): only then are the ramp and all clones still
    // unsimplified, and no caller has inlined the ramp yet. A ramp comes
    // first only where the walk revisits it right after its split (its
    // clones call it: a recursive coroutine), and then this pass saw it
    // before the split: only such a function is looked up by name as a
    // ramp (one look-up per function of the walk was 1.5% of the plugin's
    // time on a file of 1000 coroutines).
    if (F.isPresplitCoroutine()) {
      SeenPresplit.insert(&F);
      continue;
    }
    StringRef Stem = cloneStem(F);
    if (Stem.empty() && SeenPresplit.contains(&F))
      Stem = splitCoroutineStem(F);
    if (Stem.empty() || Handled.contains(Stem))
      continue;
    std::optional<SplitCoroutine> C = getSplitCoroutineOf(F);
    if (!C || !Handled.insert(C->Name).second)
      continue;
    // The coroutine's other functions live in other SCCs, as the callers
    // CoroAnnotationElide rewrites do: their analyses are invalidated here.
    // No call edge changes (only offsets, constants and attributes), so the
    // call graph needs no update.
    if (handleCoroutine(*C, Opts, Wanted, Policy,
                        /*MarkResumeSites=*/Policy != CompletedResumePolicy::UB,
                        /*FoldBranches=*/Opts.isEnabled(PassId::DeadPaths),
                        FAM, /*Annotations=*/nullptr,
                        /*SizeMarkers=*/nullptr)) {
      invalidateCoroutineAndCallers(*C, FAM);
      Changed = true;
    }
  }
  return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

PreservedAnalyses CoroFrameOptModulePass::run(Module &M,
                                              ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  bool Changed = false;
  auto GetORE = [&](Function &F) -> OptimizationRemarkEmitter & {
    return FAM.getResult<OptimizationRemarkEmitterAnalysis>(F);
  };
  for (Function &F : M)
    if (!F.isDeclaration() && !getUnsupportedABI(F) &&
        guardResumeSites(F, Policy, /*PrivatizeInlineCopies=*/true, GetORE)) {
      FAM.invalidate(F, PreservedAnalyses::none());
      Changed = true;
    }
  // Every coroutine's scope markers are still in place: each finds its own
  // in an index made once.
  AnnotationIndex Annotations = indexAnnotations(M);
  FrameSizeMarkerIndex SizeMarkers = indexFrameSizeMarkers(M);
  WantedRemarks Wanted = WantedRemarks::in(M.getContext());
  for (const SplitCoroutine &C : findSplitCoroutines(M))
    if (handleCoroutine(C, Opts, Wanted, Policy, /*MarkResumeSites=*/false,
                        /*FoldBranches=*/false, FAM,
                        &Annotations, &SizeMarkers)) {
      invalidateCoroutineAndCallers(C, FAM);
      Changed = true;
    }
  // After CoroCleanup, as here at -O0, nothing creates direct calls of
  // `.resume` any more: keep only the entry checks such calls need.
  Changed |= dropUnneededEntryChecks(M, FAM) > 0;
  Changed |= hookEntryChecks(M, FAM) > 0;
  if (Opts.isEnabled(PassId::Report))
    for (Function &F : M)
      if (std::optional<CoroABI> ABI = getUnsupportedABI(F))
        reportUnsupportedABI(
            F, *ABI, FAM.getResult<OptimizationRemarkEmitterAnalysis>(F));
  return Changed ? changedFunctionsInvalidated() : PreservedAnalyses::all();
}

PreservedAnalyses CoroPresplitPass::run(Function &F,
                                        FunctionAnalysisManager &AM) {
  // The cheap part of the passes' own test: not a presplit coroutine.
  if (!F.isPresplitCoroutine())
    return PreservedAnalyses::all();
  PreservedAnalyses PA = PreservedAnalyses::all();
  // As a function pass manager would: what the passes so far changed is
  // invalidated before the next asks for an analysis (not before one that
  // asks for none; after the last, the pass manager does it once).
  PreservedAnalyses Stale = PreservedAnalyses::all();
  auto runPass = [&](auto &&Pass, bool AsksForAnalyses) {
    if (AsksForAnalyses) {
      AM.invalidate(F, Stale);
      Stale = PreservedAnalyses::all();
    }
    PreservedAnalyses Step = Pass.run(F, AM);
    Stale.intersect(Step);
    PA.intersect(std::move(Step));
  };
  if (Opts.isEnabled(PassId::Collapse))
    runPass(Collapse, true);
  if (Opts.isEnabled(PassId::Scopes))
    runPass(Scopes, true);
  if (Opts.isEnabled(PassId::Overlap))
    runPass(CoroMarkFrameSizePass(), false);
  return PA;
}

} // namespace corofo
