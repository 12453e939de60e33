//===- Options.h - Command-line options of the plugin -----------*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// The plugin's `-mllvm -coro-frame-opt-*` options, read once when a pipeline
/// is built. Passes never read command-line options themselves: the plugin
/// hands them a plain struct, so IR tests can drive them with any settings.
/// The passes that can be disabled come from plugin/CoroPasses.def.
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PLUGIN_OPTIONS_H
#define COROFRAMEOPT_PLUGIN_OPTIONS_H

#include "CoroCompletedResume.h"
#include "CoroFrameReport.h"

#include <array>
#include <cstdint>
#include <optional>

namespace corofo {

/// The passes that can be switched off one by one (-coro-frame-opt-disable=),
/// as plugin/CoroPasses.def lists them.
enum class PassId {
#define CORO_DISABLE(ID, VALUE, PASS, HELP, TRY) ID,
#include "CoroPasses.def"
};

/// How many PassId values there are.
constexpr unsigned NumPassIds = 0
#define CORO_DISABLE(ID, VALUE, PASS, HELP, TRY) +1
#include "CoroPasses.def"
    ;

struct PluginOptions {
  /// False with `-coro-frame-opt-enable=false`: the plugin adds nothing to
  /// clang's pipelines (named passes still run when asked for explicitly).
  bool Enabled = true;
  /// Indexed by PassId: named in `-coro-frame-opt-disable=`.
  std::array<bool, NumPassIds> Disabled{};
  /// `-coro-frame-opt-completed-resume`; unset: by optimization level.
  std::optional<CompletedResumePolicy> CompletedResume;
  ReportOptions Report; ///< Settings of the frame report.
  /// Print the frame analysis of each coroutine the drivers handle (tests).
  bool PrintAnalysis = false;
  /// coro-state-collapse also carries constants where that saves code.
  bool CollapseCarryConstants = true;
  /// `-coro-frame-opt-max-transforms`; negative: no limit. Process-wide:
  /// takes effect through applyProcessOptions.
  int64_t MaxTransforms = -1;
  /// `-coro-frame-opt-test-fault` (hidden; tests of coro-difftest).
  /// Process-wide: takes effect through applyProcessOptions.
  bool TestFault = false;

  bool isEnabled(PassId P) const {
    if (!Enabled || Disabled[static_cast<unsigned>(P)])
      return false;
    // Only the overlap uses the recorded scopes.
    return P != PassId::Scopes || isEnabled(PassId::Overlap);
  }

  /// The policy for resuming a completed coroutine: as given, else trap at
  /// -O0 (debug builds catch the bug where it happens) and pending above.
  /// Disabling the pass means stock behaviour (ub).
  CompletedResumePolicy completedResumePolicy(bool AtO0) const {
    if (!isEnabled(PassId::CompletedResume))
      return CompletedResumePolicy::UB;
    if (CompletedResume)
      return *CompletedResume;
    return AtO0 ? CompletedResumePolicy::Trap : CompletedResumePolicy::Pending;
  }
};

/// The options as given on the command line. Reads them only: changes
/// nothing, and may be called as often as wanted.
PluginOptions readPluginOptions();

/// Make the process-wide settings of \p O take effect: the transformation
/// limit (TransformBisect.h) and the completed-resume test fault. The only
/// options that are not handed to the passes in the struct.
void applyProcessOptions(const PluginOptions &O);

} // namespace corofo

#endif // COROFRAMEOPT_PLUGIN_OPTIONS_H
