//===- CoroWrapperInlineScratch.cpp - Simplified scratch copies -----------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// coro-wrapper-inline runs before the inliner, so that the awaited
/// coroutine's ramp is still a call, but must see promise and awaiter code
/// as it will be once inlined. It reads wrappers, awaited coroutines and
/// await_suspend wrappers on scratch copies with their calls inlined and
/// simplified, and erases each copy with all it added to the module.
//===----------------------------------------------------------------------===//

#include "CoroWrapperInlineImpl.h"

#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/Transforms/InstCombine/InstCombine.h"
#include "llvm/Transforms/Scalar/DeadStoreElimination.h"
#include "llvm/Transforms/Scalar/EarlyCSE.h"
#include "llvm/Transforms/Scalar/SROA.h"
#include "llvm/Transforms/Scalar/SimplifyCFG.h"
#include "llvm/Transforms/Utils/Cloning.h"

using namespace llvm;

#define DEBUG_TYPE "coro-wrapper-inline"

STATISTIC(NumScratchCopies, "Number of simplified scratch copies made");

namespace corofo {
namespace wrapperinline {

struct ScratchSimplifier::Pipelines {
  Pipelines();
  PassBuilder PB;
  LoopAnalysisManager LAM;
  FunctionAnalysisManager FAM;
  CGSCCAnalysisManager CGAM;
  ModuleAnalysisManager MAM;
  FunctionPassManager FPM, Light;
};

ScratchSimplifier::Pipelines::Pipelines() {
  PB.registerModuleAnalyses(MAM);
  PB.registerCGSCCAnalyses(CGAM);
  PB.registerFunctionAnalyses(FAM);
  PB.registerLoopAnalyses(LAM);
  PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
  FPM.addPass(SROAPass(SROAOptions::ModifyCFG));
  FPM.addPass(EarlyCSEPass());
  FPM.addPass(InstCombinePass());
  FPM.addPass(SimplifyCFGPass());
  FPM.addPass(SROAPass(SROAOptions::ModifyCFG));
  FPM.addPass(InstCombinePass());
  FPM.addPass(SimplifyCFGPass());
  // Stores a later one overwrites (optional::emplace resetting the flag).
  FPM.addPass(DSEPass());
  FPM.addPass(InstCombinePass());
  // An await_suspend wrapper is a few calls of small members deep.
  Light.addPass(SROAPass(SROAOptions::ModifyCFG));
  Light.addPass(InstCombinePass());
  Light.addPass(SimplifyCFGPass());
}

ScratchSimplifier::ScratchSimplifier() = default;
ScratchSimplifier::~ScratchSimplifier() = default;

void ScratchSimplifier::run(Function &F, bool Small) {
  if (!P)
    P = std::make_unique<Pipelines>();
  (Small ? P->Light : P->FPM).run(F, P->FAM);
  P->FAM.clear(F, F.getName());
}

/// The successors of \p B in a coroutine's start: all but a suspend's
/// resume edge (case 0 of its switch).
static void forStartSuccessors(BasicBlock *B,
                               function_ref<void(BasicBlock *)> Visit) {
  Instruction *T = B->getTerminator();
  auto *Sw = dyn_cast<SwitchInst>(T);
  bool OnSuspend = Sw && isa<CoroSuspendInst>(Sw->getCondition());
  for (unsigned I = 0, E = T->getNumSuccessors(); I != E; ++I) {
    BasicBlock *Succ = T->getSuccessor(I);
    if (OnSuspend && any_of(Sw->cases(), [&](auto Case) {
          return Case.getCaseValue()->isZero() &&
                 Case.getCaseSuccessor() == Succ;
        }))
      continue;
    Visit(Succ);
  }
}

/// Adds to \p Seen (and \p Order) the start blocks reachable from \p Work
/// that it does not hold yet.
static void floodStart(SmallVectorImpl<BasicBlock *> &Work,
                       SmallPtrSetImpl<const BasicBlock *> &Seen,
                       std::vector<BasicBlock *> *Order) {
  while (!Work.empty()) {
    BasicBlock *B = Work.pop_back_val();
    if (!Seen.insert(B).second)
      continue;
    if (Order)
      Order->push_back(B);
    forStartSuccessors(B, [&](BasicBlock *Succ) { Work.push_back(Succ); });
  }
}

std::vector<BasicBlock *> startBlocksOf(Function &F) {
  std::vector<BasicBlock *> Order;
  SmallPtrSet<const BasicBlock *, 16> Seen;
  SmallVector<BasicBlock *, 16> Work{&F.getEntryBlock()};
  floodStart(Work, Seen, &Order);
  return Order;
}

/// A simplified copy of \p F: calls to defined functions inlined (never
/// calls of presplit coroutines, whose ramps are not yet made), then SROA,
/// CSE, instcombine, CFG simplification and DSE, as the pipeline would do
/// later. Read it, then erase it: the checks run before the inliner (so that
/// the callee's ramp is still a call) but must see the promise and awaiter
/// code as it will be once inlined. Bounded (a huge body keeps some calls,
/// which the checks then refuse); a wrapper's copy that grows past
/// MaxWrapperInstructions is left as it is and \p TooLarge set.
static Function *makeSimplifiedCopy(Function &F, ValueToValueMapTy &VMap,
                                    CopyScope Scope,
                                    ScratchSimplifier &Simplifier,
                                    bool &TooLarge) {
  Function *Copy = CloneFunction(&F, VMap);
  ++NumScratchCopies;
  Copy->setName("corofo.scratch");
  Copy->setLinkage(GlobalValue::InternalLinkage);
  Copy->removeFnAttr(Attribute::OptimizeNone);
  Copy->removeFnAttr(Attribute::NoInline);
  // The promise and frame of the copy, and its start.
  SmallPtrSet<const Value *, 4> PromiseBases;
  SmallPtrSet<const BasicBlock *, 32> Start;
  if (Scope == CopyScope::StartAndPromise) {
    for (Instruction &I : instructions(*Copy))
      if (auto *II = dyn_cast<IntrinsicInst>(&I)) {
        if (II->getIntrinsicID() == Intrinsic::coro_begin ||
            II->getIntrinsicID() == Intrinsic::coro_promise)
          PromiseBases.insert(II);
        if (II->getIntrinsicID() == Intrinsic::coro_id)
          PromiseBases.insert(II->getArgOperand(1)->stripPointerCasts());
      }
    SmallVector<BasicBlock *, 16> Work{&Copy->getEntryBlock()};
    floodStart(Work, Start, nullptr);
  }
  auto Wanted = [&](CallBase &CB) {
    if (Scope != CopyScope::StartAndPromise || Start.count(CB.getParent()))
      return true;
    return any_of(CB.args(), [&](Value *Arg) {
      return Arg->getType()->isPointerTy() &&
             PromiseBases.count(getUnderlyingObject(Arg));
    });
  };
  SmallVector<WeakTrackingVH, 64> Work;
  for (Instruction &I : instructions(*Copy))
    if (isa<CallBase>(&I))
      Work.push_back(&I);
  size_t Size = Copy->getInstructionCount();
  size_t MaxSize =
      Scope == CopyScope::Everything ? MaxWrapperInstructions : 20000;
  for (unsigned Budget = 2000; !Work.empty() && Budget && Size < MaxSize;) {
    auto *CB = dyn_cast_or_null<CallBase>(static_cast<Value *>(Work.pop_back_val()));
    Function *Callee = CB ? CB->getCalledFunction() : nullptr;
    if (!Callee || Callee->isDeclaration() || Callee == Copy || Callee == &F ||
        Callee->isPresplitCoroutine() || Callee->isInterposable() ||
        Callee->isVarArg() || !Wanted(*CB))
      continue;
    BasicBlock *CallBlock = CB->getParent();
    bool InStart = Start.count(CallBlock);
    size_t Added = Callee->getInstructionCount();
    InlineFunctionInfo IFI;
    if (!InlineFunction(*CB, IFI).isSuccess())
      continue;
    --Budget;
    Size += Added;
    for (CallBase *New : IFI.InlinedCallSites)
      Work.push_back(New);
    // The call's block was split and the callee's blocks put after it;
    // all that is new there is start too (the callee has no suspend).
    if (InStart) {
      SmallVector<BasicBlock *, 16> NewBlocks;
      forStartSuccessors(CallBlock,
                         [&](BasicBlock *S) { NewBlocks.push_back(S); });
      floodStart(NewBlocks, Start, nullptr);
    }
  }
  TooLarge = Scope == CopyScope::Everything && Size >= MaxSize;
  if (!TooLarge)
    Simplifier.run(*Copy, Scope == CopyScope::Wrapper);
  return Copy;
}

ScratchCopy::ScratchCopy(Function &F, ValueToValueMapTy &VMap,
                         ScratchSimplifier &Simplifier, CopyScope Scope)
    : M(*F.getParent()),
      LastGlobal(M.global_empty() ? nullptr : &*std::prev(M.global_end())),
      LastFunction(&M.getFunctionList().back()),
      Copy(makeSimplifiedCopy(F, VMap, Scope, Simplifier, TooLarge)) {}

ScratchCopy::~ScratchCopy() {
  Copy->eraseFromParent();
  SmallVector<GlobalValue *, 4> Added;
  for (auto It = LastGlobal ? std::next(LastGlobal->getIterator())
                            : M.global_begin();
       It != M.global_end(); ++It)
    Added.push_back(&*It);
  for (auto It = std::next(LastFunction->getIterator()); It != M.end(); ++It)
    if (It->isDeclaration())
      Added.push_back(&*It);
  // Latest first: a new constant may be used only by a newer one.
  for (GlobalValue *GV : reverse(Added))
    if (GV->use_empty())
      GV->eraseFromParent();
}

} // namespace wrapperinline
} // namespace corofo
