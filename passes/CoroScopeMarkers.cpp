//===- CoroScopeMarkers.cpp - Object scopes recorded before CoroSplit -----===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// See CoroScopeMarkers.h. Which objects get markers: allocas of a presplit
/// switch-ABI coroutine whose address escapes (is captured by a call, stored,
/// converted, returned); start and end markers where they have lifetime
/// markers. An alloca whose
/// address is used in a way this walk does not know gets no tags at all: after the split its slot then has an
/// untagged escape and the analysis keeps it live everywhere, as before.
//===----------------------------------------------------------------------===//

#include "CoroScopeMarkers.h"

#include "TransformBisect.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"

using namespace llvm;

#define DEBUG_TYPE "coro-record-scopes"

namespace corofo {

static constexpr StringLiteral StartText = "corofo.scope.start";
static constexpr StringLiteral EndText = "corofo.scope.end";
static constexpr const char *IdKind = "corofo.scope.id";

/// The text of a constant C string global, if \p V is one.
static std::optional<StringRef> annotationText(const Value *V) {
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
  if (*Text != StartText && *Text != EndText)
    return ScopeMarker::None;
  const auto *CI = dyn_cast<ConstantInt>(II->getArgOperand(3));
  if (!CI)
    return ScopeMarker::Malformed;
  Id = CI->getZExtValue();
  return *Text == StartText ? ScopeMarker::Start : ScopeMarker::End;
}

std::optional<uint64_t> scopeTagFor(const Instruction &I, unsigned OpNo) {
  const MDNode *MD = I.getMetadata(ScopeTagKind);
  if (!MD || MD->getNumOperands() % 2)
    return std::nullopt;
  for (unsigned K = 0; K + 1 < MD->getNumOperands(); K += 2) {
    auto *Op = mdconst::dyn_extract<ConstantInt>(MD->getOperand(K));
    auto *Id = mdconst::dyn_extract<ConstantInt>(MD->getOperand(K + 1));
    if (Op && Id && Op->getZExtValue() == OpNo)
      return Id->getZExtValue();
  }
  return std::nullopt;
}

bool stripScopeMarkers(Function &F) {
  SmallVector<Instruction *, 8> Dead;
  bool Changed = false;
  for (Instruction &I : instructions(F)) {
    uint64_t Id = 0;
    ScopeMarker K = classifyScopeMarker(I, Id);
    if (K == ScopeMarker::Start || K == ScopeMarker::End)
      Dead.push_back(&I);
    if (I.getMetadata(ScopeTagKind) || I.getMetadata(IdKind)) {
      I.setMetadata(ScopeTagKind, nullptr);
      I.setMetadata(IdKind, nullptr);
      Changed = true;
    }
  }
  for (Instruction *I : Dead)
    I->eraseFromParent();
  return Changed || !Dead.empty();
}

namespace {

/// How an alloca's address is used, from a walk over its derived pointers.
struct AddressUses {
  /// (instruction, operand) pairs through which the address escapes.
  SmallVector<std::pair<Instruction *, unsigned>, 4> Escapes;
  SmallVector<IntrinsicInst *, 2> Starts, Ends;
  /// A use the walk does not follow (phi, select, bundle, callee, ...).
  bool Unknown = false;
};

} // namespace

static AddressUses collectAddressUses(AllocaInst &AI) {
  AddressUses R;
  SmallVector<Value *, 8> Work{&AI};
  SmallPtrSet<Value *, 8> Seen{&AI};
  while (!Work.empty() && !R.Unknown) {
    Value *V = Work.pop_back_val();
    for (Use &U : V->uses()) {
      auto *I = cast<Instruction>(U.getUser());
      // Through a phi or select the address may merge with another: the
      // merged pointer's escapes are tagged with each object's id, and after
      // the split the analysis treats a merge of two frame objects as an
      // untagged escape of both.
      if (isa<GetElementPtrInst>(I) || isa<BitCastInst>(I) ||
          isa<AddrSpaceCastInst>(I) || isa<PHINode>(I) || isa<SelectInst>(I)) {
        if (Seen.insert(I).second)
          Work.push_back(I);
        continue;
      }
      if (isa<LoadInst>(I) || isa<ICmpInst>(I))
        continue;
      if (auto *SI = dyn_cast<StoreInst>(I)) {
        if (U.getOperandNo() != StoreInst::getPointerOperandIndex())
          R.Escapes.push_back({SI, U.getOperandNo()});
        continue;
      }
      if (auto *II = dyn_cast<IntrinsicInst>(I)) {
        if (II->isLifetimeStartOrEnd()) {
          // Only markers on the whole alloca describe its scope.
          if (V != &AI)
            continue;
          (II->getIntrinsicID() == Intrinsic::lifetime_start ? R.Starts
                                                              : R.Ends)
              .push_back(II);
          continue;
        }
        if (isa<DbgInfoIntrinsic>(II) || isa<AnyMemIntrinsic>(II))
          continue;
      }
      if (auto *CB = dyn_cast<CallBase>(I)) {
        if (CB->isCallee(&U) || !CB->isArgOperand(&U)) {
          R.Unknown = true;
          break;
        }
        if (!CB->doesNotCapture(CB->getArgOperandNo(&U)))
          R.Escapes.push_back({CB, U.getOperandNo()});
        continue;
      }
      if (isa<PtrToIntInst>(I) || isa<ReturnInst>(I) ||
          isa<InsertValueInst>(I)) {
        R.Escapes.push_back({I, U.getOperandNo()});
        continue;
      }
      R.Unknown = true;
      break;
    }
  }
  return R;
}

/// The constant C string global \p Text (in llvm.metadata, as clang emits
/// annotation strings), created on first use.
static GlobalVariable *annotationString(Module &M, StringRef Text) {
  std::string Name = ("." + Text).str();
  if (GlobalVariable *GV = M.getNamedGlobal(Name))
    if (annotationText(GV) == Text)
      return GV;
  Constant *Init = ConstantDataArray::getString(M.getContext(), Text);
  auto *GV = new GlobalVariable(M, Init->getType(), /*isConstant=*/true,
                                GlobalValue::PrivateLinkage, Init, Name);
  GV->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  GV->setSection("llvm.metadata");
  return GV;
}

/// Add (OpNo, Id) to \p I's tag unless it is there.
static void addTag(Instruction &I, unsigned OpNo, uint64_t Id) {
  if (scopeTagFor(I, OpNo) == Id)
    return;
  LLVMContext &Ctx = I.getContext();
  SmallVector<Metadata *, 4> Ops;
  if (MDNode *Old = I.getMetadata(ScopeTagKind))
    for (const MDOperand &Op : Old->operands())
      Ops.push_back(Op.get());
  Type *I32 = Type::getInt32Ty(Ctx);
  Ops.push_back(ConstantAsMetadata::get(ConstantInt::get(I32, OpNo)));
  Ops.push_back(ConstantAsMetadata::get(ConstantInt::get(I32, Id)));
  I.setMetadata(ScopeTagKind, MDNode::get(Ctx, Ops));
}

static bool isMarker(const Instruction *I, ScopeMarker Kind, uint64_t Id) {
  uint64_t Got = 0;
  return I && classifyScopeMarker(*I, Got) == Kind && Got == Id;
}

/// The switch-ABI coroutine's llvm.coro.begin, if \p F is one.
static bool isSwitchPresplitCoroutine(Function &F) {
  if (!F.isPresplitCoroutine())
    return false;
  for (Instruction &I : instructions(F))
    if (auto *II = dyn_cast<IntrinsicInst>(&I))
      if (II->getIntrinsicID() == Intrinsic::coro_id)
        return true;
  return false;
}

PreservedAnalyses CoroRecordScopesPass::run(Function &F,
                                            FunctionAnalysisManager &) {
  if (!isSwitchPresplitCoroutine(F))
    return PreservedAnalyses::all();
  // New ids never reuse one that a marker or tag still names (the object
  // may be gone, e.g. promoted, and its markers left behind). Tags are made
  // anew on every run: a pass may have moved a tagged operand to another
  // object since the last one.
  SmallVector<AllocaInst *, 8> Allocas;
  uint64_t NextId = 0;
  for (Instruction &I : instructions(F)) {
    if (auto *AI = dyn_cast<AllocaInst>(&I)) {
      Allocas.push_back(AI);
      if (MDNode *MD = AI->getMetadata(IdKind))
        if (auto *CI = mdconst::dyn_extract<ConstantInt>(MD->getOperand(0)))
          NextId = std::max(NextId, CI->getZExtValue() + 1);
    }
    uint64_t Id = 0;
    ScopeMarker K = classifyScopeMarker(I, Id);
    if (K == ScopeMarker::Start || K == ScopeMarker::End)
      NextId = std::max(NextId, Id + 1);
    if (MDNode *MD = I.getMetadata(ScopeTagKind)) {
      for (unsigned K = 1; K < MD->getNumOperands(); K += 2)
        if (auto *CI = mdconst::dyn_extract<ConstantInt>(MD->getOperand(K)))
          NextId = std::max(NextId, CI->getZExtValue() + 1);
      I.setMetadata(ScopeTagKind, nullptr);
    }
  }

  struct Plan {
    AllocaInst *AI;
    AddressUses Uses;
  };
  SmallVector<Plan, 8> Plans;
  for (AllocaInst *AI : Allocas) {
    AddressUses U = collectAddressUses(*AI);
    // Without lifetime markers the tags alone still say where the object
    // can first be reached from outside: it stays open from there on.
    if (U.Unknown || U.Escapes.empty())
      continue;
    Plans.push_back({AI, std::move(U)});
  }
  if (Plans.empty() || !shouldTransform([&] {
        return "record-scopes: mark the scopes of " +
               std::to_string(Plans.size()) + " objects in '" +
               F.getName().str() + "'";
      }))
    return PreservedAnalyses::all();

  Module &M = *F.getParent();
  LLVMContext &Ctx = F.getContext();
  Type *PtrTy = PointerType::getUnqual(Ctx);
  Function *Annotation = Intrinsic::getOrInsertDeclaration(
      &M, Intrinsic::var_annotation, {PtrTy, PtrTy});
  GlobalVariable *StartStr = annotationString(M, StartText);
  GlobalVariable *EndStr = annotationString(M, EndText);
  Constant *Null = ConstantPointerNull::get(cast<PointerType>(PtrTy));
  auto marker = [&](GlobalVariable *Text, uint64_t Id) {
    return CallInst::Create(
        Annotation, {Null, Text, Null,
                     ConstantInt::get(Type::getInt32Ty(Ctx), Id), Null});
  };

  for (Plan &P : Plans) {
    uint64_t Id;
    if (MDNode *MD = P.AI->getMetadata(IdKind)) {
      Id = mdconst::extract<ConstantInt>(MD->getOperand(0))->getZExtValue();
    } else {
      Id = NextId++;
      P.AI->setMetadata(
          IdKind, MDNode::get(Ctx, ConstantAsMetadata::get(ConstantInt::get(
                                       Type::getInt32Ty(Ctx), Id))));
    }
    for (auto &[I, OpNo] : P.Uses.Escapes)
      addTag(*I, OpNo, Id);
    // Markers sit outside the lifetime markers: no access can move past a
    // lifetime marker, so none ends up outside the recorded scope.
    for (IntrinsicInst *S : P.Uses.Starts)
      if (!isMarker(S->getPrevNode(), ScopeMarker::Start, Id))
        marker(StartStr, Id)->insertBefore(S->getIterator());
    for (IntrinsicInst *E : P.Uses.Ends)
      if (!isMarker(E->getNextNode(), ScopeMarker::End, Id))
        marker(EndStr, Id)->insertAfter(E->getIterator());
  }
  PreservedAnalyses PA;
  PA.preserveSet<CFGAnalyses>();
  return PA;
}

PreservedAnalyses CoroScopeMarkersCleanupPass::run(Module &M,
                                                   ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  bool Changed = false;
  for (Function &F : M)
    if (!F.isDeclaration() && stripScopeMarkers(F)) {
      FAM.invalidate(F, PreservedAnalyses::none());
      Changed = true;
    }
  for (StringRef Text : {StartText, EndText})
    if (GlobalVariable *GV = M.getNamedGlobal(("." + Text).str());
        GV && GV->use_empty()) {
      GV->eraseFromParent();
      Changed = true;
    }
  Type *PtrTy = PointerType::getUnqual(M.getContext());
  if (Function *Decl = Intrinsic::getDeclarationIfExists(
          &M, Intrinsic::var_annotation, {PtrTy, PtrTy});
      Decl && Decl->use_empty()) {
    Decl->eraseFromParent();
    Changed = true;
  }
  return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace corofo
