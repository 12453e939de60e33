//===- FrameStates.cpp - Suspend states of a split coroutine -----------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Step 4 of the frame analysis (CoroFrameAnalysis.cpp): the states the clones
/// dispatch on (the index field, or the resume pointer for the final state)
/// and the stores of the index that mark the suspend points.
//===----------------------------------------------------------------------===//

#include "FrameAnalyzer.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"

using namespace llvm;

namespace corofo {

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

/// The state with index value \p V, made on first use (\p StateOf: value
/// -> position in L.States).
SuspendState &FrameAnalyzer::stateFor(DenseMap<uint64_t, unsigned> &StateOf,
                                      uint64_t V) {
  auto [It, New] = StateOf.try_emplace(V, L.States.size());
  if (New) {
    L.States.emplace_back();
    L.States.back().IndexValue = V;
  }
  return L.States[It->second];
}

/// The dispatch of clone \p F: a switch on a load of one frame slot at the
/// end of its entry's straight-line prefix; and with -fno-exceptions the
/// block `icmp eq (load resume_fn), null` picks for the final state before
/// it. Marks the prefix as dispatch blocks.
std::pair<SwitchInst *, BasicBlock *> FrameAnalyzer::findDispatch(Function &F) {
  SwitchInst *Dispatch = nullptr;
  BasicBlock *FinalBlock = nullptr;
  for (BasicBlock *BB = &F.getEntryBlock(); BB && !Dispatch;) {
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
    auto *Cmp = dyn_cast<ICmpInst>(Br->getCondition());
    auto *LI = Cmp ? dyn_cast<LoadInst>(Cmp->getOperand(0)) : nullptr;
    if (!Cmp || !LI || !isa<ConstantPointerNull>(Cmp->getOperand(1)) ||
        !Effects.count(LI) || !Effects[LI].Uses.test(0))
      break;
    bool EqNull = Cmp->getPredicate() == ICmpInst::ICMP_EQ;
    FinalBlock = Br->getSuccessor(EqNull ? 0 : 1);
    BB = Br->getSuccessor(EqNull ? 1 : 0);
  }
  return {Dispatch, FinalBlock};
}

/// One suspend point: no dispatch, the entry of \p F falls through to the
/// only resume block (the end of the chain of single-predecessor blocks).
/// Null if there is no such chain.
static BasicBlock *onlyResumeBlock(Function &F) {
  BasicBlock *BB = &F.getEntryBlock();
  while (auto *Br = dyn_cast<BranchInst>(BB->getTerminator())) {
    if (!Br->isUnconditional() || !Br->getSuccessor(0)->getSinglePredecessor())
      break;
    BB = Br->getSuccessor(0);
  }
  return BB == &F.getEntryBlock() ? nullptr : BB;
}

bool FrameAnalyzer::findStates() {
  DenseMap<uint64_t, unsigned> StateOf;
  SmallVector<std::pair<Function *, BasicBlock *>, 3> SingleStateBlocks;
  for (auto &[F, Base] : L.FrameBases) {
    if (F == C.Ramp || F == C.NoAlloc)
      continue;
    auto [Dispatch, FinalBlock] = findDispatch(*F);
    if (!Dispatch) {
      BasicBlock *BB = FinalBlock ? nullptr : onlyResumeBlock(*F);
      if (!BB)
        return fail("no suspend-index dispatch found in '" + F->getName() +
                    "'");
      SingleStateBlocks.push_back({F, BB});
      continue;
    }
    auto Read = Effects.find(cast<Instruction>(Dispatch->getCondition()));
    int Idx = Read == Effects.end() ? -1 : Read->second.Uses.find_first();
    if (L.IndexSlot >= 0 && L.IndexSlot != Idx)
      return fail("the clones dispatch on different frame fields");
    L.IndexSlot = Idx;
    for (auto Case : Dispatch->cases())
      stateFor(StateOf, Case.getCaseValue()->getZExtValue())
          .ResumeBlocks.push_back({F, Case.getCaseSuccessor()});
    if (FinalBlock) {
      // The final state has no index value of its own.
      SuspendState &S = stateFor(StateOf, SuspendState::NullResumeState);
      S.Final = true;
      S.ResumeBlocks.push_back({F, FinalBlock});
    }
  }
  if (!placeSingleStateBlocks(SingleStateBlocks, StateOf))
    return false;
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

/// Why the clones' dispatches do not fit together: which clones do not
/// dispatch on the suspend index (\p Blocks), which do, and over how many
/// states. Only .resume may go without one, and only with two states (one
/// resumable, one final).
std::string FrameAnalyzer::mixedDispatchReason(
    ArrayRef<std::pair<Function *, BasicBlock *>> Blocks) const {
  auto clone = [](const Function *F) {
    StringRef Name = F->getName();
    size_t Dot = Name.rfind('.');
    return "'" + (Dot == StringRef::npos ? Name : Name.substr(Dot)).str() + "'";
  };
  std::string Without, With;
  for (auto &[F, BB] : Blocks)
    Without += (Without.empty() ? "" : ", ") + clone(F);
  for (auto &[F, Base] : L.FrameBases)
    if (F != C.Ramp && F != C.NoAlloc &&
        none_of(Blocks, [&](auto &B) { return B.first == F; }))
      With += (With.empty() ? "" : ", ") + clone(F);
  return "some clones dispatch on an index and some do not: " + Without +
         " without a dispatch, " + With + " dispatching over " +
         std::to_string(L.States.size()) + " states";
}

/// The resume blocks of clones that do not dispatch (\p Blocks): .resume
/// when only one state is resumable, or every clone of a single-state
/// coroutine (whose index field is then the one only ever stored constants).
bool FrameAnalyzer::placeSingleStateBlocks(
    SmallVectorImpl<std::pair<Function *, BasicBlock *>> &Blocks,
    DenseMap<uint64_t, unsigned> &StateOf) {
  if (!Blocks.empty() && L.IndexSlot >= 0) {
    // .resume does not dispatch when only one state is resumable: the final
    // suspend is always CoroSplit's last index and .resume drops its case.
    if (Blocks.size() != 1 || Blocks.front().first != C.Resume ||
        L.States.size() != 2)
      return fail(mixedDispatchReason(Blocks));
    SuspendState *Resumable = &L.States[0];
    for (SuspendState &S : L.States)
      if (S.IndexValue < Resumable->IndexValue)
        Resumable = &S;
    Resumable->ResumeBlocks.push_back(Blocks.front());
    Blocks.clear();
  }
  if (Blocks.empty())
    return true;
  // The index of a single-state coroutine is stored but never read: the one
  // slot that only ever receives constant integer stores.
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
    for (auto &[F, BB] : Blocks)
      stateFor(StateOf, 0).ResumeBlocks.push_back({F, BB});
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
  recordNullResumeStores();
  return true;
}

/// A final state that stores no index (-fno-exceptions) is entered where
/// the resume pointer becomes null: those stores stand for its index
/// stores, so that what .destroy reads there is live before them.
void FrameAnalyzer::recordNullResumeStores() {
  for (unsigned St = 0; St < L.States.size(); ++St) {
    if (L.States[St].IndexValue != SuspendState::NullResumeState)
      continue;
    for (auto &[I, E] : Effects)
      if (auto *SI = dyn_cast<StoreInst>(I);
          SI && isa<ConstantPointerNull>(SI->getValueOperand()) &&
          E.Kills.size() && E.Kills.test(0) && L.Slots[0].Offset == 0) {
        IndexStoreValues[SI].push_back(St);
        L.States[St].IndexStores.push_back(SI);
      }
  }
}

} // namespace corofo
