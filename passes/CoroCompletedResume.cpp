//===- CoroCompletedResume.cpp - Resuming a completed coroutine -----------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Both checks split a block in front of the resume and branch on a null
/// resume pointer to a block that returns (pending) or reports and traps
/// (trap). A musttail symmetric transfer keeps its `musttail call; ret` pair
/// intact in its own block; skipping it means returning instead.
//===----------------------------------------------------------------------===//

#include "CoroCompletedResume.h"

#include "ChangedFunctions.h"
#include "CoroFrameAnalysis.h"
#include "CoroScopeMarkers.h"
#include "InterleavedWalk.h"
#include "ScopeMarkerFormat.h"
#include "TransformBisect.h"

#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Debug.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Local.h"

using namespace llvm;

#define DEBUG_TYPE "coro-completed-resume"

STATISTIC(NumEntriesGuarded, "Resume functions that check for completion");
STATISTIC(NumSitesGuarded, "Resume sites that check for completion");
STATISTIC(NumEntriesDropped, "Entry checks dropped: no direct call remained");

namespace corofo {

namespace {

/// Marks a `.resume` already given its entry check (value: the policy).
constexpr const char *GuardedEntryAttr = "coro-frame-opt-completed-resume";
/// Marks a resume call already given its check (kept by inlining).
constexpr const char *GuardedSiteMD = "corofo.resume.guarded";
/// Marks a resume through a handle whose check comes at the end of the
/// pipeline: metadata costs the inliner nothing and goes with every copy.
constexpr const char *PendingSiteMD = "corofo.resume.site";
/// Marks the branch of a `.resume` entry check.
constexpr const char *EntryCheckMD = "corofo.entry.check";
/// What a program may define to see resumes after completion under the
/// pending policy: `extern "C" void corofo_on_completed_resume(const char *)`.
constexpr const char *CompletedHookName = "corofo_on_completed_resume";

/// `write(2, ...)` where the target has it and the module does not use the
/// name for something else; otherwise the trap goes without a message.
FunctionCallee getStderrWriter(Module &M) {
  const Triple &T = M.getTargetTriple();
  if (!(T.isOSLinux() || T.isOSDarwin() || T.isOSFreeBSD() || T.isOSNetBSD() ||
        T.isOSOpenBSD()))
    return {};
  LLVMContext &Ctx = M.getContext();
  Type *SizeTy = M.getDataLayout().getIntPtrType(Ctx);
  auto *Ty = FunctionType::get(
      SizeTy, {Type::getInt32Ty(Ctx), PointerType::getUnqual(Ctx), SizeTy},
      false);
  if (GlobalValue *Existing = M.getNamedValue("write")) {
    auto *F = dyn_cast<Function>(Existing);
    if (!F || F->getFunctionType() != Ty)
      return {};
    return F;
  }
  return M.getOrInsertFunction("write", Ty);
}

/// At \p B's insertion point: print \p Message on stderr and trap.
void emitTrap(IRBuilder<> &B, StringRef Message) {
  Module &M = *B.GetInsertBlock()->getModule();
  if (FunctionCallee Write = getStderrWriter(M)) {
    Constant *Text = B.CreateGlobalString(Message, "coro.completed.message");
    Type *SizeTy = Write.getFunctionType()->getParamType(2);
    B.CreateCall(Write, {B.getInt32(2), Text,
                         ConstantInt::get(SizeTy, Message.size())});
  }
  B.CreateIntrinsic(Intrinsic::trap, {});
  B.CreateUnreachable();
}

/// At \p B's insertion point, on a completed path of policy pending: call
/// the program's `corofo_on_completed_resume(Name)` if it defines one (an
/// extern_weak declaration is null otherwise), so that a resume after
/// completion is never silent to a program that wants to know. \p Name is
/// the coroutine, empty where the check does not know it (null is passed).
/// Leaves \p B at the end of a new block after the call.
void emitCompletedHook(IRBuilder<> &B, StringRef Name) {
  BasicBlock *From = B.GetInsertBlock();
  Function &F = *From->getParent();
  Module &M = *F.getParent();
  LLVMContext &Ctx = M.getContext();
  auto *PtrTy = PointerType::getUnqual(Ctx);
  auto *HookTy = FunctionType::get(Type::getVoidTy(Ctx), {PtrTy}, false);
  Function *Hook = M.getFunction(CompletedHookName);
  if (!Hook)
    Hook = Function::Create(HookTy, GlobalValue::ExternalWeakLinkage,
                            CompletedHookName, M);
  // A symbol of that name with another signature is not ours to call.
  if (Hook->getFunctionType() != HookTy)
    return;
  BasicBlock *Call = BasicBlock::Create(Ctx, "completed.hook", &F);
  BasicBlock *After = BasicBlock::Create(Ctx, "completed.after", &F);
  Value *Defined = B.CreateICmpNE(Hook, ConstantPointerNull::get(PtrTy),
                                  "completed.hook.defined");
  B.CreateCondBr(Defined, Call, After);
  B.SetInsertPoint(Call);
  Value *Text = Name.empty()
                    ? static_cast<Value *>(ConstantPointerNull::get(PtrTy))
                    : B.CreateGlobalString(Name, "coro.completed.name");
  B.CreateCall(HookTy, Hook, {Text});
  B.CreateBr(After);
  B.SetInsertPoint(After);
}

/// The resume pointer \p CB calls if it resumes a coroutine through its
/// handle, else null. Before CoroCleanup that is `llvm.coro.subfn.addr(h, 0)`;
/// after it, a load from offset 0 of the call's only argument, called with
/// fastcc (no C++ source produces an indirect fastcc call of its own).
Value *resumedPointer(CallBase &CB) {
  if (!CB.isIndirectCall() || CB.arg_size() != 1 ||
      !CB.getType()->isVoidTy() || CB.getMetadata(GuardedSiteMD))
    return nullptr;
  // Recognised before the optimizer could reshape it (its callee may since
  // have become a phi of loads, or a select).
  if (CB.getMetadata(PendingSiteMD))
    return CB.getCalledOperand();
  Value *Callee = CB.getCalledOperand();
  if (auto *SubFn = dyn_cast<IntrinsicInst>(Callee)) {
    if (SubFn->getIntrinsicID() != Intrinsic::coro_subfn_addr)
      return nullptr;
    auto *Index = dyn_cast<ConstantInt>(SubFn->getArgOperand(1));
    return Index && Index->isZero() ? Callee : nullptr;
  }
  auto *Load = dyn_cast<LoadInst>(Callee);
  if (!Load || Load->isVolatile() || CB.getCallingConv() != CallingConv::Fast)
    return nullptr;
  // The handle may point into a bigger object (a frame elided into its
  // caller's frame): compare base and offset of both.
  const DataLayout &DL = CB.getModule()->getDataLayout();
  unsigned Bits = DL.getIndexTypeSizeInBits(Load->getPointerOperandType());
  APInt SlotOffset(Bits, 0), FrameOffset(Bits, 0);
  const Value *Slot = Load->getPointerOperand()->stripAndAccumulateConstantOffsets(
      DL, SlotOffset, /*AllowNonInbounds=*/true);
  const Value *Frame = CB.getArgOperand(0)->stripAndAccumulateConstantOffsets(
      DL, FrameOffset, /*AllowNonInbounds=*/true);
  if (Slot != Frame || SlotOffset != FrameOffset)
    return nullptr;
  return Load;
}

std::string where(const DebugLoc &DL) {
  if (!DL)
    return "";
  return " at " + DL->getFilename().str() + ":" + std::to_string(DL.getLine());
}

bool TestFault = false;

/// Give the resume \p CB of pointer \p Fn its check.
void guardSite(CallBase &CB, Value *Fn, CompletedResumePolicy P) {
  Function &F = *CB.getFunction();
  LLVMContext &Ctx = F.getContext();
  auto *Call = dyn_cast<CallInst>(&CB);
  bool MustTail = Call && Call->isMustTailCall();

  BasicBlock *Head = CB.getParent();
  BasicBlock *CallBB = Head->splitBasicBlock(CB.getIterator(), "resume.call");
  // Where a skipped resume carries on; none for musttail (it returns).
  BasicBlock *Cont = nullptr;
  if (auto *II = dyn_cast<InvokeInst>(&CB))
    Cont = II->getNormalDest();
  else if (!MustTail)
    Cont = CallBB->splitBasicBlock(std::next(CB.getIterator()), "resume.cont");
  BasicBlock *Completed =
      BasicBlock::Create(Ctx, "resume.completed", &F, CallBB);

  Head->getTerminator()->eraseFromParent();
  IRBuilder<> B(Head);
  B.SetCurrentDebugLocation(CB.getDebugLoc());
  auto *Null = ConstantPointerNull::get(cast<PointerType>(Fn->getType()));
  Value *Done = TestFault ? B.CreateICmpNE(Fn, Null, "completed")
                          : B.CreateICmpEQ(Fn, Null, "completed");
  B.CreateCondBr(Done, Completed, CallBB,
                 MDBuilder(Ctx).createUnlikelyBranchWeights());

  B.SetInsertPoint(Completed);
  if (P == CompletedResumePolicy::Trap) {
    // Named after the function the check was put in; inlining may carry it
    // into callers (it is std::coroutine_handle::resume() more often than not).
    emitTrap(B, "coro-frame-opt: resumed a coroutine that has already "
                "completed, through '" +
                    displayName(F.getName()) + "'" + where(CB.getDebugLoc()) +
                    "\n");
  } else {
    // Through a handle: which coroutine it was is not known here.
    emitCompletedHook(B, "");
    BasicBlock *From = B.GetInsertBlock();
    if (Cont) {
      B.CreateBr(Cont);
      if (isa<InvokeInst>(CB))
        for (PHINode &PN : Cont->phis())
          PN.addIncoming(PN.getIncomingValueForBlock(CallBB), From);
    } else {
      B.CreateRetVoid();
    }
  }
  CB.setMetadata(GuardedSiteMD, MDNode::get(Ctx, {}));
}

/// Whether any function of \p C may clear the resume slot (offset 0 of the
/// frame), which is how a switch-ABI coroutine records that it completed:
/// CoroSplit stores null there at the final suspend and on an unwinding
/// coro.end. A coroutine whose body reaches neither (an endless generator)
/// cannot be resumed after completion, and an entry check would only keep
/// its callers from folding the path it guards. Any write to the slot other
/// than a store of a function counts as clearing it; so does a ramp we cannot
/// see or whose frame pointer we cannot find.
bool mayClearResumeSlot(const SplitCoroutine &C) {
  const DataLayout &DL = C.Resume->getDataLayout();
  int64_t SlotBytes = DL.getPointerSize();
  // Does a write of \p Size bytes (unknown: nullopt) at \p Ptr touch the
  // resume slot of \p Frame?
  auto TouchesSlot = [&](Value *Ptr, Value *Frame, std::optional<uint64_t> Size,
                         bool IsNullStore = false) {
    APInt Offset(DL.getIndexTypeSizeInBits(Ptr->getType()), 0);
    Value *Base = Ptr->stripAndAccumulateConstantOffsets(
        DL, Offset, /*AllowNonInbounds=*/true);
    int64_t Off = Offset.getSExtValue();
    bool Overlaps = !Size || (Off < SlotBytes && Off + int64_t(*Size) > 0);
    // CoroSplit clears the slot with a null store through the frame pointer;
    // should a later pass have renamed that pointer, a null store at offset
    // 0 of any object but a local variable still counts.
    if (Base != Frame)
      return Overlaps && Off == 0 && IsNullStore && !isa<AllocaInst>(Base);
    return Overlaps;
  };
  auto MayClear = [&](Function &F, Value *Frame) {
    for (BasicBlock &BB : F)
      for (Instruction &I : BB) {
        if (auto *St = dyn_cast<StoreInst>(&I)) {
          Type *Ty = St->getValueOperand()->getType();
          Value *V = St->getValueOperand()->stripPointerCasts();
          if (!isa<Function>(V) &&
              TouchesSlot(St->getPointerOperand(), Frame,
                          DL.getTypeStoreSize(Ty).getKnownMinValue(),
                          isa<ConstantPointerNull>(V)))
            return true;
        } else if (auto *MI = dyn_cast<AnyMemIntrinsic>(&I)) {
          std::optional<uint64_t> Len;
          if (auto *N = dyn_cast<ConstantInt>(MI->getLength()))
            Len = N->getZExtValue();
          if (TouchesSlot(MI->getDest(), Frame, Len))
            return true;
        } else if (auto *RMW = dyn_cast<AtomicRMWInst>(&I)) {
          if (TouchesSlot(RMW->getPointerOperand(), Frame, SlotBytes))
            return true;
        } else if (auto *CX = dyn_cast<AtomicCmpXchgInst>(&I)) {
          if (TouchesSlot(CX->getPointerOperand(), Frame, SlotBytes))
            return true;
        }
      }
    return false;
  };
  // A ramp stores the resume function into the frame it sets up: that store
  // names its frame pointer.
  auto RampFrame = [&](Function &Ramp) -> Value * {
    for (User *U : C.Resume->users())
      if (auto *St = dyn_cast<StoreInst>(U))
        if (St->getFunction() == &Ramp && St->getValueOperand() == C.Resume) {
          Value *Ptr = St->getPointerOperand();
          APInt Off(DL.getIndexTypeSizeInBits(Ptr->getType()), 0);
          Value *Base = Ptr->stripAndAccumulateConstantOffsets(
              DL, Off, /*AllowNonInbounds=*/true);
          if (Off.isZero())
            return Base;
        }
    return nullptr;
  };
  if (!C.Ramp)
    return true;
  // The clones first: a coroutine that completes clears the slot in its
  // `.resume` (the final suspend), and the walk stops there.
  for (Function *Clone : {C.Resume, C.Destroy, C.Cleanup})
    if (Clone && !Clone->arg_empty() && MayClear(*Clone, Clone->getArg(0)))
      return true;
  for (Function *Ramp : {C.Ramp, C.NoAlloc}) {
    if (!Ramp)
      continue;
    Value *Frame = RampFrame(*Ramp);
    if (!Frame || MayClear(*Ramp, Frame))
      return true;
  }
  return false;
}

} // namespace

void setCompletedResumeTestFault(bool On) { TestFault = On; }

std::optional<CompletedResumePolicy>
parseCompletedResumePolicy(StringRef Name) {
  if (Name == "pending")
    return CompletedResumePolicy::Pending;
  if (Name == "trap")
    return CompletedResumePolicy::Trap;
  if (Name == "ub")
    return CompletedResumePolicy::UB;
  return std::nullopt;
}

StringRef policyName(CompletedResumePolicy P) {
  switch (P) {
  case CompletedResumePolicy::Pending:
    return "pending";
  case CompletedResumePolicy::Trap:
    return "trap";
  case CompletedResumePolicy::UB:
    return "ub";
  }
  return "ub";
}

bool guardResumeEntry(const SplitCoroutine &C, CompletedResumePolicy P,
                      OptimizationRemarkEmitter &ORE) {
  if (P == CompletedResumePolicy::UB || !C.Resume)
    return false;
  Function &R = *C.Resume;
  if (R.hasFnAttribute(GuardedEntryAttr))
    return false;
  Function *Anchor = C.anchor();
  DiagnosticLocation Loc(Anchor->getSubprogram());
  if (!R.getReturnType()->isVoidTy()) {
    ORE.emit([&] {
      return OptimizationRemarkMissed(CompletedResumeRemarkPass,
                                      "ResumeEntryNotGuarded", Loc,
                                      &Anchor->getEntryBlock())
             << "'" << ore::NV("coroutine", displayName(C.Name))
             << "' keeps stock behaviour on resume after completion: its "
                "resume function does not return void";
    });
    return false;
  }
  if (!mayClearResumeSlot(C)) {
    ORE.emit([&] {
      return OptimizationRemarkAnalysis(CompletedResumeRemarkPass,
                                        "ResumeEntryNotNeeded", Loc,
                                        &Anchor->getEntryBlock())
             << "'" << ore::NV("coroutine", displayName(C.Name))
             << "' needs no entry check: it never completes (nothing clears "
                "its resume pointer)";
    });
    return false;
  }
  if (!shouldTransform([&] {
        return "completed-resume: entry check in '" + R.getName().str() + "'";
      }))
    return false;
  LLVMContext &Ctx = R.getContext();
  const DataLayout &DL = R.getDataLayout();

  // Static allocas stay in the entry block; the check follows them.
  BasicBlock &Entry = R.getEntryBlock();
  BasicBlock *Dispatch =
      Entry.splitBasicBlock(Entry.getFirstNonPHIOrDbgOrAlloca(), "resume.body");
  Entry.getTerminator()->eraseFromParent();
  BasicBlock *Completed =
      BasicBlock::Create(Ctx, "resume.completed", &R, Dispatch);

  IRBuilder<> B(&Entry);
  if (DISubprogram *SP = R.getSubprogram())
    B.SetCurrentDebugLocation(DILocation::get(Ctx, SP->getScopeLine(), 0, SP));
  auto *PtrTy = PointerType::getUnqual(Ctx);
  LoadInst *Fn = B.CreateAlignedLoad(PtrTy, R.getArg(0),
                                     DL.getPointerABIAlignment(0), "resume.fn");
  Value *Done =
      B.CreateICmpEQ(Fn, ConstantPointerNull::get(PtrTy), "completed");
  BranchInst *Check = B.CreateCondBr(
      Done, Completed, Dispatch, MDBuilder(Ctx).createUnlikelyBranchWeights());
  Check->setMetadata(EntryCheckMD, MDNode::get(Ctx, {}));
  B.SetInsertPoint(Completed);
  if (P == CompletedResumePolicy::Trap)
    emitTrap(B, "coro-frame-opt: coroutine '" + displayName(C.Name) +
                    "' resumed after it completed\n");
  else
    B.CreateRetVoid();
  R.addFnAttr(GuardedEntryAttr, policyName(P));

  LLVM_DEBUG(dbgs() << "coro-completed-resume: entry check in " << R.getName()
                    << " (" << policyName(P) << ")\n");
  ++NumEntriesGuarded;
  ORE.emit([&] {
    return OptimizationRemark(CompletedResumeRemarkPass, "ResumeEntryGuarded",
                              Loc, &Anchor->getEntryBlock())
           << "'" << ore::NV("coroutine", displayName(C.Name)) << "' "
           << (P == CompletedResumePolicy::Trap ? "traps" : "returns")
           << " when resumed after completion (policy "
           << ore::NV("policy", policyName(P)) << ")";
  });
  return true;
}

unsigned guardResumeSites(
    Function &F, CompletedResumePolicy P, bool PrivatizeInlineCopies,
    function_ref<OptimizationRemarkEmitter &(Function &)> GetORE,
    function_ref<void(Instruction &)> AlsoVisit) {
  if (F.isDeclaration())
    return 0;
  if (P == CompletedResumePolicy::UB) {
    if (AlsoVisit)
      forEachInstructionInterleaved(
          F, [&](Instruction &I, unsigned) { AlsoVisit(I); });
    return 0;
  }
  // Found block by block in an interleaved order (the walk covers every
  // function of the module), then put in program order: the checks and
  // their remarks come in that order.
  struct Site {
    unsigned Block;
    CallBase *CB;
    Value *Fn;
  };
  SmallVector<Site, 4> Found;
  forEachInstructionInterleaved(F, [&](Instruction &I, unsigned Block) {
    if (AlsoVisit)
      AlsoVisit(I);
    if (auto *CB = dyn_cast<CallBase>(&I))
      if (Value *Fn = resumedPointer(*CB);
          Fn && !isa<Function>(Fn->stripPointerCasts()))
        Found.push_back({Block, CB, Fn});
  });
  if (Found.empty())
    return 0;
  llvm::stable_sort(Found, [](const Site &A, const Site &B) {
    return A.Block < B.Block;
  });
  SmallVector<std::pair<CallBase *, Value *>, 4> Sites;
  for (const Site &S : Found)
    Sites.push_back({S.CB, S.Fn});
  OptimizationRemarkEmitter &ORE = GetORE(F);
  unsigned Guarded = 0;
  for (auto [CB, Fn] : Sites) {
    DebugLoc Loc = CB->getDebugLoc();
    BasicBlock *Block = CB->getParent();
    // A musttail resume is followed by `ret void` (its caller returns void
    // like every resume function): skipping it means returning.
    auto *Call = dyn_cast<CallInst>(CB);
    bool SymmetricTransfer = Call && Call->isMustTailCall();
    if (!shouldTransform([&] {
          return "completed-resume: check a resume in '" +
                 F.getName().str() + "'" + where(Loc);
        }))
      continue;
    CB->setMetadata(PendingSiteMD, nullptr);
    LLVM_DEBUG(dbgs() << "coro-completed-resume: checking in " << F.getName()
                      << ": " << *CB << "\n");
    guardSite(*CB, Fn, P);
    ++Guarded;
    ++NumSitesGuarded;
    ORE.emit([&] {
      return OptimizationRemark(CompletedResumeRemarkPass, "ResumeSiteGuarded",
                                Loc, Block)
             << (SymmetricTransfer ? "symmetric transfer" : "resume")
             << " through a handle in '"
             << ore::NV("function", displayName(F.getName()))
             << "' checks for a completed coroutine (policy "
             << ore::NV("policy", policyName(P)) << ")";
    });
  }

  // An inline function's copy from a TU built without the plugin would be
  // as good to the linker as this checked one.
  if (Guarded && PrivatizeInlineCopies && F.hasLinkOnceODRLinkage() &&
      !F.hasAddressTaken() && shouldTransform([&] {
        return "completed-resume: make '" + F.getName().str() + "' local";
      })) {
    F.setLinkage(GlobalValue::InternalLinkage);
    F.setComdat(nullptr);
    ORE.emit([&] {
      return OptimizationRemarkAnalysis(CompletedResumeRemarkPass,
                                        "ResumeSiteLocalCopy",
                                        DiagnosticLocation(F.getSubprogram()),
                                        &F.getEntryBlock())
             << "'" << ore::NV("function", displayName(F.getName()))
             << "' made local to this file, so that the linker cannot pick "
                "an unchecked copy from another one";
    });
  }
  return Guarded;
}

bool markResumeSite(CallBase &CB) {
  if (CB.getMetadata(PendingSiteMD) || !resumedPointer(CB))
    return false;
  CB.setMetadata(PendingSiteMD, MDNode::get(CB.getContext(), {}));
  return true;
}

unsigned markResumeSites(Module &M, FunctionAnalysisManager &FAM) {
  // CoroEarly has lowered every handle resume to llvm.coro.subfn.addr(h, 0):
  // its users are the sites, wherever they are.
  Function *SubFn =
      Intrinsic::getDeclarationIfExists(&M, Intrinsic::coro_subfn_addr);
  if (!SubFn)
    return 0;
  unsigned Marked = 0;
  SmallPtrSet<Function *, 16> Changed;
  for (User *U : SubFn->users())
    for (User *Call : U->users())
      if (auto *CB = dyn_cast<CallBase>(Call);
          CB && CB->getCalledOperand() == U &&
          !CB->getMetadata(PendingSiteMD) && resumedPointer(*CB)) {
        CB->setMetadata(PendingSiteMD, MDNode::get(M.getContext(), {}));
        Changed.insert(CB->getFunction());
        ++Marked;
      }
  for (Function *F : Changed)
    FAM.invalidate(*F, PreservedAnalyses::none());
  return Marked;
}

PreservedAnalyses CoroMarkResumeSitesPass::run(Module &M,
                                               ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  return markResumeSites(M, FAM) ? changedFunctionsInvalidated()
                                 : PreservedAnalyses::all();
}

/// True if \p U is a constant (or local global) nothing uses.
static bool isDeadConstantUser(const User *U) {
  if (auto *GV = dyn_cast<GlobalVariable>(U))
    return GV->hasLocalLinkage() && GV->use_empty();
  if (!isa<Constant>(U) || isa<GlobalValue>(U))
    return false;
  return all_of(U->users(), isDeadConstantUser);
}

/// True if \p R is entered only through pointers loaded from memory: every
/// use stores it somewhere (the ramp filling the resume slot). Such loads
/// are called by handle resumes, checked at the call in this module, or
/// by other TUs, which find null there once the coroutine completed.
static bool onlyCalledThroughMemory(const Function &R) {
  for (const Use &U : R.uses()) {
    if (isDeadConstantUser(U.getUser()))
      continue; // e.g. @f.resumers once coro.id is gone, before GlobalDCE
    auto *SI = dyn_cast<StoreInst>(U.getUser());
    if (!SI || SI->getValueOperand() != &R)
      return false;
  }
  return true;
}

unsigned dropUnneededEntryChecks(Module &M, FunctionAnalysisManager &FAM) {
  // Before CoroCleanup, CoroElide may still turn a handle resume into a
  // direct call whose check has folded away.
  if (Function *SubFn =
          Intrinsic::getDeclarationIfExists(&M, Intrinsic::coro_subfn_addr))
    if (!SubFn->use_empty())
      return 0;
  unsigned Dropped = 0;
  for (Function &R : M) {
    if (R.isDeclaration() || !R.hasFnAttribute(GuardedEntryAttr) ||
        !onlyCalledThroughMemory(R))
      continue;
    auto *Check =
        dyn_cast<BranchInst>(R.getEntryBlock().getTerminator());
    if (!Check || !Check->getMetadata(EntryCheckMD) || !Check->isConditional())
      continue;
    if (!shouldTransform([&] {
          return "completed-resume: drop the entry check of '" +
                 R.getName().str() + "'";
        }))
      continue;
    Value *Cond = Check->getCondition();
    BasicBlock *Completed = Check->getSuccessor(0);
    Check->setCondition(ConstantInt::getFalse(R.getContext()));
    RecursivelyDeleteTriviallyDeadInstructions(Cond);
    ConstantFoldTerminator(&R.getEntryBlock());
    // An optnone clone (-O0) is simplified by nothing else: this also folds
    // the constant dispatches CoroSplit left in it. Elsewhere simplification
    // has run, and the completed path, which returns at once, is the only
    // block that can have lost its last predecessor (simplifycfg may have
    // merged it with the other returns, which keep theirs).
    if (R.hasOptNone())
      removeUnreachableBlocks(R);
    else if (Completed != &R.getEntryBlock() && pred_empty(Completed))
      DeleteDeadBlock(Completed);
    // Back to one entry block, as before the check was added.
    if (BasicBlock *Next = R.getEntryBlock().getSingleSuccessor())
      MergeBlockIntoPredecessor(Next);
    R.removeFnAttr(GuardedEntryAttr);
    LLVM_DEBUG(dbgs() << "coro-completed-resume: entry check of "
                      << R.getName() << " dropped\n");
    ++Dropped;
    ++NumEntriesDropped;
    FAM.getResult<OptimizationRemarkEmitterAnalysis>(R).emit([&] {
      return OptimizationRemarkAnalysis(CompletedResumeRemarkPass,
                                        "ResumeEntryCheckDropped",
                                        DiagnosticLocation(R.getSubprogram()),
                                        &R.getEntryBlock())
             << "'" << ore::NV("function", displayName(R.getName()))
             << "' needs no entry check: no direct call of it remains, and "
                "resumes through handles are checked where they call";
    });
    FAM.invalidate(R, PreservedAnalyses::none());
  }
  return Dropped;
}

unsigned hookEntryChecks(Module &M, FunctionAnalysisManager &FAM) {
  unsigned Hooked = 0;
  for (Function &R : M) {
    if (R.isDeclaration() ||
        R.getFnAttribute(GuardedEntryAttr).getValueAsString() !=
            policyName(CompletedResumePolicy::Pending))
      continue;
    auto *Check = dyn_cast<BranchInst>(R.getEntryBlock().getTerminator());
    if (!Check || !Check->getMetadata(EntryCheckMD) || !Check->isConditional())
      continue;
    // The completed path is a bare `ret void` (simplifycfg may have merged
    // it with the function's other returns): the hook goes on a block of
    // its own on that edge. Anything else was hooked already or reshaped.
    BasicBlock *Return = Check->getSuccessor(0);
    if (!isa<ReturnInst>(Return->getTerminator()) || Return->size() != 1)
      continue;
    BasicBlock *Completed = BasicBlock::Create(
        R.getContext(), "resume.completed.hooked", &R, Return);
    Check->setSuccessor(0, Completed);
    if (pred_empty(Return))
      Return->eraseFromParent();
    IRBuilder<> B(Completed);
    if (DISubprogram *SP = R.getSubprogram())
      B.SetCurrentDebugLocation(
          DILocation::get(R.getContext(), SP->getScopeLine(), 0, SP));
    StringRef Stem = R.getName();
    Stem.consume_back(".resume");
    emitCompletedHook(B, displayName(Stem));
    B.CreateRetVoid();
    FAM.invalidate(R, PreservedAnalyses::none());
    ++Hooked;
  }
  return Hooked;
}

PreservedAnalyses CoroCompletedResumeCleanupPass::run(
    Module &M, ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  auto GetORE = [&](Function &F) -> OptimizationRemarkEmitter & {
    return FAM.getResult<OptimizationRemarkEmitterAnalysis>(F);
  };
  bool Changed = false;
  // Every inlining decision is made: the checks cost no inliner anything
  // now. Marked sites and the ones CoroCleanup lowered are recognised. The
  // scope markers go in the same walk: each walk over every instruction of
  // the module costs as much as its checks.
  std::optional<ScopeMarkerStripper> Strip;
  if (StripScopeMarkers)
    Strip.emplace(M.getContext());
  for (Function &F : M) {
    if (F.isDeclaration())
      continue;
    bool Stripped = false;
    unsigned Guarded = guardResumeSites(
        F, Policy, /*PrivatizeInlineCopies=*/false, GetORE,
        Strip ? function_ref<void(Instruction &)>(
                    [&](Instruction &I) { Stripped |= Strip->visit(I); })
              : nullptr);
    if (Strip)
      Stripped |= Strip->finish();
    if (Guarded || Stripped) {
      FAM.invalidate(F, PreservedAnalyses::none());
      Changed = true;
    }
  }
  if (StripScopeMarkers)
    Changed |= eraseUnusedScopeMarkerGlobals(M, FAM);
  Changed |= dropUnneededEntryChecks(M, FAM) > 0;
  Changed |= hookEntryChecks(M, FAM) > 0;
  return Changed ? changedFunctionsInvalidated() : PreservedAnalyses::all();
}

PreservedAnalyses CoroCompletedResumePass::run(Module &M,
                                               ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  auto GetORE = [&](Function &F) -> OptimizationRemarkEmitter & {
    return FAM.getResult<OptimizationRemarkEmitterAnalysis>(F);
  };
  bool Changed = false;
  for (Function &F : M)
    if (!F.isDeclaration() &&
        guardResumeSites(F, Policy, /*PrivatizeInlineCopies=*/true, GetORE)) {
      FAM.invalidate(F, PreservedAnalyses::none());
      Changed = true;
    }
  for (const SplitCoroutine &C : findSplitCoroutines(M))
    if (guardResumeEntry(C, Policy, GetORE(*C.anchor()))) {
      for (Function *F : C.functions())
        FAM.invalidate(*F, PreservedAnalyses::none());
      Changed = true;
    }
  return Changed ? changedFunctionsInvalidated() : PreservedAnalyses::all();
}

} // namespace corofo
