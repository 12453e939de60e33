//===- Plugin.cpp - Registration of the CoroFrameOpt pass plugin ----------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Entry point for `clang -fpass-plugin=` and `opt -load-pass-plugin=`.
///
/// Registers, for textual pipelines:
///   module:  coro-frame-report, coro-frame-overlap,
///            coro-completed-resume<pending|trap|ub>,
///            coro-completed-resume-cleanup, coro-scope-markers-cleanup,
///            print<coro-frame>, coro-wrapper-inline, coro-frame-opt
///            (every enabled pass, all coroutines of the module)
///   cgscc:   coro-frame-opt (every enabled pass, ramps in the SCC)
///   function: coro-state-collapse, coro-record-scopes, coro-mark-frame-size,
///            coro-presplit (those three as one entry), coro-lifetime-restart
///            (before CoroSplit)
/// and adds the drivers to the default pipelines (see CoroPipeline.h and
/// docs/pipeline.md): CGSCCOptimizerLate at O1-O3/Os/Oz, OptimizerLast at O0,
/// and coro-completed-resume-cleanup at OptimizerLast at O1-O3/Os/Oz;
/// coro-wrapper-inline at PipelineEarlySimplification (O1+, before the
/// inliner); coro-presplit at ScalarOptimizerLate (the last point before
/// CoroSplit, at every level); coro-lifetime-restart at the last Peephole
/// visit (O1+); with the overlap pass, coro-scope-markers-cleanup and
/// coro-frame-size-cleanup at OptimizerLast.
//===----------------------------------------------------------------------===//

#include "CoroCompletedResume.h"
#include "CoroFrameOverlap.h"
#include "CoroFrameReport.h"
#include "CoroFrameSizeMarkers.h"
#include "CoroLifetimeRestart.h"
#include "CoroPipeline.h"
#include "CoroScopeMarkers.h"
#include "CoroStateCollapse.h"
#include "CoroWrapperInline.h"
#include "Options.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Plugins/PassPlugin.h"

using namespace llvm;
using namespace corofo;

static_assert(LLVM_VERSION_MAJOR == 22,
              "CoroFrameOpt is written against LLVM 22's pass API");

/// The options of a pipeline being built, with the process-wide ones applied
/// (every default pipeline, and the named passes that read options, and
/// coro-wrapper-inline).
static PluginOptions readAndApplyOptions() {
  PluginOptions Opts = readPluginOptions();
  applyProcessOptions(Opts);
  return Opts;
}

static bool parseModulePass(StringRef Name, ModulePassManager &MPM,
                            ArrayRef<PassBuilder::PipelineElement>) {
  if (Name == "coro-frame-report") {
    MPM.addPass(CoroFrameReportPass(readAndApplyOptions().Report));
    return true;
  }
  if (Name == "coro-frame-overlap") {
    MPM.addPass(CoroFrameOverlapPass());
    return true;
  }
  if (Name == "print<coro-frame>") {
    MPM.addPass(CoroFramePrinterPass());
    return true;
  }
  if (Name == "coro-frame-opt") {
    MPM.addPass(CoroFrameOptModulePass(readAndApplyOptions(), /*AtO0=*/false));
    return true;
  }
  if (Name == "coro-wrapper-inline") {
    readAndApplyOptions(); // the bisect limit applies to named passes too
    MPM.addPass(CoroWrapperInlinePass());
    return true;
  }
  if (Name == "coro-scope-markers-cleanup") {
    MPM.addPass(CoroScopeMarkersCleanupPass());
    return true;
  }
  if (Name == "coro-frame-size-cleanup") {
    MPM.addPass(CoroFrameSizeCleanupPass());
    return true;
  }
  if (Name == "coro-completed-resume-cleanup") {
    // The command-line policy, else pending.
    MPM.addPass(CoroCompletedResumeCleanupPass(
        readAndApplyOptions().CompletedResume.value_or(
            CompletedResumePolicy::Pending)));
    return true;
  }
  if (Name == "coro-mark-resume-sites") {
    MPM.addPass(CoroMarkResumeSitesPass());
    return true;
  }
  if (PassBuilder::checkParametrizedPassName(Name, "coro-completed-resume")) {
    // No parameter: the command-line policy, else pending.
    PluginOptions Opts = readAndApplyOptions();
    CompletedResumePolicy Policy =
        Opts.CompletedResume.value_or(CompletedResumePolicy::Pending);
    StringRef Param = Name.drop_front(strlen("coro-completed-resume"));
    if (!Param.empty()) {
      std::optional<CompletedResumePolicy> P =
          parseCompletedResumePolicy(Param.drop_front().drop_back());
      if (!P) {
        errs() << "coro-completed-resume: unknown policy '"
               << Param.drop_front().drop_back()
               << "' (expected pending, trap or ub)\n";
        return false;
      }
      Policy = *P;
    }
    MPM.addPass(CoroCompletedResumePass(Policy));
    return true;
  }
  return false;
}

