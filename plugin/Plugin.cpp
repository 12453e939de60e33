//===- Plugin.cpp - Registration of the CoroFrameOpt pass plugin ----------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Entry point for `clang -fpass-plugin=` and `opt -load-pass-plugin=`.
///
/// Registers every pass of CoroPasses.def (the one table of the plugin's
/// passes) for textual pipelines, at its pass manager level, with its class
/// name for -print-pipeline-passes. Among them the drivers: coro-frame-opt
/// (module: every enabled pass, all coroutines of the module; cgscc: every
/// enabled pass, ramps in the SCC) and coro-presplit (function: the enabled
/// passes before CoroSplit as one entry),
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
#include "CoroDeadPaths.h"
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

#include <cstring>
#include <string_view>

using namespace llvm;
using namespace corofo;

static_assert(LLVM_VERSION_MAJOR == 22,
              "CoroFrameOpt is written against LLVM 22's pass API");

/// Whether \p N is the `-passes=` name of a pass of CoroPasses.def.
static constexpr bool isPassName(std::string_view N) {
  return false
#define CORO_MODULE_PASS(NAME, CLASS, CREATE_PASS) || N == NAME
#define CORO_MODULE_PASS_WITH_PARAMS(NAME, CLASS, CREATE_PASS, PARSER, PARAMS) \
  || N == NAME
#define CORO_CGSCC_PASS(NAME, CLASS, CREATE_PASS) || N == NAME
#define CORO_FUNCTION_PASS(NAME, CLASS, CREATE_PASS) || N == NAME
#include "CoroPasses.def"
      ;
}
// The pass a -coro-frame-opt-disable value names (in its help text) exists.
#define CORO_DISABLE(ID, VALUE, PASS, HELP, TRY)                               \
  static_assert(isPassName(PASS), "CORO_DISABLE(" #ID "): no pass " PASS);
#include "CoroPasses.def"

/// The options of a pipeline being built, with the process-wide ones applied
/// (every default pipeline and every pass named in -passes=).
static PluginOptions readAndApplyOptions() {
  PluginOptions Opts = readPluginOptions();
  applyProcessOptions(Opts);
  return Opts;
}

/// The parameters of `coro-completed-resume<pending|trap|ub>`: \p Param is
/// the text after the name (empty, or `<...>`). No parameter: the
/// command-line policy, else pending.
static std::optional<CompletedResumePolicy>
parseCompletedResumeParams(StringRef Param, const PluginOptions &Opts) {
  if (Param.empty())
    return Opts.CompletedResume.value_or(CompletedResumePolicy::Pending);
  StringRef Text = Param.drop_front().drop_back();
  std::optional<CompletedResumePolicy> P = parseCompletedResumePolicy(Text);
  if (!P)
    errs() << "coro-completed-resume: unknown policy '" << Text
           << "' (expected pending, trap or ub)\n";
  return P;
}

// One parsing callback per pass manager level, each trying the names of
// CoroPasses.def at its level. The options are read only for a name that
// matches.
#define CORO_PARSE_PASS(NAME, PM, CREATE_PASS)                                 \
  if (Name == NAME) {                                                          \
    [[maybe_unused]] PluginOptions Opts = readAndApplyOptions();               \
    PM.addPass(CREATE_PASS);                                                   \
    return true;                                                               \
  }

static bool parseModulePass(StringRef Name, ModulePassManager &MPM,
                            ArrayRef<PassBuilder::PipelineElement>) {
#define CORO_MODULE_PASS(NAME, CLASS, CREATE_PASS)                             \
  CORO_PARSE_PASS(NAME, MPM, CREATE_PASS)
#define CORO_MODULE_PASS_WITH_PARAMS(NAME, CLASS, CREATE_PASS, PARSER, PARAMS) \
  if (PassBuilder::checkParametrizedPassName(Name, NAME)) {                    \
    PluginOptions Opts = readAndApplyOptions();                                \
    auto Parsed = PARSER(Name.drop_front(strlen(NAME)), Opts);                 \
    if (!Parsed)                                                               \
      return false;                                                            \
    auto &Params = *Parsed;                                                    \
    MPM.addPass(CREATE_PASS);                                                  \
    return true;                                                               \
  }
#include "CoroPasses.def"
  return false;
}

static bool parseCGSCCPass(StringRef Name, CGSCCPassManager &CGPM,
                           ArrayRef<PassBuilder::PipelineElement>) {
#define CORO_CGSCC_PASS(NAME, CLASS, CREATE_PASS)                              \
  CORO_PARSE_PASS(NAME, CGPM, CREATE_PASS)
#include "CoroPasses.def"
  return false;
}

static bool parseFunctionPass(StringRef Name, FunctionPassManager &FPM,
                              ArrayRef<PassBuilder::PipelineElement>) {
#define CORO_FUNCTION_PASS(NAME, CLASS, CREATE_PASS)                           \
  CORO_PARSE_PASS(NAME, FPM, CREATE_PASS)
#include "CoroPasses.def"
  return false;
}

#undef CORO_PARSE_PASS

/// The function simplification pipeline being built, between its
/// ScalarOptimizerLate point and the peephole point that ends it.
static const FunctionPassManager *LastPeepholeOf = nullptr;

/// The plugin's pass names, for -passes= and -print-pipeline-passes.
static void registerPassNames(PassBuilder &PB) {
  PB.registerPipelineParsingCallback(parseModulePass);
  PB.registerPipelineParsingCallback(parseCGSCCPass);
  PB.registerPipelineParsingCallback(parseFunctionPass);
  // So that -print-pipeline-passes prints names opt can parse back.
  if (PassInstrumentationCallbacks *PIC = PB.getPassInstrumentationCallbacks()) {
#define CORO_PASS_NAME(NAME, CLASS) PIC->addClassToPassName(CLASS::name(), NAME);
#define CORO_MODULE_PASS(NAME, CLASS, CREATE_PASS)                             \
  CORO_PASS_NAME(NAME, CLASS)
#define CORO_MODULE_PASS_WITH_PARAMS(NAME, CLASS, CREATE_PASS, PARSER, PARAMS) \
  CORO_PASS_NAME(NAME, CLASS)
#define CORO_CGSCC_PASS(NAME, CLASS, CREATE_PASS)                              \
  CORO_PASS_NAME(NAME, CLASS)
#define CORO_FUNCTION_PASS(NAME, CLASS, CREATE_PASS)                           \
  CORO_PASS_NAME(NAME, CLASS)
#include "CoroPasses.def"
#undef CORO_PASS_NAME
  }
}

/// Where clang's pipelines run the passes before CoroSplit (and, above O0,
/// the CGSCC driver inside the walk that splits).
static void registerPresplitHooks(PassBuilder &PB) {
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
}

/// What runs at the end of the module pipeline: the -O0 driver and the
/// cleanups.
static void registerOptimizerLastHooks(PassBuilder &PB) {
  // The O0 pipeline has no CGSCCOptimizerLate point; OptimizerLast is the one
  // extension point after its CoroSplit.
  PB.registerOptimizerLastEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel Level,
         ThinOrFullLTOPhase Phase) {
        PluginOptions Opts = readAndApplyOptions();
        if (Opts.Enabled && Level == OptimizationLevel::O0)
          MPM.addPass(CoroFrameOptModulePass(Opts, /*AtO0=*/true));
        // Above O0 simplification deletes the code the split left behind
        // branches on constants; at O0 code generation would compile it.
        // After the driver: the frame analysis reads the clones in the shape
        // CoroSplit gives them (e.g. a .resume without a dispatch enters its
        // one state where the chain from its entry ends at the suspend's
        // folded switch).
        if (Level == OptimizationLevel::O0 &&
            Opts.isEnabled(PassId::DeadPaths))
          MPM.addPass(CoroPruneDeadPathsPass());
        // Frame-size markers the drivers did not resolve (ThinLTO pre-link
        // splits nothing): back to their argument before code generation.
        if (Opts.isEnabled(PassId::Overlap))
          MPM.addPass(CoroFrameSizeCleanupPass());
        // Above O0: every resume through a handle gets its check, now that
        // nothing inlines any more; then entry checks of `.resume` that no
        // direct call needs go. Not in ThinLTO's pre-link, which splits
        // nothing and inlines again at the link: the marks travel in the
        // bitcode to the backend, where the plugin is loaded too.
        bool CheckSites = Level != OptimizationLevel::O0 &&
                          Phase != ThinOrFullLTOPhase::ThinLTOPreLink &&
                          Opts.completedResumePolicy(/*AtO0=*/false) !=
                              CompletedResumePolicy::UB;
        // Markers left in code the drivers never saw as a coroutine's: in
        // the checks' walk over every function when there is one.
        if (Opts.isEnabled(PassId::Scopes) && !CheckSites)
          MPM.addPass(CoroScopeMarkersCleanupPass());
        if (CheckSites)
          MPM.addPass(CoroCompletedResumeCleanupPass(
              Opts.completedResumePolicy(/*AtO0=*/false),
              /*StripScopeMarkers=*/Opts.isEnabled(PassId::Scopes)));
      });
}

static void registerCallbacks(PassBuilder &PB) {
  registerPassNames(PB);
  registerPresplitHooks(PB);
  registerOptimizerLastHooks(PB);
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "CoroFrameOpt", "0.1.0", registerCallbacks};
}
