//===- FrameSlots.cpp - Frame pointers and slots of a split coroutine --===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Steps 1 and 2 of the frame analysis (CoroFrameAnalysis.cpp): where each
/// function of the coroutine keeps its frame pointer, and the slots of the
/// frame: the fields of `%F.Frame`, byte ranges when that type is gone, and the
/// parts of a field LLVM gave several objects of different sizes.
//===----------------------------------------------------------------------===//

#include "FrameAnalyzer.h"

#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace corofo {

bool FrameAnalyzer::findFrameBases() {
  for (Function *F : {C.Resume, C.Destroy, C.Cleanup})
    if (F)
      L.FrameBases.push_back({F, F->getArg(0)});
  if (C.NoAlloc && C.NoAlloc->arg_size() > 0)
    L.FrameBases.push_back(
        {C.NoAlloc, C.NoAlloc->getArg(C.NoAlloc->arg_size() - 1)});
  if (!C.Ramp)
    return true;
  // The ramp stores @F.resume through the frame pointer (offset 0).
  for (Instruction &I : instructions(*C.Ramp)) {
    auto *SI = dyn_cast<StoreInst>(&I);
    if (!SI || SI->getValueOperand()->stripPointerCasts() != C.Resume)
      continue;
    APInt Off(DL.getIndexTypeSizeInBits(SI->getPointerOperandType()), 0);
    Value *Base = SI->getPointerOperand()->stripAndAccumulateConstantOffsets(
        DL, Off, /*AllowNonInbounds=*/true);
    if (!Off.isZero())
      continue;
    L.FrameBases.insert(L.FrameBases.begin(), {C.Ramp, Base});
    return true;
  }
  return fail("the ramp does not store the resume function into a frame");
}

bool FrameAnalyzer::buildSlots() {
  L.Size = C.FrameSize.value_or(0);
  L.Alignment = C.FrameAlign.value_or(Align(8));
  if (!L.Size)
    return fail("the frame size is not recorded on the resume function");
  // The struct type CoroSplit built, if it is still there and still matches.
  LLVMContext &Ctx = C.Resume->getContext();
  StructType *FT = StructType::getTypeByName(Ctx, C.Name + ".Frame");
  // The recorded size is the struct's, rounded up to the frame alignment
  // (which may exceed the struct's own, e.g. for an over-aligned alloca).
  if (FT && !FT->isOpaque() && FT->isSized() &&
      alignTo(DL.getTypeAllocSize(FT), L.Alignment) == L.Size)
    L.FrameTy = FT;
  // What llvm.coro.size became: the struct's own size, when it is known.
  L.AllocSize = L.FrameTy ? DL.getTypeAllocSize(L.FrameTy).getFixedValue()
                          : L.Size;
  if (L.FrameTy)
    buildSlotsFromType();
  else
    buildSlotsFromAccesses();
  return !L.Slots.empty() || fail("no frame slots found");
}

std::string FrameSlot::typeName() const {
  if (!TypeName.empty() || !Ty)
    return TypeName;
  std::string Printed;
  raw_string_ostream OS(Printed);
  Ty->print(OS);
  return Printed;
}

void FrameAnalyzer::buildSlotsFromType() {
  const StructLayout *SL = DL.getStructLayout(L.FrameTy);
  for (unsigned I = 0, E = L.FrameTy->getNumElements(); I != E; ++I) {
    Type *Ty = L.FrameTy->getElementType(I);
    FrameSlot S;
    S.Id = S.GroupStart = L.Slots.size();
    S.FieldIndex = I;
    S.Ty = Ty;
    S.Offset = SL->getElementOffset(I);
    S.Size = DL.getTypeAllocSize(Ty);
    S.Alignment = DL.getABITypeAlign(Ty);
    if (S.Size == 0)
      continue;
    S.Kind = I < 2 ? SlotKind::Header : SlotKind::Unused;
    L.Slots.push_back(std::move(S));
  }
  // Element 2 is the promise when there is one (LLVM's header field). Until
  // the index is known we provisionally call it the promise; findStates()
  // corrects that when element 2 turns out to be the index.
  if (L.Slots.size() > 2 && L.Slots[2].FieldIndex == 2)
    L.Slots[2].Kind = SlotKind::Promise;
}

/// Without the struct type: the header, then maximal byte ranges that the
/// accesses of all functions touch (overlapping accesses merge).
void FrameAnalyzer::buildSlotsFromAccesses() {
  SmallVector<std::pair<uint64_t, uint64_t>, 32> Ranges;
  for (auto &[F, Base] : L.FrameBases)
    if (!collectRanges(*F, Base, Ranges))
      return;
  Ranges.push_back({0, 8});
  Ranges.push_back({8, 16});
  llvm::sort(Ranges);
  SmallVector<std::pair<uint64_t, uint64_t>, 32> Merged;
  for (auto R : Ranges) {
    if (!Merged.empty() && R.first < Merged.back().second)
      Merged.back().second = std::max(Merged.back().second, R.second);
    else
      Merged.push_back(R);
  }
  for (auto [B, E] : Merged) {
    FrameSlot S;
    S.Id = S.GroupStart = L.Slots.size();
    S.Offset = B;
    S.Size = E - B;
    S.Alignment = Align(uint64_t(1) << llvm::countr_zero(B | 16));
    S.Kind = B < 16 ? SlotKind::Header : SlotKind::Unused;
    S.TypeName = "[" + std::to_string(S.Size) + " x i8]";
    L.Slots.push_back(std::move(S));
  }
}

