//===- CoroScopeMarkers.cpp - Object scopes recorded before CoroSplit -----===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// See CoroScopeMarkers.h. Which allocas of a presplit switch-ABI coroutine
/// get tags: every one whose address the walk below can follow (through
/// GEPs, casts, phis and selects to loads, stores, calls, memory intrinsics
/// and escapes); which get start and end markers: those whose address also
/// escapes (is captured by a call, stored, converted, returned) and that
/// have lifetime markers. An alloca whose address is used in a way the walk
/// does not know gets no tags at all: after the split its accesses and
/// escapes are untagged, so the analysis keeps its field whole and, if it
/// escapes, live everywhere, as before.
//===----------------------------------------------------------------------===//

#include "CoroScopeMarkers.h"

#include "CoroFrameAnalysis.h"
#include "ScopeMarkerFormat.h"
#include "TransformBisect.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Debug.h"
#include "llvm/Transforms/Coroutines/CoroInstr.h"

using namespace llvm;

#define DEBUG_TYPE "coro-record-scopes"

STATISTIC(NumObjectsRecorded, "Objects of presplit coroutines given scope tags");
STATISTIC(NumScopeMarkers, "Scope start and end markers written");
STATISTIC(NumTagConflicts, "Tags dropped: two objects claimed one operand");
STATISTIC(NumFunctionsStripped, "Functions whose leftover markers were removed");

