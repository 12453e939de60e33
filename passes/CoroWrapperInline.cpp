//===- CoroWrapperInline.cpp - Wrapper coroutines become their callee -----===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// The pass entry of coro-wrapper-inline: which functions may be wrappers,
/// in which order they are looked at (callees first, so that chains
/// collapse), the remarks, and the rewrite of those proven transparent.
/// See CoroWrapperInline.h for what the pass does, docs/wrapper-inline.md
/// for why each check is needed, and CoroWrapperInlineImpl.h for the parts.
//===----------------------------------------------------------------------===//

#include "CoroWrapperInline.h"
#include "ChangedFunctions.h"
#include "CoroWrapperInlineImpl.h"
#include "TransformBisect.h"

#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/Support/Debug.h"

using namespace llvm;
using namespace corofo::wrapperinline;

#define DEBUG_TYPE "coro-wrapper-inline"

STATISTIC(NumCandidates, "Number of functions that may be wrappers");
STATISTIC(NumWrappersKept, "Number of single-await wrappers kept as they are");
STATISTIC(NumWrappersInlined,
          "Number of wrappers made to return their callee's task");

namespace corofo {

static const char *const WrapperRemarkPass = DEBUG_TYPE;

/// \p Candidates callees first (a DFS post-order over the direct calls
/// between them), so that a wrapper of a wrapper is looked at once the inner
/// one is a forwarder. A wrapper calls the coroutine it awaits itself, so
/// only the candidates' own calls are walked, not the whole module.
static SmallVector<Function *, 32>
calleesFirst(ArrayRef<Function *> Candidates) {
  SmallPtrSet<Function *, 32> IsCandidate(Candidates.begin(), Candidates.end());
  SmallVector<Function *, 32> Order;
  SmallPtrSet<Function *, 32> Seen;
  for (Function *Root : Candidates) {
    if (!Seen.insert(Root).second)
      continue;
    SmallVector<std::pair<Function *, inst_iterator>, 16> Stack;
    Stack.push_back({Root, inst_begin(*Root)});
    while (!Stack.empty()) {
      auto &[F, It] = Stack.back();
      if (It == inst_end(*F)) {
        Order.push_back(F);
        Stack.pop_back();
        continue;
      }
      Instruction &I = *It++;
      auto *CB = dyn_cast<CallBase>(&I);
      Function *Callee = CB ? CB->getCalledFunction() : nullptr;
      if (Callee && IsCandidate.contains(Callee) && Seen.insert(Callee).second)
        Stack.push_back({Callee, inst_begin(*Callee)});
    }
  }
  return Order;
}

/// Cheap test on the unsimplified function: could it be a wrapper?
static bool mayBeWrapper(Function &F) {
  if (!F.isPresplitCoroutine() || !F.getReturnType()->isVoidTy() ||
      F.arg_empty() || !F.getArg(0)->hasStructRetAttr())
    return false;
  Type *TaskTy = F.getParamStructRetType(0);
  unsigned Suspends = 0, Tasks = 0;
  for (Instruction &I : instructions(F)) {
    if (isa<CoroSuspendInst>(&I) && ++Suspends > 3)
      return false;
    if (auto *CB = dyn_cast<CallBase>(&I); CB && makesTask(*CB, TaskTy) &&
                                            ++Tasks > 1)
      return false;
  }
  return Tasks == 1;
}

/// The missed remark for wrapper \p F of \p Callee, kept for \p Why.
static void emitKept(Function &F, const Function &Callee, StringRef Why) {
  ++NumWrappersKept;
  LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << F.getName() << " kept (it awaits "
                    << Callee.getName() << "): " << Why << "\n");
  OptimizationRemarkEmitter(&F).emit([&] {
    return OptimizationRemarkMissed(WrapperRemarkPass, "WrapperKept", &F)
           << "wrapper " << ore::NV("wrapper", demangle(F.getName()))
           << " kept (it awaits "
           << ore::NV("callee", demangle(Callee.getName())) << "): "
           << ore::NV("reason", Why);
  });
}

