//===- FrameLiveness.cpp - Liveness of frame slots across suspends -----===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Step 5 of the frame analysis (CoroFrameAnalysis.cpp): backward data flow over
/// the blocks that run, glued at the suspend states, gives the slots live
/// across each state; from that the lower bound of the frame size.
//===----------------------------------------------------------------------===//

#include "FrameAnalyzer.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Instructions.h"

using namespace llvm;

namespace corofo {

namespace {

/// A block's events for the liveness walks, with its feasible edges (the
/// blocks that run in all the coroutine's functions, numbered as BlockOrder
/// numbers them).
struct BlockEvents {
  BasicBlock *BB;
  ArrayRef<Instruction *> Live, Interfering;
  ArrayRef<unsigned> Succs, Preds;
  bool StoresIndex = false;
};

} // namespace

/// The backward flow of FrameAnalyzer::computeLiveness, the interference
/// of slots it implies, and the lower bound.
class LivenessFlow {
public:
  explicit LivenessFlow(FrameAnalyzer &A)
      : A(A), L(A.L), N(L.Slots.size()),
        WantBound(L.Detail == FrameDetail::Full) {}
  void run();

private:
  FrameAnalyzer &A;
  FrameLayout &L;
  unsigned N;
  bool WantBound; ///< Only reports read the lower bound.
  std::optional<EventsByBlock> LiveEvents, InterferingEvents;
  std::vector<BlockEvents> Blocks;
  std::vector<BitVector> LiveIn;
  /// Per state, what is live across it, open scoped objects included.
  std::vector<BitVector> StateLive;
  /// Sets of slots live together somewhere: candidates for the lower bound
  /// (each distinct set once).
  DenseSet<BitVector> Together;

  void collectBlocks();
  void transfer(Instruction &I, BitVector &Live) const;
  BitVector liveOut(const BlockEvents &E) const;
  void solve();
  void recordLiveStates();
  void interfereAt(Instruction &I, const BitVector &Live, bool InDispatch);
  void computeInterference();
  uint64_t cliqueBytes(BitVector Set) const;
};

void FrameAnalyzer::computeLiveness() {
  unsigned N = L.Slots.size();
  LiveAcross.assign(L.States.size(), BitVector(N));
  AlwaysLive = BitVector(N);
  // The index is read on entry to every clone, so it survives every state.
  for (const FrameSlot &S : L.Slots)
    if ((S.Escaped && !S.Scoped) || S.isFixed() || S.Kind == SlotKind::Index)
      AlwaysLive.set(S.Id);
  LivenessFlow(*this).run();
}

void LivenessFlow::run() {
  collectBlocks();
  solve();
  recordLiveStates();
  computeInterference();
  if (!WantBound)
    return;
  uint64_t Max = cliqueBytes(BitVector(N));
  for (const BitVector &Set : Together)
    Max = std::max(Max, cliqueBytes(Set));
  L.MaxLiveBytes = Max;
}

/// Per block, the instructions that change liveness, and those whose
/// interference counts (those, and the ones computeScopes recorded an open
/// set at), in program order: the walks below skip the rest, which neither
/// change what is live nor add anything another instruction does not.
void LivenessFlow::collectBlocks() {
  const BlockNumbering &NumberOf = A.BlockOrder;
  InterferingEvents.emplace(&*A.AccessEvents, NumberOf, A.ScopeStarts,
                            A.IndexStoreValues, A.OpenAt);
  LiveEvents.emplace(*InterferingEvents, [&](Instruction *I) {
    return A.Effects.count(I) || A.ScopeStarts.count(I) ||
           A.IndexStoreValues.count(I);
  });
  // A block that never runs is left out of the flow (and unnumbered).
  Blocks.resize(A.RunningBlocks.size());
  for (unsigned B = 0; B < Blocks.size(); ++B) {
    BlockEvents &E = Blocks[B];
    E.BB = A.RunningBlocks[B];
    E.Live = LiveEvents->of(B);
    E.Interfering = InterferingEvents->of(B);
    E.Succs = A.RunningSuccs[B];
    E.Preds = A.RunningPreds[B];
    E.StoresIndex = any_of(E.Live, [&](Instruction *I) {
      return A.IndexStoreValues.count(I);
    });
  }
}

/// \p Live, what is live after \p I, becomes what is live before it.
void LivenessFlow::transfer(Instruction &I, BitVector &Live) const {
  auto It = A.Effects.find(&I);
  if (It != A.Effects.end()) {
    resetIn(Live, It->second.Kills);
    orInto(Live, It->second.Uses);
  }
  if (auto KIt = A.ScopeStarts.find(&I); KIt != A.ScopeStarts.end())
    for (unsigned Slot : KIt->second)
      Live.reset(Slot);
  auto SIt = A.IndexStoreValues.find(&I);
  if (SIt != A.IndexStoreValues.end())
    for (uint64_t St : SIt->second)
      Live |= A.LiveAcross[St];
}

BitVector LivenessFlow::liveOut(const BlockEvents &E) const {
  BitVector Live(N);
  for (unsigned Succ : E.Succs)
    Live |= LiveIn[Succ];
  return Live;
}

/// Live-in sets per block, to a fixed point over all functions (LiveAcross
/// feeds the gens at index stores): a worklist, seeded in reverse block
/// order, that revisits a block's predecessors when its live-in set grows.
void LivenessFlow::solve() {
  LiveIn.assign(Blocks.size(), BitVector(N));
  SmallVector<unsigned, 64> Work;
  BitVector Queued(Blocks.size());
  auto enqueue = [&](unsigned B) {
    if (!Queued.test(B)) {
      Queued.set(B);
      Work.push_back(B);
    }
  };
  for (unsigned B = 0; B < Blocks.size(); ++B)
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
      BitVector Across = A.LiveAcross[St];
      for (auto &[F, BB] : L.States[St].ResumeBlocks)
        if (std::optional<unsigned> B = A.BlockOrder.index(BB))
          Across |= LiveIn[*B];
      if (Across != A.LiveAcross[St]) {
        A.LiveAcross[St] = Across;
        Changed = true;
      }
    }
    if (Changed)
      for (unsigned B = 0; B < Blocks.size(); ++B)
        if (Blocks[B].StoresIndex)
          enqueue(B);
  }
}

