//===- FrameAccesses.cpp - Frame accesses of a split coroutine ---------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Step 3 of the frame analysis (CoroFrameAnalysis.cpp): every user of a frame
/// pointer in a block that runs, followed through constant GEPs, and what it
/// does to which slots (reads, writes, kills, escapes), with the object its
/// scope tag names (ScopeMarkerFormat.h).
//===----------------------------------------------------------------------===//

#include "FrameAnalyzer.h"

#include "llvm/IR/DataLayout.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace corofo {

SlotEffect &FrameAnalyzer::effect(Instruction *I) {
  SlotEffect &E = Effects[I];
  if (E.Uses.size() != L.Slots.size()) {
    E.Uses.resize(L.Slots.size());
    E.Kills.resize(L.Slots.size());
    E.Writes.resize(L.Slots.size());
    E.Touches.resize(L.Slots.size());
  }
  return E;
}

/// Record that \p I accesses bytes [Off, Off+Size) (Size 0: the whole slot
/// containing Off, extent unknown).
void FrameAnalyzer::touchRange(Instruction *I, uint64_t Off, uint64_t Size,
                               bool Read, bool Write, bool Exact,
                               std::optional<ScopeTag> Tag) {
  SlotEffect &E = effect(I);
  if (!Exact || Size == 0) {
    int Id = slotAt(Off);
    if (Id < 0)
      return;
    // Somewhere in the object the tag names (or anywhere in the field).
    for (unsigned C : reach(Id, Tag)) {
      noteToucher(C, Tag);
      E.Touches.set(C);
      if (Read)
        E.Uses.set(C);
      // A write of unknown extent never kills.
      if (Write) {
        E.Writes.set(C);
        E.Uses.set(C);
      }
    }
    return;
  }
  // Spanning the parts of one split field is fine: they move together.
  int Containing = slotAt(Off);
  if (Containing < 0 || Off + Size > groupEnd(Containing))
    noteSpan(I);
  for (const FrameSlot &S : L.Slots) {
    if (S.end() <= Off || S.Offset >= Off + Size)
      continue;
    noteToucher(S.Id, Tag);
    E.Touches.set(S.Id);
    if (Read)
      E.Uses.set(S.Id);
    if (Write)
      E.Writes.set(S.Id);
    if (Write && Off <= S.Offset && S.end() <= Off + Size)
      E.Kills.set(S.Id);
    else if (Write)
      E.Uses.set(S.Id); // A partial write keeps the other bytes: not a kill.
  }
}

/// \p I accesses bytes of more than one slot, or a GEP leaves the slot it
/// started in: slots cannot be moved independently.
void FrameAnalyzer::noteSpan(Instruction *I) {
  if (!L.NoRelayout.empty())
    return;
  std::string Text;
  raw_string_ostream OS(Text);
  I->print(OS);
  L.NoRelayout = "an access spans several frame slots in '" +
                 I->getFunction()->getName().str() + "':" + Text;
}

/// The frame pointer itself escapes through \p I: a coroutine handle, which
/// reaches only the ABI fields.
void FrameAnalyzer::touchHandle(Instruction *I) {
  SlotEffect &E = effect(I);
  for (const FrameSlot &S : L.Slots)
    if (S.isFixed()) {
      E.Touches.set(S.Id);
      E.Uses.set(S.Id);
      E.Writes.set(S.Id);
    }
}

/// The address of the object that \p Tag names (or, untagged, of slot
/// \p Id's whole field) leaves the coroutine's code through \p I.
void FrameAnalyzer::noteEscape(unsigned Id, Instruction *I,
                               std::optional<ScopeTag> Tag) {
  for (unsigned C : reach(Id, Tag)) {
    L.Slots[C].Escaped = true;
    Escapes[C].push_back({I, Tag ? int64_t(Tag->Id) : -1});
    effect(I).Touches.set(C);
    noteToucher(C, Tag);
  }
}

/// The scope tag of operand \p OpNo of \p I, when it can name the object
/// frame pointer \p P points into: not through a merge of pointers, and no
/// larger than the field.
std::optional<ScopeTag> FrameAnalyzer::tagOf(Instruction *I, unsigned OpNo,
                                             const FramePtr &P) {
  if (P.ViaMerge)
    return std::nullopt;
  std::optional<ScopeTag> Tag = scopeTagFor(*I, OpNo, TagKindID);
  int Id = slotAt(P.Offset);
  if (!Tag || Id < 0 || !Tag->Size ||
      Tag->Size > groupEnd(Id) - groupBegin(Id))
    return std::nullopt;
  ObjectSizes[L.Slots[Id].GroupStart].push_back(Tag->Size);
  return Tag;
}

