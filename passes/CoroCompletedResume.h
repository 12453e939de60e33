//===- CoroCompletedResume.h - Resuming a completed coroutine ---*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroCompletedResume
///
/// DESCRIPTION: gives resuming a coroutine that already completed a defined
/// outcome. Stock LLVM calls through the null resume pointer (O0) or, once
/// the frame is elided and `.resume` called directly, runs a state's body a
/// second time (O2). The policy:
///   pending  the resume does nothing and returns to its caller; a symmetric
///            transfer into the coroutine returns to whoever resumed the
///            transferring one (the executor);
///   trap     a message naming the coroutine (or the resuming function) on
///            stderr, then llvm.trap;
///   ub       no change.
///
/// Completion is read where every TU agrees on it: the resume slot (offset 0
/// of the frame) is null once the final suspend is reached; that encoding is
/// the ABI of coroutine_handle::done(). Two checks use it:
///  - callee side: `.resume` tests its own resume slot before dispatching.
///    This covers direct calls after CoroElide, which bypass the handle, and
///    the -fno-exceptions final suspend, which does not store the index;
///  - caller side: each resume through a handle (`resume()`, `operator()`,
///    symmetric transfer) tests the pointer it is about to call, so that
///    coroutines of TUs built without the plugin are covered as well. Once
///    CoroElide knows the callee, the test folds away.
/// Nothing is written, so done() stays true and the frame stays as it was.
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so
///       -passes='coro-completed-resume<trap>' in.ll
///   clang++ -fpass-plugin=libCoroFrameOpt.so
///       -mllvm -coro-frame-opt-completed-resume=pending
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROCOMPLETEDRESUME_H
#define COROFRAMEOPT_PASSES_COROCOMPLETEDRESUME_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/PassManager.h"

#include <optional>

namespace llvm {
class CallBase;
class Function;
class Instruction;
class Module;
class OptimizationRemarkEmitter;
} // namespace llvm

namespace corofo {

struct SplitCoroutine;

/// The remarks' pass name.
inline constexpr const char *CompletedResumeRemarkPass = "coro-completed-resume";

enum class CompletedResumePolicy { Pending, Trap, UB };

std::optional<CompletedResumePolicy>
parseCompletedResumePolicy(llvm::StringRef Name);
llvm::StringRef policyName(CompletedResumePolicy P);

/// Callee side: make `.resume` of \p C act per \p P when its resume slot is
/// null. Returns true if IR changed. Must run before `.resume` is simplified
/// (see the shared facts: the dispatch switch loses its default later).
bool guardResumeEntry(const SplitCoroutine &C, CompletedResumePolicy P,
                      llvm::OptimizationRemarkEmitter &ORE);

/// Caller side: make every resume through a handle in \p F act per \p P when
/// the handle's resume pointer is null. Recognises the call before
/// CoroCleanup (`llvm.coro.subfn.addr(h, 0)`) and after it (a fastcc call of
/// the pointer loaded from offset 0 of its only argument). Sites done once
/// are marked and left alone later. Returns the number of sites changed.
/// With \p PrivatizeInlineCopies, a linkonce_odr function whose address is
/// not taken (std::coroutine_handle::resume() at -O0) becomes internal, so
/// the linker cannot pick an unchecked copy from a TU built without the plugin.
/// \p GetORE is asked only when there is something to report. \p AlsoVisit,
/// if given, sees every instruction of the walk that finds the sites (so
/// that a module-wide cleanup needs no walk of its own).
unsigned guardResumeSites(
    llvm::Function &F, CompletedResumePolicy P, bool PrivatizeInlineCopies,
    llvm::function_ref<llvm::OptimizationRemarkEmitter &(llvm::Function &)>
        GetORE,
    llvm::function_ref<void(llvm::Instruction &)> AlsoVisit = nullptr);

/// Above -O0 the caller-side checks go in only at the end of the pipeline,
/// so that they change no inlining decision (a check inside
/// std::coroutine_handle<>::resume() made every function it is inlined into
/// costlier). Until then each site carries metadata that the inliner copies
/// and ignores: markResumeSites(Module) marks what CoroEarly lowered
/// (`llvm.coro.subfn.addr(h, 0)` calls), invalidates the analyses of the
/// functions it marked sites in, and returns how many; markResumeSite one
/// call, for the symmetric transfers CoroSplit creates in a coroutine's
/// clones (the driver's walk over them calls it), and returns true if it
/// marked it.
unsigned markResumeSites(llvm::Module &M, llvm::FunctionAnalysisManager &FAM);
bool markResumeSite(llvm::CallBase &CB);

/// The entry check of `.resume` matters only for direct calls: a resume
/// through a handle loads null from a completed coroutine's resume slot and
/// is checked at the call. Once no pass can create direct calls any more
/// (after CoroCleanup: CoroElide needs llvm.coro.subfn.addr), drop the check
/// from every `.resume` that nothing calls directly. Returns how many; the
/// analyses of each one changed are invalidated in \p FAM, as by
/// hookEntryChecks.
unsigned dropUnneededEntryChecks(llvm::Module &M,
                                 llvm::FunctionAnalysisManager &FAM);

/// Under policy pending, the completed path of each remaining `.resume`
/// entry check calls `corofo_on_completed_resume("<coroutine>")` when the
/// program defines it. Done last, so that no inlining decision sees the call
/// (copies of the check inlined before then return silently). Returns the
/// number of entry checks hooked; the analyses of each function hooked are
/// invalidated in \p FAM.
unsigned hookEntryChecks(llvm::Module &M, llvm::FunctionAnalysisManager &FAM);

/// `coro-completed-resume-cleanup`, at the end of the -O1+ pipelines: checks
/// every resume site (the marked ones and the lowered ones) per the policy,
/// then dropUnneededEntryChecks. With \p StripScopeMarkers (the plugin's
/// pipeline, when scopes are recorded) it also does what
/// coro-scope-markers-cleanup does, in the same walk over each function.
struct CoroCompletedResumeCleanupPass
    : llvm::PassInfoMixin<CoroCompletedResumeCleanupPass> {
  explicit CoroCompletedResumeCleanupPass(CompletedResumePolicy P,
                                          bool StripScopeMarkers = false)
      : Policy(P), StripScopeMarkers(StripScopeMarkers) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  static bool isRequired() { return true; }

private:
  CompletedResumePolicy Policy;
  bool StripScopeMarkers;
};

/// `coro-mark-resume-sites`: markResumeSites on the module, right after
/// coro-early (O1+).
struct CoroMarkResumeSitesPass
    : llvm::PassInfoMixin<CoroMarkResumeSitesPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  static bool isRequired() { return true; }
};

/// For testing the tools that pin a miscompile to a transformation
/// (tools/coro-difftest): checked resume sites skip every resume of a coroutine
/// that has *not* completed. Never on outside tests.
void setCompletedResumeTestFault(bool On);

/// Module form: both sides on the whole module, for
/// `opt -passes='coro-completed-resume<pending|trap|ub>'`.
struct CoroCompletedResumePass
    : llvm::PassInfoMixin<CoroCompletedResumePass> {
  explicit CoroCompletedResumePass(CompletedResumePolicy P) : Policy(P) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  static bool isRequired() { return true; }

private:
  CompletedResumePolicy Policy;
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROCOMPLETEDRESUME_H
