//===- CoroFrameOverlap.cpp - Share frame bytes between slots -------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Assigns new offsets to the movable slots of a frame so that slots that
/// never interfere share bytes, then rewrites the coroutine to match.
///
/// Why it is safe: the frame analysis proves, for every pair of slots, whether
/// one may be written while the other holds a value that is read later (in
/// any function of the coroutine, across suspends, on exception paths), and
/// treats a slot whose address escapes as live everywhere. Slots that do not
/// interfere never need their bytes at the same time, so giving them the same
/// bytes changes no value any read observes. Each slot keeps at least the
/// alignment its old offset guaranteed, so no access's `align` becomes false.
/// The ABI fields stay put; all private fields are reached only through the
/// frame pointers the analysis followed, whose root GEPs are rewritten here.
/// The frame size shrinks, so an allocation whose size record we could not
/// find would only be too large; but every sized deallocation must match its
/// allocation, so all size-carrying calls must be known allocation functions
/// or nothing changes.
//===----------------------------------------------------------------------===//

#include "CoroFrameOverlap.h"
#include "ChangedFunctions.h"
#include "CoroFrameAnalysis.h"
#include "CoroFrameSizeMarkers.h"
#include "TransformBisect.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DIBuilder.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DebugProgramInstruction.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Debug.h"

#include <algorithm>
#include <numeric>

using namespace llvm;

#define DEBUG_TYPE "coro-frame-overlap"

STATISTIC(NumRelaidOut, "Number of coroutine frames given a smaller layout");
STATISTIC(NumBytesSaved, "Number of frame bytes saved");
STATISTIC(NumAllocKept, "Number of re-laid out frames whose allocation "
                        "keeps its old size");

