//===- CoroDeadPaths.cpp - Code CoroSplit leaves behind constants --------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Folds the constant branches in the ramp and clones of split coroutines
/// and deletes the blocks they cut off (see the header).
///
//===----------------------------------------------------------------------===//

#include "CoroDeadPaths.h"

#include "ChangedFunctions.h"
#include "CoroFrameAnalysis.h"
#include "TransformBisect.h"

#include "llvm/ADT/Statistic.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Support/Debug.h"
#include "llvm/Transforms/Utils/Local.h"

using namespace llvm;

#define DEBUG_TYPE "coro-prune-dead-paths"

STATISTIC(NumBlocksPruned,
          "Blocks of split coroutines cut off by constant branches, deleted");

namespace corofo {

static constexpr const char *DeadPathsRemarkPass = "coro-prune-dead-paths";

namespace {
struct Pruned {
  unsigned Blocks = 0, Instructions = 0;
  bool Changed = false;
};
} // namespace

unsigned foldKnownBranches(Function &F, const KnownControlFlow &Flow) {
  unsigned Folded = 0;
  for (auto [Known, To] : Flow.Taken) {
    auto *BB = const_cast<BasicBlock *>(Known);
    assert(BB->getParent() == &F && "a flow of another function");
    Instruction *T = BB->getTerminator();
    bool KeptTo = false;
    for (BasicBlock *Succ : successors(BB)) {
      if (Succ == To && !KeptTo) {
        KeptTo = true;
        continue;
      }
      Succ->removePredecessor(BB, /*KeepOneInputPHIs=*/true);
    }
    Value *Cond = isa<SwitchInst>(T) ? cast<SwitchInst>(T)->getCondition()
                                     : cast<BranchInst>(T)->getCondition();
    BranchInst::Create(const_cast<BasicBlock *>(To), T->getIterator());
    T->eraseFromParent();
    RecursivelyDeleteTriviallyDeadInstructions(Cond);
    ++Folded;
  }
  return Folded;
}

/// Make each running block of \p F whose way on is known branch there only,
/// and delete the blocks that do not run: nothing running reaches them any
/// more, and what they define is used only among them (a block that runs
/// is not dominated by one that does not), except by the phis of running
/// successors, whose entries for them go first.
static Pruned pruneFunction(Function &F) {
  Pruned P;
  KnownControlFlow Flow = findKnownControlFlow(F);
  SmallVector<BasicBlock *, 32> Dead;
  for (BasicBlock &BB : F)
    if (!Flow.Running.contains(&BB)) {
      if (BB.hasAddressTaken())
        return P; // a blockaddress would outlive it
      Dead.push_back(&BB);
    }
  P.Changed = foldKnownBranches(F, Flow) > 0;
  for (BasicBlock *BB : Dead)
    for (BasicBlock *Succ : successors(BB))
      if (Flow.Running.contains(Succ))
        Succ->removePredecessor(BB, /*KeepOneInputPHIs=*/true);
  for (BasicBlock *BB : Dead)
    for (Instruction &I : *BB) {
      I.dropAllReferences();
      ++P.Instructions;
    }
  for (BasicBlock *BB : Dead)
    BB->eraseFromParent();
  P.Blocks = Dead.size();
  P.Changed |= !Dead.empty();
  if (P.Changed)
    F.addFnAttr(DeadPathsPrunedAttr);
  return P;
}

bool foldKnownBranches(const SplitCoroutine &C, KnownFlows &Flows) {
  if (!shouldTransform([&] {
        return "fold-known-branches: in the ramp and clones of '" + C.Name +
               "'";
      }))
    return false;
  bool Changed = false;
  for (Function *F : C.functions()) {
    auto It = find_if(Flows, [&](const auto &P) { return P.first == F; });
    if (It == Flows.end()) {
      Flows.emplace_back(F, findKnownControlFlow(*F));
      It = std::prev(Flows.end());
    }
    Changed |= foldKnownBranches(*F, It->second) > 0;
  }
  return Changed;
}

bool pruneDeadPaths(const SplitCoroutine &C, OptimizationRemarkEmitter &ORE) {
  if (!shouldTransform([&] {
        return "prune-dead-paths: fold the constant branches of '" +
               C.Name + "'";
      }))
    return false;
  Pruned All;
  for (Function *F : C.functions()) {
    Pruned P = pruneFunction(*F);
    All.Blocks += P.Blocks;
    All.Instructions += P.Instructions;
    All.Changed |= P.Changed;
    LLVM_DEBUG(if (P.Changed) dbgs()
               << DEBUG_TYPE ": " << F->getName() << ": " << P.Blocks
               << " blocks\n");
  }
  NumBlocksPruned += All.Blocks;
  if (All.Blocks) {
    Function &Anchor = *C.anchor();
    ORE.emit([&] {
      return OptimizationRemark(DeadPathsRemarkPass, "DeadPathsPruned",
                                DiagnosticLocation(Anchor.getSubprogram()),
                                &Anchor.getEntryBlock())
             << "'" << ore::NV("coroutine", displayName(C.Name)) << "': "
             << ore::NV("blocks", All.Blocks) << " blocks ("
             << ore::NV("instructions", All.Instructions)
             << " instructions) that cannot run deleted from its ramp and "
                "clones";
    });
  }
  return All.Changed;
}

PreservedAnalyses CoroPruneDeadPathsPass::run(Module &M,
                                              ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  bool Changed = false;
  for (const SplitCoroutine &C : findSplitCoroutines(M)) {
    auto &ORE = FAM.getResult<OptimizationRemarkEmitterAnalysis>(*C.anchor());
    if (!pruneDeadPaths(C, ORE))
      continue;
    for (Function *F : C.functions())
      FAM.invalidate(*F, PreservedAnalyses::none());
    Changed = true;
  }
  return Changed ? changedFunctionsInvalidated() : PreservedAnalyses::all();
}

} // namespace corofo
