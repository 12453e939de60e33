//===- FrameControlFlow.cpp - Which blocks of a split coroutine run ----===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// The control flow the data flows of the frame analysis follow: edges a
/// constant condition rules out are infeasible, and the blocks that run are
/// those reachable over feasible edges (CoroSplit leaves the other states'
/// code in each clone until it is simplified).
//===----------------------------------------------------------------------===//

#include "FrameAnalyzer.h"

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

} // namespace corofo