namespace corofo {

namespace {

/// New offsets for the movable slots, or none if no smaller frame was found.
struct Assignment {
  std::vector<uint64_t> Offset; ///< Per slot id; fixed slots keep theirs.
  uint64_t Size = 0;
};

/// Slots that get a new offset: everything but the ABI fields and slots no
/// code touches (padding, dead fields), which are simply dropped.
static bool isMovable(const FrameSlot &S) {
  return !S.isFixed() && !S.Accesses.empty();
}

/// What is placed as one piece: a slot, or the parts of a field the analysis
/// split (they keep their relative offsets). Only parts that code touches
/// count; the others are dropped like unused slots.
struct Unit {
  SmallVector<unsigned, 4> Parts; ///< Movable slots of the piece.
  uint64_t Base = 0;   ///< Old offset of the piece's first part.
  uint64_t Extent = 0; ///< Bytes from Base to the end of its last part.
  /// New offsets must be Phase modulo Modulus: every part keeps the
  /// alignment its accesses rely on (each part's offset was aligned so).
  uint64_t Modulus = 1, Phase = 0;
};

static SmallVector<Unit, 16> collectUnits(const FrameLayout &L) {
  SmallVector<Unit, 16> Units;
  for (const FrameSlot &S : L.Slots) {
    if (S.GroupStart != S.Id)
      continue;
    Unit U;
    U.Base = S.Offset;
    for (unsigned Id = S.Id; Id < S.Id + S.GroupSize; ++Id)
      if (isMovable(L.Slots[Id])) {
        const FrameSlot &P = L.Slots[Id];
        U.Parts.push_back(Id);
        U.Extent = std::max(U.Extent, P.end() - U.Base);
        U.Modulus = std::max<uint64_t>(U.Modulus, P.Needed.value());
      }
    if (U.Parts.empty())
      continue;
    U.Phase = U.Base % U.Modulus;
    Units.push_back(std::move(U));
  }
  return Units;
}

/// Place unit \p U at the lowest offset (from \p Start, at its alignment)
/// where none of its parts overlaps a slot in \p Placed it interferes with;
/// its parts join \p Placed. Returns the end of its highest part.
static uint64_t placeUnit(const FrameLayout &L, const Unit &U, uint64_t Start,
                          SmallVectorImpl<unsigned> &Placed,
                          std::vector<uint64_t> &Offset) {
  // The smallest offset >= X that is Phase modulo Modulus.
  auto fit = [&](uint64_t X) {
    uint64_t Y = alignTo(X, U.Modulus) + U.Phase;
    return Y - U.Modulus >= X && Y >= U.Modulus ? Y - U.Modulus : Y;
  };
  uint64_t At = fit(Start);
  for (bool Moved = true; Moved;) {
    Moved = false;
    for (unsigned Id : U.Parts) {
      const FrameSlot &S = L.Slots[Id];
      uint64_t Lo = At + (S.Offset - U.Base), Hi = Lo + S.Size;
      for (unsigned P : Placed) {
        uint64_t B = Offset[P], E = B + L.Slots[P].Size;
        if (!L.Interferes[Id].test(P) || E <= Lo || Hi <= B)
          continue;
        At = fit(E - (S.Offset - U.Base));
        Moved = true;
        break;
      }
      if (Moved)
        break;
    }
  }
  uint64_t End = 0;
  for (unsigned Id : U.Parts) {
    Offset[Id] = At + (L.Slots[Id].Offset - U.Base);
    End = std::max(End, Offset[Id] + L.Slots[Id].Size);
    Placed.push_back(Id);
  }
  return End;
}

/// Place units in \p Order (placeUnit). Returns the end of the highest slot.
static uint64_t placeInOrder(const FrameLayout &L, ArrayRef<Unit> Units,
                             ArrayRef<unsigned> Order, uint64_t Start,
                             std::vector<uint64_t> &Offset) {
  SmallVector<unsigned, 32> Placed;
  uint64_t End = Start;
  for (unsigned UI : Order)
    End = std::max(End, placeUnit(L, Units[UI], Start, Placed, Offset));
  return End;
}

/// An end no order of placement can beat: each unit ends at least its
/// extent above \p Start, and slots that interfere pairwise (a clique, found
/// greedily by size) need disjoint bytes above it.
static uint64_t placementLowerBound(const FrameLayout &L, ArrayRef<Unit> Units,
                                    uint64_t Start) {
  uint64_t Bound = Start;
  SmallVector<unsigned, 32> Movable;
  for (const Unit &U : Units) {
    Bound = std::max(Bound, Start + U.Extent);
    append_range(Movable, U.Parts);
  }
  return std::max(Bound, Start + L.greedyCliqueBytes(Movable));
}

/// Every order of placement, in lexicographic order, depth first: a prefix
/// that already ends at or above the best size found is not extended (no
/// order starting with it ends strictly lower). Finds what trying each
/// permutation in turn finds, keeping the first strictly smaller one.
struct OrderSearch {
  const FrameLayout &L;
  ArrayRef<Unit> Units;
  uint64_t Start;
  Assignment &Best;
  SmallVector<unsigned, 32> Placed;
  std::vector<uint64_t> Offset;