/// The slots an access to slot \p Id's field may reach: those of its field's
/// parts that the object \p Tag names covers (an object starts at the start
/// of its field), or every part without a tag.
SmallVector<unsigned, 4>
FrameAnalyzer::reach(unsigned Id, std::optional<ScopeTag> Tag) const {
  const FrameSlot &S = L.Slots[Id];
  SmallVector<unsigned, 4> Parts;
  uint64_t Begin = groupBegin(Id);
  for (unsigned C = S.GroupStart; C < S.GroupStart + S.GroupSize; ++C)
    if (!Tag || L.Slots[C].Offset - Begin < Tag->Size)
      Parts.push_back(C);
  return Parts;
}

void FrameAnalyzer::noteToucher(unsigned Id, std::optional<ScopeTag> Tag) {
  int64_t Who = Tag ? int64_t(Tag->Id) : -1;
  if (Tag)
    ObjectSize[Tag->Id] = Tag->Size;
  SmallVector<int64_t, 2> &T = Touchers[Id];
  if (!is_contained(T, Who))
    T.push_back(Who);
}

/// Follow every use of the frame pointer \p Base in \p F and record effects.
bool FrameAnalyzer::walkAccesses(Function &F, Value *Base) {
  const BlockSet &Running = flowOf(flows(), &F)->Running;
  SmallVector<FramePtr, 32> Work{{Base, 0, true}};
  DenseMap<Value *, std::pair<uint64_t, bool>> Seen;
  while (!Work.empty()) {
    FramePtr P = Work.pop_back_val();
    auto [It, New] = Seen.try_emplace(P.V, P.Offset, P.Exact);
    if (!New) {
      if (It->second.first != P.Offset) {
        WalkSteps.push_back({&F, P, nullptr, It->second.first});
        if (!noteMergedSlots(F, P, It->second.first))
          return false;
      }
      continue;
    }
    for (Use &U : P.V->uses()) {
      auto *I = dyn_cast<Instruction>(U.getUser());
      // Code that never runs accesses nothing. (The overlap pass still
      // rewrites its offsets, as it rewrites every GEP off the frame.)
      if (!I || !Running.contains(I->getParent()))
        continue;
      WalkSteps.push_back({&F, P, &U, 0});
      if (!visitFrameUse(F, U, I, P, Work))
        return false;
    }
  }
  return true;
}

/// The walks again, on the slots a split made, without following a use
/// list: the pointers they reach, their offsets and the merges do not
/// depend on the slots (only a chain's root slot does, whose field stays
/// the same: \p FirstPartOf maps an old slot to its field's first part).
bool FrameAnalyzer::replayAccesses(ArrayRef<unsigned> FirstPartOf) {
  SmallVector<FramePtr, 4> Reached; // already in the steps
  for (FrameWalkStep &Step : WalkSteps) {
    FramePtr P = Step.P;
    if (P.Root >= 0)
      P.Root = FirstPartOf[P.Root];
    if (!Step.U) {
      if (!noteMergedSlots(*Step.F, P, Step.SeenOffset))
        return false;
      continue;
    }
    Reached.clear();
    if (!visitFrameUse(*Step.F, *Step.U, cast<Instruction>(Step.U->getUser()),
                       P, Reached))
      return false;
  }
  return true;
}

/// \p P reaches a value already reached at offset \p Seen: a merge of
/// addresses of different slots (e.g. `c ? &x : &y`). Which slot an access
/// through it touches is unknown, so each may be touched at any time: both
/// escape. Writes through merges never kill.
bool FrameAnalyzer::noteMergedSlots(Function &F, const FramePtr &P,
                                    uint64_t Seen) {
  int A = slotAt(Seen), B = slotAt(P.Offset);
  if (A < 0 || B < 0)
    return fail("a merged pointer outside the frame in '" + F.getName() + "'");
  // Untagged, whole fields: accesses through the merge are not all
  // attributed.
  for (int X : {A, B})
    for (unsigned C : reach(X, std::nullopt)) {
      L.Slots[C].Escaped = true;
      Escapes[C].push_back({nullptr, -1});
      noteToucher(C, std::nullopt);
      if (auto *I = dyn_cast<Instruction>(P.V))
        effect(I).Touches.set(C);
    }
  return true;
}

