//===- FrameControlFlow.cpp - Which blocks of a split coroutine run ----===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// The control flow the data flows of the frame analysis follow. CoroSplit
/// leaves the other functions' code in each clone until it is simplified,
/// behind branches on the folded suspend results: the blocks that run are
/// those findKnownControlFlow reaches (through phis and comparisons of
/// those constants too: the cleanup destinations they select), and between
/// them an edge a constant condition rules out is infeasible. The same
/// solver tells coro-prune-dead-paths what to delete at -O0.
//===----------------------------------------------------------------------===//

#include "FrameAnalyzer.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"

using namespace llvm;

namespace corofo {

const ConstantInt *constantCondition(const Value *V, const PHINode *Phi,
                                     const Value *Subst) {
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

const BasicBlock *successorFor(const Instruction *T, const ConstantInt *C) {
  if (const auto *SI = dyn_cast<SwitchInst>(T))
    return C->getType() == SI->getCondition()->getType()
               ? SI->findCaseValue(C)->getCaseSuccessor()
               : nullptr;
  if (const auto *BI = dyn_cast<BranchInst>(T); BI && BI->isConditional())
    return C->getType()->isIntegerTy(1) ? BI->getSuccessor(C->isZero() ? 1 : 0)
                                        : nullptr;
  return nullptr;
}

const Value *branchCondition(const Instruction *T) {
  if (const auto *SI = dyn_cast<SwitchInst>(T))
    return SI->getCondition();
  if (const auto *BI = dyn_cast<BranchInst>(T); BI && BI->isConditional())
    return BI->getCondition();
  return nullptr;
}

bool isFeasibleEdge(const BasicBlock *From, const BasicBlock *To) {
  const Instruction *T = From->getTerminator();
  const Value *Cond = branchCondition(T);
  if (!Cond)
    return true;
  if (const ConstantInt *C = constantCondition(Cond))
    if (const BasicBlock *Taken = successorFor(T, C))
      return Taken == To;
  return true;
}

namespace {

/// Sparse and optimistic, as LLVM's SCCP, but over the values a branch can
/// be decided by only: phis (a lattice of not yet known, one constant,
/// unknown) and comparisons, worked out from their operands when asked.
/// Every other value is unknown, undef and poison too. An edge opens when
/// its block runs and its condition allows it; a phi meets the values that
/// come in over open edges only.
class KnownFlowSolver {
public:
  explicit KnownFlowSolver(const Function &F)
      : F(F), Flow(F), OpenPreds(F.getMaxBlockNumber()) {}
  KnownControlFlow solve();

private:
  /// What is known of a value: Pending (nothing yet; optimistic), or a
  /// constant, or Unknown (nullptr).
  struct Fact {
    bool Pending = false;
    const ConstantInt *C = nullptr;
  };

  const Function &F;
  KnownControlFlow Flow;
  DenseMap<const PHINode *, const ConstantInt *> PhiValues; // absent: pending
  /// By block number, the blocks whose edges into it are open (a few each;
  /// hash sets of blocks and edges cost more than the solving).
  std::vector<SmallVector<const BasicBlock *, 2>> OpenPreds;
  SmallVector<const BasicBlock *, 32> Blocks;
  SmallVector<const Value *, 32> Changed;

  bool runs(const BasicBlock &BB) const { return Flow.Running.contains(&BB); }
  bool isOpen(const BasicBlock *From, const BasicBlock *To) const {
    return is_contained(OpenPreds[To->getNumber()], From);
  }
  /// Record that \p BB runs; false if that was known.
  bool markRunning(const BasicBlock *BB) { return Flow.Running.insert(BB); }

  Fact factOf(const Value *V) const;
  void openEdge(const BasicBlock *From, const BasicBlock *To);
  void visitPhi(const PHINode &Phi);
  void visitTerminator(const BasicBlock &BB, bool Settle = false);
  void visitUsers(const Value &V);
};

} // namespace

KnownFlowSolver::Fact KnownFlowSolver::factOf(const Value *V) const {
  if (const auto *C = dyn_cast<ConstantInt>(V))
    return {false, C};
  if (const auto *Phi = dyn_cast<PHINode>(V)) {
    auto It = PhiValues.find(Phi);
    return It == PhiValues.end() ? Fact{true, nullptr}
                                 : Fact{false, It->second};
  }
  const auto *Cmp = dyn_cast<ICmpInst>(V);
  if (!Cmp)
    return {};
  Fact A = factOf(Cmp->getOperand(0)), B = factOf(Cmp->getOperand(1));
  if ((!A.Pending && !A.C) || (!B.Pending && !B.C))
    return {};
  if (A.Pending || B.Pending)
    return {true, nullptr};
  if (A.C->getType() != B.C->getType())
    return {};
  return {false, ConstantInt::getBool(V->getContext(),
                                      ICmpInst::compare(A.C->getValue(),
                                                        B.C->getValue(),
                                                        Cmp->getPredicate()))};
}

void KnownFlowSolver::openEdge(const BasicBlock *From, const BasicBlock *To) {
  if (isOpen(From, To))
    return;
  OpenPreds[To->getNumber()].push_back(From);
  if (markRunning(To)) {
    Blocks.push_back(To);
    return;
  }
  for (const PHINode &Phi : To->phis())
    visitPhi(Phi);
}

void KnownFlowSolver::visitPhi(const PHINode &Phi) {
  const ConstantInt *Same = nullptr;
  bool Pending = true;
  for (unsigned K = 0; K < Phi.getNumIncomingValues(); ++K) {
    if (!isOpen(Phi.getIncomingBlock(K), Phi.getParent()))
      continue;
    Fact In = factOf(Phi.getIncomingValue(K));
    if (In.Pending)
      continue;
    if (!In.C || (Same && Same != In.C)) {
      Same = nullptr;
      Pending = false;
      break;
    }
    Same = In.C;
    Pending = false;
  }
  if (Pending)
    return;
  auto [It, New] = PhiValues.try_emplace(&Phi, Same);
  if (!New) {
    if (It->second == Same || !It->second)
      return;
    It->second = nullptr; // a second constant: unknown
  }
  Changed.push_back(&Phi);
}

/// Open the edges \p BB's terminator may take. With \p Settle, a condition
/// still pending counts as unknown.
void KnownFlowSolver::visitTerminator(const BasicBlock &BB, bool Settle) {
  if (!runs(BB))
    return;
  const Instruction *T = BB.getTerminator();
  if (const Value *Cond = branchCondition(T)) {
    Fact Known = factOf(Cond);
    if (Known.Pending && !Settle)
      return;
    if (Known.C)
      if (const BasicBlock *To = successorFor(T, Known.C)) {
        openEdge(&BB, To);
        return;
      }
  }
  for (const BasicBlock *Succ : successors(&BB))
    openEdge(&BB, Succ);
}

void KnownFlowSolver::visitUsers(const Value &V) {
  for (const User *U : V.users()) {
    if (const auto *Phi = dyn_cast<PHINode>(U)) {
      if (runs(*Phi->getParent()))
        visitPhi(*Phi);
    } else if (isa<ICmpInst>(U)) {
      Changed.push_back(U);
    } else if (const auto *T = dyn_cast<Instruction>(U); T && T->isTerminator())
      visitTerminator(*T->getParent());
  }
}

KnownControlFlow KnownFlowSolver::solve() {
  markRunning(&F.getEntryBlock());
  Blocks.push_back(&F.getEntryBlock());
  for (;;) {
    while (!Blocks.empty() || !Changed.empty()) {
      if (!Changed.empty()) {
        visitUsers(*Changed.pop_back_val());
        continue;
      }
      const BasicBlock *BB = Blocks.pop_back_val();
      for (const PHINode &Phi : BB->phis())
        visitPhi(Phi);
      visitTerminator(*BB);
    }
    // Conditions that never settled (no open edge brought a value) are
    // unknown: their blocks go every way, and the solving goes on.
    SmallVector<const BasicBlock *, 8> Unsettled;
    for (const BasicBlock *BB : Flow.Running)
      if (const Value *Cond = branchCondition(BB->getTerminator()))
        if (factOf(Cond).Pending)
          Unsettled.push_back(BB);
    if (Unsettled.empty())
      break;
    for (const BasicBlock *BB : Unsettled)
      visitTerminator(*BB, /*Settle=*/true);
  }
  for (const BasicBlock *BB : Flow.Running) {
    if (const Value *Cond = branchCondition(BB->getTerminator()))
      if (const ConstantInt *C = factOf(Cond).C)
        if (const BasicBlock *To = successorFor(BB->getTerminator(), C))
          Flow.Taken[BB] = To;
  }
  return std::move(Flow);
}

KnownControlFlow findKnownControlFlow(const Function &F) {
  return KnownFlowSolver(F).solve();
}

void FrameAnalyzer::findRunningBlocks() {
  for (auto &[F, Base] : L.FrameBases) {
    KnownControlFlow Flow = findKnownControlFlow(*F);
    NumRunning += Flow.Running.size();
    (Flows ? *Flows : OwnFlows).emplace_back(F, std::move(Flow));
  }
}

/// Blocks are numbered in layout order, function by function. Only blocks
/// that run are numbered (every access, event and index store is in one):
/// CoroSplit's copies of the body are mostly code that cannot run, and every
/// phase after this sizes its tables by this numbering.
void FrameAnalyzer::numberRunningBlocks() {
  RunningBlocks.reserve(NumRunning);
  for (auto &[F, Base] : L.FrameBases) {
    const BlockSet &Running = flowOf(flows(), F)->Running;
    for (BasicBlock &BB : *F)
      if (Running.contains(&BB)) {
        BlockOrder.add(&BB);
        RunningBlocks.push_back(&BB);
      }
  }
  SmallVector<std::pair<unsigned, unsigned>, 128> Edges;
  for (unsigned B = 0; B < RunningBlocks.size(); ++B)
    for (BasicBlock *Succ : successors(RunningBlocks[B]))
      if (std::optional<unsigned> To = BlockOrder.index(Succ);
          To && isFeasibleEdge(RunningBlocks[B], Succ))
        Edges.push_back({B, *To});
  RunningSuccs.assign(RunningBlocks.size(), Edges, /*ByTarget=*/false);
  RunningPreds.assign(RunningBlocks.size(), Edges, /*ByTarget=*/true);
}

} // namespace corofo