  void extend(uint64_t End, unsigned Count, uint32_t Used) {
    if (Count == Units.size()) {
      if (End < Best.Size) {
        Best.Size = End;
        Best.Offset = Offset;
      }
      return;
    }
    for (unsigned UI = 0; UI < Units.size(); ++UI) {
      if (Used & (1u << UI))
        continue;
      size_t Mark = Placed.size();
      uint64_t NewEnd =
          std::max(End, placeUnit(L, Units[UI], Start, Placed, Offset));
      if (NewEnd < Best.Size)
        extend(NewEnd, Count + 1, Used | (1u << UI));
      Placed.resize(Mark);
    }
  }
};

/// First fit by decreasing size (then alignment, then position:
/// deterministic); for frames of up to MaxExact units, every order is tried
/// unless first fit already reached placementLowerBound.
static Assignment assignOffsets(const FrameLayout &L, uint64_t Start) {
  SmallVector<Unit, 16> Units = collectUnits(L);
  SmallVector<unsigned, 32> Order;
  for (unsigned I = 0; I < Units.size(); ++I)
    Order.push_back(I);
  llvm::stable_sort(Order, [&](unsigned A, unsigned B) {
    const Unit &X = Units[A], &Y = Units[B];
    if (X.Extent != Y.Extent)
      return X.Extent > Y.Extent;
    return X.Modulus > Y.Modulus;
  });
  Assignment Best;
  Best.Offset.resize(L.Slots.size());
  for (const FrameSlot &S : L.Slots)
    Best.Offset[S.Id] = S.Offset;
  Best.Size = placeInOrder(L, Units, Order, Start, Best.Offset);

  constexpr unsigned MaxExact = 7;
  if (Units.size() <= MaxExact &&
      Best.Size > placementLowerBound(L, Units, Start)) {
    OrderSearch Search{L, Units, Start, Best, {}, Best.Offset};
    Search.extend(Start, 0, 0);
  }
  // Parts nobody touches move with their field (no access needs them, but
  // an address into them maps like its neighbours').
  for (const FrameSlot &S : L.Slots)
    if (!isMovable(S) && !S.isFixed() && S.GroupSize > 1)
      for (unsigned Id = S.GroupStart; Id < S.GroupStart + S.GroupSize; ++Id)
        if (isMovable(L.Slots[Id])) {
          Best.Offset[S.Id] = Best.Offset[Id] + S.Offset - L.Slots[Id].Offset;
          break;
        }
  // Rounded as CoroSplit's struct is (to its fields' alignment, at most 8),
  // not to the frame's alignment: the allocation is the struct's size.
  Best.Size = alignTo(Best.Size, std::min(L.Alignment, Align(8)));
  return Best;
}

/// True for functions that allocate or free a coroutine frame given its
/// size: global or class-specific operator new/delete, malloc-style.
static bool isFrameAllocator(const CallBase &CB) {
  Function *Callee = CB.getCalledFunction();
  if (!Callee)
    return false;
  StringRef Name = Callee->getName();
  if (Name == "malloc" || Name == "aligned_alloc" || Name == "calloc")
    return true;
  std::string D = demangle(Name);
  return D.find("operator new") != std::string::npos ||
         D.find("operator delete") != std::string::npos;
}

/// Old byte offset -> new byte offset, for any offset inside a slot.
struct OffsetMap {
  const FrameLayout &L;
  const Assignment &A;
  std::optional<uint64_t> map(uint64_t Off) const {
    int Id = L.slotAt(Off);
    if (Id < 0)
      return std::nullopt;
    const FrameSlot &S = L.Slots[Id];
    return Off - S.Offset + A.Offset[Id];
  }
};

/// Rewrite the GEPs that leave the frame pointer \p Base for the new offsets;
/// with \p Running, only those in blocks that run (the others are never
/// executed, and most of CoroSplit's copies of the body are such code).
static void
rewriteRootGEPs(Value *Base, const OffsetMap &M, const DataLayout &DL,
                const BlockSet *Running) {
  SmallVector<GetElementPtrInst *, 32> Roots;
  for (User *U : Base->users())
    if (auto *GEP = dyn_cast<GetElementPtrInst>(U))
      if (GEP->getPointerOperand() == Base &&
          (!Running || Running->contains(GEP->getParent())))
        Roots.push_back(GEP);
  for (GetElementPtrInst *GEP : Roots) {
    APInt Off(DL.getIndexTypeSizeInBits(GEP->getType()), 0);
    if (!GEP->accumulateConstantOffset(DL, Off) || Off.isNegative())
      continue; // The analysis rejected such frames; be safe anyway.
    std::optional<uint64_t> New = M.map(Off.getZExtValue());
    if (!New || *New == Off.getZExtValue())
      continue;
    IRBuilder<> B(GEP);
    auto *NewGEP =
        cast<Instruction>(B.CreateInBoundsPtrAdd(Base, B.getInt64(*New)));
    NewGEP->takeName(GEP);
    NewGEP->setDebugLoc(GEP->getDebugLoc());
    GEP->replaceAllUsesWith(NewGEP);
    GEP->eraseFromParent();
  }
}

/// A debug expression that starts with an offset into the frame (optionally
/// after a deref of a spilled frame pointer): map that offset.
static DIExpression *mapExpression(DIExpression *Expr, bool ThroughDeref,
                                   const OffsetMap &M) {
  ArrayRef<uint64_t> E = Expr->getElements();
  unsigned Pos = 0;
  if (ThroughDeref) {
    if (E.empty() || E[0] != dwarf::DW_OP_deref)
      return nullptr;
    Pos = 1;
  }
  if (E.size() < Pos + 2 || E[Pos] != dwarf::DW_OP_plus_uconst)
    return nullptr;
  std::optional<uint64_t> New = M.map(E[Pos + 1]);
  if (!New || *New == E[Pos + 1])
    return nullptr;
  SmallVector<uint64_t, 8> Elts(E.begin(), E.end());
  Elts[Pos + 1] = *New;
  return DIExpression::get(Expr->getContext(), Elts);
}

/// Debug info: variables described as frame pointer + offset, directly or
/// through an alloca holding the frame pointer (O0), and the members of the
/// artificial `<f>.coro_frame_ty` type.
static void rewriteDebugInfo(Function &F, Value *Base, const OffsetMap &M,
                             SmallPtrSetImpl<DICompositeType *> &FrameTypes) {
  // Without debug info (no subprogram, no compile unit) there is no record
  // to rewrite: skip the walk over every instruction.
  if (!F.getSubprogram() && F.getParent()->debug_compile_units().empty())
    return;
  SmallPtrSet<Value *, 4> FramePtrSlots;
  for (User *U : Base->users())
    if (auto *SI = dyn_cast<StoreInst>(U))
      if (SI->getValueOperand() == Base)
        if (auto *AI = dyn_cast<AllocaInst>(SI->getPointerOperand()))
          FramePtrSlots.insert(AI);
  for (Instruction &I : instructions(F))
    for (DbgVariableRecord &DVR : filterDbgVars(I.getDbgRecordRange())) {
      if (DVR.getVariable()->getName() == "__coro_frame")
        if (auto *CT = dyn_cast_or_null<DICompositeType>(
                DVR.getVariable()->getType()))
          FrameTypes.insert(CT);
      if (DVR.getNumVariableLocationOps() != 1)
        continue;
      Value *Loc = DVR.getVariableLocationOp(0);
      DIExpression *New = nullptr;
      if (Loc == Base)
        New = mapExpression(DVR.getExpression(), false, M);
      else if (FramePtrSlots.contains(Loc))
        New = mapExpression(DVR.getExpression(), true, M);
      if (New)
        DVR.setExpression(New);
    }
}

static void rewriteFrameType(DICompositeType *CT, const OffsetMap &M) {
  SmallVector<Metadata *, 16> Members;
  bool Changed = false;
  for (DINode *N : CT->getElements()) {
    auto *DT = dyn_cast_or_null<DIDerivedType>(N);
    if (!DT || DT->getTag() != dwarf::DW_TAG_member) {
      Members.push_back(N);
      continue;
    }
    uint64_t OldBytes = DT->getOffsetInBits() / 8;
    std::optional<uint64_t> New = M.map(OldBytes);
    if (!New || *New == OldBytes) {
      Members.push_back(N);
      continue;
    }
    Members.push_back(DIDerivedType::get(
        CT->getContext(), DT->getTag(), DT->getRawName(), DT->getFile(),
        DT->getLine(), DT->getScope(), DT->getBaseType(), DT->getSizeInBits(),
        DT->getAlignInBits(), *New * 8, DT->getDWARFAddressSpace(),
        DT->getPtrAuthData(), DT->getFlags(), DT->getExtraData(),
        DT->getAnnotations()));
    Changed = true;
  }
  if (Changed)
    CT->replaceElements(MDTuple::get(CT->getContext(), Members));
}

/// Frame-size attributes on a frame parameter: the new size; offset-based
/// facts (initializes) about the old layout are dropped.
static void rewriteParamAttrs(Function &F, unsigned ArgNo, uint64_t OldSize,
                              uint64_t NewSize) {
  if (F.getParamDereferenceableBytes(ArgNo) == OldSize) {
    F.removeParamAttr(ArgNo, Attribute::Dereferenceable);
    F.addDereferenceableParamAttr(ArgNo, NewSize);
  }
  F.removeParamAttr(ArgNo, Attribute::Initializes);
  for (User *U : F.users()) {
    auto *CB = dyn_cast<CallBase>(U);
    if (!CB || CB->getCalledFunction() != &F || CB->arg_size() <= ArgNo)
      continue;
    if (CB->getParamDereferenceableBytes(ArgNo) == OldSize) {
      CB->removeParamAttr(ArgNo, Attribute::Dereferenceable);
      CB->addDereferenceableParamAttr(ArgNo, NewSize);
    }
    CB->removeParamAttr(ArgNo, Attribute::Initializes);
  }
}

/// The constants that mean "the frame size": the recorded (aligned) size and
/// the struct's own size, which llvm.coro.size lowers to.
static SmallVector<uint64_t, 2> sizeValues(const FrameLayout &L,
                                           const DataLayout &DL) {
  SmallVector<uint64_t, 2> V{L.Size};
  if (L.FrameTy && DL.getTypeAllocSize(L.FrameTy) != L.Size)
    V.push_back(DL.getTypeAllocSize(L.FrameTy));
  return V;
}

/// True if \p V is, through phis, selects and llvm.coro.begin/coro.free,
/// one of \p Targets (the calls allocating this frame, or its pointers).
static bool reaches(const Value *V, const SmallPtrSetImpl<const Value *> &Targets) {
  SmallVector<const Value *, 8> Work{V};
  SmallPtrSet<const Value *, 16> Seen;
  while (!Work.empty()) {
    const Value *X = Work.pop_back_val()->stripPointerCasts();
    if (!Seen.insert(X).second)
      continue;
    if (Targets.contains(X))
      return true;
    if (const auto *PN = dyn_cast<PHINode>(X))
      Work.append(PN->op_begin(), PN->op_end());
    else if (const auto *S = dyn_cast<SelectInst>(X))
      Work.append({S->getTrueValue(), S->getFalseValue()});
    else if (const auto *II = dyn_cast<IntrinsicInst>(X);
             II && (II->getIntrinsicID() == Intrinsic::coro_begin ||
                    II->getIntrinsicID() == Intrinsic::coro_free))
      Work.push_back(II->getArgOperand(1));
    else if (const auto *LI = dyn_cast<LoadInst>(X)) {
      // A pointer kept in a local (-O0): follow what is stored there, when
      // the local is only ever loaded and stored to.
      const auto *AI = dyn_cast<AllocaInst>(LI->getPointerOperand());
      if (!AI)
        continue;
      for (const User *U : AI->users()) {
        if (const auto *SI = dyn_cast<StoreInst>(U);
            SI && SI->getPointerOperand() == AI)
          Work.push_back(SI->getValueOperand());
        else if (!isa<LoadInst>(U) && !isa<IntrinsicInst>(U))
          return false;
      }
    }
  }
  return false;
}

/// A short description of \p I for remarks: "'add' in f.destroy".
static std::string describeUse(const Instruction &I) {
  std::string Text = "'" + std::string(I.getOpcodeName()) + "'";
  if (const auto *CB = dyn_cast<CallBase>(&I))
    if (const Function *Callee = CB->getCalledFunction())
      Text = "a call of '" + displayName(Callee->getName()) + "'";
  return Text + " in " + I.getFunction()->getName().str();
}

/// Without markers (IR that did not pass coro-mark-frame-size, e.g. split
/// IR given to opt): the frame-size constants this frame's allocation and
/// sized deallocation calls carry. A call counts as this frame's when the
/// frame pointer comes from its result (allocation) or its pointer argument
/// is this frame (deallocation). Every use of a frame-size constant in the
/// coroutine must be such a call; otherwise (the size is spilled to reach
/// delete later, or the same number sizes another object, e.g. an inlined
/// callee's frame) nothing can be rewritten, and the reason is returned: a
/// frame allocated larger than it needs is correct, a sized delete that
/// disagrees with its new is not.
static std::string findDirectSizeUses(const SplitCoroutine &C,
                                      const FrameLayout &L,
                                      const DataLayout &DL,
                                      SmallVectorImpl<Use *> &Uses) {
  SmallVector<uint64_t, 2> Sizes = sizeValues(L, DL);
  SmallPtrSet<const Value *, 8> Bases;
  for (auto &[F, Base] : L.FrameBases)
    Bases.insert(Base->stripPointerCasts());
  for (Function *F : C.functions())
    for (Instruction &I : instructions(*F))
      for (Use &Op : I.operands()) {
        auto *CI = dyn_cast<ConstantInt>(Op);
        if (!CI || CI->getBitWidth() > 64 ||
            !is_contained(Sizes, CI->getZExtValue()))
          continue;
        auto *CB = dyn_cast<CallBase>(&I);
        if (!CB || !CB->isArgOperand(&Op) || !isFrameAllocator(*CB))
          return "the size value is also used by " + describeUse(I) +
                 ", not an allocation call";
        SmallPtrSet<const Value *, 1> Self{CB};
        bool Allocates = any_of(Bases, [&](const Value *B) {
          return reaches(B, Self);
        });
        // .cleanup frees "null" (its frame was not heap-allocated): a no-op.
        bool Frees = CB->arg_size() > 0 &&
                     CB->getArgOperand(0)->getType()->isPointerTy() &&
                     (isa<ConstantPointerNull>(CB->getArgOperand(0)) ||
                      reaches(CB->getArgOperand(0), Bases));
        if (!Allocates && !Frees)
          return "the size value is also used by " + describeUse(I) +
                 ", which neither allocates nor frees this frame";
        Uses.push_back(&Op);
      }
  return "";
}

/// Give every record of this frame's size the new size. With frame-size
/// markers (CoroFrameSizeMarkers.h) these are exactly the markers, whatever
/// the inlined allocator computes from them; without, the constant
/// arguments of the allocation and sized deallocation calls. Returns why
/// the allocation keeps its old size, or "" when it follows.
static std::string rewriteAllocationSizes(const SplitCoroutine &C,
                                          const FrameLayout &L,
                                          const DataLayout &DL,
                                          uint64_t NewSize,
                                          FrameSizeMarkerIndex *SizeMarkers) {
  SmallVector<uint64_t, 2> Sizes = sizeValues(L, DL);
  SmallVector<CallInst *, 4> Markers =
      findFrameSizeMarkers(C.functions(), SizeMarkers);
  if (!Markers.empty()) {
    for (CallInst *M : Markers) {
      auto *CI = dyn_cast<ConstantInt>(M->getArgOperand(0));
      if (!CI || CI->getBitWidth() > 64 ||
          !is_contained(Sizes, CI->getZExtValue()))
        return "a frame-size marker in " + M->getFunction()->getName().str() +
               " does not carry CoroSplit's size";
    }
    resolveFrameSizeMarkers(Markers, NewSize, SizeMarkers);
    return "";
  }
  SmallVector<Use *, 8> ToRewrite;
  std::string Why = findDirectSizeUses(C, L, DL, ToRewrite);
  if (!Why.empty())
    return Why;
  for (Use *Op : ToRewrite) {
    auto *CB = cast<CallBase>(Op->getUser());
    Op->set(ConstantInt::get(Op->get()->getType(), NewSize));
    // The allocation's result may carry the size as a return attribute.
    if (is_contained(Sizes, CB->getRetDereferenceableBytes())) {
      CB->removeRetAttr(Attribute::Dereferenceable);
      CB->addRetAttr(
          Attribute::getWithDereferenceableBytes(CB->getContext(), NewSize));
    }
  }
  return "";
}

std::string slotList(const FrameLayout &L, const Assignment &A) {
  // Groups of slots that now share bytes, e.g. "a+b, c+d".
  std::string Text;
  for (const FrameSlot &S : L.Slots) {
    if (!isMovable(S))
      continue;
    SmallVector<std::string, 4> With;
    for (const FrameSlot &T : L.Slots)
      if (T.Id > S.Id && isMovable(T) && A.Offset[T.Id] < A.Offset[S.Id] + S.Size &&
          A.Offset[S.Id] < A.Offset[T.Id] + T.Size)
        With.push_back(T.Name);
    if (With.empty())
      continue;
    if (!Text.empty())
      Text += "; ";
    Text += S.Name;
    for (const std::string &W : With)
      Text += " + " + W;
  }
  return Text.empty() ? "none" : Text;
}

} // namespace

std::optional<FrameLayout>
overlapFrameSlots(const SplitCoroutine &C, const FrameLayout &L,
                  OptimizationRemarkEmitter &ORE,
                  FrameSizeMarkerIndex *SizeMarkers, const KnownFlows *Flows) {
  Function *Anchor = C.anchor();
  DiagnosticLocation Loc(Anchor->getSubprogram());
  auto missed = [&](StringRef Why) {
    LLVM_DEBUG(dbgs() << "coro-frame-overlap: " << C.Name << " kept: " << Why
                      << "\n");
    ORE.emit([&] {
      return OptimizationRemarkMissed(OverlapRemarkPass, "NotOverlapped", Loc,
                                      &Anchor->getEntryBlock())
             << "frame of '" << ore::NV("coroutine", displayName(C.Name))
             << "' not re-laid out: " << ore::NV("reason", Why);
    });
    return std::nullopt;
  };
  if (!L.Analyzable)
    return missed(L.WhyNot);
  if (!L.FrameTy)
    return missed("the frame struct type is gone or does not match the size");
  if (!L.NoRelayout.empty())
    return missed(L.NoRelayout);

  uint64_t FixedEnd = 16;
  for (const FrameSlot &S : L.Slots)
    if (S.isFixed())
      FixedEnd = std::max(FixedEnd, S.end());
  Assignment A = assignOffsets(L, FixedEnd);
  // Against what CoroSplit allocates (its struct's size), which may be
  // below the alignment-rounded size it records on the clones.
  if (A.Size >= L.AllocSize)
    return missed("no smaller layout: the slots that must coexist already "
                  "fill the frame");
  if (!shouldTransform([&] {
        return "overlap: re-lay out the frame of '" + displayName(C.Name) +
               "'";
      }))
    return missed("stopped by -coro-frame-opt-max-transforms");

  // The layout after the change, taken before root GEPs are erased (they
  // leave the access lists).
  FrameLayout After = L;
  After.Size = A.Size;
  After.FrameTy = nullptr;
  for (FrameSlot &S : After.Slots) {
    S.Offset = A.Offset[S.Id];
    llvm::erase_if(S.Accesses,
                   [](Instruction *I) { return isa<GetElementPtrInst>(I); });
  }
  After.Relaid = true;

  const DataLayout &DL = Anchor->getParent()->getDataLayout();
  OffsetMap M{L, A};
  SmallPtrSet<DICompositeType *, 2> FrameTypes;
  for (auto &[F, Base] : L.FrameBases) {
    const BlockSet *Running = nullptr;
    if (Flows)
      if (const KnownControlFlow *Flow = flowOf(*Flows, F))
        Running = &Flow->Running;
    rewriteRootGEPs(Base, M, DL, Running);
    rewriteDebugInfo(*F, Base, M, FrameTypes);
  }
  for (DICompositeType *CT : FrameTypes)
    rewriteFrameType(CT, M);
  std::string KeepsAlloc =
      rewriteAllocationSizes(C, L, DL, A.Size, SizeMarkers);
  After.AllocSize = KeepsAlloc.empty() ? A.Size : L.AllocSize;
  for (Function *F : {C.Resume, C.Destroy, C.Cleanup})
    if (F)
      rewriteParamAttrs(*F, 0, L.Size, A.Size);
  if (C.NoAlloc)
    rewriteParamAttrs(*C.NoAlloc, C.NoAlloc->arg_size() - 1, L.Size, A.Size);

  LLVM_DEBUG(dbgs() << "coro-frame-overlap: " << C.Name << " "
                    << L.AllocSize << " -> " << A.Size << " bytes"
                    << (KeepsAlloc.empty() ? "" : ", allocation kept: ")
                    << KeepsAlloc << "\n");
  ++NumRelaidOut;
  NumBytesSaved += L.AllocSize - A.Size;
  if (!KeepsAlloc.empty())
    ++NumAllocKept;
  ORE.emit([&] {
    return OptimizationRemark(OverlapRemarkPass, "FrameOverlapped", Loc,
                              &Anchor->getEntryBlock())
           << "frame of '" << ore::NV("coroutine", displayName(C.Name))
           << "' re-laid out: " << ore::NV("old_size", L.AllocSize) << " -> "
           << ore::NV("new_size", A.Size) << " bytes (lower bound "
           << ore::NV("lower_bound", L.LowerBound) << "); sharing: "
           << ore::NV("shared", slotList(L, A));
  });
  // The saving does not reach the heap: say so where -Rpass-missed looks.
  if (!KeepsAlloc.empty())
    ORE.emit([&] {
      return OptimizationRemarkMissed(OverlapRemarkPass,
                                      "AllocationNotResized", Loc,
                                      &Anchor->getEntryBlock())
             << "frame of '" << ore::NV("coroutine", displayName(C.Name))
             << "': the allocation stays at "
             << ore::NV("alloc_size", L.AllocSize)
             << " bytes although the layout needs "
             << ore::NV("new_size", A.Size) << ": "
             << ore::NV("reason", KeepsAlloc);
    });
  return After;
}

void invalidateCoroutineAndCallers(const SplitCoroutine &C,
                                   FunctionAnalysisManager &FAM) {
  SmallVector<Function *, 5> Members = C.functions();
  SmallPtrSet<Function *, 8> Done(Members.begin(), Members.end());
  for (Function *F : Members)
    FAM.invalidate(*F, PreservedAnalyses::none());
  // A caller changed in call-site attributes only: its dominator tree,
  // loops and block frequencies stand (destroyed and rebuilt for nothing,
  // they were most of this function's time on a file of coroutine lambdas).
  PreservedAnalyses CallerPA;
  CallerPA.preserveSet<CFGAnalyses>();
  for (Function *F : Members)
    for (User *U : F->users())
      if (auto *CB = dyn_cast<CallBase>(U);
          CB && CB->getCalledFunction() == F &&
          Done.insert(CB->getFunction()).second)
        FAM.invalidate(*CB->getFunction(), CallerPA);
}

PreservedAnalyses CoroFrameOverlapPass::run(Module &M,
                                            ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  bool Changed = false;
  for (const SplitCoroutine &C : findSplitCoroutines(M)) {
    FrameLayout L = analyzeFrame(C);
    bool Did = overlapFrameSlots(C, L,
                                 FAM.getResult<OptimizationRemarkEmitterAnalysis>(
                                     *C.anchor()))
                   .has_value();
    Did |= resolveFrameSizeMarkers(findFrameSizeMarkers(C.functions()),
                                   std::nullopt) > 0;
    if (Did)
      invalidateCoroutineAndCallers(C, FAM);
    Changed |= Did;
  }
  return Changed ? changedFunctionsInvalidated() : PreservedAnalyses::all();
}

} // namespace corofo
