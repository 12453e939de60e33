//===- ScopeMarkerFormat.cpp - How object scopes are written in IR --------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Readers and the stripper of the scope markers and tags (see
/// ScopeMarkerFormat.h); `coro-record-scopes` (CoroScopeMarkers.cpp) writes
/// them.
//===----------------------------------------------------------------------===//

#include "ScopeMarkerFormat.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Metadata.h"

using namespace llvm;

namespace corofo {

std::optional<StringRef> annotationText(const Value *V) {
  const auto *GV = dyn_cast<GlobalVariable>(V->stripPointerCasts());
  if (!GV || !GV->hasInitializer())
    return std::nullopt;
  const auto *Data = dyn_cast<ConstantDataSequential>(GV->getInitializer());
  if (!Data || !Data->isCString())
    return std::nullopt;
  return Data->getAsCString();
}

ScopeMarker classifyScopeMarker(const Instruction &I, uint64_t &Id) {
  const auto *II = dyn_cast<IntrinsicInst>(&I);
  if (!II || II->getIntrinsicID() != Intrinsic::var_annotation)
    return ScopeMarker::None;
  std::optional<StringRef> Text = annotationText(II->getArgOperand(1));
  if (!Text) {
    // Not a constant string any more: two annotations merged by a later
    // pass may have been ours.
    return isa<Constant>(II->getArgOperand(1)) ? ScopeMarker::None
                                               : ScopeMarker::Malformed;
  }
  if (*Text != ScopeStartText && *Text != ScopeEndText)
    return ScopeMarker::None;
  const auto *CI = dyn_cast<ConstantInt>(II->getArgOperand(3));
  if (!CI)
    return ScopeMarker::Malformed;
  Id = CI->getZExtValue();
  return *Text == ScopeStartText ? ScopeMarker::Start : ScopeMarker::End;
}

unsigned argsWithAttributes(const CallBase &CB) {
  unsigned Sets = CB.getAttributes().getNumAttrSets();
  return std::min<unsigned>(CB.arg_size(), Sets > 2 ? Sets - 2 : 0);
}

std::optional<ScopeTag> argumentScopeTag(const Instruction &I,
                                         unsigned OpNo) {
  const auto *CB = dyn_cast<CallBase>(&I);
  if (!CB || OpNo >= argsWithAttributes(*CB))
    return std::nullopt;
  Attribute A = CB->getParamAttr(OpNo, ScopeTagKind);
  if (!A.isStringAttribute())
    return std::nullopt;
  auto [IdText, SizeText] = A.getValueAsString().split(':');
  ScopeTag T;
  if (IdText.getAsInteger(10, T.Id) || SizeText.getAsInteger(10, T.Size))
    return std::nullopt;
  return T;
}

std::optional<ScopeTag> scopeTagFor(const Instruction &I, unsigned OpNo) {
  return scopeTagFor(I, OpNo, I.getContext().getMDKindID(ScopeTagKind));
}

std::optional<ScopeTag> scopeTagFor(const Instruction &I, unsigned OpNo,
                                    unsigned TagKindID) {
  const MDNode *MD = I.getMetadata(TagKindID);
  if (!MD)
    return argumentScopeTag(I, OpNo);
  return scopeTagIn(*MD, OpNo);
}

std::optional<ScopeTag> scopeTagIn(const MDNode &MD, unsigned OpNo) {
  if (MD.getNumOperands() % 3)
    return std::nullopt;
  for (unsigned K = 0; K + 2 < MD.getNumOperands(); K += 3) {
    auto *Op = mdconst::dyn_extract<ConstantInt>(MD.getOperand(K));
    auto *Id = mdconst::dyn_extract<ConstantInt>(MD.getOperand(K + 1));
    auto *Size = mdconst::dyn_extract<ConstantInt>(MD.getOperand(K + 2));
    if (Op && Id && Size && Op->getZExtValue() == OpNo)
      return ScopeTag{Id->getZExtValue(), Size->getZExtValue()};
  }
  return std::nullopt;
}

bool removeArgumentScopeTags(Instruction &I) {
  auto *CB = dyn_cast<CallBase>(&I);
  if (!CB)
    return false;
  bool Changed = false;
  for (unsigned K = 0, E = argsWithAttributes(*CB); K < E; ++K)
    if (CB->getParamAttr(K, ScopeTagKind).isValid()) {
      CB->removeParamAttr(K, ScopeTagKind);
      Changed = true;
    }
  return Changed;
}

ScopeMarkerStripper::ScopeMarkerStripper(LLVMContext &Ctx)
    : TagKindID(Ctx.getMDKindID(ScopeTagKind)),
      IdKindID(Ctx.getMDKindID(ScopeIdKind)) {}

bool ScopeMarkerStripper::visit(Instruction &I) {
  // Markers and argument tags are on calls, tags in metadata: the rest
  // (most of a function) has nothing to strip.
  if (!isa<CallBase>(I) && !I.hasMetadataOtherThanDebugLoc())
    return false;
  uint64_t Id = 0;
  ScopeMarker K = classifyScopeMarker(I, Id);
  if (K == ScopeMarker::Start || K == ScopeMarker::End)
    Dead.push_back(&I);
  bool Changed = false;
  // Each lookup hashes into the context's metadata table, and at -O1+
  // most loads and stores carry TBAA: one lookup each, as only allocas
  // carry an object id.
  if (I.hasMetadataOtherThanDebugLoc()) {
    unsigned Kind = isa<AllocaInst>(I) ? IdKindID : TagKindID;
    if (I.getMetadata(Kind)) {
      I.setMetadata(Kind, nullptr);
      Changed = true;
    }
  }
  return removeArgumentScopeTags(I) || Changed;
}

bool ScopeMarkerStripper::finish() {
  for (Instruction *I : Dead)
    I->eraseFromParent();
  bool Changed = !Dead.empty();
  Dead.clear();
  return Changed;
}

bool stripScopeMarkers(Function &F) {
  ScopeMarkerStripper Strip(F.getContext());
  bool Changed = false;
  for (Instruction &I : instructions(F))
    Changed |= Strip.visit(I);
  return Strip.finish() || Changed;
}

} // namespace corofo
