//===- CoroFrameLayout.cpp - Slots, states and liveness of a frame --------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Reconstructs a split coroutine's frame from the IR of its ramp and clones:
///
///  1. Frame pointers: param 0 of .resume/.destroy/.cleanup, the last param of
///     .noalloc, and in the ramp the pointer `@F.resume` is stored through.
///  2. Slots: the fields of `%F.Frame` (offsets from the DataLayout) or, when
///     that type is gone or does not match the recorded size, byte ranges.
///  3. Accesses: every user of a frame pointer in a block that runs
///     (reachable over feasible edges), followed through constant GEPs. A load reads, a store writes, memcpy/memset read/write a span
///     (possibly several slots), a call argument marked captures(none) reads
///     and may write. Anything else that lets a slot's address out escapes it.
///     The frame pointer itself (offset 0) reaching a call or memory is a
///     coroutine handle: through a handle only the ABI fields (resume/destroy
///     pointers, promise) are reachable, so only those are touched.
///  4. States: the clones dispatch on the index field (`switch` on its load;
///     with -fno-exceptions .destroy first tests the resume pointer for null,
///     which is the final state). Stores of the index mark suspend points.
///  5. Liveness: backward data flow over the blocks that run; a store of index K is
///     where the coroutine may suspend in state K, so everything live on
///     entry to any clone's resume block for K is live there. Iterated to a
///     fixed point over all functions (the suspend edges glue them together).
///  6. Scopes: an escaped object whose every escape carries a scope tag
///     recorded before CoroSplit (CoroScopeMarkers.h) is open from its
///     escapes and start markers until its end markers, by forward data flow
///     glued at the suspend states; it is live only where it may be open.
///  7. Names: what each slot holds in source terms, from evidence only
///     (CoroFrameNames.cpp); the objects each slot's tagged accesses name
///     are recorded for it.
///
/// Anything the walk does not understand makes the frame unanalysable, and
/// the reason is kept for the report and for missed remarks.
//===----------------------------------------------------------------------===//

#include "CoroFrameAnalysis.h"
#include "CoroScopeMarkers.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DebugProgramInstruction.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace corofo {

StringRef slotKindName(SlotKind K) {
  switch (K) {
  case SlotKind::Header:
    return "header";
  case SlotKind::Promise:
    return "promise";
  case SlotKind::Index:
    return "index";
  case SlotKind::Spill:
    return "spill";
  case SlotKind::Alloca:
    return "alloca";
  case SlotKind::Unused:
    return "unused";
  }
  return "unknown";
}

namespace {

/// Effect of one instruction on frame slots, for liveness. Small bit
/// vectors: one per accessing instruction, so no heap block each for the
/// usual frame of a few dozen slots.
struct SlotEffect {
  SmallBitVector Uses;     ///< Slots read.
  SmallBitVector Kills;    ///< Slots completely overwritten.
  SmallBitVector Writes;   ///< Slots written, wholly or in part, or maybe written.
  SmallBitVector Touches;  ///< Slots read, written or addressed (for Accesses).
};

/// Dst |= Src, Dst &= ~Src for an effect's slots.
static void orInto(BitVector &Dst, const SmallBitVector &Src) {
  for (unsigned I : Src.set_bits())
    Dst.set(I);
}
static void resetIn(BitVector &Dst, const SmallBitVector &Src) {
  for (unsigned I : Src.set_bits())
    Dst.reset(I);
}

/// The instructions among the keys of some maps, grouped by block (numbered
/// as the analysis numbers them) and in program order within each: the event
/// walks below visit these instead of every instruction (a clone after
/// inlining has thousands, a few dozen of which touch the frame). One array
/// and an offset per block: a map of per-block vectors cost more to build
/// than the walks that read it.
class EventsByBlock {
public:
  template <typename... MapTs>
  EventsByBlock(const DenseMap<const BasicBlock *, unsigned> &Number,
                const MapTs &...Maps) {
    SmallVector<std::pair<unsigned, Instruction *>, 64> Keyed;
    auto add = [&](const auto &Map) {
      for (const auto &Entry : Map)
        if (auto It = Number.find(Entry.first->getParent());
            It != Number.end())
          Keyed.push_back({It->second, Entry.first});
    };
    (add(Maps), ...);
    llvm::sort(Keyed, [](const auto &A, const auto &B) {
      if (A.first != B.first)
        return A.first < B.first;
      return A.second != B.second && A.second->comesBefore(B.second);
    });
    Keyed.erase(std::unique(Keyed.begin(), Keyed.end()), Keyed.end());
    Start.assign(Number.size() + 1, 0);
    Insts.reserve(Keyed.size());
    for (auto [Block, I] : Keyed) {
      ++Start[Block + 1];
      Insts.push_back(I);
    }
    for (unsigned B = 0; B < Number.size(); ++B)
      Start[B + 1] += Start[B];
  }
  ArrayRef<Instruction *> of(unsigned Block) const {
    return ArrayRef(Insts).slice(Start[Block], Start[Block + 1] - Start[Block]);
  }

private:
  std::vector<Instruction *> Insts;
  std::vector<unsigned> Start;
};

/// A frame-derived pointer: constant offset from the frame start, or unknown
/// within the slot that contains Offset.
struct FramePtr {
  Value *V;
  uint64_t Offset;
  bool Exact; ///< False after a variable GEP: somewhere inside the slot.
  int Root = -1; ///< Slot the first GEP off the frame pointer landed in.
  /// Came through a phi or select: scope tags may name another object.
  bool ViaMerge = false;
};

class FrameAnalyzer {
public:
  FrameAnalyzer(const SplitCoroutine &C, FrameLayout &L,
                const AnnotationIndex *Annotations)
      : C(C), L(L), DL(C.Resume->getParent()->getDataLayout()),
        TagKindID(C.Resume->getContext().getMDKindID(ScopeTagKind)),
        Annotations(Annotations) {}

  void run();

private:
  const SplitCoroutine &C;
  FrameLayout &L;
  const DataLayout &DL;
  unsigned TagKindID;
  const AnnotationIndex *Annotations;

  DenseMap<Instruction *, SlotEffect> Effects;
  /// Stores to the index field, with the state values they may store.
  DenseMap<Instruction *, SmallVector<uint64_t, 2>> IndexStoreValues;
  /// Per state (position in L.States), the slots live across it.
  std::vector<BitVector> LiveAcross;
  /// Slots escaped or otherwise live everywhere.
  BitVector AlwaysLive;
  /// First walk: per slot, the sizes of the objects its tagged accesses say
  /// it holds (a field LLVM gave several objects is split by them).
  DenseMap<unsigned, SmallVector<uint64_t, 4>> ObjectSizes;
  /// Per slot, the objects (tag ids; -1: an access without a tag) whose
  /// accesses touch it.
  DenseMap<unsigned, SmallVector<int64_t, 2>> Touchers;
  /// The size each object's tags give (tag id -> bytes).
  DenseMap<uint64_t, uint64_t> ObjectSize;
  /// Per slot, each escaping instruction with the object id of its scope tag
  /// (-1: untagged).
  DenseMap<unsigned, SmallVector<std::pair<Instruction *, int64_t>, 2>>
      Escapes;
  /// Per state, the Scoped slots that may be open across it; per
  /// instruction, the Scoped slots that may be open while it runs (absent:
  /// none).
  std::vector<BitVector> ScopeAcross;
  DenseMap<Instruction *, BitVector> OpenAt;
  /// Start markers of Scoped slots, with the slots whose bytes are
  /// undefined from there on: no value is live across one (backward: a kill).
  DenseMap<Instruction *, SmallVector<unsigned, 1>> ScopeStarts;
  /// Each clone's entry blocks up to and including its dispatch. Liveness
  /// there is the union over all states, but only one state's slots hold
  /// values at run time (the index says which): no point to count bytes at.
  SmallPtrSet<BasicBlock *, 8> DispatchBlocks;
  /// Position of each block (function order, then layout order), for
  /// deterministic output.
  DenseMap<const BasicBlock *, unsigned> BlockOrder;
  /// Blocks that run: reachable from their function's entry over feasible
  /// edges. CoroSplit leaves the other states' code in each function until
  /// it is simplified (about half of the blocks of unsimplified clones);
  /// what never runs holds no value and clobbers none.
  SmallPtrSet<BasicBlock *, 32> Running;

  bool fail(const Twine &Why) {
    if (L.WhyNot.empty())
      L.WhyNot = Why.str();
    L.Analyzable = false;
    return false;
  }

