//===- FrameScopes.cpp - Scopes of escaped frame objects ---------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Step 6 of the frame analysis (CoroFrameAnalysis.cpp): an escaped object
/// whose every escape carries a scope tag recorded before CoroSplit
/// (ScopeMarkerFormat.h) is open from its escapes and start markers until its
/// end markers, by forward data flow glued at the suspend states.
//===----------------------------------------------------------------------===//

#include "FrameAnalyzer.h"

#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"

using namespace llvm;

namespace corofo {

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
threadedEdges(ArrayRef<BasicBlock *> FlowBlocks,
              const BlockNumbering &FlowNumber,
              const DenseMap<BasicBlock *, SmallVector<unsigned, 2>> &Resumes,
              IsEventFn IsEvent) {
  DenseMap<BasicBlock *, SmallVector<std::pair<BasicBlock *, BasicBlock *>, 2>>
      Out;
  auto quiet = [&](BasicBlock *BB) {
    return none_of(*BB, [&](const Instruction &I) { return IsEvent(&I); });
  };
  for (BasicBlock *T : FlowBlocks) {
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
          if (runs(I->getParent()))
            Found.push_back(I);
    return Found;
  }
  Type *PtrTy = PointerType::getUnqual(C.Resume->getContext());
  Function *Annotation = Intrinsic::getDeclarationIfExists(
      C.Resume->getParent(), Intrinsic::var_annotation, {PtrTy, PtrTy});
  if (!Annotation)
    return Found;
  size_t Budget = 64 + 8 * NumRunning;
  for (User *U : Annotation->users()) {
    if (!Budget--) {
      Found.clear();
      for (auto &[F, Base] : L.FrameBases)
        for (BasicBlock &BB : *F)
          if (runs(&BB))
            for (Instruction &I : BB)
              if (auto *Call = dyn_cast<CallBase>(&I);
                  Call && Call->getCalledOperand() == Annotation)
                Found.push_back(&I);
      return Found;
    }
    auto *I = dyn_cast<Instruction>(U);
    if (I && runs(I->getParent()))
      Found.push_back(I);
  }
  return Found;
}

namespace {

/// Per flow block, what may be open: Open = ids that may be open; After[K]
/// = what may be open on the paths on which the last index store in this
/// function stored K (no entry: no such path); Unstored = what may be open
/// on the paths that stored no index since the function's entry or a
/// resume. After is kept per state, not as one set of stored states, so that
/// a return block joining the suspend paths of several states does not mix
/// their open objects; it holds only the states some path stored last,
/// sorted by state (a dense vector of all states per block was most of the
/// cost on coroutines with dozens of states).
using StateSets = SmallVector<std::pair<unsigned, BitVector>, 2>;
struct ScopeFlowValue {
  BitVector Open, Unstored;
  StateSets After;
  bool operator==(const ScopeFlowValue &O) const {
    return Open == O.Open && Unstored == O.Unstored && After == O.After;
  }
};

using ThreadMap =
    DenseMap<BasicBlock *, SmallVector<std::pair<BasicBlock *, BasicBlock *>, 2>>;

} // namespace

/// The forward flow of FrameAnalyzer::computeScopes, over ids of scoped
/// objects; Across[K] is what may be open while suspended in K.
class ScopeFlow {
public:
  explicit ScopeFlow(FrameAnalyzer &A)
      : A(A), L(A.L), N(L.Slots.size()), NumStates(L.States.size()),
        FlowBlocks(A.RunningBlocks) {}
  void run();

private:
  FrameAnalyzer &A;
  FrameLayout &L;
  unsigned N, NumStates;
  unsigned J = 0; ///< Number of ids (bit positions).
  DenseMap<uint64_t, unsigned> Bit;
  std::vector<SmallVector<unsigned, 2>> SlotsOfBit;
  DenseMap<Instruction *, SmallVector<unsigned, 1>> Opens;
  DenseMap<Instruction *, std::pair<bool, unsigned>> MarkerBits;
  DenseMap<BasicBlock *, SmallVector<unsigned, 2>> ResumeStatesOf;
  /// The flow's blocks: those that run, numbered as the analysis does.
  ArrayRef<BasicBlock *> FlowBlocks;
  BlockEdges FlowPreds, FlowSuccs;
  std::vector<SmallVector<unsigned, 2>> ResumeNodesOf;
  std::optional<EventsByBlock> FlowEvents;
  std::vector<ArrayRef<Instruction *>> FlowEventsAt;
  std::vector<SmallVector<Instruction *, 8>> RecordAt;
  std::vector<SmallVector<unsigned, 2>> ResumeStatesAt;
  std::vector<BitVector> Across;
  std::vector<ScopeFlowValue> Out;
  SmallVector<unsigned, 64> Work;
  BitVector Queued;
  /// Blocks the solver skips (skipQuietBlocks).
  BitVector Quiet;