/// Record what use \p U (by \p I, in a block that runs) of frame pointer
/// \p P does, or queue the pointer \p I derives from it. False (and the
/// frame unanalysable) if the use is not understood.
bool FrameAnalyzer::visitFrameUse(Function &F, Use &U, Instruction *I,
                                  const FramePtr &P,
                                  SmallVectorImpl<FramePtr> &Work) {
  bool IsHandle = P.Exact && P.Offset == 0;
  if (auto *GEP = dyn_cast<GetElementPtrInst>(I))
    return followGEP(F, GEP, P, Work);
  if (isa<AddrSpaceCastInst>(I) || isa<BitCastInst>(I)) {
    Work.push_back({I, P.Offset, P.Exact, P.Root, P.ViaMerge});
    return true;
  }
  if (isa<LoadInst>(I) || isa<StoreInst>(I) || isa<AtomicRMWInst>(I) ||
      isa<AtomicCmpXchgInst>(I) || isa<AnyMemIntrinsic>(I)) {
    visitMemoryUse(U, I, P);
    return true;
  }
  if (auto *II = dyn_cast<IntrinsicInst>(I)) {
    if (II->isLifetimeStartOrEnd() || isa<DbgInfoIntrinsic>(II) ||
        II->getIntrinsicID() == Intrinsic::assume ||
        II->getIntrinsicID() == Intrinsic::coro_free ||
        II->getIntrinsicID() == Intrinsic::coro_begin) {
      if (II->getIntrinsicID() == Intrinsic::coro_begin)
        Work.push_back({II, P.Offset, P.Exact, P.Root, P.ViaMerge});
      return true;
    }
  }
  if (isa<ICmpInst>(I) || (isa<PtrToIntInst>(I) && IsHandle)) {
    // Comparing addresses (e.g. handle == nullptr) reads no slot; the
    // integer value of a handle is still a handle (from_address()).
    if (isa<PtrToIntInst>(I))
      touchHandle(I);
    return true;
  }
  if (auto *CB = dyn_cast<CallBase>(I))
    return visitCallUse(F, U, CB, P);
  if (isa<PHINode>(I) || isa<SelectInst>(I)) {
    // Merging frame pointers: every frame input must be this same position
    // (checked by the Seen map). Another input may be a non-frame pointer,
    // so a write through the merge never kills.
    Work.push_back({I, P.Offset, false, P.Root, /*ViaMerge=*/true});
    return true;
  }
  if (isa<ReturnInst>(I) || isa<PtrToIntInst>(I) || isa<InsertValueInst>(I) ||
      isa<IntToPtrInst>(I)) {
    if (IsHandle) {
      touchHandle(I);
      return true;
    }
    if (int Id = slotAt(P.Offset); Id >= 0) {
      noteEscape(Id, I, tagOf(I, U.getOperandNo(), P));
      return true;
    }
  }
  std::string Text;
  raw_string_ostream OS(Text);
  I->print(OS);
  return fail("an unexpected use of the frame in '" + F.getName() + "':" +
              Text);
}

/// A GEP off frame pointer \p P: a constant offset moves the pointer (which
/// must stay in the field it entered), a variable one keeps it somewhere in
/// its slot.
bool FrameAnalyzer::followGEP(Function &F, GetElementPtrInst *GEP,
                              const FramePtr &P,
                              SmallVectorImpl<FramePtr> &Work) {
  APInt Off(DL.getIndexTypeSizeInBits(GEP->getType()), 0);
  if (GEP->accumulateConstantOffset(DL, Off) && !Off.isNegative()) {
    uint64_t NewOff = P.Offset + Off.getZExtValue();
    int Root = P.Root >= 0 ? P.Root : slotAt(NewOff);
    // A GEP chain must stay in the field it entered (one past its end is a
    // valid address too, e.g. an array's end()).
    if (Root < 0 || NewOff < groupBegin(Root) || NewOff > groupEnd(Root))
      noteSpan(GEP);
    Work.push_back({GEP, NewOff, P.Exact, Root, P.ViaMerge});
    return true;
  }
  // Indexing inside an object (e.g. an array): stays in its slot.
  int Id = slotAt(P.Offset);
  if (Id < 0)
    return fail("a variable index outside the frame in '" + F.getName() +
                "'");
  effect(GEP).Touches.set(Id);
  Work.push_back({GEP, P.Offset, false, P.Root >= 0 ? P.Root : Id,
                  P.ViaMerge});
  return true;
}