  bool findFrameBases();
  bool buildSlots();
  void buildSlotsFromType();
  void buildSlotsFromAccesses();
  bool walkAccesses(Function &F, Value *Base);
  bool collectRanges(Function &F, Value *Base,
                     SmallVectorImpl<std::pair<uint64_t, uint64_t>> &Ranges);
  int slotAt(uint64_t Offset) const { return L.slotAt(Offset); }
  void touchRange(Instruction *I, uint64_t Off, uint64_t Size, bool Read,
                  bool Write, bool Exact, std::optional<ScopeTag> Tag);
  void touchHandle(Instruction *I);
  void noteEscape(unsigned Id, Instruction *I, std::optional<ScopeTag> Tag);
  std::optional<ScopeTag> tagOf(Instruction *I, unsigned OpNo,
                                const FramePtr &P);
  SmallVector<unsigned, 4> reach(unsigned Id,
                                 std::optional<ScopeTag> Tag) const;
  void noteToucher(unsigned Id, std::optional<ScopeTag> Tag);
  uint64_t groupBegin(unsigned Id) const {
    return L.Slots[L.Slots[Id].GroupStart].Offset;
  }
  uint64_t groupEnd(unsigned Id) const {
    const FrameSlot &S = L.Slots[Id];
    return L.Slots[S.GroupStart + S.GroupSize - 1].end();
  }
  bool splitSharedFields();
  void findRunningBlocks();
  SmallVector<Instruction *, 16> findScopeMarkers() const;
  void computeScopes();
  void noteSpan(Instruction *I);
  SlotEffect &effect(Instruction *I);
  bool findStates();
  bool recordIndexStores();
  void computeLiveness();
  void computeLowerBound();
  void recordSlotObjects();
};

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
    raw_string_ostream OS(S.TypeName);
    Ty->print(OS);
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

/// Follow every use of the frame pointer \p Base in \p F and record effects.
bool FrameAnalyzer::walkAccesses(Function &F, Value *Base) {
  SmallVector<FramePtr, 32> Work{{Base, 0, true}};
  DenseMap<Value *, std::pair<uint64_t, bool>> Seen;
  while (!Work.empty()) {
    FramePtr P = Work.pop_back_val();
    auto [It, New] = Seen.try_emplace(P.V, P.Offset, P.Exact);
    if (!New) {
      // A merge of addresses of different slots (e.g. `c ? &x : &y`): which
      // slot an access through it touches is unknown, so each may be touched
      // at any time: both escape. Writes through merges never kill.
      if (It->second.first != P.Offset) {
        int A = slotAt(It->second.first), B = slotAt(P.Offset);
        if (A < 0 || B < 0)
          return fail("a merged pointer outside the frame in '" + F.getName() +
                      "'");
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
      }
      continue;
    }
    bool IsHandle = P.Exact && P.Offset == 0;
    for (Use &U : P.V->uses()) {
      auto *I = dyn_cast<Instruction>(U.getUser());
      // Code that never runs accesses nothing. (The overlap pass still
      // rewrites its offsets, as it rewrites every GEP off the frame.)
      if (!I || !Running.contains(I->getParent()))
        continue;
      if (auto *GEP = dyn_cast<GetElementPtrInst>(I)) {
        APInt Off(DL.getIndexTypeSizeInBits(GEP->getType()), 0);
        if (GEP->accumulateConstantOffset(DL, Off) && !Off.isNegative()) {
          uint64_t NewOff = P.Offset + Off.getZExtValue();
          int Root = P.Root >= 0 ? P.Root : slotAt(NewOff);
          // A GEP chain must stay in the field it entered (one past its end
          // is a valid address too, e.g. an array's end()).
          if (Root < 0 || NewOff < groupBegin(Root) || NewOff > groupEnd(Root))
            noteSpan(GEP);
          Work.push_back({GEP, NewOff, P.Exact, Root, P.ViaMerge});
        } else {
          // Indexing inside an object (e.g. an array): stays in its slot.
          int Id = slotAt(P.Offset);
          if (Id < 0)
            return fail("a variable index outside the frame in '" +
                        F.getName() + "'");
          effect(GEP).Touches.set(Id);
          Work.push_back({GEP, P.Offset, false, P.Root >= 0 ? P.Root : Id,
                          P.ViaMerge});
        }
        continue;
      }
      if (isa<AddrSpaceCastInst>(I) || isa<BitCastInst>(I)) {
        Work.push_back({I, P.Offset, P.Exact, P.Root, P.ViaMerge});
        continue;
      }
      if (auto *LI = dyn_cast<LoadInst>(I)) {
        touchRange(LI, P.Offset, DL.getTypeStoreSize(LI->getType()), true,
                   false, P.Exact, tagOf(LI, U.getOperandNo(), P));
        continue;
      }
      if (auto *SI = dyn_cast<StoreInst>(I)) {
        if (U.getOperandNo() == StoreInst::getPointerOperandIndex()) {
          touchRange(SI, P.Offset,
                     DL.getTypeStoreSize(SI->getValueOperand()->getType()),
                     false, true, P.Exact, tagOf(SI, U.getOperandNo(), P));
          continue;
        }
        // The pointer itself is stored to memory: it escapes.
        if (IsHandle)
          touchHandle(SI);
        else if (int Id = slotAt(P.Offset); Id >= 0)
          noteEscape(Id, SI, tagOf(SI, U.getOperandNo(), P));
        continue;
      }
      // Atomic read-modify-write and compare-exchange read the old value
      // and may write a new one in one step: a use, and a write that never
      // kills (as a partial write). A frame address as their value operand
      // is stored to memory: it escapes.
      if (isa<AtomicRMWInst>(I) || isa<AtomicCmpXchgInst>(I)) {
        bool IsPointer =
            U.getOperandNo() == (isa<AtomicRMWInst>(I)
                                     ? AtomicRMWInst::getPointerOperandIndex()
                                     : AtomicCmpXchgInst::getPointerOperandIndex());
        if (IsPointer) {
          Type *ValTy = isa<AtomicRMWInst>(I)
                            ? cast<AtomicRMWInst>(I)->getValOperand()->getType()
                            : cast<AtomicCmpXchgInst>(I)
                                  ->getCompareOperand()
                                  ->getType();
          touchRange(I, P.Offset, DL.getTypeStoreSize(ValTy), /*Read=*/true,
                     /*Write=*/true, P.Exact, tagOf(I, U.getOperandNo(), P));
          effect(I).Kills.reset(); // the old value is read first
          continue;
        }
        if (IsHandle)
          touchHandle(I);
        else if (int Id = slotAt(P.Offset); Id >= 0)
          noteEscape(Id, I, tagOf(I, U.getOperandNo(), P));
        continue;
      }
      if (auto *MI = dyn_cast<AnyMemIntrinsic>(I)) {
        auto *Len = dyn_cast<ConstantInt>(MI->getLength());
        bool IsDest = U.getOperandNo() == 0;
        uint64_t Size = Len ? Len->getZExtValue() : 0;
        touchRange(MI, P.Offset, Size, !IsDest, IsDest, P.Exact && Len,
                   tagOf(MI, U.getOperandNo(), P));
        continue;
      }
      if (auto *II = dyn_cast<IntrinsicInst>(I)) {
        if (II->isLifetimeStartOrEnd() || isa<DbgInfoIntrinsic>(II) ||
            II->getIntrinsicID() == Intrinsic::assume ||
            II->getIntrinsicID() == Intrinsic::coro_free ||
            II->getIntrinsicID() == Intrinsic::coro_begin)
          {
            if (II->getIntrinsicID() == Intrinsic::coro_begin)
              Work.push_back({II, P.Offset, P.Exact, P.Root, P.ViaMerge});
            continue;
          }
      }
      if (isa<ICmpInst>(I) || (isa<PtrToIntInst>(I) && IsHandle)) {
        // Comparing addresses (e.g. handle == nullptr) reads no slot; the
        // integer value of a handle is still a handle (from_address()).
        if (isa<PtrToIntInst>(I))
          touchHandle(I);
        continue;
      }
      if (auto *CB = dyn_cast<CallBase>(I)) {
        if (CB->isCallee(&U))
          return fail("a call through a frame address in '" + F.getName() +
                      "'");
        if (IsHandle) {
          touchHandle(CB);
          continue;
        }
        unsigned ArgNo = CB->getArgOperandNo(&U);
        int Id = slotAt(P.Offset);
        if (Id < 0)
          return fail("an address outside the frame in '" + F.getName() +
                      "'");
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
        continue;
      }
      if (isa<PHINode>(I) || isa<SelectInst>(I)) {
        // Merging frame pointers: every frame input must be this same
        // position (checked by the Seen map). Another input may be a
        // non-frame pointer, so a write through the merge never kills.
        Work.push_back({I, P.Offset, false, P.Root, /*ViaMerge=*/true});
        continue;
      }
      if (isa<ReturnInst>(I) || isa<PtrToIntInst>(I) ||
          isa<InsertValueInst>(I) || isa<IntToPtrInst>(I)) {
        if (IsHandle) {
          touchHandle(I);
          continue;
        }
        if (int Id = slotAt(P.Offset); Id >= 0) {
          noteEscape(Id, I, tagOf(I, U.getOperandNo(), P));
          continue;
        }
      }
      std::string Text;
      raw_string_ostream OS(Text);
      I->print(OS);
      return fail("an unexpected use of the frame in '" + F.getName() +
                  "':" + Text);
    }
  }
  return true;
}

/// The constant state values \p V may hold (phi/select of constants).
static bool stateValues(Value *V, SmallVectorImpl<uint64_t> &Out,
                        SmallPtrSetImpl<Value *> &Seen) {
  if (!Seen.insert(V).second)
    return true;
  if (auto *CI = dyn_cast<ConstantInt>(V)) {
    Out.push_back(CI->getZExtValue());
    return true;
  }
  if (auto *PN = dyn_cast<PHINode>(V)) {
    for (Value *In : PN->incoming_values())
      if (!stateValues(In, Out, Seen))
        return false;
    return true;
  }
  if (auto *S = dyn_cast<SelectInst>(V))
    return stateValues(S->getTrueValue(), Out, Seen) &&
           stateValues(S->getFalseValue(), Out, Seen);
  return false;
}

bool FrameAnalyzer::findStates() {
  // The dispatch: a switch on a load of one frame slot, in each clone.
  DenseMap<uint64_t, unsigned> StateOf;
  SmallVector<std::pair<Function *, BasicBlock *>, 3> SingleStateBlocks;
  auto stateFor = [&](uint64_t V) -> SuspendState & {
    auto [It, New] = StateOf.try_emplace(V, L.States.size());
    if (New) {
      L.States.emplace_back();
      L.States.back().IndexValue = V;
    }
    return L.States[It->second];
  };
  for (auto &[F, Base] : L.FrameBases) {
    if (F == C.Ramp || F == C.NoAlloc)
      continue;
    SwitchInst *Dispatch = nullptr;
    BasicBlock *FinalBlock = nullptr;
    // Walk the entry's straight-line prefix to the dispatch.
    for (BasicBlock *BB = &F->getEntryBlock(); BB && !Dispatch;) {
      DispatchBlocks.insert(BB);
      Instruction *T = BB->getTerminator();
      if (auto *SW = dyn_cast<SwitchInst>(T)) {
        auto *LI = dyn_cast<LoadInst>(SW->getCondition());
        if (LI && Effects.count(LI) && Effects[LI].Uses.count() == 1)
          Dispatch = SW;
        break;
      }
      auto *Br = dyn_cast<BranchInst>(T);
      if (!Br)
        break;
      if (Br->isUnconditional()) {
        BB = Br->getSuccessor(0);
        continue;
      }
      // -fno-exceptions: `icmp eq (load resume_fn), null` picks the final
      // state before the switch.
      auto *Cmp = dyn_cast<ICmpInst>(Br->getCondition());
      auto *LI = Cmp ? dyn_cast<LoadInst>(Cmp->getOperand(0)) : nullptr;
      if (!Cmp || !LI || !isa<ConstantPointerNull>(Cmp->getOperand(1)) ||
          !Effects.count(LI) || !Effects[LI].Uses.test(0))
        break;
      bool EqNull = Cmp->getPredicate() == ICmpInst::ICMP_EQ;
      FinalBlock = Br->getSuccessor(EqNull ? 0 : 1);
      BB = Br->getSuccessor(EqNull ? 1 : 0);
    }
    if (!Dispatch) {
      // One suspend point: no dispatch, the entry falls through to the only
      // resume block (the end of the chain of single-predecessor blocks).
      BasicBlock *BB = &F->getEntryBlock();
      if (FinalBlock)
        return fail("no suspend-index dispatch found in '" + F->getName() +
                    "'");
      while (auto *Br = dyn_cast<BranchInst>(BB->getTerminator())) {
        if (!Br->isUnconditional() ||
            !Br->getSuccessor(0)->getSinglePredecessor())
          break;
        BB = Br->getSuccessor(0);
      }
      if (BB == &F->getEntryBlock())
        return fail("no suspend-index dispatch found in '" + F->getName() +
                    "'");
      SingleStateBlocks.push_back({F, BB});
      continue;
    }
    int Idx = Effects[cast<Instruction>(Dispatch->getCondition())]
                  .Uses.find_first();
    if (L.IndexSlot >= 0 && L.IndexSlot != Idx)
      return fail("the clones dispatch on different frame fields");
    L.IndexSlot = Idx;
    for (auto Case : Dispatch->cases())
      stateFor(Case.getCaseValue()->getZExtValue())
          .ResumeBlocks.push_back({F, Case.getCaseSuccessor()});
    if (FinalBlock) {
      // The final state has no index value of its own.
      SuspendState &S = stateFor(SuspendState::NullResumeState);
      S.Final = true;
      S.ResumeBlocks.push_back({F, FinalBlock});
    }
  }
  if (!SingleStateBlocks.empty() && L.IndexSlot >= 0) {
    // .resume does not dispatch when only one state is resumable: the final
    // suspend is always CoroSplit's last index and .resume drops its case.
    if (SingleStateBlocks.size() != 1 ||
        SingleStateBlocks.front().first != C.Resume || L.States.size() != 2)
      return fail("some clones dispatch on an index and some do not");
    SuspendState *Resumable = &L.States[0];
    for (SuspendState &S : L.States)
      if (S.IndexValue < Resumable->IndexValue)
        Resumable = &S;
    Resumable->ResumeBlocks.push_back(SingleStateBlocks.front());
    SingleStateBlocks.clear();
  }
  if (!SingleStateBlocks.empty()) {
    // The index of a single-state coroutine is stored but never read: the
    // one slot that only ever receives constant integer stores.
    for (const FrameSlot &S : L.Slots) {
      if (S.isFixed() || S.Accesses.empty() || !S.Ty || !S.Ty->isIntegerTy())
        continue;
      bool OnlyConstStores = all_of(S.Accesses, [&](Instruction *I) {
        auto *SI = dyn_cast<StoreInst>(I);
        return SI && isa<ConstantInt>(SI->getValueOperand());
      });
      if (!OnlyConstStores)
        continue;
      if (L.IndexSlot >= 0)
        return fail("cannot tell which field is the suspend index");
      L.IndexSlot = S.Id;
    }
    if (L.IndexSlot >= 0)
      for (auto &[F, BB] : SingleStateBlocks)
        stateFor(0).ResumeBlocks.push_back({F, BB});
  }
  if (L.IndexSlot < 0)
    return fail("no suspend index found");
  FrameSlot &IS = L.Slots[L.IndexSlot];
  if (IS.Kind == SlotKind::Header)
    return fail("the dispatch reads a header field");
  IS.Kind = SlotKind::Index;
  // States dispatched by .destroy but not by .resume are final states.
  for (SuspendState &S : L.States)
    if (none_of(S.ResumeBlocks, [&](auto &P) { return P.first == C.Resume; }))
      S.Final = true;
  llvm::sort(L.States, [](const SuspendState &A, const SuspendState &B) {
    return A.IndexValue < B.IndexValue;
  });
  return true;
}

bool FrameAnalyzer::recordIndexStores() {
  DenseMap<uint64_t, unsigned> Pos;
  for (unsigned I = 0; I < L.States.size(); ++I)
    Pos[L.States[I].IndexValue] = I;
  uint64_t Mask = L.Slots[L.IndexSlot].Ty && L.Slots[L.IndexSlot].Ty->isIntegerTy()
                      ? maskTrailingOnes<uint64_t>(
                            L.Slots[L.IndexSlot].Ty->getIntegerBitWidth())
                      : ~uint64_t(0);
  for (auto &[I, E] : Effects) {
    auto *SI = dyn_cast<StoreInst>(I);
    if (!SI || !E.Kills.test(L.IndexSlot))
      continue;
    SmallVector<uint64_t, 2> Values;
    SmallPtrSet<Value *, 8> Seen;
    if (!stateValues(SI->getValueOperand(), Values, Seen))
      return fail("the suspend index is set to a computed value");
    SmallVector<uint64_t, 2> &Known = IndexStoreValues[SI];
    for (uint64_t V : Values) {
      auto It = Pos.find(V & Mask);
      // A value no clone dispatches on is a state nobody resumes (e.g. a
      // final suspend that .destroy treats like another): keep it live-free.
      if (It == Pos.end())
        continue;
      Known.push_back(It->second);
      if (!is_contained(L.States[It->second].IndexStores, SI))
        L.States[It->second].IndexStores.push_back(SI);
    }
  }
  return true;
}

/// False when \p From's terminator cannot branch to \p To: its condition is
/// a constant that selects another successor. CoroSplit leaves such
/// switches (on the folded result of llvm.coro.suspend) in every function it
/// creates; their dead arms would otherwise open scopes on paths that never
/// run.
/// \p V as a constant integer: a constant, or a comparison of two (unfolded
/// code: `icmp eq i32 0, 0` where CoroSplit put a cleanup's destination),
/// with \p Subst standing for \p Phi when given.
static const ConstantInt *constantCondition(const Value *V,
                                            const PHINode *Phi = nullptr,
                                            const Value *Subst = nullptr) {
  if (Phi && V == Phi)
    V = Subst;
  if (const auto *C = dyn_cast<ConstantInt>(V))
    return C;
  const auto *Cmp = dyn_cast<ICmpInst>(V);
  if (!Cmp)
    return nullptr;
  auto operand = [&](unsigned K) -> const ConstantInt * {
    const Value *Op = Cmp->getOperand(K);
    return dyn_cast<ConstantInt>(Phi && Op == Phi ? Subst : Op);
  };
  const ConstantInt *A = operand(0), *B = operand(1);
  if (!A || !B || A->getType() != B->getType())
    return nullptr;
  return ConstantInt::getBool(
      V->getContext(),
      ICmpInst::compare(A->getValue(), B->getValue(), Cmp->getPredicate()));
}

/// The successor of \p T taken when its condition is \p C.
static const BasicBlock *successorFor(const Instruction *T,
                                      const ConstantInt *C) {
  if (const auto *SI = dyn_cast<SwitchInst>(T))
    return C->getType() == SI->getCondition()->getType()
               ? SI->findCaseValue(C)->getCaseSuccessor()
               : nullptr;
  if (const auto *BI = dyn_cast<BranchInst>(T); BI && BI->isConditional())
    return C->getType()->isIntegerTy(1) ? BI->getSuccessor(C->isZero() ? 1 : 0)
                                        : nullptr;
  return nullptr;
}

/// The condition of \p T, a conditional branch or switch (else null).
static const Value *branchCondition(const Instruction *T) {
  if (const auto *SI = dyn_cast<SwitchInst>(T))
    return SI->getCondition();
  if (const auto *BI = dyn_cast<BranchInst>(T); BI && BI->isConditional())
    return BI->getCondition();
  return nullptr;
}

static bool isFeasibleEdge(const BasicBlock *From, const BasicBlock *To) {
  const Instruction *T = From->getTerminator();
  const Value *Cond = branchCondition(T);
  if (!Cond)
    return true;
  if (const ConstantInt *C = constantCondition(Cond))
    if (const BasicBlock *Taken = successorFor(T, C))
      return Taken == To;
  return true;
}

/// Flow edges that skip a merge whose phi decides where control goes next.
/// A suspend's landing block joins the path that suspended (its phi says -1:
/// return) and the one that resumes (0: go on), and the switch right after
/// it picks the way by that phi; unsimplified (O0) clones keep these joins.
/// A path through the join takes only the way its own phi value picks, so
/// where the join and the branch hold no event of the flow (\p IsEvent) and
/// resume no state, each predecessor of the join gets an edge straight to
/// the successor its value picks, instead of the branch block's edges to
/// all of them. Otherwise objects opened after a resume would count as open
/// while suspended there. Returns, per branch block, the edges (from, to).
template <typename IsEventFn>
static DenseMap<BasicBlock *,
                SmallVector<std::pair<BasicBlock *, BasicBlock *>, 2>>
threadedEdges(const DenseMap<BasicBlock *, unsigned> &FlowNumber,
              const DenseMap<BasicBlock *, SmallVector<unsigned, 2>> &Resumes,
              IsEventFn IsEvent) {
  DenseMap<BasicBlock *, SmallVector<std::pair<BasicBlock *, BasicBlock *>, 2>>
      Out;
  auto quiet = [&](BasicBlock *BB) {
    return none_of(*BB, [&](const Instruction &I) { return IsEvent(&I); });
  };
  for (auto &[T, Number] : FlowNumber) {
    Instruction *Term = T->getTerminator();
    const Value *Cond = branchCondition(Term);
    if (!Cond)
      continue;
    // The phi the condition is, or compares with a constant.
    const PHINode *Phi = dyn_cast<PHINode>(Cond);
    if (const auto *Cmp = dyn_cast<ICmpInst>(Cond))
      for (const Value *Op : Cmp->operands())
        if (isa<PHINode>(Op) && isa<Constant>(Cmp->getOperand(
                                    Op == Cmp->getOperand(0) ? 1 : 0)))
          Phi = cast<PHINode>(Op);
    if (!Phi)
      continue;
    BasicBlock *Join = const_cast<BasicBlock *>(Phi->getParent());
    if (Join != T) {
      auto *Br = dyn_cast<BranchInst>(Join->getTerminator());
      if (!Br || Br->isConditional() || Br->getSuccessor(0) != T ||
          T->getSinglePredecessor() != Join)
        continue;
    }
    if (!FlowNumber.count(Join) || !quiet(Join) || (Join != T && !quiet(T)) ||
        (Join != T && Resumes.count(Join)) ||
        is_contained(successors(T), Join) || is_contained(successors(T), T))
      continue;
    SmallVector<std::pair<BasicBlock *, BasicBlock *>, 2> Edges;
    bool Known = true;
    for (unsigned K = 0; K < Phi->getNumIncomingValues() && Known; ++K) {
      BasicBlock *Pred = Phi->getIncomingBlock(K);
      if (!FlowNumber.count(Pred) || !isFeasibleEdge(Pred, Join))
        continue;
      const ConstantInt *C =
          constantCondition(Cond, Phi, Phi->getIncomingValue(K));
      const BasicBlock *To = C ? successorFor(Term, C) : nullptr;
      Known = To != nullptr;
      if (Known && FlowNumber.count(To))
        Edges.emplace_back(Pred, const_cast<BasicBlock *>(To));
    }
    if (Known)
      Out[T] = std::move(Edges);
  }
  return Out;
}

/// The annotation calls in blocks that run (markers among them). They are
/// calls of the one annotation declaration coro-record-scopes uses: its
/// users, not every instruction of the clones. Other coroutines' markers are
/// among them (those not handled yet, and copies of ramps inlined before
/// their coroutine was handled), so only a coroutine with scoped slots looks,
/// and where they outnumber this coroutine's code a walk over its running
/// blocks is cheaper. At -O0 the module pass finds every coroutine's markers
/// in place and passes an index of them by function.
SmallVector<Instruction *, 16> FrameAnalyzer::findScopeMarkers() const {
  SmallVector<Instruction *, 16> Found;
  if (Annotations) {
    for (auto &[F, Base] : L.FrameBases)
      if (auto It = Annotations->find(F); It != Annotations->end())
        for (Instruction *I : It->second)
          if (Running.contains(I->getParent()))
            Found.push_back(I);
    return Found;
  }
  Type *PtrTy = PointerType::getUnqual(C.Resume->getContext());
  Function *Annotation = Intrinsic::getDeclarationIfExists(
      C.Resume->getParent(), Intrinsic::var_annotation, {PtrTy, PtrTy});
  if (!Annotation)
    return Found;
  size_t Budget = 64 + 8 * Running.size();
  for (User *U : Annotation->users()) {
    if (!Budget--) {
      Found.clear();
      for (auto &[F, Base] : L.FrameBases)
        for (BasicBlock &BB : *F)
          if (Running.contains(&BB))
            for (Instruction &I : BB)
              if (auto *Call = dyn_cast<CallBase>(&I);
                  Call && Call->getCalledOperand() == Annotation)
                Found.push_back(&I);
      return Found;
    }
    auto *I = dyn_cast<Instruction>(U);
    if (I && Running.contains(I->getParent()))
      Found.push_back(I);
  }
  return Found;
}

void FrameAnalyzer::findRunningBlocks() {
  for (auto &[F, Base] : L.FrameBases) {
    SmallVector<BasicBlock *, 16> Work{&F->getEntryBlock()};
    Running.insert(&F->getEntryBlock());
    while (!Work.empty()) {
      BasicBlock *BB = Work.pop_back_val();
      for (BasicBlock *Succ : successors(BB))
        if (isFeasibleEdge(BB, Succ) && Running.insert(Succ).second)
          Work.push_back(Succ);
    }
  }
}

/// Which escaped slots have recorded scopes, and where those may be open.
///
/// Sound because: before its first escape on a path an object is reached only
/// through accesses this analysis sees; from an escape (or a start marker,
/// for a pointer kept from an earlier scope) until a lifetime.end, which its
/// end marker follows, any call may reach it, so it counts as open; after
/// lifetime.end no access is defined until the next lifetime.start, which its
/// start marker precedes. A suspend in state K keeps open across K what is
/// open anywhere between an index store of K and the function's return (the
/// coroutine may be resumed from there), and each clone's resume block for K
/// starts with it. A slot with one untagged escape, a marker a later pass
/// merged, or a coroutine whose ramp is not here, gets no scope.
void FrameAnalyzer::computeScopes() {
  unsigned N = L.Slots.size();
  unsigned NumStates = L.States.size();
  ScopeAcross.assign(NumStates, BitVector(N));
  if (!C.Ramp)
    return;
  // An object id belongs to one field (LLVM may have given one field
  // several objects); a slot (a field, or a part of a split one) is scoped
  // when each of its escapes is tagged with an id no other field has.
  DenseMap<uint64_t, int> FieldOfId;
  for (auto &[Slot, Sites] : Escapes)
    for (auto &[I, Id] : Sites)
      if (Id >= 0) {
        int Field = L.Slots[Slot].GroupStart;
        auto [It, New] = FieldOfId.try_emplace(Id, Field);
        if (!New && It->second != Field)
          It->second = -1;
      }
  for (FrameSlot &S : L.Slots) {
    if (!S.Escaped || S.isFixed() || S.Kind == SlotKind::Index)
      continue;
    const auto &Sites = Escapes[S.Id];
    S.Scoped = !Sites.empty() && all_of(Sites, [&](const auto &Site) {
      return Site.second >= 0 &&
             FieldOfId.lookup(Site.second) == int(S.GroupStart);
    });
  }
  // Dense bit positions for the ids that escape from scoped slots; each
  // covers the scoped parts of its field its object spans.
  DenseMap<uint64_t, unsigned> Bit;
  std::vector<SmallVector<unsigned, 2>> SlotsOfBit;
  for (FrameSlot &S : L.Slots)
    if (S.Scoped)
      for (auto &[I, Id] : Escapes[S.Id]) {
        auto [It, New] = Bit.try_emplace(Id, SlotsOfBit.size());
        if (New)
          SlotsOfBit.emplace_back();
        if (!is_contained(SlotsOfBit[It->second], S.Id))
          SlotsOfBit[It->second].push_back(S.Id);
      }
  unsigned J = SlotsOfBit.size();
  if (!J)
    return;
  DenseMap<Instruction *, std::pair<bool, uint64_t>> Markers; // start?, id
  for (Instruction *I : findScopeMarkers()) {
    uint64_t Id = 0;
    ScopeMarker K = classifyScopeMarker(*I, Id);
    if (K == ScopeMarker::Malformed) {
      // A later pass merged markers: no scope is known.
      for (FrameSlot &S : L.Slots)
        S.Scoped = false;
      return;
    }
    if (K != ScopeMarker::None)
      Markers[I] = {K == ScopeMarker::Start, Id};
  }
  // A start marker ends the backward liveness of the parts that only this
  // object's (tagged) accesses touch: bytes another object of the field may
  // hold are left alone (CoroSplit may have moved the real lifetime.start
  // later than the marker, where the other object can still be live).
  auto onlyTouchedBy = [&](unsigned Slot, uint64_t Id) {
    auto It = Touchers.find(Slot);
    return It != Touchers.end() && It->second.size() == 1 &&
           It->second.front() == int64_t(Id);
  };
  // Where each id opens (its escapes) and its markers, as bit positions.
  DenseMap<Instruction *, SmallVector<unsigned, 1>> Opens;
  for (FrameSlot &S : L.Slots)
    if (S.Scoped)
      for (auto &[I, Id] : Escapes[S.Id])
        if (!is_contained(Opens[I], Bit.lookup(Id)))
          Opens[I].push_back(Bit.lookup(Id));
  DenseMap<Instruction *, std::pair<bool, unsigned>> MarkerBits;
  for (auto &[I, M] : Markers)
    if (auto It = Bit.find(M.second); It != Bit.end()) {
      MarkerBits[I] = {M.first, It->second};
      if (M.first)
        for (unsigned Slot : SlotsOfBit[It->second])
          if (onlyTouchedBy(Slot, M.second))
            ScopeStarts[I].push_back(Slot);
    }

  DenseMap<BasicBlock *, SmallVector<unsigned, 2>> ResumeStatesOf;
  for (unsigned St = 0; St < NumStates; ++St)
    for (auto &[F, BB] : L.States[St].ResumeBlocks)
      ResumeStatesOf[BB].push_back(St);
  // Where each state is entered: its index stores; for the final state that
  // stores no index (-fno-exceptions), the stores of a null resume pointer.
  DenseMap<Instruction *, SmallVector<uint64_t, 2>> StateStores =
      IndexStoreValues;
  for (unsigned St = 0; St < NumStates; ++St) {
    if (L.States[St].IndexValue != SuspendState::NullResumeState)
      continue;
    for (auto &[I, E] : Effects)
      if (auto *SI = dyn_cast<StoreInst>(I))
        if (isa<ConstantPointerNull>(SI->getValueOperand()) &&
            E.Kills.size() && E.Kills.test(0) && L.Slots[0].Offset == 0)
          StateStores[SI].push_back(St);
  }

  // Forward, per block, over ids: Open = ids that may be open; After[K] =
  // what may be open on the paths on which the last index store in this
  // function stored K (empty entry: no such path). Kept per state, not as
  // one set of stored states, so that a return block joining the suspend
  // paths of several states does not mix their open objects. Across[K] is
  // what may be open while suspended in K.
  std::vector<BitVector> Across(NumStates, BitVector(J));
  // Unstored = what may be open on the paths that stored no index since
  // the function's entry or a resume. After holds only the states some path
  // stored last, sorted by state (a dense vector of all states per block was
  // most of the cost on coroutines with dozens of states).
  using StateSets = SmallVector<std::pair<unsigned, BitVector>, 2>;
  struct ScopeFlow {
    BitVector Open, Unstored;
    StateSets After;
    bool operator==(const ScopeFlow &O) const {
      return Open == O.Open && Unstored == O.Unstored && After == O.After;
    }
  };
  // Into \p Dst (sorted) the union of \p Src (sorted), state by state.
  auto mergeAfter = [](StateSets &Dst, const StateSets &Src) {
    if (Src.empty())
      return;
    if (Dst.empty()) {
      Dst = Src;
      return;
    }
    StateSets Out;
    auto D = Dst.begin();
    auto S = Src.begin();
    while (D != Dst.end() || S != Src.end()) {
      if (S == Src.end() || (D != Dst.end() && D->first < S->first)) {
        Out.push_back(std::move(*D++));
      } else if (D == Dst.end() || S->first < D->first) {
        Out.push_back(*S++);
      } else {
        D->second |= S->second;
        Out.push_back(std::move(*D++));
        ++S;
      }
    }
    Dst = std::move(Out);
  };
  // The blocks that run, numbered densely, with their feasible edges.
  std::vector<BasicBlock *> FlowBlocks;
  DenseMap<BasicBlock *, unsigned> FlowNumber;
  for (auto &[F, Base] : L.FrameBases)
    for (BasicBlock &BB : *F)
      if (Running.contains(&BB)) {
        FlowNumber[&BB] = FlowBlocks.size();
        FlowBlocks.push_back(&BB);
      }
  std::vector<SmallVector<unsigned, 2>> FlowPreds(FlowBlocks.size()),
      FlowSuccs(FlowBlocks.size());
  auto addFlowEdge = [&](unsigned From, unsigned To) {
    FlowPreds[To].push_back(From);
    FlowSuccs[From].push_back(To);
  };
  DenseMap<BasicBlock *, SmallVector<std::pair<BasicBlock *, BasicBlock *>, 2>>
      Threaded = threadedEdges(FlowNumber, ResumeStatesOf,
                               [&](const Instruction *I) {
                                 auto *NC = const_cast<Instruction *>(I);
                                 return MarkerBits.count(NC) ||
                                        Opens.count(NC) ||
                                        StateStores.count(NC) ||
                                        Effects.count(NC) ||
                                        ScopeStarts.count(NC);
                               });
  // A threaded block that resumes a state passes the state's open objects
  // on only where the dispatch's edge goes: the resumed way.
  DenseMap<BasicBlock *, SmallVector<unsigned, 2>> SeedsOf;
  for (auto It = Threaded.begin(); It != Threaded.end();) {
    auto Resumed = ResumeStatesOf.find(It->first);
    if (Resumed == ResumeStatesOf.end()) {
      ++It;
      continue;
    }
    // The dispatch's edge: from it, or from a block only it reaches.
    auto fromDispatch = [&](BasicBlock *BB) {
      for (unsigned Steps = 0; BB && Steps < 4; ++Steps) {
        if (DispatchBlocks.contains(BB))
          return true;
        BB = BB->getSinglePredecessor();
      }
      return false;
    };
    bool FromDispatch = false;
    for (auto [From, To] : It->second)
      if (fromDispatch(From)) {
        FromDispatch = true;
        append_range(SeedsOf[To], Resumed->second);
      }
    if (FromDispatch)
      for (auto &[To, States] : SeedsOf)
        for (unsigned St : States)
          if (!is_contained(ResumeStatesOf[To], St))
            ResumeStatesOf[To].push_back(St);
    SeedsOf.clear();
    if (!FromDispatch)
      Threaded.erase(It++);
    else
      ++It;
  }
  for (auto &[T, Edges] : Threaded)
    for (auto [From, To] : Edges)
      addFlowEdge(FlowNumber.lookup(From), FlowNumber.lookup(To));
  // What reaches a threaded block goes around it.
  for (unsigned B = 0; B < FlowBlocks.size(); ++B)
    for (BasicBlock *Pred : predecessors(FlowBlocks[B]))
      if (auto It = FlowNumber.find(Pred);
          It != FlowNumber.end() && !Threaded.count(Pred) &&
          isFeasibleEdge(Pred, FlowBlocks[B]))
        addFlowEdge(It->second, B);
  std::vector<SmallVector<unsigned, 2>> ResumeNodesOf(NumStates);
  for (unsigned B = 0; B < FlowBlocks.size(); ++B)
    for (unsigned St : ResumeStatesOf.lookup(FlowBlocks[B]))
      ResumeNodesOf[St].push_back(B);
  std::vector<ScopeFlow> Out(FlowBlocks.size(),
                             ScopeFlow{BitVector(J), BitVector(J), {}});
  SmallVector<unsigned, 64> Work;
  BitVector Queued(FlowBlocks.size());
  auto enqueue = [&](unsigned B) {
    if (!Queued.test(B)) {
      Queued.set(B);
      Work.push_back(B);
    }
  };
  // Per block, the instructions the flow below must visit, in order: those
  // that open or close an object or enter a state. Between them the sets
  // only grow or stay, so what they hold there is covered by the next event
  // (or the block's end). For the recorded pass (OpenAt, read by the
  // liveness), also every instruction that changes liveness and the one
  // after each event: runs of other instructions see the same sets and the
  // same live slots, so one of them stands for all.
  EventsByBlock FlowEvents(BlockOrder, MarkerBits, Opens, StateStores);
  EventsByBlock AllEvents(BlockOrder, MarkerBits, Opens, StateStores, Effects,
                          ScopeStarts, IndexStoreValues);
  std::vector<SmallVector<unsigned, 2>> ResumeStatesAt(FlowBlocks.size());
  for (unsigned B = 0; B < FlowBlocks.size(); ++B)
    if (auto It = ResumeStatesOf.find(FlowBlocks[B]); It != ResumeStatesOf.end())
      ResumeStatesAt[B] = It->second;
  std::vector<SmallVector<Instruction *, 8>> RecordAt(FlowBlocks.size());
  std::vector<ArrayRef<Instruction *>> FlowEventsAt(FlowBlocks.size());
  for (unsigned Node = 0; Node < FlowBlocks.size(); ++Node) {
    BasicBlock &BB = *FlowBlocks[Node];
    unsigned Block = BlockOrder.lookup(&BB);
    FlowEventsAt[Node] = FlowEvents.of(Block);
    // Each event and the one after it, and the first instruction of a
    // block where a function or a resumed state starts. Elsewhere a
    // block's start holds, per path, what the point after that path's last
    // event held (sets change only at events), which is recorded; the
    // union there would mix paths that never meet in one run (the
    // suspends of different states joining on their way to the return).
    SmallVector<Instruction *, 8> &Rec = RecordAt[Node];
    auto record = [&](Instruction *I) {
      if (I && (Rec.empty() || Rec.back() != I))
        Rec.push_back(I);
    };
    if (BB.isEntryBlock() || !ResumeStatesAt[Node].empty())
      record(&BB.front());
    for (Instruction *I : AllEvents.of(Block)) {
      record(I);
      record(I->getNextNode());
    }
  }
  auto runBlock = [&](unsigned Node, bool Record) {
    BasicBlock &BB = *FlowBlocks[Node];
    ScopeFlow V{BitVector(J), BitVector(J), {}};
    for (unsigned Pred : FlowPreds[Node]) {
      V.Open |= Out[Pred].Open;
      V.Unstored |= Out[Pred].Unstored;
      mergeAfter(V.After, Out[Pred].After);
    }
    for (unsigned St : ResumeStatesAt[Node]) {
      V.Open |= Across[St];
      V.Unstored |= Across[St];
    }
    auto forEachSet = [&](auto Fn) {
      Fn(V.Open);
      Fn(V.Unstored);
      for (auto &[St, A] : V.After)
        Fn(A);
    };
    // Growing Across[St] revisits the blocks that resume from St.
    auto flushAcross = [&] {
      for (auto &[St, A] : V.After)
        if (!A.subsetOf(Across[St])) {
          Across[St] |= A;
          for (unsigned R : ResumeNodesOf[St])
            enqueue(R);
        }
    };
    for (Instruction *I : Record ? ArrayRef<Instruction *>(RecordAt[Node])
                                 : FlowEventsAt[Node]) {
      auto M = MarkerBits.find(I);
      if (M != MarkerBits.end() && M->second.first)
        forEachSet([&](BitVector &B) { B.set(M->second.second); });
      if (auto It = Opens.find(I); It != Opens.end())
        for (unsigned B : It->second)
          forEachSet([&](BitVector &Set) { Set.set(B); });
      // At a return, what is open on a path that stored index K is open
      // across K, and interferes there (ScopeAcross); only the paths that
      // stored none can add to it. A return joining the suspends of several
      // states would otherwise make all their objects interfere.
      const BitVector &OpenHere = isa<ReturnInst>(I) ? V.Unstored : V.Open;
      if (Record && OpenHere.any()) {
        BitVector &Slots = OpenAt[I];
        Slots.resize(N);
        for (unsigned B : OpenHere.set_bits())
          for (unsigned Slot : SlotsOfBit[B])
            Slots.set(Slot);
      }
      // An end closes the object from here on; After[K] keeps it, as it
      // was open for a while after K's index store on this path.
      if (M != MarkerBits.end() && !M->second.first) {
        V.Open.reset(M->second.second);
        V.Unstored.reset(M->second.second);
      }
      if (auto SIt = StateStores.find(I); SIt != StateStores.end()) {
        V.Unstored.reset();
        V.After.clear();
        for (uint64_t St : SIt->second)
          V.After.push_back({unsigned(St), V.Open});
        llvm::sort(V.After, [](const auto &A, const auto &B) {
          return A.first < B.first;
        });
        V.After.erase(std::unique(V.After.begin(), V.After.end(),
                                  [](const auto &A, const auto &B) {
                                    return A.first == B.first;
                                  }),
                      V.After.end());
      }
    }
    // Only a path that returns leaves the coroutine suspended in the state
    // it stored last; one that stores another index first (an exception
    // from await_suspend, a `false` from it) or ends in unreachable does
    // not.
    if (isa<ReturnInst>(BB.getTerminator()))
      flushAcross();
    ScopeFlow &Old = Out[Node];
    if (Old == V)
      return;
    Old = std::move(V);
    for (unsigned Succ : FlowSuccs[Node])
      enqueue(Succ);
  };
  // To a fixed point: a worklist seeded in block order (popped from the
  // back), then one recording pass.
  for (unsigned B = FlowBlocks.size(); B-- > 0;)
    enqueue(B);
  while (!Work.empty()) {
    unsigned B = Work.pop_back_val();
    Queued.reset(B);
    runBlock(B, /*Record=*/false);
  }
  for (unsigned B = 0; B < FlowBlocks.size(); ++B)
    runBlock(B, /*Record=*/true);
  for (unsigned St = 0; St < NumStates; ++St)
    for (unsigned B : Across[St].set_bits())
      for (unsigned Slot : SlotsOfBit[B])
        ScopeAcross[St].set(Slot);
}

void FrameAnalyzer::computeLiveness() {
  unsigned N = L.Slots.size();
  LiveAcross.assign(L.States.size(), BitVector(N));
  AlwaysLive = BitVector(N);
  // The index is read on entry to every clone, so it survives every state.
  for (const FrameSlot &S : L.Slots)
    if ((S.Escaped && !S.Scoped) || S.isFixed() || S.Kind == SlotKind::Index)
      AlwaysLive.set(S.Id);

  // Per block, the instructions that change liveness, and those whose
  // interference counts (those, and the ones computeScopes recorded an open
  // set at), in program order: the walks below skip the rest, which neither
  // change what is live nor add anything another instruction does not.
  // Blocks of all the coroutine's functions are numbered densely.
  struct BlockEvents {
    BasicBlock *BB;
    ArrayRef<Instruction *> Live, Interfering;
    SmallVector<unsigned, 2> Succs, Preds;
    bool StoresIndex = false;
    bool Runs = false;
  };
  // Numbered as BlockOrder numbers them.
  std::vector<BlockEvents> Blocks;
  const DenseMap<const BasicBlock *, unsigned> &NumberOf = BlockOrder;
  EventsByBlock LiveEvents(NumberOf, Effects, ScopeStarts, IndexStoreValues);
  EventsByBlock InterferingEvents(NumberOf, Effects, ScopeStarts,
                                  IndexStoreValues, OpenAt);
  for (auto &[F, Base] : L.FrameBases)
    for (BasicBlock &BB : *F) {
      assert(NumberOf.lookup(&BB) == Blocks.size() && "numbered in order");
      BlockEvents &E = Blocks.emplace_back();
      E.BB = &BB;
      // A block that never runs is left out of the flow: no edge, no event.
      E.Runs = Running.contains(&BB);
      if (!E.Runs)
        continue;
      E.Live = LiveEvents.of(Blocks.size() - 1);
      E.Interfering = InterferingEvents.of(Blocks.size() - 1);
      E.StoresIndex = any_of(E.Live, [&](Instruction *I) {
        return IndexStoreValues.count(I);
      });
    }
  for (unsigned B = 0; B < Blocks.size(); ++B) {
    if (!Blocks[B].Runs)
      continue;
    for (BasicBlock *Succ : successors(Blocks[B].BB))
      if (auto It = NumberOf.find(Succ);
          It != NumberOf.end() && Blocks[It->second].Runs &&
          isFeasibleEdge(Blocks[B].BB, Succ)) {
        Blocks[B].Succs.push_back(It->second);
        Blocks[It->second].Preds.push_back(B);
      }
  }

  // Live-in sets per block, to a fixed point over all functions
  // (LiveAcross feeds the gens at index stores): a worklist, seeded in
  // reverse block order, that revisits a block's predecessors when its
  // live-in set grows.
  std::vector<BitVector> LiveIn(Blocks.size(), BitVector(N));
  auto transfer = [&](Instruction &I, BitVector &Live) {
    auto It = Effects.find(&I);
    if (It != Effects.end()) {
      resetIn(Live, It->second.Kills);
      orInto(Live, It->second.Uses);
    }
    if (auto KIt = ScopeStarts.find(&I); KIt != ScopeStarts.end())
      for (unsigned Slot : KIt->second)
        Live.reset(Slot);
    auto SIt = IndexStoreValues.find(&I);
    if (SIt != IndexStoreValues.end())
      for (uint64_t St : SIt->second)
        Live |= LiveAcross[St];
  };
  auto liveOut = [&](const BlockEvents &E) {
    BitVector Live(N);
    for (unsigned Succ : E.Succs)
      Live |= LiveIn[Succ];
    return Live;
  };
  SmallVector<unsigned, 64> Work;
  BitVector Queued(Blocks.size());
  auto enqueue = [&](unsigned B) {
    if (!Queued.test(B)) {
      Queued.set(B);
      Work.push_back(B);
    }
  };
  for (unsigned B = 0; B < Blocks.size(); ++B)
    if (Blocks[B].Runs)
      enqueue(B); // popped from the back: the last block first
  bool Changed = true;
  while (Changed) {
    while (!Work.empty()) {
      unsigned B = Work.pop_back_val();
      Queued.reset(B);
      BitVector Live = liveOut(Blocks[B]);
      for (Instruction *I : reverse(Blocks[B].Live))
        transfer(*I, Live);
      if (Live != LiveIn[B]) {
        LiveIn[B] = std::move(Live);
        for (unsigned Pred : Blocks[B].Preds)
          enqueue(Pred);
      }
    }
    Changed = false;
    for (unsigned St = 0; St < L.States.size(); ++St) {
      BitVector Across = LiveAcross[St];
      for (auto &[F, BB] : L.States[St].ResumeBlocks)
        if (auto It = NumberOf.find(BB); It != NumberOf.end())
          Across |= LiveIn[It->second];
      if (Across != LiveAcross[St]) {
        LiveAcross[St] = Across;
        Changed = true;
      }
    }
    if (Changed)
      for (unsigned B = 0; B < Blocks.size(); ++B)
        if (Blocks[B].StoresIndex)
          enqueue(B);
  }

  // Across a state: what is live on entry to its resume blocks, and the
  // scoped objects that may be open there.
  std::vector<BitVector> StateLive = LiveAcross;
  for (unsigned St = 0; St < L.States.size(); ++St)
    StateLive[St] |= ScopeAcross[St];
  for (FrameSlot &S : L.Slots) {
    S.LiveStates = BitVector(L.States.size());
    for (unsigned St = 0; St < L.States.size(); ++St)
      if (StateLive[St].test(S.Id) || AlwaysLive.test(S.Id))
        S.LiveStates.set(St);
  }

  // Interference: a write clobbers its bytes while the slots live past it,
  // and those it reads or touches, hold their values.
  // Rows are filled one-sided (a word-wide OR per call) and made symmetric
  // once at the end: setting the column bit by bit on every call was most of
  // this function's time on frames with many slots.
  L.Interferes.assign(N, BitVector(N));
  auto interfere = [&](unsigned A, const BitVector &With) {
    L.Interferes[A] |= With;
  };
  // Sets of slots live together somewhere: candidates for the lower bound
  // (each distinct set once), which only reports read.
  bool WantBound = L.Detail == FrameDetail::Full;
  DenseSet<BitVector> Together;
  if (WantBound)
    Together.insert(StateLive.begin(), StateLive.end());
  for (BlockEvents &E : Blocks) {
    if (!E.Runs)
      continue;
    bool InDispatch = DispatchBlocks.contains(E.BB);
    BitVector Live = liveOut(E);
    for (Instruction *IP : reverse(E.Interfering)) {
      Instruction &I = *IP;
      // Live is what is live after I.
      auto It = Effects.find(&I);
      auto OIt = OpenAt.find(&I);
      if (It != Effects.end()) {
        BitVector WithDefs = Live;
        orInto(WithDefs, It->second.Touches);
        for (unsigned W : It->second.Writes.set_bits())
          interfere(W, WithDefs);
      }
      // An open scoped object may be read or written by any call through
      // its escaped address: it holds its bytes against everything that
      // is live or touched here.
      if (OIt != OpenAt.end()) {
        BitVector With = Live;
        With |= OIt->second;
        if (It != Effects.end())
          orInto(With, It->second.Touches);
        for (unsigned A : OIt->second.set_bits())
          interfere(A, With);
      }
      if (WantBound && !InDispatch &&
          (It != Effects.end() || OIt != OpenAt.end())) {
        BitVector Now = Live;
        if (It != Effects.end()) {
          orInto(Now, It->second.Uses);
          orInto(Now, It->second.Writes);
        }
        if (OIt != OpenAt.end())
          Now |= OIt->second;
        Together.insert(std::move(Now));
      }
      transfer(I, Live);
    }
  }
  // Slots live across the same state hold values at the same time.
  for (const BitVector &Across : StateLive)
    for (unsigned A : Across.set_bits())
      interfere(A, Across);
  for (unsigned A : AlwaysLive.set_bits())
    L.Interferes[A].set();
  for (unsigned A = 0; A < N; ++A)
    for (unsigned B : L.Interferes[A].set_bits())
      L.Interferes[B].set(A);
  for (unsigned A = 0; A < N; ++A)
    L.Interferes[A].reset(A);

  // The lower bound's live bytes: for each set, the heaviest clique of the
  // interference graph found greedily inside it (plus escaped slots, which
  // interfere with all). A clique's slots need disjoint bytes in any layout
  // the overlap pass may choose, so the bound never exceeds what it reaches.
  auto cliqueBytes = [&](BitVector Set) {
    Set |= AlwaysLive;
    SmallVector<unsigned, 16> Members;
    for (unsigned Id : Set.set_bits())
      if (!L.Slots[Id].isFixed() && L.Slots[Id].Kind != SlotKind::Index)
        Members.push_back(Id);
    return L.greedyCliqueBytes(Members);
  };
  if (!WantBound)
    return;
  uint64_t Max = cliqueBytes(BitVector(N));
  for (const BitVector &Set : Together)
    Max = std::max(Max, cliqueBytes(Set));
  L.MaxLiveBytes = Max;
}

/// Each slot's tagged objects with their sizes, in id order (for names).
void FrameAnalyzer::recordSlotObjects() {
  for (FrameSlot &S : L.Slots) {
    auto It = Touchers.find(S.Id);
    if (It == Touchers.end())
      continue;
    for (int64_t Who : It->second)
      if (Who >= 0)
        S.Objects.push_back({uint64_t(Who), ObjectSize.lookup(Who)});
    llvm::sort(S.Objects);
  }
}

void FrameAnalyzer::computeLowerBound() {
  uint64_t FixedEnd = 16;
  for (const FrameSlot &S : L.Slots)
    if (S.isFixed())
      FixedEnd = std::max(FixedEnd, S.end());
  L.FixedBytes = FixedEnd;
  L.IndexBytes = L.Slots[L.IndexSlot].Size;
  for (const FrameSlot &S : L.Slots) {
    L.NumEscaped += S.Escaped && !S.isFixed();
    L.NumScoped += S.Scoped;
  }
  // In the bytes allocated, rounded as CoroSplit's struct is.
  L.LowerBound = std::min<uint64_t>(
      alignTo(FixedEnd + L.IndexBytes + L.MaxLiveBytes,
              std::min(L.Alignment, Align(8))),
      L.AllocSize);
}

/// The functions holding code that stores the coroutine's own resume or
/// destroy functions: the ramp and .noalloc initialise the frame that way.
/// Anywhere else, a copy of ramp code was inlined (CoroAnnotationElide
/// inlines .noalloc into callers in the same CGSCC step as CoroSplit, before
/// this analysis runs): it initialises frames with the current layout, so
/// slots must not move. Returns the first such function.
static Function *findInlinedRampCopy(const SplitCoroutine &C) {
  for (Function *Target : {C.Resume, C.Destroy, C.Cleanup}) {
    if (!Target)
      continue;
    SmallVector<const User *, 8> Work(Target->users().begin(),
                                      Target->users().end());
    SmallPtrSet<const User *, 16> Seen;
    while (!Work.empty()) {
      const User *U = Work.pop_back_val();
      if (!Seen.insert(U).second)
        continue;
      if (const auto *I = dyn_cast<Instruction>(U)) {
        Function *F = const_cast<Function *>(I->getFunction());
        if (F != C.Ramp && F != C.NoAlloc)
          return F;
        continue;
      }
      // Constants (the @F.resumers array, casts): follow their users. The
      // resumers array's user is llvm.coro.id in the ramp.
      for (const User *UU : U->users())
        Work.push_back(UU);
    }
  }
  return nullptr;
}

/// Split each field whose tagged accesses show objects of several sizes (LLVM
/// gives objects with disjoint lifetimes one field, at its start) into parts
/// at those sizes: bytes past a small object's end belong to the larger ones
/// only, so they can hold other values while only small objects are live.
/// Returns true if a field was split; the accesses must then be walked again.
bool FrameAnalyzer::splitSharedFields() {
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

void FrameAnalyzer::run() {
  L.Analyzable = true;
  if (Function *Copy = findInlinedRampCopy(C))
    L.NoRelayout = "frame-initialising code of this coroutine was already "
                   "inlined into '" + displayName(Copy->getName()) +
                   "' with the current layout";
  if (!findFrameBases() || !buildSlots())
    return;
  findRunningBlocks();
  for (FrameSlot &S : L.Slots)
    S.Guaranteed = S.Offset ? std::min(L.Alignment, Align(uint64_t(1)
                                          << llvm::countr_zero(S.Offset)))
                            : L.Alignment;
  std::string NoRelayout = L.NoRelayout;
  for (auto &[F, Base] : L.FrameBases)
    if (!walkAccesses(*F, Base))
      return;
  if (splitSharedFields()) {
    Effects.clear();
    Escapes.clear();
    Touchers.clear();
    L.NoRelayout = NoRelayout;
    for (FrameSlot &S : L.Slots)
      S.Escaped = false;
    for (auto &[F, Base] : L.FrameBases)
      if (!walkAccesses(*F, Base))
        return;
  }
  // Deterministic access order: by function, then position. Blocks are
  // numbered in layout order; within a block the instructions' own order
  // decides (numbering every instruction cost more than the analysis). The
  // accessing instructions are sorted once, then dealt out to their slots.
  unsigned N = 0;
  for (auto &[F, Base] : L.FrameBases)
    N += F->size();
  BlockOrder.reserve(N);
  N = 0;
  for (auto &[F, Base] : L.FrameBases)
    for (BasicBlock &BB : *F)
      BlockOrder[&BB] = N++;
  auto Before = [&](const Instruction *A, const Instruction *B) {
    if (A->getParent() != B->getParent())
      return BlockOrder.lookup(A->getParent()) <
             BlockOrder.lookup(B->getParent());
    return A != B && A->comesBefore(B);
  };
  EventsByBlock Accessing(BlockOrder, Effects);
  for (unsigned Block = 0; Block < N; ++Block)
    for (Instruction *I : Accessing.of(Block))
      for (unsigned Id : Effects.find(I)->second.Touches.set_bits())
        L.Slots[Id].Accesses.push_back(I);
  for (FrameSlot &S : L.Slots) {
    // Loads and stores state the alignment they rely on; anything else (a
    // call may assume the object's alignment) keeps what the offset gave.
    S.Needed = Align(1);
    for (Instruction *I : S.Accesses) {
      if (isa<GetElementPtrInst>(I))
        continue;
      if (auto *LI = dyn_cast<LoadInst>(I))
        S.Needed = std::max(S.Needed, LI->getAlign());
      else if (auto *SI = dyn_cast<StoreInst>(I);
               SI && !S.Escaped)
        S.Needed = std::max(S.Needed, SI->getAlign());
      else
        S.Needed = S.Guaranteed;
    }
    S.Needed = std::min(S.Needed, S.Guaranteed);
    if (S.Kind != SlotKind::Unused || S.Accesses.empty())
      continue;
    // Scalars that are only loaded and stored whole are spilled values.
    bool WholeScalar = S.Ty && (S.Ty->isIntegerTy() ||
                                S.Ty->isFloatingPointTy() ||
                                S.Ty->isPointerTy() || S.Ty->isVectorTy());
    S.Kind = WholeScalar && !S.Escaped ? SlotKind::Spill : SlotKind::Alloca;
  }
  if (!findStates() || !recordIndexStores())
    return;
  for (SuspendState &S : L.States)
    llvm::sort(S.IndexStores, Before);
  computeScopes();
  computeLiveness();
  computeLowerBound();
  if (L.Detail == FrameDetail::Full) {
    recordSlotObjects();
    nameFrameSlots(C, L);
  }
}

} // namespace

AnnotationIndex indexAnnotations(Module &M) {
  AnnotationIndex Index;
  Type *PtrTy = PointerType::getUnqual(M.getContext());
  if (Function *Annotation = Intrinsic::getDeclarationIfExists(
          &M, Intrinsic::var_annotation, {PtrTy, PtrTy}))
    for (User *U : Annotation->users())
      if (auto *I = dyn_cast<Instruction>(U))
        Index[I->getFunction()].push_back(I);
  return Index;
}

FrameLayout analyzeFrame(const SplitCoroutine &C, FrameDetail Detail,
                         const AnnotationIndex *Annotations) {
  FrameLayout L;
  L.Detail = Detail;
  FrameAnalyzer(C, L, Annotations).run();
  return L;
}

uint64_t
FrameLayout::greedyCliqueBytes(SmallVectorImpl<unsigned> &Members) const {
  llvm::stable_sort(Members, [&](unsigned A, unsigned B) {
    return Slots[A].Size > Slots[B].Size;
  });
  SmallVector<unsigned, 16> Clique;
  uint64_t Bytes = 0;
  for (unsigned Id : Members)
    if (all_of(Clique, [&](unsigned C) { return Interferes[Id].test(C); })) {
      Clique.push_back(Id);
      Bytes += Slots[Id].Size;
    }
  return Bytes;
}

SmallVector<const FrameSlot *, 8> FrameLayout::largestSlots(unsigned N) const {
  SmallVector<const FrameSlot *, 8> Out;
  for (const FrameSlot &S : Slots)
    if (!S.isFixed() && S.Kind != SlotKind::Index && S.Kind != SlotKind::Unused)
      Out.push_back(&S);
  llvm::stable_sort(Out, [](const FrameSlot *A, const FrameSlot *B) {
    return A->Size > B->Size;
  });
  if (Out.size() > N)
    Out.resize(N);
  return Out;
}

std::string FrameLayout::liveStatesText(const FrameSlot &S) const {
  if (S.LiveStates.size() && S.LiveStates.all())
    return "all";
  if (S.LiveStates.none())
    return "none";
  std::string Text;
  for (unsigned St : S.LiveStates.set_bits()) {
    if (!Text.empty())
      Text += ",";
    Text += States[St].Final ? "final" : std::to_string(States[St].IndexValue);
  }
  return Text;
}

} // namespace corofo
