//===- FrameAnalyzer.h - The frame analysis' private state --------*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// What the phases of the frame analysis share, and nothing a pass needs:
/// the analyzer's state between its phases, one file per phase
/// (FrameSlots.cpp, FrameAccesses.cpp, FrameStates.cpp, FrameControlFlow.cpp,
/// FrameScopes.cpp, FrameLiveness.cpp, FrameNames.cpp), run in order by
/// CoroFrameAnalysis.cpp. Passes include CoroFrameAnalysis.h only.
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_ANALYSIS_FRAMEANALYZER_H
#define COROFRAMEOPT_ANALYSIS_FRAMEANALYZER_H

#include "CoroFrameAnalysis.h"
#include "ScopeMarkerFormat.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/IR/BasicBlock.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Instruction.h"
#include "llvm/IR/Module.h"

#include <optional>
#include <vector>

namespace llvm {
class CallBase;
class ConstantInt;
class DataLayout;
class GetElementPtrInst;
class SwitchInst;
} // namespace llvm

namespace corofo {

using namespace llvm;

/// vectors: one per accessing instruction, so no heap block each for the
/// usual frame of a few dozen slots.
struct SlotEffect {
  SmallBitVector Uses;     ///< Slots read.
  SmallBitVector Kills;    ///< Slots completely overwritten.
  SmallBitVector Writes;   ///< Slots written, wholly or in part, or maybe written.
  SmallBitVector Touches;  ///< Slots read, written or addressed (for Accesses).
};

/// Dst |= Src, Dst &= ~Src for an effect's slots.
inline void orInto(BitVector &Dst, const SmallBitVector &Src) {
  for (unsigned I : Src.set_bits())
    Dst.set(I);
}
inline void resetIn(BitVector &Dst, const SmallBitVector &Src) {
  for (unsigned I : Src.set_bits())
    Dst.reset(I);
}

/// Dense numbers of the blocks that run, over a coroutine's functions, in
/// the order they are added: an array per function indexed by the block's
/// own number (BasicBlock::getNumber) instead of a map keyed by block, for
/// the look-ups per edge and per event of the flows.
class BlockNumbering {
public:
  /// Number \p BB next; each block once.
  void add(const BasicBlock *BB) {
    const Function *F = BB->getParent();
    unsigned K = positionOf(F);
    if (K == PerFunction.size())
      PerFunction.push_back(
          {F, std::vector<unsigned>(F->getMaxBlockNumber(), None)});
    PerFunction[K].second[BB->getNumber()] = Count++;
  }
  /// The number of \p BB, if it has one.
  std::optional<unsigned> index(const BasicBlock *BB) const {
    unsigned K = positionOf(BB->getParent());
    if (K == PerFunction.size())
      return std::nullopt;
    const std::vector<unsigned> &Numbers = PerFunction[K].second;
    if (BB->getNumber() >= Numbers.size() || Numbers[BB->getNumber()] == None)
      return std::nullopt;
    return Numbers[BB->getNumber()];
  }
  bool count(const BasicBlock *BB) const { return index(BB).has_value(); }
  /// The number of \p BB, 0 if it has none.
  unsigned lookup(const BasicBlock *BB) const { return index(BB).value_or(0); }
  unsigned size() const { return Count; }

private:
  static constexpr unsigned None = ~0u;
  SmallVector<std::pair<const Function *, std::vector<unsigned>>, 5>
      PerFunction;
  unsigned Count = 0;