/// Byte ranges [begin, end) accessed through \p Base in \p F (for slots
/// without a struct type). Fails on accesses of unknown extent.
bool FrameAnalyzer::collectRanges(
    Function &F, Value *Base,
    SmallVectorImpl<std::pair<uint64_t, uint64_t>> &Ranges) {
  SmallVector<std::pair<Value *, uint64_t>, 16> Work{{Base, 0}};
  SmallPtrSet<Value *, 32> Seen;
  while (!Work.empty()) {
    auto [V, Off] = Work.pop_back_val();
    if (!Seen.insert(V).second)
      continue;
    for (User *U : V->users()) {
      if (auto *GEP = dyn_cast<GetElementPtrInst>(U)) {
        APInt C(DL.getIndexTypeSizeInBits(GEP->getType()), 0);
        if (!GEP->accumulateConstantOffset(DL, C) || C.isNegative())
          return fail("a variable offset into a frame of unknown layout");
        Work.push_back({GEP, Off + C.getZExtValue()});
      } else if (auto *LI = dyn_cast<LoadInst>(U)) {
        Ranges.push_back({Off, Off + DL.getTypeStoreSize(LI->getType())});
      } else if (auto *SI = dyn_cast<StoreInst>(U)) {
        if (SI->getPointerOperand() == V)
          Ranges.push_back(
              {Off, Off + DL.getTypeStoreSize(SI->getValueOperand()->getType())});
      } else if (auto *MI = dyn_cast<AnyMemIntrinsic>(U)) {
        auto *Len = dyn_cast<ConstantInt>(MI->getLength());
        if (!Len)
          return fail("a memory intrinsic of variable length on the frame");
        Ranges.push_back({Off, Off + Len->getZExtValue()});
      } else if (Off != 0 && isa<CallBase>(U)) {
        return fail("an interior frame address passed to a call, frame "
                    "layout unknown");
      }
    }
  }
  return true;
}

/// Split each field whose tagged accesses show objects of several sizes (LLVM
/// gives objects with disjoint lifetimes one field, at its start) into parts
/// at those sizes: bytes past a small object's end belong to the larger ones
/// only, so they can hold other values while only small objects are live.
/// Returns true if a field was split; the accesses must then be attributed
/// again (replayAccesses). \p FirstPartOf: per old slot, the new slot its
/// field starts with.
bool FrameAnalyzer::splitSharedFields(std::vector<unsigned> &FirstPartOf) {
  constexpr unsigned MaxParts = 8;
  std::vector<FrameSlot> Old = std::move(L.Slots);
  L.Slots.clear();
  bool Split = false;
  for (FrameSlot &S : Old) {
    SmallVector<uint64_t, 8> Cuts{0};
    auto It = ObjectSizes.find(S.Id);
    bool Aggregate = S.Ty && (S.Ty->isArrayTy() || S.Ty->isStructTy());
    if (It != ObjectSizes.end() && Aggregate && S.Kind == SlotKind::Unused) {
      // Below 8 bytes a part is too small to hold anything worth the split
      // (empty awaiters are 1 byte); leaving a cut out only joins parts.
      for (uint64_t Size : It->second)
        if (Size >= 8 && Size < S.Size)
          Cuts.push_back(Size);
      llvm::sort(Cuts);
      Cuts.erase(std::unique(Cuts.begin(), Cuts.end()), Cuts.end());
      if (Cuts.size() > MaxParts)
        Cuts.resize(1);
    }
    unsigned First = L.Slots.size();
    assert(S.Id == FirstPartOf.size() && "slots are numbered in order");
    FirstPartOf.push_back(First);
    for (unsigned K = 0; K < Cuts.size(); ++K) {
      FrameSlot P = S;
      P.Id = L.Slots.size();
      P.GroupStart = First;
      P.GroupSize = Cuts.size();
      P.Offset = S.Offset + Cuts[K];
      P.Size = (K + 1 < Cuts.size() ? Cuts[K + 1] : S.Size) - Cuts[K];
      if (K) {
        P.Guaranteed = P.Offset ? std::min(L.Alignment,
                                           Align(uint64_t(1)
                                                 << llvm::countr_zero(P.Offset)))
                                : L.Alignment;
        P.FieldIndex = -1;
        P.Ty = nullptr;
        P.Alignment = std::min(S.Alignment,
                               Align(uint64_t(1) << llvm::countr_zero(Cuts[K])));
        P.TypeName = "[" + std::to_string(P.Size) + " x i8]";
      }
      L.Slots.push_back(std::move(P));
    }
    Split |= Cuts.size() > 1;
  }
  return Split;
}

} // namespace corofo