static bool parseCGSCCPass(StringRef Name, CGSCCPassManager &CGPM,
                           ArrayRef<PassBuilder::PipelineElement>) {
  if (Name == "coro-frame-opt") {
    CGPM.addPass(CoroFrameOptCGSCCPass(readAndApplyOptions()));
    return true;
  }
  return false;
}

static bool parseFunctionPass(StringRef Name, FunctionPassManager &FPM,
                              ArrayRef<PassBuilder::PipelineElement>) {
  if (Name == "coro-record-scopes") {
    FPM.addPass(CoroRecordScopesPass());
    return true;
  }
  if (Name == "coro-mark-frame-size") {
    FPM.addPass(CoroMarkFrameSizePass());
    return true;
  }
  if (Name == "coro-lifetime-restart") {
    FPM.addPass(CoroLifetimeRestartPass());
    return true;
  }
  if (Name == "coro-presplit") {
    FPM.addPass(CoroPresplitPass(readAndApplyOptions()));
    return true;
  }
  if (Name == "coro-state-collapse") {
    // The bisect limit applies to named passes too.
    FPM.addPass(CoroStateCollapsePass(readAndApplyOptions().CollapseCarryConstants));
    return true;
  }
  return false;
}

/// The function simplification pipeline being built, between its
/// ScalarOptimizerLate point and the peephole point that ends it.
static const FunctionPassManager *LastPeepholeOf = nullptr;

