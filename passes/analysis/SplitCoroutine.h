//===- SplitCoroutine.h - The functions of a split coroutine -----*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Which functions form a coroutine after LLVM's CoroSplit (ramp, .resume,
/// .destroy, .cleanup, .noalloc), and which functions are coroutines before
/// it. The frame analysis (CoroFrameAnalysis.h) starts from here; passes ask
/// here instead of matching names on their own.
///
/// A split switch-ABI coroutine is recognised by CoroSplit's naming contract:
/// the clones of ramp `F` are `F.resume`, `F.destroy`, `F.cleanup` (dropped once
/// unused) and `F.noalloc` (only for [[clang::coro_await_elidable]]). We check
/// the contract rather than trust it: the resume clone must take the frame
/// pointer as its first parameter, and the ramp, when present, must refer to
/// it. Retcon and async coroutines name their continuations `F.resume.N` and
/// are reported as unsupported, never changed.
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_ANALYSIS_SPLITCOROUTINE_H
#define COROFRAMEOPT_ANALYSIS_SPLITCOROUTINE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Alignment.h"

#include <cstdint>
#include <optional>
#include <string>

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace corofo {

/// The lowering ABI of a coroutine. Only Switch (what clang emits for C++20)
/// is analysed and transformed.
enum class CoroABI {
  Switch,
  Retcon,
  Async,
  /// Retcon or async: after CoroCleanup only `F.resume.N` names remain.
  Continuation
};

/// The functions of one split switch-ABI coroutine.
struct SplitCoroutine {
  llvm::Function *Ramp = nullptr;    ///< May be null once inlined/removed.
  llvm::Function *Resume = nullptr;  ///< Always present.
  llvm::Function *Destroy = nullptr; ///< Always present.
  llvm::Function *Cleanup = nullptr; ///< Null once dead (e.g. after O2 DCE).
  llvm::Function *NoAlloc = nullptr; ///< Only with coro_await_elidable.

  /// Frame size and alignment, as recorded on the clones' frame parameter
  /// (`dereferenceable(N) align(A)`). Absent when the attributes were dropped.
  std::optional<uint64_t> FrameSize;
  std::optional<llvm::Align> FrameAlign;

  /// The source-level name: the ramp's (or the resume clone's stem) name.
  std::string Name;

  /// Ramp first (when present), then the clones that exist.
  llvm::SmallVector<llvm::Function *, 5> functions() const;
  /// The function that carries the coroutine's source location for remarks.
  llvm::Function *anchor() const { return Ramp ? Ramp : Resume; }
};

/// A coroutine we recognise but do not handle (retcon or async ABI).
struct UnsupportedCoroutine {
  llvm::Function *F;
  CoroABI ABI;
};

/// If \p Ramp is the ramp of a split switch-ABI coroutine, return it.
std::optional<SplitCoroutine> getSplitCoroutine(llvm::Function &Ramp);

/// If \p F is the ramp or one of the clones of a split switch-ABI coroutine,
/// return the coroutine (so a CGSCC walk can act on its first member seen).
std::optional<SplitCoroutine> getSplitCoroutineOf(llvm::Function &F);

/// The name of the coroutine \p F may belong to (F's name without a clone
/// suffix, or F's own name if F.resume exists), or "" if F cannot be part of
/// a split coroutine. Cheap: no more than one look-up by name.
llvm::StringRef splitCoroutineStem(const llvm::Function &F);

/// F's name without a clone's suffix (.resume, .destroy, .cleanup,
/// .noalloc), or "" if F has none: splitCoroutineStem without the look-up
/// that recognises a ramp.
llvm::StringRef cloneStem(const llvm::Function &F);

/// Every split switch-ABI coroutine of \p M, in module order of their resume
/// clones (deterministic). Coroutines whose ramp is gone are included.
llvm::SmallVector<SplitCoroutine, 8> findSplitCoroutines(llvm::Module &M);

/// If \p F is the ramp of a retcon or async coroutine, say which.
std::optional<CoroABI> getUnsupportedABI(const llvm::Function &F);

/// False if \p M declares no retcon or async coro.id intrinsic: until a
/// module pass drops unused declarations (not in the CGSCC walk), none of its
/// functions is then a retcon or async coroutine or continuation.
bool mayHoldContinuationCoroutines(const llvm::Module &M);

/// Whether \p F is a coroutine before CoroSplit with the switch ABI (what
/// clang emits for C++20: `presplitcoroutine` and a call of llvm.coro.id).
bool isSwitchPresplitCoroutine(const llvm::Function &F);

/// Printable name of an ABI ("switch", "retcon", "async", "retcon-or-async").
llvm::StringRef abiName(CoroABI ABI);

/// Demangled, human-readable name of a coroutine or function.
std::string displayName(llvm::StringRef MangledName);

} // namespace corofo

#endif // COROFRAMEOPT_ANALYSIS_SPLITCOROUTINE_H