/// The functions that may be wrappers, callees first when there are two or
/// more.
static SmallVector<Function *, 32> wrapperCandidates(Module &M) {
  SmallVector<Function *, 32> Candidates;
  for (Function &F : M)
    if (!F.isDeclaration() && mayBeWrapper(F))
      Candidates.push_back(&F);
  NumCandidates += Candidates.size();
  return Candidates.size() > 1 ? calleesFirst(Candidates) : Candidates;
}

/// Make candidate \p F return its callee's task if that cannot show, with a
/// remark either way once it is a single-await wrapper. Returns whether \p F
/// changed; the functions it no longer uses are added to \p Dead.
static bool inlineWrapper(
    Function *F, ScratchSimplifier &Simplifier,
    DenseMap<Function *, std::optional<CoroFacts>> &FactsCache,
    FunctionAnalysisManager &FAM, SmallVectorImpl<Function *> &Dead) {
  // What the wrapper as written already decides spares the scratch copy
  // (the costly part of the pass): the copy only inlines functions that
  // are not coroutines, so it has the same suspends and the same call of
  // the awaited coroutine, with its callee, types and attributes.
  std::optional<SingleAwait> Written = findSingleAwait(*F, DominatorTree(*F));
  if (!Written) {
    LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << F->getName()
                      << " is not a single-await wrapper\n");
    return false;
  }
  if (std::string Problem = calleeProblem(*Written->Call, *F);
      !Problem.empty()) {
    emitKept(*F, *Written->Call->getCalledFunction(), Problem);
    return false;
  }
  ValueToValueMapTy VMap;
  ScratchCopy Copy(*F, VMap, Simplifier);
  if (Copy.tooLarge()) {
    emitKept(*F, *Written->Call->getCalledFunction(),
             "its code with its calls inlined is over " +
                 std::to_string(MaxWrapperInstructions) +
                 " instructions, too much to check");
    return false;
  }
  std::optional<CoroShape> S = getShape(*Copy);
  std::optional<WrapperMatcher> Matcher;
  if (S)
    Matcher.emplace(*S, FactsCache, Simplifier);
  if (!Matcher || !Matcher->isCandidate()) {
    LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << F->getName()
                      << " simplified is not a single-await wrapper\n");
    return false;
  }
  WrapperMatcher &Mt = *Matcher;
  OptimizationRemarkEmitter ORE(F);
  Function *C = Mt.callee();
  if (!Mt.prove()) {
    emitKept(*F, *C, Mt.Why);
    return false;
  }
  if (!shouldTransform([&] {
        return "wrapper-inline: make " + quoted(*F) + " return " +
               quoted(*C) + "'s task";
      })) {
    LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << F->getName()
                      << " kept by the transform bisection\n");
    return false;
  }
  ++NumWrappersInlined;
  LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << F->getName() << " now returns "
                    << C->getName() << "'s task\n");
  ORE.emit([&] {
    return OptimizationRemark(WrapperRemarkPass, "WrapperInlined", F)
           << "wrapper " << ore::NV("wrapper", demangle(F->getName()))
           << " now returns the task of "
           << ore::NV("callee", demangle(C->getName()))
           << " itself: its frame, allocation and suspend points are gone";
  });
  SmallVector<Function *, 4> Unused = Mt.rewrite(*F);
  FactsCache.erase(F);
  FAM.invalidate(*F, PreservedAnalyses::none());
  for (Function *U : Unused)
    if (!is_contained(Dead, U))
      Dead.push_back(U);
  return true;
}

PreservedAnalyses CoroWrapperInlinePass::run(Module &M,
                                             ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  DenseMap<Function *, std::optional<CoroFacts>> FactsCache;
  SmallVector<Function *, 8> Dead;
  bool Changed = false;
  {
    // The scratch copies of this run are simplified by one pipeline, made on
    // first use and gone with the run.
    ScratchSimplifier Simplifier;
    for (Function *F : wrapperCandidates(M))
      Changed |= inlineWrapper(F, Simplifier, FactsCache, FAM, Dead);
  }
  // Erased only now: the walk above still holds them.
  for (Function *U : Dead)
    if (U->use_empty()) {
      FAM.clear(*U, U->getName());
      U->eraseFromParent();
    }
  return Changed ? changedFunctionsInvalidated() : PreservedAnalyses::all();
}

} // namespace corofo