  void markScopedSlots();
  void numberScopedObjects();
  bool collectMarkers();
  void collectStateEntries();
  void buildFlowGraph();
  void keepDispatchThreads(ThreadMap &Threaded);
  void collectEvents();
  void skipQuietBlocks();
  void enqueue(unsigned B);
  ScopeFlowValue entryValue(unsigned Node) const;
  void applyEvent(Instruction *I, ScopeFlowValue &V, bool Record);
  void runBlock(unsigned Node, bool Record);
  void solve();
};

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
  ScopeAcross.assign(L.States.size(), BitVector(L.Slots.size()));
  if (!C.Ramp)
    return;
  ScopeFlow(*this).run();
}

void ScopeFlow::run() {
  markScopedSlots();
  numberScopedObjects();
  if (SlotsOfBit.empty() || !collectMarkers())
    return;
  collectStateEntries();
  buildFlowGraph();
  collectEvents();
  skipQuietBlocks();
  solve();
  for (unsigned St = 0; St < NumStates; ++St)
    for (unsigned B : Across[St].set_bits())
      for (unsigned Slot : SlotsOfBit[B])
        A.ScopeAcross[St].set(Slot);
}

/// An object id belongs to one field (LLVM may have given one field several
/// objects); a slot (a field, or a part of a split one) is scoped when each
/// of its escapes is tagged with an id no other field has.
void ScopeFlow::markScopedSlots() {
  DenseMap<uint64_t, int> FieldOfId;
  for (auto &[Slot, Sites] : A.Escapes)
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
    const auto &Sites = A.Escapes[S.Id];
    S.Scoped = !Sites.empty() && all_of(Sites, [&](const auto &Site) {
      return Site.second >= 0 &&
             FieldOfId.lookup(Site.second) == int(S.GroupStart);
    });
  }
}

/// Dense bit positions for the ids that escape from scoped slots; each
/// covers the scoped parts of its field its object spans.
void ScopeFlow::numberScopedObjects() {
  for (FrameSlot &S : L.Slots)
    if (S.Scoped)
      for (auto &[I, Id] : A.Escapes[S.Id]) {
        auto [It, New] = Bit.try_emplace(Id, SlotsOfBit.size());
        if (New)
          SlotsOfBit.emplace_back();
        if (!is_contained(SlotsOfBit[It->second], S.Id))
          SlotsOfBit[It->second].push_back(S.Id);
      }
  J = SlotsOfBit.size();
}