  /// Where \p F's numbers are in PerFunction (its size: nowhere yet).
  unsigned positionOf(const Function *F) const {
    unsigned K = 0;
    while (K < PerFunction.size() && PerFunction[K].first != F)
      ++K;
    return K;
  }
};

/// The instructions among the keys of some maps, grouped by block (numbered
/// as the analysis numbers them) and in program order within each: the event
/// walks below visit these instead of every instruction (a clone after
/// inlining has thousands, a few dozen of which touch the frame). One array
/// and an offset per block: a map of per-block vectors cost more to build
/// than the walks that read it.
class EventsByBlock {
public:
  template <typename... MapTs>
  EventsByBlock(const BlockNumbering &Number, const MapTs &...Maps)
      : EventsByBlock(nullptr, Number, Maps...) {}
  /// The events of \p Base (numbered by \p Number too) and the keys of
  /// \p Maps: only those are sorted, then merged in block by block.
  template <typename... MapTs>
  EventsByBlock(const EventsByBlock *Base, const BlockNumbering &Number,
                const MapTs &...Maps) {
    SmallVector<std::pair<unsigned, Instruction *>, 64> Keyed;
    Keyed.reserve((Maps.size() + ...));
    auto add = [&](const auto &Map) {
      for (const auto &Entry : Map)
        if (std::optional<unsigned> B = Number.index(Entry.first->getParent()))
          Keyed.push_back({*B, Entry.first});
    };
    (add(Maps), ...);
    llvm::sort(Keyed, [](const auto &A, const auto &B) {
      if (A.first != B.first)
        return A.first < B.first;
      return A.second != B.second && A.second->comesBefore(B.second);
    });
    Keyed.erase(std::unique(Keyed.begin(), Keyed.end()), Keyed.end());
    merge(Base, Number.size(), Keyed);
  }
  /// The events of \p All that \p Keep accepts, in the same order: a
  /// subset without a second sort.
  EventsByBlock(const EventsByBlock &All,
                function_ref<bool(Instruction *)> Keep) {
    Start.assign(All.Start.size(), 0);
    for (unsigned B = 0; B + 1 < All.Start.size(); ++B) {
      for (Instruction *I : All.of(B))
        if (Keep(I))
          Insts.push_back(I);
      Start[B + 1] = Insts.size();
    }
  }
  ArrayRef<Instruction *> of(unsigned Block) const {
    return ArrayRef(Insts).slice(Start[Block], Start[Block + 1] - Start[Block]);
  }

private:
  std::vector<Instruction *> Insts;
  std::vector<unsigned> Start;

  void merge(const EventsByBlock *Base, unsigned NumBlocks,
             ArrayRef<std::pair<unsigned, Instruction *>> Keyed);
};

/// Edges between numbered blocks, per block in the order they were added:
/// one array of ends and an offset per block (a vector per block cost a
/// heap block for each join of more than two edges).
class BlockEdges {
public:
  /// \p Edges as (from, to); \p ByTarget: per `to`, the `from`s (the
  /// predecessors), else per `from` the `to`s.
  void assign(unsigned NumBlocks,
              ArrayRef<std::pair<unsigned, unsigned>> Edges, bool ByTarget);
  ArrayRef<unsigned> operator[](unsigned Block) const {
    return ArrayRef(Ends).slice(Start[Block], Start[Block + 1] - Start[Block]);
  }

private:
  std::vector<unsigned> Ends;
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

/// One step of the walks over a function's frame pointers, in the order the
/// walk took it: a use \p U of \p P, or (U null) \p P reaching a value the
/// walk reached at offset \p SeenOffset before.
struct FrameWalkStep {
  Function *F;
  FramePtr P;
  Use *U;
  uint64_t SeenOffset;
};

class FrameAnalyzer {
  // The phases with state of their own.
  friend class ScopeFlow;
  friend class LivenessFlow;

public:
  FrameAnalyzer(const SplitCoroutine &C, FrameLayout &L,
                const AnnotationIndex *Annotations, KnownFlows *Flows)
      : C(C), L(L), DL(C.Resume->getParent()->getDataLayout()),
        TagKindID(C.Resume->getContext().getMDKindID(ScopeTagKind)),
        Annotations(Annotations), Flows(Flows) {}

  void run();

private:
  const SplitCoroutine &C;
  FrameLayout &L;
  const DataLayout &DL;
  unsigned TagKindID;
  const AnnotationIndex *Annotations;
  KnownFlows *Flows; ///< The caller's, or null.

