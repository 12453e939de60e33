//===- ScopeMarkerFormat.h - How object scopes are written in IR -*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// The IR form of the object scopes `coro-record-scopes` (CoroScopeMarkers.h)
/// writes before CoroSplit and the frame analysis reads after it: a format
/// between passes, here so that the analysis depends on it and not on the
/// pass that writes it.
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
/// The tag names the operand (0), the object (7) and its size (64). On the
/// awaiter operand of `llvm.coro.await.suspend.*` it is also a parameter
/// attribute `corofo.scope="7:64"` (CoroSplit keeps parameter attributes of
/// the call it makes of it, not metadata). The alloca itself carries its id
/// as `!corofo.scope.id`. `llvm.var.annotation` is dropped by code
/// generation, so a marker that survives anywhere costs nothing.
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_ANALYSIS_SCOPEMARKERFORMAT_H
#define COROFRAMEOPT_ANALYSIS_SCOPEMARKERFORMAT_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace llvm {
class CallBase;
class Function;
class Instruction;
class LLVMContext;
class MDNode;
class Value;
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
/// The tag of operand \p OpNo in a tag node \p MD, if it has one.
std::optional<ScopeTag> scopeTagIn(const llvm::MDNode &MD, unsigned OpNo);

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

/// Annotation texts of the start and end markers; metadata kind of an
/// alloca's object id.
inline constexpr llvm::StringLiteral ScopeStartText = "corofo.scope.start";
inline constexpr llvm::StringLiteral ScopeEndText = "corofo.scope.end";
inline constexpr const char *ScopeIdKind = "corofo.scope.id";

/// The text of a constant C string global, if \p V is one.
std::optional<llvm::StringRef> annotationText(const llvm::Value *V);

/// The arguments of \p CB that may carry attributes: the attribute list
/// holds sets for the function, the return value and then the parameters up
/// to the last one that has any (most calls have none: nothing to look up).
unsigned argsWithAttributes(const llvm::CallBase &CB);

/// The tag of a call argument as a string parameter attribute "id:size".
std::optional<ScopeTag> argumentScopeTag(const llvm::Instruction &I,
                                         unsigned OpNo);

/// Drop the tag attributes from \p I's arguments.
bool removeArgumentScopeTags(llvm::Instruction &I);

} // namespace corofo

#endif // COROFRAMEOPT_ANALYSIS_SCOPEMARKERFORMAT_H