/// The markers and escapes of the scoped objects, as bit positions, and the
/// start markers that end the backward liveness of their slots. False (and
/// no slot scoped) if a later pass merged markers: no scope is known.
bool ScopeFlow::collectMarkers() {
  DenseMap<Instruction *, std::pair<bool, uint64_t>> Markers; // start?, id
  for (Instruction *I : A.findScopeMarkers()) {
    uint64_t Id = 0;
    ScopeMarker K = classifyScopeMarker(*I, Id);
    if (K == ScopeMarker::Malformed) {
      for (FrameSlot &S : L.Slots)
        S.Scoped = false;
      return false;
    }
    if (K != ScopeMarker::None)
      Markers[I] = {K == ScopeMarker::Start, Id};
  }
  // A start marker ends the backward liveness of the parts that only this
  // object's (tagged) accesses touch: bytes another object of the field may
  // hold are left alone (CoroSplit may have moved the real lifetime.start
  // later than the marker, where the other object can still be live).
  auto onlyTouchedBy = [&](unsigned Slot, uint64_t Id) {
    auto It = A.Touchers.find(Slot);
    return It != A.Touchers.end() && It->second.size() == 1 &&
           It->second.front() == int64_t(Id);
  };
  for (FrameSlot &S : L.Slots)
    if (S.Scoped)
      for (auto &[I, Id] : A.Escapes[S.Id])
        if (!is_contained(Opens[I], Bit.lookup(Id)))
          Opens[I].push_back(Bit.lookup(Id));
  for (auto &[I, M] : Markers)
    if (auto It = Bit.find(M.second); It != Bit.end()) {
      MarkerBits[I] = {M.first, It->second};
      if (M.first)
        for (unsigned Slot : SlotsOfBit[It->second])
          if (onlyTouchedBy(Slot, M.second))
            A.ScopeStarts[I].push_back(Slot);
    }
  return true;
}

/// Where each state is resumed, and where it is entered: its index stores
/// (for the final state that stores no index, -fno-exceptions, the stores
/// of a null resume pointer; recordNullResumeStores).
void ScopeFlow::collectStateEntries() {
  for (unsigned St = 0; St < NumStates; ++St)
    for (auto &[F, BB] : L.States[St].ResumeBlocks)
      ResumeStatesOf[BB].push_back(St);
}

/// The blocks that run, numbered densely, with their feasible edges; around
/// a merge whose phi picks the way on (threadedEdges), the edges it picks.
void ScopeFlow::buildFlowGraph() {
  const BlockNumbering &FlowNumber = A.BlockOrder;
  SmallVector<std::pair<unsigned, unsigned>, 128> Edges;
  auto addFlowEdge = [&](unsigned From, unsigned To) {
    Edges.push_back({From, To});
  };
  auto Threaded = threadedEdges(FlowBlocks, FlowNumber, ResumeStatesOf,
                                [&](const Instruction *I) {
                                  auto *NC = const_cast<Instruction *>(I);
                                  return MarkerBits.count(NC) ||
                                         Opens.count(NC) ||
                                         A.IndexStoreValues.count(NC) ||
                                         A.Effects.count(NC) ||
                                         A.ScopeStarts.count(NC);
                                });
  keepDispatchThreads(Threaded);
  for (auto &[T, Edges] : Threaded)
    for (auto [From, To] : Edges)
      addFlowEdge(FlowNumber.lookup(From), FlowNumber.lookup(To));
  // What reaches a threaded block goes around it.
  for (unsigned B = 0; B < FlowBlocks.size(); ++B)
    for (unsigned Pred : A.RunningPreds[B])
      if (!Threaded.count(FlowBlocks[Pred]))
        addFlowEdge(Pred, B);
  FlowPreds.assign(FlowBlocks.size(), Edges, /*ByTarget=*/true);
  FlowSuccs.assign(FlowBlocks.size(), Edges, /*ByTarget=*/false);
  ResumeNodesOf.resize(NumStates);
  for (unsigned B = 0; B < FlowBlocks.size(); ++B)
    for (unsigned St : ResumeStatesOf.lookup(FlowBlocks[B]))
      ResumeNodesOf[St].push_back(B);
}

/// A threaded block that resumes a state passes the state's open objects on
/// only where the dispatch's edge goes: the resumed way. Threads of resumed
/// blocks that the dispatch does not reach are dropped from \p Threaded.
void ScopeFlow::keepDispatchThreads(ThreadMap &Threaded) {
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
        if (A.DispatchBlocks.contains(BB))
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
}

