//===- CoroScopeMarkers.h - Object scopes recorded before CoroSplit -*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroScopeMarkers
///
/// DESCRIPTION: when CoroSplit moves an alloca into the frame it erases the
/// alloca's lifetime markers and may give several allocas one field, so after
/// the split an object whose address escaped into a call looks live in every
/// state, and a field looks live wherever any of its objects is.
/// `coro-record-scopes` runs on presplit coroutines just before CoroSplit
/// (ScalarOptimizerLate, O1+) and writes down, in a form CoroSplit copies into
/// every clone, whose each access is and where escaped objects' scopes end:
///
///   call void @g(ptr %a)            ; %a = alloca [64 x i8]; address escapes
///     -> call void @g(ptr %a), !corofo.scope !{i64 0, i64 7, i64 64}
///   call void @llvm.lifetime.start.p0(ptr %a)
///     -> call void @llvm.var.annotation(ptr null, ptr @corofo.scope.start,
///                                       ptr null, i32 7, ptr null) + it
///   call void @llvm.lifetime.end.p0(ptr %a)
///     -> it + call void @llvm.var.annotation(ptr null, ptr @corofo.scope.end,
///                                            ptr null, i32 7, ptr null)
///
/// The tag names the operand (0), the object (7) and its size (64); every
/// instruction that accesses an object or lets its address escape gets one.
/// For objects whose address escapes, a start marker precedes each
/// lifetime.start and an end marker follows each lifetime.end. None of them
/// is a use of the alloca, so CoroSplit's choices (which allocas go into the
/// frame, which share a field) do not change. After the split the frame
/// analysis bounds an escaped object to the program points reachable from
/// its tagged escapes or start markers without passing one of its end
/// markers, and splits a field LLVM gave several objects where their sizes
/// differ (docs/frame-analysis.md says why both are sound); the plugin then
/// removes markers and tags. `llvm.var.annotation` is dropped by code
/// generation, so a marker that survives anywhere costs nothing.
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so
///       -passes='function(coro-record-scopes),coro-split' in.ll
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROSCOPEMARKERS_H
#define COROFRAMEOPT_PASSES_COROSCOPEMARKERS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/PassManager.h"

#include <cstdint>
#include <optional>

namespace llvm {
class CallBase;
class Function;
class Instruction;
class LLVMContext;
class Module;
} // namespace llvm

namespace corofo {

/// Metadata kind of the tag on an instruction that accesses an object or
/// lets its address escape: triples of (operand number, object id, object
/// size in bytes).
inline constexpr const char *ScopeTagKind = "corofo.scope";

/// Whose address operand \p OpNo of a tagged instruction is.
struct ScopeTag {
  uint64_t Id;   ///< The object (an alloca of the presplit coroutine).
  uint64_t Size; ///< Its size: the instruction reaches no byte beyond it.
};
std::optional<ScopeTag> scopeTagFor(const llvm::Instruction &I, unsigned OpNo);
/// The same with ScopeTagKind's id in I's context, for callers that ask for
/// many instructions (looking a kind up by its name hashes the name).
std::optional<ScopeTag> scopeTagFor(const llvm::Instruction &I, unsigned OpNo,
                                    unsigned TagKindID);

/// What an `llvm.var.annotation` call means to the scope analysis.
enum class ScopeMarker {
  None,      ///< Not a call of ours (or not an annotation at all).
  Start,     ///< A well-formed start marker; the id is returned too.
  End,       ///< A well-formed end marker; the id is returned too.
  Malformed  ///< Our annotation with operands no longer constant (merged by
             ///< a later pass): the scopes of the coroutine are unknown.
};
ScopeMarker classifyScopeMarker(const llvm::Instruction &I, uint64_t &Id);

/// Remove the markers and tags from \p F. Returns true if it changed.
bool stripScopeMarkers(llvm::Function &F);

/// The same instruction by instruction, for callers that walk a function
/// anyway: visit() strips an instruction's tags and notes a marker, finish()
/// erases the markers noted. Each returns true if it changed something.
class ScopeMarkerStripper {
public:
  explicit ScopeMarkerStripper(llvm::LLVMContext &Ctx);
  bool visit(llvm::Instruction &I);
  bool finish();

private:
  unsigned TagKindID, IdKindID;
  llvm::SmallVector<llvm::Instruction *, 8> Dead;
};

/// Record object scopes in a presplit switch-ABI coroutine.
struct CoroRecordScopesPass : llvm::PassInfoMixin<CoroRecordScopesPass> {
  llvm::PreservedAnalyses run(llvm::Function &F,
                              llvm::FunctionAnalysisManager &AM);
  // Also at -O0, where clang makes every function optnone: the markers
  // change no code (they are removed before code generation).
  static bool isRequired() { return true; }
};

/// Remove every marker left in the module (e.g. in copies of ramp code that
/// CoroAnnotationElide inlined into callers before the plugin saw them).
struct CoroScopeMarkersCleanupPass
    : llvm::PassInfoMixin<CoroScopeMarkersCleanupPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  // Runs at OptimizerLast, after every function was optimized.
  static bool isRequired() { return true; }
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROSCOPEMARKERS_H
