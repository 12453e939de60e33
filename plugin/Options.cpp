//===- Options.cpp - Command-line options of the plugin -------------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Every option is an enum or a number so that LLVM's option parser rejects
/// an unknown value with a message naming the option and the accepted values.
//===----------------------------------------------------------------------===//

#include "Options.h"

#include "TransformBisect.h"

#include "llvm/Support/CommandLine.h"

using namespace llvm;

namespace corofo {

static cl::OptionCategory Category("CoroFrameOpt options",
                                   "Options of the coroutine frame plugin");

static cl::opt<bool> EnableAll(
    "coro-frame-opt-enable", cl::init(true), cl::cat(Category),
    cl::desc("Add CoroFrameOpt's passes to clang's and opt's default "
             "pipelines (default: true)"));

static cl::list<PassId> DisabledPasses(
    "coro-frame-opt-disable", cl::CommaSeparated, cl::cat(Category),
    cl::desc("Leave these CoroFrameOpt passes out of the default pipelines"),
    // cl::values(...) as a braced list, which may end in a comma.
    cl::ValuesClass({
#define CORO_DISABLE(ID, VALUE, PASS, HELP, TRY)                               \
  clEnumValN(PassId::ID, VALUE, PASS " (" HELP ")"),
#include "CoroPasses.def"
    }));

namespace {
/// CompletedResumePolicy plus "not given".
enum class PolicyChoice { ByLevel, Pending, Trap, UB };
} // namespace

static cl::opt<PolicyChoice> CompletedResume(
    "coro-frame-opt-completed-resume", cl::init(PolicyChoice::ByLevel),
    cl::cat(Category),
    cl::desc("What resuming a coroutine that has already completed does "
             "(default: trap at -O0, pending at -O1 and above)"),
    cl::values(clEnumValN(PolicyChoice::Pending, "pending",
                          "nothing; the resume returns to its caller"),
               clEnumValN(PolicyChoice::Trap, "trap",
                          "print a message on stderr and trap"),
               clEnumValN(PolicyChoice::UB, "ub",
                          "stock LLVM behaviour (undefined)")));

static cl::opt<uint64_t> WarnAbove(
    "coro-frame-opt-warn-above", cl::init(0), cl::cat(Category),
    cl::value_desc("bytes"),
    cl::desc("Warn when a coroutine frame is larger than this many bytes, "
             "naming its largest slots (0: never)"));

static cl::opt<bool> PrintAnalysis(
    "coro-frame-opt-print-analysis", cl::init(false), cl::cat(Category),
    cl::Hidden,
    cl::desc("Print the frame analysis of every coroutine where the default "
             "pipeline handles it (for tests)"));

static cl::opt<bool> CollapseCarryConstants(
    "coro-frame-opt-collapse-constants", cl::init(true), cl::cat(Category),
    cl::Hidden,
    cl::desc("coro-state-collapse: also merge states whose code differs in "
             "constants, carrying them in a frame slot where the code "
             "dropped is more than twice the code added (default true)"));

static cl::opt<int64_t> MaxTransforms(
    "coro-frame-opt-max-transforms", cl::init(-1), cl::cat(Category),
    cl::value_desc("N"),
    cl::desc("Apply only the first N transformations of CoroFrameOpt's "
             "passes and list every one on stderr, to pin a miscompile to "
             "one change (like -opt-bisect-limit; default -1: all, silent)"));

static cl::opt<bool> TestFault(
    "coro-frame-opt-test-fault", cl::init(false), cl::cat(Category),
    cl::Hidden,
    cl::desc("Deliberately miscompile: checked resume sites skip resumes of "
             "coroutines that have not completed (tests of coro-difftest)"));

PluginOptions readPluginOptions() {
  PluginOptions O;
  O.Enabled = EnableAll;
  O.Report.WarnAbove = WarnAbove;
  O.PrintAnalysis = PrintAnalysis;
  O.CollapseCarryConstants = CollapseCarryConstants;
  O.MaxTransforms = MaxTransforms;
  O.TestFault = TestFault;
  for (PassId P : DisabledPasses)
    O.Disabled[static_cast<unsigned>(P)] = true;
  switch (CompletedResume) {
  case PolicyChoice::ByLevel:
    break;
  case PolicyChoice::Pending:
    O.CompletedResume = CompletedResumePolicy::Pending;
    break;
  case PolicyChoice::Trap:
    O.CompletedResume = CompletedResumePolicy::Trap;
    break;
  case PolicyChoice::UB:
    O.CompletedResume = CompletedResumePolicy::UB;
    break;
  }
  return O;
}

void applyProcessOptions(const PluginOptions &O) {
  setTransformLimit(O.MaxTransforms);
  setCompletedResumeTestFault(O.TestFault);
}

} // namespace corofo
