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

} // namespace corofo