/// Per block, the instructions the flow must visit, in order: those that
/// open or close an object or enter a state. Between them the sets only grow
/// or stay, so what they hold there is covered by the next event (or the
/// block's end). For the recorded pass (OpenAt, read by the liveness), also
/// every instruction that changes liveness and the one after each event:
/// runs of other instructions see the same sets and the same live slots, so
/// one of them stands for all.
void ScopeFlow::collectEvents() {
  EventsByBlock AllEvents(&*A.AccessEvents, A.BlockOrder, MarkerBits, Opens,
                          A.ScopeStarts, A.IndexStoreValues);
  FlowEvents.emplace(AllEvents, [&](Instruction *I) {
    return MarkerBits.count(I) || Opens.count(I) ||
           A.IndexStoreValues.count(I);
  });
  ResumeStatesAt.resize(FlowBlocks.size());
  for (unsigned B = 0; B < FlowBlocks.size(); ++B)
    if (auto It = ResumeStatesOf.find(FlowBlocks[B]); It != ResumeStatesOf.end())
      ResumeStatesAt[B] = It->second;
  RecordAt.resize(FlowBlocks.size());
  FlowEventsAt.resize(FlowBlocks.size());
  for (unsigned Node = 0; Node < FlowBlocks.size(); ++Node) {
    BasicBlock &BB = *FlowBlocks[Node];
    FlowEventsAt[Node] = FlowEvents->of(Node);
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
    for (Instruction *I : AllEvents.of(Node)) {
      record(I);
      record(I->getNextNode());
    }
  }
}

/// A block without events, records, resumed states or a return only passes
/// on the union of what reaches it (most blocks: a coroutine's clones hold a
/// few dozen events in hundreds of blocks). The solver runs on the other
/// blocks, each joined to those whose values reach it through quiet blocks
/// only: the same fixed point, in a fraction of the block visits. Where the
/// search for those joins would cost more than it saves, the flow keeps
/// every block.
void ScopeFlow::skipQuietBlocks() {
  unsigned NumBlocks = FlowBlocks.size();
  Quiet.resize(NumBlocks);
  for (unsigned B = 0; B < NumBlocks; ++B)
    if (FlowEventsAt[B].empty() && RecordAt[B].empty() &&
        ResumeStatesAt[B].empty() &&
        !isa<ReturnInst>(FlowBlocks[B]->getTerminator()))
      Quiet.set(B);
  if (Quiet.none())
    return;
  size_t Budget = 256;
  for (unsigned B = 0; B < NumBlocks; ++B)
    Budget += 4 * FlowPreds[B].size();
  SmallVector<std::pair<unsigned, unsigned>, 128> Edges;
  std::vector<unsigned> SeenFor(NumBlocks, ~0u);
  SmallVector<unsigned, 16> Stack;
  for (unsigned B = 0; B < NumBlocks; ++B) {
    if (Quiet.test(B))
      continue;
    Stack.assign(FlowPreds[B].begin(), FlowPreds[B].end());
    while (!Stack.empty()) {
      unsigned P = Stack.pop_back_val();
      if (SeenFor[P] == B)
        continue;
      SeenFor[P] = B;
      if (!Budget--) {
        Quiet.reset();
        return;
      }
      if (Quiet.test(P))
        append_range(Stack, FlowPreds[P]);
      else
        Edges.push_back({P, B});
    }
  }
  FlowPreds.assign(NumBlocks, Edges, /*ByTarget=*/true);
  FlowSuccs.assign(NumBlocks, Edges, /*ByTarget=*/false);
}

/// Into \p Dst (sorted) the union of \p Src (sorted), state by state.
static void mergeAfter(StateSets &Dst, const StateSets &Src) {
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
}

void ScopeFlow::enqueue(unsigned B) {
  if (!Queued.test(B)) {
    Queued.set(B);
    Work.push_back(B);
  }
}

/// What may be open on entry to flow block \p Node: the union over its
/// predecessors, and what is open across the states it resumes.
ScopeFlowValue ScopeFlow::entryValue(unsigned Node) const {
  ScopeFlowValue V{BitVector(J), BitVector(J), {}};
  for (unsigned Pred : FlowPreds[Node]) {
    V.Open |= Out[Pred].Open;
    V.Unstored |= Out[Pred].Unstored;
    mergeAfter(V.After, Out[Pred].After);
  }
  for (unsigned St : ResumeStatesAt[Node]) {
    V.Open |= Across[St];
    V.Unstored |= Across[St];
  }
  return V;
}

