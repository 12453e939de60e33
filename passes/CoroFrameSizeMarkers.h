//===- CoroFrameSizeMarkers.h - Frame size kept visible past CoroSplit -*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroFrameSizeMarkers
///
/// DESCRIPTION: CoroSplit replaces `llvm.coro.size` with a constant. When
/// the allocator is visible in the TU, the inliner has by then put it into
/// the ramp, so the constant lands in counters, size-class selection,
/// `p + size` of allocators that keep data past the frame, `malloc(N)`, and
/// the sized delete of `.destroy`/`.cleanup`: after the split nobody can
/// tell which `192` is the frame size. `coro-mark-frame-size` runs on
/// presplit coroutines just before CoroSplit and routes every use of
/// `llvm.coro.size` through a marker:
///
///   %s = call i64 @llvm.coro.size.i64()
///   %m = call i64 @corofo.frame.size.i64(i64 %s)   ; all former uses of %s
///
/// CoroSplit turns `%s` into `192` and copies the marker wherever the size
/// is used, in the ramp and the clones. After coro-frame-overlap chose the
/// new layout, every marker of the coroutine becomes the new size (or, when
/// the frame keeps its layout, its argument), so the allocation, what the
/// allocator computes from the size, and every sized deallocation agree.
///
/// The marker is declared `memory(none) nounwind willreturn`, as
/// `llvm.coro.size` is: optimizations may drop an unused one and merge two
/// with the same argument where one dominates the other, exactly as they
/// treat the intrinsic, and none can look through it. (A definition would
/// be a new call graph node, which a function pass inside the CGSCC walk
/// must not create.) `coro-frame-size-cleanup` at OptimizerLast replaces
/// every marker left by its argument: CoroSplit's size, or `llvm.coro.size`
/// itself where nothing was split (ThinLTO pre-link), so no marker reaches
/// code generation.
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so
///       -passes='function(coro-mark-frame-size),coro-early,cgscc(coro-split),coro-frame-overlap,coro-frame-size-cleanup' in.ll
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROFRAMESIZEMARKERS_H
#define COROFRAMEOPT_PASSES_COROFRAMESIZEMARKERS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/PassManager.h"

#include <cstdint>
#include <optional>

namespace llvm {
class CallInst;
class Function;
class Instruction;
class Module;
} // namespace llvm

namespace corofo {

/// Prefix of the marker functions' names (`corofo.frame.size.i64`, `.i32`).
inline constexpr const char *FrameSizeMarkerPrefix = "corofo.frame.size.";

/// Whether \p I is a call of a frame-size marker.
bool isFrameSizeMarker(const llvm::Instruction &I);

/// A module's markers by function. A caller that handles every coroutine of
/// a module in turn (the -O0 module pass, where all of them still hold
/// their markers) builds it once: finding each coroutine's markers among
/// the users of the marker functions would go over every other
/// coroutine's, quadratic in their number. resolveFrameSizeMarkers keeps
/// it up to date.
using FrameSizeMarkerIndex =
    llvm::DenseMap<const llvm::Function *,
                   llvm::SmallVector<llvm::CallInst *, 2>>;
FrameSizeMarkerIndex indexFrameSizeMarkers(llvm::Module &M);

/// The markers in \p Fns (the functions of one coroutine), from \p Index
/// when given.
llvm::SmallVector<llvm::CallInst *, 4>
findFrameSizeMarkers(llvm::ArrayRef<llvm::Function *> Fns,
                     const FrameSizeMarkerIndex *Index = nullptr);

/// Replace each marker by \p Size, or by its own argument when \p Size is
/// empty, and erase it; their functions leave \p Index. Returns how many
/// were replaced.
unsigned resolveFrameSizeMarkers(llvm::ArrayRef<llvm::CallInst *> Markers,
                                 std::optional<uint64_t> Size,
                                 FrameSizeMarkerIndex *Index = nullptr);

/// Route the uses of `llvm.coro.size` in presplit coroutine \p F through
/// markers. Idempotent. Returns true if it changed \p F.
bool markFrameSizes(llvm::Function &F);

/// `coro-mark-frame-size`: markFrameSizes on every presplit switch-ABI
/// coroutine.
struct CoroMarkFrameSizePass : llvm::PassInfoMixin<CoroMarkFrameSizePass> {
  llvm::PreservedAnalyses run(llvm::Function &F,
                              llvm::FunctionAnalysisManager &AM);
  // At -O0 clang marks every function optnone; the markers must still go in
  // (an always_inline allocator is inlined there too).
  static bool isRequired() { return true; }
};

/// `coro-frame-size-cleanup`: every marker left in the module becomes its
/// argument (CoroSplit's size, or `llvm.coro.size` where nothing was split),
/// and the marker functions go.
struct CoroFrameSizeCleanupPass
    : llvm::PassInfoMixin<CoroFrameSizeCleanupPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  // Runs at OptimizerLast at every level, -O0 (optnone) included.
  static bool isRequired() { return true; }
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROFRAMESIZEMARKERS_H
