//===- CoroFrameSizeMarkers.cpp - Frame size kept visible past CoroSplit --===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// See CoroFrameSizeMarkers.h. Why replacing every marker of a coroutine by
/// one new size is sound: before the split, every value the program derives
/// from the frame size flows from `llvm.coro.size`, and after marking, from
/// a marker; nothing else in the coroutine knows the size. Giving all of them
/// the same new value is the program CoroSplit would have produced for a
/// frame type of that size: allocation, deallocation and whatever the
/// allocator keeps beside the frame stay consistent with each other.
//===----------------------------------------------------------------------===//

#include "CoroFrameSizeMarkers.h"

#include "ChangedFunctions.h"
#include "CoroFrameAnalysis.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/ADT/Twine.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Debug.h"

using namespace llvm;

#define DEBUG_TYPE "coro-mark-frame-size"

STATISTIC(NumMarked, "Number of llvm.coro.size calls routed through markers");
STATISTIC(NumLeftOver, "Number of frame-size markers resolved by the cleanup");

namespace corofo {

static std::string markerName(unsigned Bits) {
  return (Twine(FrameSizeMarkerPrefix) + "i" + Twine(Bits)).str();
}

/// The marker declarations of \p M (one per width of size_t seen: i64, i32).
static SmallVector<Function *, 2> markerFunctions(Module &M) {
  SmallVector<Function *, 2> Out;
  for (unsigned Bits : {64u, 32u})
    if (Function *F = M.getFunction(markerName(Bits)); F && F->isDeclaration())
      Out.push_back(F);
  return Out;
}

/// The marker for integers of \p Ty, declared on first use.
static Function *getOrInsertMarker(Module &M, IntegerType *Ty) {
  std::string Name = markerName(Ty->getBitWidth());
  auto *FT = FunctionType::get(Ty, {Ty}, /*isVarArg=*/false);
  if (Function *F = M.getFunction(Name))
    return F->isDeclaration() && F->getFunctionType() == FT ? F : nullptr;
  Function *F = Function::Create(FT, GlobalValue::ExternalLinkage, Name, M);
  // What llvm.coro.size has: optimizations treat both alike.
  F->setMemoryEffects(MemoryEffects::none());
  F->setDoesNotThrow();
  F->setWillReturn();
  F->setNoSync();
  F->setDoesNotFreeMemory();
  F->addFnAttr(Attribute::NoCallback);
  return F;
}

bool isFrameSizeMarker(const Instruction &I) {
  const auto *CI = dyn_cast<CallInst>(&I);
  const Function *Callee = CI ? CI->getCalledFunction() : nullptr;
  return Callee && Callee->isDeclaration() &&
         Callee->getName().starts_with(FrameSizeMarkerPrefix) &&
         CI->arg_size() == 1;
}

FrameSizeMarkerIndex indexFrameSizeMarkers(Module &M) {
  FrameSizeMarkerIndex Index;
  for (Function *Marker : markerFunctions(M))
    for (User *U : Marker->users())
      if (auto *CI = dyn_cast<CallInst>(U); CI && isFrameSizeMarker(*CI))
        Index[CI->getFunction()].push_back(CI);
  return Index;
}

SmallVector<CallInst *, 4>
findFrameSizeMarkers(ArrayRef<Function *> Fns,
                     const FrameSizeMarkerIndex *Index) {
  SmallVector<CallInst *, 4> Out;
  if (Fns.empty())
    return Out;
  if (Index) {
    for (Function *F : Fns)
      if (auto It = Index->find(F); It != Index->end())
        append_range(Out, It->second);
    return Out;
  }
  // The markers' users, not the functions' instructions: a few calls per
  // coroutine against whole clones.
  SmallPtrSet<const Function *, 8> Members(Fns.begin(), Fns.end());
  for (Function *Marker : markerFunctions(*Fns.front()->getParent()))
    for (User *U : Marker->users())
      if (auto *CI = dyn_cast<CallInst>(U);
          CI && isFrameSizeMarker(*CI) && Members.contains(CI->getFunction()))
        Out.push_back(CI);
  return Out;
}

unsigned resolveFrameSizeMarkers(ArrayRef<CallInst *> Markers,
                                 std::optional<uint64_t> Size,
                                 FrameSizeMarkerIndex *Index) {
  for (CallInst *M : Markers) {
    if (Index)
      Index->erase(M->getFunction());
    Value *V = Size ? ConstantInt::get(M->getType(), *Size)
                    : M->getArgOperand(0);
    M->replaceAllUsesWith(V);
    M->eraseFromParent();
  }
  return Markers.size();
}

bool markFrameSizes(Function &F) {
  if (!isSwitchPresplitCoroutine(F))
    return false;
  SmallVector<IntrinsicInst *, 4> Sizes;
  for (Instruction &I : instructions(F))
    if (auto *II = dyn_cast<IntrinsicInst>(&I);
        II && II->getIntrinsicID() == Intrinsic::coro_size)
      Sizes.push_back(II);
  bool Changed = false;
  for (IntrinsicInst *S : Sizes) {
    // Already marked (a revisit of the CGSCC walk), or unused.
    if (all_of(S->users(),
               [](User *U) { return isFrameSizeMarker(*cast<Instruction>(U)); }))
      continue;
    auto *Ty = dyn_cast<IntegerType>(S->getType());
    Function *Marker = Ty ? getOrInsertMarker(*F.getParent(), Ty) : nullptr;
    if (!Marker)
      continue;
    auto *M = CallInst::Create(Marker, {S}, "frame.size");
    M->insertAfter(S->getIterator());
    M->setDebugLoc(S->getDebugLoc());
    M->setDoesNotAccessMemory();
    S->replaceUsesWithIf(M, [M](Use &U) { return U.getUser() != M; });
    LLVM_DEBUG(dbgs() << "coro-mark-frame-size: " << F.getName() << ": " << *S
                      << "\n");
    ++NumMarked;
    Changed = true;
  }
  return Changed;
}

PreservedAnalyses CoroMarkFrameSizePass::run(Function &F,
                                             FunctionAnalysisManager &) {
  if (!markFrameSizes(F))
    return PreservedAnalyses::all();
  PreservedAnalyses PA;
  PA.preserveSet<CFGAnalyses>();
  return PA;
}

PreservedAnalyses CoroFrameSizeCleanupPass::run(Module &M,
                                                ModuleAnalysisManager &AM) {
  SmallVector<Function *, 2> Markers = markerFunctions(M);
  if (Markers.empty())
    return PreservedAnalyses::all();
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  for (Function *Marker : Markers) {
    SmallVector<CallInst *, 8> Calls;
    SmallPtrSet<Function *, 8> Touched;
    for (User *U : Marker->users())
      if (auto *CI = dyn_cast<CallInst>(U); CI && isFrameSizeMarker(*CI)) {
        Calls.push_back(CI);
        Touched.insert(CI->getFunction());
      }
    LLVM_DEBUG(dbgs() << "coro-frame-size-cleanup: " << Calls.size()
                      << " markers left in " << Touched.size()
                      << " functions\n");
    NumLeftOver += resolveFrameSizeMarkers(Calls, std::nullopt);
    for (Function *F : Touched) {
      PreservedAnalyses PA;
      PA.preserveSet<CFGAnalyses>();
      FAM.invalidate(*F, PA);
    }
    if (Marker->use_empty()) {
      FAM.clear(*Marker, Marker->getName());
      Marker->eraseFromParent();
    }
  }
  return changedFunctionsInvalidated();
}

} // namespace corofo