/// Apply event \p I to \p V; with \p Record, note what is open at \p I
/// (OpenAt, for the liveness).
void ScopeFlow::applyEvent(Instruction *I, ScopeFlowValue &V, bool Record) {
  auto forEachSet = [&](auto Fn) {
    Fn(V.Open);
    Fn(V.Unstored);
    for (auto &[St, Set] : V.After)
      Fn(Set);
  };
  auto M = MarkerBits.find(I);
  if (M != MarkerBits.end() && M->second.first)
    forEachSet([&](BitVector &B) { B.set(M->second.second); });
  if (auto It = Opens.find(I); It != Opens.end())
    for (unsigned B : It->second)
      forEachSet([&](BitVector &Set) { Set.set(B); });
  // At a return, what is open on a path that stored index K is open across
  // K, and interferes there (ScopeAcross); only the paths that stored none
  // can add to it. A return joining the suspends of several states would
  // otherwise make all their objects interfere.
  const BitVector &OpenHere = isa<ReturnInst>(I) ? V.Unstored : V.Open;
  if (Record && OpenHere.any()) {
    BitVector &Slots = A.OpenAt[I];
    Slots.resize(N);
    for (unsigned B : OpenHere.set_bits())
      for (unsigned Slot : SlotsOfBit[B])
        Slots.set(Slot);
  }
  // An end closes the object from here on; After[K] keeps it, as it was
  // open for a while after K's index store on this path.
  if (M != MarkerBits.end() && !M->second.first) {
    V.Open.reset(M->second.second);
    V.Unstored.reset(M->second.second);
  }
  if (auto SIt = A.IndexStoreValues.find(I); SIt != A.IndexStoreValues.end()) {
    V.Unstored.reset();
    V.After.clear();
    for (uint64_t St : SIt->second)
      V.After.push_back({unsigned(St), V.Open});
    llvm::sort(V.After, [](const auto &X, const auto &Y) {
      return X.first < Y.first;
    });
    V.After.erase(std::unique(V.After.begin(), V.After.end(),
                              [](const auto &X, const auto &Y) {
                                return X.first == Y.first;
                              }),
                  V.After.end());
  }
}

void ScopeFlow::runBlock(unsigned Node, bool Record) {
  BasicBlock &BB = *FlowBlocks[Node];
  ScopeFlowValue V = entryValue(Node);
  for (Instruction *I : Record ? ArrayRef<Instruction *>(RecordAt[Node])
                               : FlowEventsAt[Node])
    applyEvent(I, V, Record);
  // Only a path that returns leaves the coroutine suspended in the state it
  // stored last; one that stores another index first (an exception from
  // await_suspend, a `false` from it) or ends in unreachable does not.
  // Growing Across[St] revisits the blocks that resume from St.
  if (isa<ReturnInst>(BB.getTerminator()))
    for (auto &[St, Set] : V.After)
      if (!Set.subsetOf(Across[St])) {
        Across[St] |= Set;
        for (unsigned R : ResumeNodesOf[St])
          enqueue(R);
      }
  ScopeFlowValue &Old = Out[Node];
  if (Old == V)
    return;
  Old = std::move(V);
  for (unsigned Succ : FlowSuccs[Node])
    enqueue(Succ);
}

/// To a fixed point over the blocks not skipped: a worklist seeded in block
/// order (popped from the back), then one recording pass.
void ScopeFlow::solve() {
  Across.assign(NumStates, BitVector(J));
  Out.assign(FlowBlocks.size(), ScopeFlowValue{BitVector(J), BitVector(J), {}});
  Queued.resize(FlowBlocks.size());
  for (unsigned B = FlowBlocks.size(); B-- > 0;)
    if (!Quiet.test(B))
      enqueue(B);
  while (!Work.empty()) {
    unsigned B = Work.pop_back_val();
    Queued.reset(B);
    runBlock(B, /*Record=*/false);
  }
  for (unsigned B = 0; B < FlowBlocks.size(); ++B)
    if (!Quiet.test(B))
      runBlock(B, /*Record=*/true);
}

} // namespace corofo