/// Across a state: what is live on entry to its resume blocks, and the
/// scoped objects that may be open there.
void LivenessFlow::recordLiveStates() {
  StateLive = A.LiveAcross;
  for (unsigned St = 0; St < L.States.size(); ++St)
    StateLive[St] |= A.ScopeAcross[St];
  for (FrameSlot &S : L.Slots) {
    S.LiveStates = BitVector(L.States.size());
    for (unsigned St = 0; St < L.States.size(); ++St)
      if (StateLive[St].test(S.Id) || A.AlwaysLive.test(S.Id))
        S.LiveStates.set(St);
  }
}

/// What instruction \p I, with \p Live live after it, adds to the
/// interference rows (one-sided; computeInterference makes them symmetric)
/// and to the sets live together.
void LivenessFlow::interfereAt(Instruction &I, const BitVector &Live,
                               bool InDispatch) {
  auto It = A.Effects.find(&I);
  auto OIt = A.OpenAt.find(&I);
  if (It != A.Effects.end()) {
    BitVector WithDefs = Live;
    orInto(WithDefs, It->second.Touches);
    for (unsigned W : It->second.Writes.set_bits())
      L.Interferes[W] |= WithDefs;
  }
  // An open scoped object may be read or written by any call through its
  // escaped address: it holds its bytes against everything that is live or
  // touched here.
  if (OIt != A.OpenAt.end()) {
    BitVector With = Live;
    With |= OIt->second;
    if (It != A.Effects.end())
      orInto(With, It->second.Touches);
    for (unsigned S : OIt->second.set_bits())
      L.Interferes[S] |= With;
  }
  if (WantBound && !InDispatch &&
      (It != A.Effects.end() || OIt != A.OpenAt.end())) {
    BitVector Now = Live;
    if (It != A.Effects.end()) {
      orInto(Now, It->second.Uses);
      orInto(Now, It->second.Writes);
    }
    if (OIt != A.OpenAt.end())
      Now |= OIt->second;
    Together.insert(std::move(Now));
  }
}

/// Interference: a write clobbers its bytes while the slots live past it,
/// and those it reads or touches, hold their values. Rows are filled
/// one-sided (a word-wide OR per call) and made symmetric once at the end:
/// setting the column bit by bit on every call was most of this function's
/// time on frames with many slots.
void LivenessFlow::computeInterference() {
  L.Interferes.assign(N, BitVector(N));
  if (WantBound)
    Together.insert(StateLive.begin(), StateLive.end());
  for (BlockEvents &E : Blocks) {
    if (E.Interfering.empty())
      continue;
    bool InDispatch = A.DispatchBlocks.contains(E.BB);
    BitVector Live = liveOut(E);
    for (Instruction *IP : reverse(E.Interfering)) {
      // Live is what is live after the instruction.
      interfereAt(*IP, Live, InDispatch);
      transfer(*IP, Live);
    }
  }
  // Slots live across the same state hold values at the same time.
  for (const BitVector &Across : StateLive)
    for (unsigned S : Across.set_bits())
      L.Interferes[S] |= Across;
  for (unsigned S : A.AlwaysLive.set_bits())
    L.Interferes[S].set();
  for (unsigned S = 0; S < N; ++S)
    for (unsigned T : L.Interferes[S].set_bits())
      L.Interferes[T].set(S);
  for (unsigned S = 0; S < N; ++S)
    L.Interferes[S].reset(S);
}

/// The lower bound's live bytes for \p Set: the heaviest clique of the
/// interference graph found greedily inside it (plus escaped slots, which
/// interfere with all). A clique's slots need disjoint bytes in any layout
/// the overlap pass may choose, so the bound never exceeds what it reaches.
uint64_t LivenessFlow::cliqueBytes(BitVector Set) const {
  Set |= A.AlwaysLive;
  SmallVector<unsigned, 16> Members;
  for (unsigned Id : Set.set_bits())
    if (!L.Slots[Id].isFixed() && L.Slots[Id].Kind != SlotKind::Index)
      Members.push_back(Id);
  return L.greedyCliqueBytes(Members);
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

} // namespace corofo