namespace corofo {

namespace {

/// How an alloca's address is used, from a walk over its derived pointers.
struct AddressUses {
  /// (instruction, operand) pairs that read, write or pass on the object.
  SmallVector<std::pair<Instruction *, unsigned>, 8> Accesses;
  /// How many uses let the address escape.
  unsigned Escapes = 0;
  SmallVector<IntrinsicInst *, 2> Starts, Ends;
  /// A use the walk does not follow (bundle, callee, ...).
  bool Unknown = false;
};

} // namespace

/// True if every object \p V may point into is \p AI or no alloca at all
/// (e.g. a heap pointer a std::string selects instead of its own buffer).
static bool pointsOnlyInto(const Value *V, const AllocaInst &AI) {
  SmallVector<const Value *, 4> Objects;
  getUnderlyingObjects(V, Objects);
  return all_of(Objects, [&](const Value *O) {
    return O == &AI || !isa<AllocaInst>(O);
  });
}

static AddressUses collectAddressUses(AllocaInst &AI) {
  AddressUses R;
  SmallVector<Value *, 8> Work{&AI};
  SmallPtrSet<Value *, 8> Seen{&AI};
  // Uses through a merge with another alloca's address get no tag: the tag
  // could not say whose they are (after the split such a merge of two frame
  // objects makes both live everywhere anyway).
  SmallPtrSet<Value *, 8> Ambiguous;
  auto access = [&](Value *V, Instruction *I, unsigned OpNo, bool Escapes) {
    if (!Ambiguous.contains(V))
      R.Accesses.push_back({I, OpNo});
    R.Escapes += Escapes;
  };
  while (!Work.empty() && !R.Unknown) {
    Value *V = Work.pop_back_val();
    for (Use &U : V->uses()) {
      auto *I = cast<Instruction>(U.getUser());
      if (isa<GetElementPtrInst>(I) || isa<BitCastInst>(I) ||
          isa<AddrSpaceCastInst>(I) || isa<PHINode>(I) || isa<SelectInst>(I)) {
        if (!Seen.insert(I).second)
          continue;
        if (Ambiguous.contains(V) ||
            ((isa<PHINode>(I) || isa<SelectInst>(I)) && !pointsOnlyInto(I, AI)))
          Ambiguous.insert(I);
        Work.push_back(I);
        continue;
      }
      if (isa<ICmpInst>(I))
        continue;
      if (isa<LoadInst>(I)) {
        access(V, I, U.getOperandNo(), false);
        continue;
      }
      if (auto *SI = dyn_cast<StoreInst>(I)) {
        access(V, SI, U.getOperandNo(),
               U.getOperandNo() != StoreInst::getPointerOperandIndex());
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
        if (isa<DbgInfoIntrinsic>(II))
          continue;
        if (isa<AnyMemIntrinsic>(II)) {
          access(V, II, U.getOperandNo(), false);
          continue;
        }
      }
      if (auto *CB = dyn_cast<CallBase>(I)) {
        if (CB->isCallee(&U) || !CB->isArgOperand(&U)) {
          R.Unknown = true;
          break;
        }
        access(V, CB, U.getOperandNo(),
               !CB->doesNotCapture(CB->getArgOperandNo(&U)));
        continue;
      }
      if (isa<PtrToIntInst>(I) || isa<ReturnInst>(I) ||
          isa<InsertValueInst>(I)) {
        access(V, I, U.getOperandNo(), true);
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

/// Add (OpNo, Id, Size) to \p I's tag. An operand that another object's
/// walk tagged already (an address merged in a way the walks did not see)
/// is a conflict: the caller drops the whole tag.
static void addTag(Instruction &I, unsigned OpNo, uint64_t Id, uint64_t Size,
                   unsigned TagKindID,
                   SmallPtrSetImpl<Instruction *> &Conflicts) {
  if (std::optional<ScopeTag> Old = scopeTagFor(I, OpNo, TagKindID)) {
    if (Old->Id != Id)
      Conflicts.insert(&I);
    return;
  }
  LLVMContext &Ctx = I.getContext();
  SmallVector<Metadata *, 6> Ops;
  if (MDNode *Old = I.getMetadata(TagKindID))
    for (const MDOperand &Op : Old->operands())
      Ops.push_back(Op.get());
  Type *I64 = Type::getInt64Ty(Ctx);
  for (uint64_t V : {uint64_t(OpNo), Id, Size})
    Ops.push_back(ConstantAsMetadata::get(ConstantInt::get(I64, V)));
  I.setMetadata(TagKindID, MDNode::get(Ctx, Ops));
  // The awaiter of llvm.coro.await.suspend.* carries it as a parameter
  // attribute too: CoroSplit replaces the intrinsic by a call of the
  // await_suspend wrapper that keeps the parameter attributes, not the
  // metadata.
  if (auto *CB = dyn_cast<CoroAwaitSuspendInst>(&I); CB && OpNo == 0)
    CB->addParamAttr(OpNo, Attribute::get(Ctx, ScopeTagKind,
                                          std::to_string(Id) + ":" +
                                              std::to_string(Size)));
}

static bool isMarker(const Instruction *I, ScopeMarker Kind, uint64_t Id) {
  uint64_t Got = 0;
  return I && classifyScopeMarker(*I, Got) == Kind && Got == Id;
}

/// Drop the tags of an earlier run from \p F and collect its allocas into
/// \p Allocas. Returns the first id no alloca, marker or tag of \p F names:
/// new ids never reuse one that a marker or tag still names (the object may
/// be gone, e.g. promoted, and its markers left behind). Tags are made anew
/// on every run: a pass may have moved a tagged operand to another object
/// since the last one. \p Stripped says whether a tag was dropped.
static uint64_t dropOldTags(Function &F, SmallVectorImpl<AllocaInst *> &Allocas,
                            bool &Stripped) {
  uint64_t NextId = 0;
  unsigned TagKindID = F.getContext().getMDKindID(ScopeTagKind);
  unsigned IdKindID = F.getContext().getMDKindID(ScopeIdKind);
  for (Instruction &I : instructions(F)) {
    if (auto *AI = dyn_cast<AllocaInst>(&I)) {
      Allocas.push_back(AI);
      if (MDNode *MD = AI->getMetadata(IdKindID))
        if (auto *CI = mdconst::dyn_extract<ConstantInt>(MD->getOperand(0)))
          NextId = std::max(NextId, CI->getZExtValue() + 1);
    }
    uint64_t Id = 0;
    ScopeMarker Kind = classifyScopeMarker(I, Id);
    if (Kind == ScopeMarker::Start || Kind == ScopeMarker::End)
      NextId = std::max(NextId, Id + 1);
    if (MDNode *MD = I.getMetadata(TagKindID)) {
      for (unsigned Op = 1; Op < MD->getNumOperands(); Op += 3)
        if (auto *CI = mdconst::dyn_extract<ConstantInt>(MD->getOperand(Op)))
          NextId = std::max(NextId, CI->getZExtValue() + 1);
      I.setMetadata(TagKindID, nullptr);
      Stripped = true;
    }
    if (auto *CB = dyn_cast<CallBase>(&I))
      for (unsigned Arg = 0, E = argsWithAttributes(*CB); Arg < E; ++Arg)
        if (std::optional<ScopeTag> T = argumentScopeTag(I, Arg))
          NextId = std::max(NextId, T->Id + 1);
    Stripped |= removeArgumentScopeTags(I);
  }
  return NextId;
}

namespace {

/// An alloca to record, with its size and the uses to tag.
struct ScopePlan {
  AllocaInst *AI;
  uint64_t Size;
  AddressUses Uses;
};

/// Writes the tags and markers of one coroutine's objects.
class ScopeWriter {
public:
  ScopeWriter(Function &F, uint64_t NextId);
  void write(ScopePlan &P);
  /// Drop the tags of operands two objects' walks both claimed.
  void dropConflicts();

private:
  LLVMContext &Ctx;
  unsigned TagKindID, IdKindID;
  uint64_t NextId;
  Function *Annotation;
  GlobalVariable *StartStr, *EndStr;
  Constant *Null;
  SmallPtrSet<Instruction *, 4> Conflicts;

  CallInst *marker(GlobalVariable *Text, uint64_t Id) const {
    return CallInst::Create(
        Annotation, {Null, Text, Null,
                     ConstantInt::get(Type::getInt32Ty(Ctx), Id), Null});
  }
};

} // namespace

ScopeWriter::ScopeWriter(Function &F, uint64_t NextId)
    : Ctx(F.getContext()), TagKindID(Ctx.getMDKindID(ScopeTagKind)),
      IdKindID(Ctx.getMDKindID(ScopeIdKind)), NextId(NextId) {
  Module &M = *F.getParent();
  Type *PtrTy = PointerType::getUnqual(Ctx);
  Annotation = Intrinsic::getOrInsertDeclaration(
      &M, Intrinsic::var_annotation, {PtrTy, PtrTy});
  StartStr = annotationString(M, ScopeStartText);
  EndStr = annotationString(M, ScopeEndText);
  Null = ConstantPointerNull::get(cast<PointerType>(PtrTy));
}

void ScopeWriter::write(ScopePlan &P) {
  uint64_t Id;
  if (MDNode *MD = P.AI->getMetadata(IdKindID)) {
    Id = mdconst::extract<ConstantInt>(MD->getOperand(0))->getZExtValue();
  } else {
    Id = NextId++;
    P.AI->setMetadata(
        IdKindID, MDNode::get(Ctx, ConstantAsMetadata::get(ConstantInt::get(
                                       Type::getInt32Ty(Ctx), Id))));
  }
  for (auto &[I, OpNo] : P.Uses.Accesses)
    addTag(*I, OpNo, Id, P.Size, TagKindID, Conflicts);
  // Scopes matter only for objects whose address escapes (the analysis sees
  // every other access). Markers sit outside the lifetime markers: no access
  // can move past a lifetime marker, so none ends up outside the recorded
  // scope. Without lifetime markers the tags alone still say where the
  // object can first be reached from outside: it stays open from there on.
  if (!P.Uses.Escapes)
    return;
  for (IntrinsicInst *S : P.Uses.Starts)
    if (!isMarker(S->getPrevNode(), ScopeMarker::Start, Id)) {
      marker(StartStr, Id)->insertBefore(S->getIterator());
      ++NumScopeMarkers;
    }
  for (IntrinsicInst *E : P.Uses.Ends)
    if (!isMarker(E->getNextNode(), ScopeMarker::End, Id)) {
      marker(EndStr, Id)->insertAfter(E->getIterator());
      ++NumScopeMarkers;
    }
}

void ScopeWriter::dropConflicts() {
  NumTagConflicts += Conflicts.size();
  for (Instruction *I : Conflicts) {
    I->setMetadata(TagKindID, nullptr);
    removeArgumentScopeTags(*I);
  }
}

PreservedAnalyses CoroRecordScopesPass::run(Function &F,
                                            FunctionAnalysisManager &) {
  if (!isSwitchPresplitCoroutine(F))
    return PreservedAnalyses::all();
  SmallVector<AllocaInst *, 8> Allocas;
  bool Stripped = false;
  uint64_t NextId = dropOldTags(F, Allocas, Stripped);
  PreservedAnalyses PA;
  PA.preserveSet<CFGAnalyses>();

  SmallVector<ScopePlan, 8> Plans;
  const DataLayout &DL = F.getDataLayout();
  for (AllocaInst *AI : Allocas) {
    std::optional<TypeSize> Size = AI->getAllocationSize(DL);
    if (!Size || Size->isScalable())
      continue;
    AddressUses U = collectAddressUses(*AI);
    if (U.Unknown || U.Accesses.empty())
      continue;
    Plans.push_back({AI, Size->getFixedValue(), std::move(U)});
  }
  if (Plans.empty() || !shouldTransform([&] {
        return "record-scopes: mark the scopes of " +
               std::to_string(Plans.size()) + " objects in '" +
               F.getName().str() + "'";
      }))
    return Stripped ? PA : PreservedAnalyses::all();

  LLVM_DEBUG(dbgs() << "coro-record-scopes: " << F.getName() << ": "
                    << Plans.size() << " objects, ids from " << NextId
                    << "\n");
  NumObjectsRecorded += Plans.size();
  ScopeWriter Writer(F, NextId);
  for (ScopePlan &P : Plans)
    Writer.write(P);
  Writer.dropConflicts();
  return PA;
}

PreservedAnalyses CoroScopeMarkersCleanupPass::run(Module &M,
                                                   ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  bool Changed = false;
  for (Function &F : M)
    if (!F.isDeclaration() && stripScopeMarkers(F)) {
      LLVM_DEBUG(dbgs() << "coro-scope-markers-cleanup: stripped "
                        << F.getName() << "\n");
      ++NumFunctionsStripped;
      FAM.invalidate(F, PreservedAnalyses::none());
      Changed = true;
    }
  for (StringRef Text : {ScopeStartText, ScopeEndText})
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