/// A load, store, atomic or memory intrinsic using frame pointer \p P.
void FrameAnalyzer::visitMemoryUse(Use &U, Instruction *I, const FramePtr &P) {
  bool IsHandle = P.Exact && P.Offset == 0;
  if (auto *LI = dyn_cast<LoadInst>(I)) {
    touchRange(LI, P.Offset, DL.getTypeStoreSize(LI->getType()), true, false,
               P.Exact, tagOf(LI, U.getOperandNo(), P));
    return;
  }
  if (auto *SI = dyn_cast<StoreInst>(I)) {
    if (U.getOperandNo() == StoreInst::getPointerOperandIndex()) {
      touchRange(SI, P.Offset,
                 DL.getTypeStoreSize(SI->getValueOperand()->getType()), false,
                 true, P.Exact, tagOf(SI, U.getOperandNo(), P));
      return;
    }
    // The pointer itself is stored to memory: it escapes.
    if (IsHandle)
      touchHandle(SI);
    else if (int Id = slotAt(P.Offset); Id >= 0)
      noteEscape(Id, SI, tagOf(SI, U.getOperandNo(), P));
    return;
  }
  // Atomic read-modify-write and compare-exchange read the old value and
  // may write a new one in one step: a use, and a write that never kills
  // (as a partial write). A frame address as their value operand is stored
  // to memory: it escapes.
  if (isa<AtomicRMWInst>(I) || isa<AtomicCmpXchgInst>(I)) {
    bool IsPointer =
        U.getOperandNo() == (isa<AtomicRMWInst>(I)
                                 ? AtomicRMWInst::getPointerOperandIndex()
                                 : AtomicCmpXchgInst::getPointerOperandIndex());
    if (IsPointer) {
      Type *ValTy =
          isa<AtomicRMWInst>(I)
              ? cast<AtomicRMWInst>(I)->getValOperand()->getType()
              : cast<AtomicCmpXchgInst>(I)->getCompareOperand()->getType();
      touchRange(I, P.Offset, DL.getTypeStoreSize(ValTy), /*Read=*/true,
                 /*Write=*/true, P.Exact, tagOf(I, U.getOperandNo(), P));
      effect(I).Kills.reset(); // the old value is read first
      return;
    }
    if (IsHandle)
      touchHandle(I);
    else if (int Id = slotAt(P.Offset); Id >= 0)
      noteEscape(Id, I, tagOf(I, U.getOperandNo(), P));
    return;
  }
  auto *MI = cast<AnyMemIntrinsic>(I);
  auto *Len = dyn_cast<ConstantInt>(MI->getLength());
  bool IsDest = U.getOperandNo() == 0;
  uint64_t Size = Len ? Len->getZExtValue() : 0;
  touchRange(MI, P.Offset, Size, !IsDest, IsDest, P.Exact && Len,
             tagOf(MI, U.getOperandNo(), P));
}

/// Frame pointer \p P passed to a call (not as the callee): what the
/// parameter's attributes allow it to do to the slot, and an escape unless
/// it is captures(none). Through a handle only the ABI fields.
bool FrameAnalyzer::visitCallUse(Function &F, Use &U, CallBase *CB,
                                 const FramePtr &P) {
  if (CB->isCallee(&U))
    return fail("a call through a frame address in '" + F.getName() + "'");
  if (P.Exact && P.Offset == 0) {
    touchHandle(CB);
    return true;
  }
  unsigned ArgNo = CB->getArgOperandNo(&U);
  int Id = slotAt(P.Offset);
  if (Id < 0)
    return fail("an address outside the frame in '" + F.getName() + "'");
  std::optional<ScopeTag> Tag = tagOf(CB, U.getOperandNo(), P);
  SlotEffect &E = effect(CB);
  for (unsigned C : reach(Id, Tag)) {
    noteToucher(C, Tag);
    E.Touches.set(C);
    if (!CB->doesNotAccessMemory(ArgNo))
      E.Uses.set(C);
    if (!CB->onlyReadsMemory(ArgNo))
      E.Writes.set(C);
  }
  if (!CB->doesNotCapture(ArgNo))
    noteEscape(Id, CB, Tag);
  return true;
}

} // namespace corofo