static void registerCallbacks(PassBuilder &PB) {
  PB.registerPipelineParsingCallback(parseModulePass);
  PB.registerPipelineParsingCallback(parseCGSCCPass);
  PB.registerPipelineParsingCallback(parseFunctionPass);
  // So that -print-pipeline-passes prints names opt can parse back.
  if (PassInstrumentationCallbacks *PIC = PB.getPassInstrumentationCallbacks()) {
    PIC->addClassToPassName(CoroFrameReportPass::name(), "coro-frame-report");
    PIC->addClassToPassName(CoroFramePrinterPass::name(), "print<coro-frame>");
    PIC->addClassToPassName(CoroFrameOverlapPass::name(), "coro-frame-overlap");
    PIC->addClassToPassName(CoroCompletedResumePass::name(),
                            "coro-completed-resume");
    PIC->addClassToPassName(CoroCompletedResumeCleanupPass::name(),
                            "coro-completed-resume-cleanup");
    PIC->addClassToPassName(CoroMarkResumeSitesPass::name(),
                            "coro-mark-resume-sites");
    PIC->addClassToPassName(CoroFrameOptModulePass::name(), "coro-frame-opt");
    PIC->addClassToPassName(CoroRecordScopesPass::name(), "coro-record-scopes");
    PIC->addClassToPassName(CoroStateCollapsePass::name(),
                            "coro-state-collapse");
    PIC->addClassToPassName(CoroWrapperInlinePass::name(),
                            "coro-wrapper-inline");
    PIC->addClassToPassName(CoroLifetimeRestartPass::name(),
                            "coro-lifetime-restart");
    PIC->addClassToPassName(CoroScopeMarkersCleanupPass::name(),
                            "coro-scope-markers-cleanup");
    PIC->addClassToPassName(CoroMarkFrameSizePass::name(),
                            "coro-mark-frame-size");
    PIC->addClassToPassName(CoroFrameSizeCleanupPass::name(),
                            "coro-frame-size-cleanup");
    PIC->addClassToPassName(CoroFrameOptCGSCCPass::name(), "coro-frame-opt");
    PIC->addClassToPassName(CoroPresplitPass::name(), "coro-presplit");
  }

  // At O0 this point comes before CoroSplit and would see no split coroutine.
  PB.registerCGSCCOptimizerLateEPCallback(
      [](CGSCCPassManager &CGPM, OptimizationLevel Level) {
        PluginOptions Opts = readAndApplyOptions();
        if (Opts.Enabled && Level != OptimizationLevel::O0)
          CGPM.addPass(CoroFrameOptCGSCCPass(Opts));
      });
  // Wrappers turn into calls of what they await before the inliner (which
  // would inline the awaited ramp into them) and after coro-early. Not at
  // O0: debug builds keep every coroutine as written.
  PB.registerPipelineEarlySimplificationEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel Level, ThinOrFullLTOPhase) {
        PluginOptions Opts = readAndApplyOptions();
        if (Level != OptimizationLevel::O0 && Opts.isEnabled(PassId::Wrapper))
          MPM.addPass(CoroWrapperInlinePass());
        // Resumes through handles, as CoroEarly lowered them: marked now,
        // checked at OptimizerLast, so that no inlining decision sees a
        // check (O0 checks them after its CoroSplit, and inlines nothing).
        if (Level != OptimizationLevel::O0 &&
            Opts.completedResumePolicy(/*AtO0=*/false) !=
                CompletedResumePolicy::UB)
          MPM.addPass(CoroMarkResumeSitesPass());
      });
  // Identical suspend points merged, then object scopes for the overlap pass
  // recorded, as late before CoroSplit as the pipeline allows (after SROA and
  // the last inlining into the ramp). At O0 this point runs before
  // coro-early, on code as clang emitted it (optnone: the passes here are
  // required ones). Then every use of the frame size goes through a marker,
  // so that it stays recognisable after CoroSplit wherever an inlined
  // allocator uses it and a re-laid out frame is allocated with its new size
  // (all levels: always_inline allocators at -O0). One pipeline entry runs
  // the three passes (CoroPipeline.h says why).
  PB.registerScalarOptimizerLateEPCallback(
      [](FunctionPassManager &FPM, OptimizationLevel Level) {
        PluginOptions Opts = readAndApplyOptions();
        if (Opts.isEnabled(PassId::Collapse) ||
            Opts.isEnabled(PassId::Scopes) || Opts.isEnabled(PassId::Overlap))
          FPM.addPass(CoroPresplitPass(Opts));
        LastPeepholeOf = &FPM;
      });
  // The peephole point also ends the function simplification, after its last
  // simplifycfg: from there only function-attrs runs before CoroSplit, so no
  // block merge can make a new lifetime restart. Only that visit of the point
  // matters (it follows ScalarOptimizerLate in the same function pipeline):
  // the earlier ones (after each instcombine) would cost a pipeline entry per
  // function and fix nothing the last one does not. O0 has no such point and
  // merges no blocks.
  PB.registerPeepholeEPCallback(
      [](FunctionPassManager &FPM, OptimizationLevel Level) {
        if (&FPM != LastPeepholeOf)
          return;
        LastPeepholeOf = nullptr;
        PluginOptions Opts = readAndApplyOptions();
        if (Level != OptimizationLevel::O0 &&
            Opts.isEnabled(PassId::LifetimeRestart))
          FPM.addPass(CoroLifetimeRestartPass());
      });
  // The O0 pipeline has no CGSCCOptimizerLate point; OptimizerLast is the one
  // extension point after its CoroSplit.
  PB.registerOptimizerLastEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel Level,
         ThinOrFullLTOPhase Phase) {
        PluginOptions Opts = readAndApplyOptions();
        if (Opts.Enabled && Level == OptimizationLevel::O0)
          MPM.addPass(CoroFrameOptModulePass(Opts, /*AtO0=*/true));
        // Frame-size markers the drivers did not resolve (ThinLTO pre-link
        // splits nothing): back to their argument before code generation.
        if (Opts.isEnabled(PassId::Overlap))
          MPM.addPass(CoroFrameSizeCleanupPass());
        // Markers left in code the drivers never saw as a coroutine's.
        if (Opts.isEnabled(PassId::Scopes))
          MPM.addPass(CoroScopeMarkersCleanupPass());
        // Above O0: every resume through a handle gets its check, now that
        // nothing inlines any more; then entry checks of `.resume` that no
        // direct call needs go. Not in ThinLTO's pre-link, which splits
        // nothing and inlines again at the link: the marks travel in the
        // bitcode to the backend, where the plugin is loaded too.
        if (Level != OptimizationLevel::O0 &&
            Phase != ThinOrFullLTOPhase::ThinLTOPreLink &&
            Opts.completedResumePolicy(/*AtO0=*/false) !=
                CompletedResumePolicy::UB)
          MPM.addPass(CoroCompletedResumeCleanupPass(
              Opts.completedResumePolicy(/*AtO0=*/false)));
      });
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "CoroFrameOpt", "0.1.0", registerCallbacks};
}
