//===- CoroFrameReport.h - Report coroutine frame sizes ---------*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroFrameReport
///
/// DESCRIPTION: reports what is in each split switch-ABI coroutine's frame,
/// using the frame analysis. Changes nothing. Emits:
///  - `coro-frame` / `CoroFrame` (analysis): one per coroutine, with its
///    frame size, lower bound, state count and largest slots;
///  - `coro-slots` / `CoroFrameSlot` (analysis): one per slot (offset,
///    size, kind, live states, escaped, source name and what the name rests
///    on);
///  - `coro-frame` / `NotAnalysed` (missed): the analysis could not read the
///    frame, and why; `coro-frame` / `UnsupportedABI` (missed): retcon/async;
///  - a warning when a frame is larger than the user's threshold.
/// `print<coro-frame>` prints the full analysis for tests.
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so -passes=coro-frame-report
///       -pass-remarks-analysis=coro-frame -disable-output in.ll
///   clang++ -O2 -fpass-plugin=libCoroFrameOpt.so -Rpass-analysis=coro-frame
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROFRAMEREPORT_H
#define COROFRAMEOPT_PASSES_COROFRAMEREPORT_H

#include "llvm/IR/PassManager.h"

#include <cstdint>

namespace llvm {
class LLVMContext;
class OptimizationRemarkEmitter;
class raw_ostream;
} // namespace llvm

namespace corofo {

struct SplitCoroutine;
struct FrameLayout;
enum class CoroABI;

/// The remarks' pass names; `-Rpass-analysis=coro-frame` selects the
/// per-coroutine summary, `coro-slots` the per-slot detail.
inline constexpr const char *ReportRemarkPass = "coro-frame";
inline constexpr const char *SlotRemarkPass = "coro-slots";

/// Which remarks that show slot names go anywhere (remarksWanted, in
/// RemarksWanted.h): the report's summary and slots, and the overlap's. A
/// report builds one remark per slot, each with names and state lists: not
/// for a record that drops them. Asked once per module, not per coroutine:
/// each question may match the record's pass filter, a regular expression.
struct WantedRemarks {
  bool Summary = false, Slots = false, Overlap = false;
  static WantedRemarks in(llvm::LLVMContext &Ctx);
  /// Whether slot names and the lower bound have a reader.
  bool any() const { return Summary || Slots || Overlap; }
};

struct ReportOptions {
  /// Warn when a frame is larger than this many bytes (0: never).
  uint64_t WarnAbove = 0;
};

/// Emit the remarks (and the size warning) for one coroutine. ORE belongs to
/// C.anchor().
void reportCoroutineFrame(const SplitCoroutine &C, const FrameLayout &L,
                          const ReportOptions &Opts,
                          const WantedRemarks &Wanted,
                          llvm::OptimizationRemarkEmitter &ORE);

/// Emit the missed remark saying \p F is left alone because of its \p ABI.
void reportUnsupportedABI(llvm::Function &F, CoroABI ABI,
                          llvm::OptimizationRemarkEmitter &ORE);

/// Print the analysis of \p C in a stable text form (for tests).
void printFrameLayout(const SplitCoroutine &C, const FrameLayout &L,
                      llvm::raw_ostream &OS);

/// Module form, for `opt -passes=coro-frame-report`.
struct CoroFrameReportPass : llvm::PassInfoMixin<CoroFrameReportPass> {
  explicit CoroFrameReportPass(ReportOptions Opts = {}) : Opts(Opts) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  // Clang marks every function optnone at -O0, where this must still run.
  static bool isRequired() { return true; }

private:
  ReportOptions Opts; ///< Size warning threshold.
};

/// `print<coro-frame>`: the analysis of every coroutine, to stderr.
struct CoroFramePrinterPass : llvm::PassInfoMixin<CoroFramePrinterPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  static bool isRequired() { return true; }
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROFRAMEREPORT_H