  DenseMap<Instruction *, SlotEffect> Effects;
  /// The keys of Effects by block (no phase after the walks adds one): the
  /// base the flows' event lists merge theirs into.
  std::optional<EventsByBlock> AccessEvents;
  /// Stores to the index field, with the state values they may store.
  DenseMap<Instruction *, SmallVector<uint64_t, 2>> IndexStoreValues;
  /// Per state (position in L.States), the slots live across it.
  std::vector<BitVector> LiveAcross;
  /// Every step of the walks over frame pointers, replayed on the new slots
  /// after a split (replayAccesses).
  std::vector<FrameWalkStep> WalkSteps;
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
  /// Position of each block that runs (function order, then layout order),
  /// for deterministic output; the flows number their blocks the same way.
  BlockNumbering BlockOrder;
  /// The blocks that run, in that order, and the feasible edges between
  /// them by that numbering, in successor order (an edge per successor
  /// entry): found once, read by the scope flow and the liveness.
  std::vector<BasicBlock *> RunningBlocks;
  BlockEdges RunningSuccs, RunningPreds;
  /// Per function, the blocks that run (findKnownControlFlow), here when
  /// the caller keeps none. CoroSplit leaves the other functions' code in
  /// each one until it is simplified (in .destroy and .cleanup most of their
  /// blocks); what never runs holds no value and clobbers none.
  KnownFlows OwnFlows;
  /// How many blocks run, over all functions.
  unsigned NumRunning = 0;

  const KnownFlows &flows() const { return Flows ? *Flows : OwnFlows; }
  bool runs(const BasicBlock *BB) const {
    const KnownControlFlow *Flow = flowOf(flows(), BB->getParent());
    return Flow && Flow->Running.contains(BB);
  }

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
  bool replayAccesses(ArrayRef<unsigned> FirstPartOf);
  bool noteMergedSlots(Function &F, const FramePtr &P, uint64_t Seen);
  bool visitFrameUse(Function &F, Use &U, Instruction *I, const FramePtr &P,
                     SmallVectorImpl<FramePtr> &Work);
  bool followGEP(Function &F, GetElementPtrInst *GEP, const FramePtr &P,
                 SmallVectorImpl<FramePtr> &Work);
  void visitMemoryUse(Use &U, Instruction *I, const FramePtr &P);
  bool visitCallUse(Function &F, Use &U, CallBase *CB, const FramePtr &P);
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
  bool splitSharedFields(std::vector<unsigned> &FirstPartOf);
  void findRunningBlocks();
  void numberRunningBlocks();
  SmallVector<Instruction *, 16> findScopeMarkers() const;
  void computeScopes();
  void noteSpan(Instruction *I);
  SlotEffect &effect(Instruction *I);
  bool findStates();
  SuspendState &stateFor(DenseMap<uint64_t, unsigned> &StateOf, uint64_t V);
  std::pair<SwitchInst *, BasicBlock *> findDispatch(Function &F);
  std::string mixedDispatchReason(
      ArrayRef<std::pair<Function *, BasicBlock *>> Blocks) const;
  bool placeSingleStateBlocks(
      SmallVectorImpl<std::pair<Function *, BasicBlock *>> &Blocks,
      DenseMap<uint64_t, unsigned> &StateOf);
  bool recordIndexStores();
  void recordNullResumeStores();
  void computeLiveness();
  void computeLowerBound();
  void recordSlotObjects();
};

/// False when \p From's terminator cannot branch to \p To: its condition is
/// a constant that selects another successor. CoroSplit leaves such
/// switches (on the folded result of llvm.coro.suspend) in every function it
/// creates; their dead arms would otherwise open scopes on paths that never
/// run.
bool isFeasibleEdge(const BasicBlock *From, const BasicBlock *To);
/// \p V as a constant integer: a constant, or a comparison of two (unfolded
/// code: `icmp eq i32 0, 0` where CoroSplit put a cleanup's destination),
/// with \p Subst standing for \p Phi when given.
const ConstantInt *constantCondition(const Value *V,
                                     const PHINode *Phi = nullptr,
                                     const Value *Subst = nullptr);
/// The successor of \p T taken when its condition is \p C.
const BasicBlock *successorFor(const Instruction *T, const ConstantInt *C);
/// The condition of \p T, a conditional branch or switch (else null).
const Value *branchCondition(const Instruction *T);

} // namespace corofo

#endif // COROFRAMEOPT_ANALYSIS_FRAMEANALYZER_H
