//===- CoroWrapperInlineMatcher.cpp - Single-await wrappers ---------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Recognising a single-await wrapper (the one call that makes a task, the
/// one suspend that awaits it), proving its structure and its await protocol
/// (W's await_suspend hands its handle to C, W's final suspend resumes it),
/// and the rewrite of W into a call of C. The effects of the rest of W are
/// proved in CoroWrapperInlineEffects.cpp.
//===----------------------------------------------------------------------===//

#include "CoroWrapperInlineImpl.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Metadata.h"

using namespace llvm;

namespace corofo {
namespace wrapperinline {

/// Function metadata on a wrapper made into a forwarder: wrappers of it are
/// worth a look.
static const char *const ForwarderKind = "corofo.forwarder";

/// The await_suspend intrinsic that belongs to suspend \p Sp.
static CallBase *awaitSuspendOf(CoroSuspendInst *Sp) {
  auto *Save = dyn_cast<CoroSaveInst>(Sp->getArgOperand(0));
  if (!Save)
    return nullptr;
  for (Instruction *I = Save->getNextNode(); I; I = I->getNextNode()) {
    if (auto *CB = dyn_cast<CoroAwaitSuspendInst>(I))
      return CB;
    if (I == Sp)
      return nullptr;
  }
  return nullptr;
}

bool makesTask(const CallBase &CB, Type *WrapperTask) {
  const Function *Callee = CB.getCalledFunction();
  if (!Callee || CB.arg_empty() || !CB.paramHasAttr(0, Attribute::StructRet))
    return false;
  if (Callee->isPresplitCoroutine() || Callee->getMetadata(ForwarderKind))
    return true;
  return Callee->isDeclaration() &&
         CB.getParamStructRetType(0) == WrapperTask;
}

std::optional<SingleAwait> findSingleAwait(Function &W,
                                           const DominatorTree &DT) {
  if (!W.getReturnType()->isVoidTy() || W.arg_empty() ||
      !W.getArg(0)->hasStructRetAttr())
    return std::nullopt;
  Type *TaskTy = W.getParamStructRetType(0);
  SingleAwait A;
  SmallVector<CoroSuspendInst *, 4> Suspends;
  for (Instruction &I : instructions(W)) {
    if (auto *Sp = dyn_cast<CoroSuspendInst>(&I)) {
      if (Sp->isFinal())
        A.Finals.push_back(Sp);
      else
        Suspends.push_back(Sp);
      continue;
    }
    auto *CB = dyn_cast<CallBase>(&I);
    if (!CB || !makesTask(*CB, TaskTy))
      continue;
    if (A.Call)
      return std::nullopt; // more than one task made
    A.Call = CB;
  }
  if (!A.Call || Suspends.empty() || Suspends.size() > 2)
    return std::nullopt;
  for (CoroSuspendInst *Sp : Suspends) {
    if (DT.dominates(A.Call, Sp)) {
      if (A.Await)
        return std::nullopt;
      A.Await = Sp;
    }
  }
  if (!A.Await)
    return std::nullopt;
  return A;
}

std::string calleeProblem(const CallBase &Call, const Function &W) {
  const Function *Callee = Call.getCalledFunction();
  if (Callee == &W)
    return "it awaits itself";
  if (Callee->isDeclaration())
    return quoted(*Callee) + " is not defined in this module";
  if (Callee->isInterposable())
    return quoted(*Callee) + " may be replaced at link time";
  if (Call.getFunctionType() != Callee->getFunctionType())
    return "the call's type differs from " + quoted(*Callee) + "'s";
  if (Call.getParamStructRetType(0) != W.getParamStructRetType(0))
    return "it returns another task type than " + quoted(*Callee);
  return "";
}

bool WrapperMatcher::isCandidate() {
  std::optional<SingleAwait> A = findSingleAwait(W, DT);
  if (!A)
    return false;
  Call = A->Call;
  Await = A->Await;
  Finals = std::move(A->Finals);
  Callee = Call->getCalledFunction();
  return true;
}

bool WrapperMatcher::proveCallee() {
  // W is the scratch copy here: whether C is the wrapper itself was asked
  // of the original before the copy was made (CoroWrapperInlinePass::run).
  if (std::string Problem = calleeProblem(*Call, W); !Problem.empty())
    return fail(Problem);
  // The promise type is read off the callee as it is (cheap); the rest of
  // its facts need a simplified copy, made once the wrapper's own shape
  // passed (proveCalleeStart).
  std::optional<CoroShape> CS = getShape(*Callee);
  if (!CS)
    return fail(quoted(*Callee) + " is not a switch-ABI coroutine");
  auto *Promise = cast<StructType>(S.Promise->getAllocatedType());
  auto *Its = cast<StructType>(CS->Promise->getAllocatedType());
  if (Its != Promise)
    return fail("its promise type (" +
                (Promise->hasName() ? Promise->getName().str() : "?") +
                ") differs from " + quoted(*Callee) + "'s (" +
                (Its->hasName() ? Its->getName().str() : "?") + ")");
  return true;
}

bool WrapperMatcher::proveCalleeStart() {
  auto Cached = FactsCache.find(Callee);
  if (Cached == FactsCache.end())
    Cached =
        FactsCache.try_emplace(Callee, factsOf(*Callee, Simplifier)).first;
  Facts = Cached->second;
  if (!Facts || Facts->Promise != S.Promise->getAllocatedType())
    return fail(quoted(*Callee) + " is not a switch-ABI coroutine");
  if (Facts->PromiseOffset != S.PromiseOffset)
    return fail("its promise sits elsewhere in the frame than " +
                quoted(*Callee) + "'s");
  if (!Facts->StartEffect.empty())
    return fail("starting " + quoted(*Callee) + " earlier could show: " +
                Facts->StartEffect);
  return true;
}

bool WrapperMatcher::proveStructure() {
  // Blocks from the entry that lead to the call: nothing there may be an
  // effect, and every way through them must reach the call.
  BasicBlock *CallBlock = Call->getParent();
  SmallPtrSet<const BasicBlock *, 16> FromEntry, ToCall;
  collectUntil(&W.getEntryBlock(), CallBlock, FromEntry);
  SmallVector<BasicBlock *, 16> Work{CallBlock};
  while (!Work.empty()) {
    BasicBlock *B = Work.pop_back_val();
    for (BasicBlock *P : predecessors(B))
      if (ToCall.insert(P).second)
        Work.push_back(P);
  }
  for (const BasicBlock *B : FromEntry)
    if (ToCall.count(B) && !S.FrameMemory.count(B))
      BeforeCall.insert(B);
  // In block order, so that the remark names the same branch in every run
  // (the set's order follows addresses).
  for (const BasicBlock &BB : W) {
    const BasicBlock *B = &BB;
    if (!BeforeCall.count(B))
      continue;
    const Instruction *T = B->getTerminator();
    if (const auto *Sw = dyn_cast<SwitchInst>(T);
        Sw && isa<CoroSuspendInst>(Sw->getCondition()))
      continue; // destroyed or suspended before starting: both are fine
    if (const auto *Br = dyn_cast<BranchInst>(T); Br && Br->isConditional())
      if (const auto *II = dyn_cast<IntrinsicInst>(Br->getCondition());
          II && II->getIntrinsicID() == Intrinsic::coro_alloc)
        continue;
    for (const BasicBlock *Succ : successors(B))
      if (!BeforeCall.count(Succ) && Succ != CallBlock &&
          !S.FrameMemory.count(Succ))
        return fail("it may not call " + quoted(*Callee) + lineOf(*T));
  }
  if (BeforeCall.count(Await->getParent()))
    return fail("its await comes before the call");
  // Once: neither the call nor the await may be on a cycle.
  for (BasicBlock *B : {CallBlock, Await->getParent()}) {
    SmallPtrSet<const BasicBlock *, 16> Reach;
    for (BasicBlock *Succ : successors(B))
      collectUntil(Succ, nullptr, Reach);
    if (Reach.count(B))
      return fail("it may call or await " + quoted(*Callee) +
                  " more than once");
  }
  // The task the call fills in.
  unsigned SretArg = 0;
  Task = dyn_cast<AllocaInst>(Call->getArgOperand(SretArg)->stripPointerCasts());
  if (!Task)
    return fail("the task of " + quoted(*Callee) +
                " is not a temporary of the wrapper");
  // C's other arguments must be computable where W is called.
  for (unsigned I = 1, E = Call->arg_size(); I != E; ++I) {
    std::string Problem;
    if (!materializable(Call->getArgOperand(I), 0, Problem))
      return fail("argument " + Twine(I) + " of " + quoted(*Callee) + " " +
                  Problem);
  }
  auto *Sw = dyn_cast<SwitchInst>(Await->getParent()->getTerminator());
  if (Sw && Sw->getCondition() == Await)
    for (auto Case : Sw->cases())
      if (Case.getCaseValue()->isZero())
        ResumeAfterAwait = Case.getCaseSuccessor();
  if (!ResumeAfterAwait)
    return fail("its await has no recognisable resume edge");
  return true;
}

bool WrapperMatcher::materializable(Value *V, unsigned Depth,
                                    std::string &Problem) {
  if (isa<Constant>(V))
    return true;
  if (auto *A = dyn_cast<Argument>(V)) {
    if (A->hasStructRetAttr() || A->hasByValAttr() || A->hasInAllocaAttr() ||
        A->hasPreallocatedAttr() || A->hasAttribute(Attribute::DeadOnReturn)) {
      Problem = "is a by-value parameter of the wrapper (its copy lives in "
                "the wrapper's frame)";
      return false;
    }
    return true;
  }
  auto *I = dyn_cast<Instruction>(V);
  if (!I || Depth > 16 || isa<PHINode>(I) || isa<AllocaInst>(I) ||
      isa<CallBase>(I) || I->mayReadFromMemory() ||
      !isSafeToSpeculativelyExecute(I)) {
    if (I && V->getType()->isPointerTy()) {
      Region R = classify(V, S, nullptr).R;
      if (R == Region::Local || R == Region::Frame) {
        Problem = "points into the wrapper's frame (a parameter copy or "
                  "temporary)";
        return false;
      }
    }
    Problem = I && I->mayReadFromMemory()
                  ? "is read from memory when the wrapper starts"
                  : "is not a pure function of the wrapper's parameters";
    return false;
  }
  for (Value *Op : I->operands())
    if (!materializable(Op, Depth + 1, Problem))
      return false;
  return true;
}

Value *WrapperMatcher::materialize(Value *V, IRBuilder<> &B,
                                   ValueToValueMapTy &VMap) {
  if (Value *Done = VMap.lookup(V))
    return Done; // the copy's arguments map to the original's
  if (!isa<Instruction>(V))
    return V;
  Instruction *Copy = cast<Instruction>(V)->clone();
  for (Use &Op : Copy->operands())
    Op.set(materialize(Op.get(), B, VMap));
  B.Insert(Copy);
  VMap[V] = Copy;
  return Copy;
}

bool WrapperMatcher::isHandleSlot(const AllocaInst *A, int64_t Offset) const {
  // Every store into the slot stores C's handle or null, and nothing else
  // writes the alloca (the call fills in the task's slot 0 itself).
  bool Stored = A == Task && Offset == 0;
  SmallVector<const Value *, 8> Work{A};
  SmallPtrSet<const Value *, 8> Seen;
  const DataLayout &DL = W.getDataLayout();
  while (!Work.empty()) {
    const Value *P = Work.pop_back_val();
    if (!Seen.insert(P).second)
      continue;
    for (const User *U : P->users()) {
      if (const auto *GEP = dyn_cast<GEPOperator>(U)) {
        Work.push_back(GEP);
        continue;
      }
      if (isa<LoadInst>(U))
        continue;
      if (const auto *St = dyn_cast<StoreInst>(U)) {
        if (St->getValueOperand() == P)
          return false; // the slot's address escapes
        APInt Off(64, 0);
        const Value *Base = St->getPointerOperand()
                                ->stripAndAccumulateConstantOffsets(DL, Off,
                                                                    true);
        if (Base != A)
          return false;
        int64_t O = Off.getSExtValue();
        uint64_t Size = DL.getTypeStoreSize(St->getValueOperand()->getType());
        if (O + int64_t(Size) <= Offset || O >= Offset + 8)
          continue;
        const Value *SV = St->getValueOperand();
        if (O != Offset ||
            (!isa<ConstantPointerNull>(SV) && !Handles.count(SV)))
          return false;
        Stored = true;
        continue;
      }
      if (const auto *II = dyn_cast<CallBase>(U)) {
        Intrinsic::ID ID = II->getIntrinsicID();
        if (ID == Intrinsic::lifetime_start || ID == Intrinsic::lifetime_end)
          continue;
        if (isa<CoroAwaitSuspendInst>(II) && II->getArgOperand(0) == P)
          continue; // read by the wrapper (checked to store nothing here)
      }
      if (U == Call && A == Task && P == A)
        continue;
      return false;
    }
  }
  return Stored;
}

void WrapperMatcher::computeHandles() {
  // Least fixpoint: loads of handle slots, and phis/selects of handles.
  for (bool Grew = true; Grew;) {
    Grew = false;
    for (Instruction &I : instructions(W)) {
      if (Handles.count(&I) || !I.getType()->isPointerTy())
        continue;
      bool IsHandle = false;
      if (auto *L = dyn_cast<LoadInst>(&I)) {
        Place P = classify(L->getPointerOperand(), S, nullptr);
        auto *A = dyn_cast_or_null<AllocaInst>(const_cast<Value *>(P.Base));
        IsHandle = P.R == Region::Local && P.Offset && A &&
                   isHandleSlot(A, *P.Offset);
      } else if (isa<PHINode>(I) || isa<SelectInst>(I)) {
        IsHandle = true;
        for (Value *Op : isa<PHINode>(I) ? cast<PHINode>(I).incoming_values()
                                         : drop_begin(I.operands()))
          if (!isa<ConstantPointerNull>(Op) && !Handles.count(Op) && Op != &I)
            IsHandle = false;
      }
      if (IsHandle)
        Grew = Handles.insert(&I).second || Grew;
    }
  }
}

bool WrapperMatcher::proveAwaitProtocol() {
  AwaitSuspend = awaitSuspendOf(Await);
  if (!AwaitSuspend)
    return fail("its await has no await_suspend call");
  auto *Wrapper = dyn_cast<Function>(AwaitSuspend->getArgOperand(2));
  Place Awaiter = classify(AwaitSuspend->getArgOperand(0), S, nullptr);
  auto *AwaiterAlloca =
      dyn_cast_or_null<AllocaInst>(const_cast<Value *>(Awaiter.Base));
  if (!Wrapper || Awaiter.R != Region::Local || !Awaiter.Offset ||
      !AwaiterAlloca || AwaitSuspend->getArgOperand(1) != S.Begin)
    return fail("its await_suspend is not visible");
  WrapperEffect E = interpretWrapper(
      *Wrapper,
      [&](int64_t Off) {
        return isHandleSlot(AwaiterAlloca, *Awaiter.Offset + Off);
      },
      Simplifier);
  if (!E.Problem.empty())
    return fail(E.Problem);
  if (E.Handoffs != 1 || !E.HandoffOffset)
    return fail("its await_suspend does not hand its handle to " +
                quoted(*Callee) + " once");
  HandoffOffset = *E.HandoffOffset;
  for (auto [Off, Size] : Facts->Reads)
    if (Off < HandoffOffset + 8 && Off + int64_t(Size) > HandoffOffset)
      return fail(quoted(*Callee) + " may look up whoever awaits it before "
                  "it finishes (it reads that part of its promise)");
  if (HandoffOffset < S.PromiseOffset ||
      HandoffOffset + 8 > S.PromiseOffset + int64_t(S.PromiseSize))
    return fail("its await_suspend stores its handle outside " +
                quoted(*Callee) + "'s promise");
  if (AwaitSuspend->getIntrinsicID() == Intrinsic::coro_await_suspend_handle &&
      (!E.Returned || E.Returned->K != Abs::Handle || E.Returned->Offset != 0))
    return fail("its await_suspend does not transfer to " + quoted(*Callee));
  // Every final suspend resumes the handle stored at the same offset.
  if (Finals.empty())
    return fail("it has no final suspend");
  for (CoroSuspendInst *Final : Finals) {
    CallBase *FS = awaitSuspendOf(Final);
    auto *FW = FS ? dyn_cast<Function>(FS->getArgOperand(2)) : nullptr;
    if (!FW || FS->getIntrinsicID() != Intrinsic::coro_await_suspend_handle ||
        FS->getArgOperand(1) != S.Begin)
      return fail("its final suspend does not resume the awaiting coroutine");
    WrapperEffect FE =
        interpretWrapper(*FW, [](int64_t) { return false; }, Simplifier);
    if (!FE.Problem.empty())
      return fail("at its final suspend, " + FE.Problem);
    if (FE.Handoffs || !FE.Returned || FE.Returned->K != Abs::Continuation ||
        FE.Returned->Offset != HandoffOffset)
      return fail("its final suspend does not resume the handle its "
                  "await_suspend hands over");
  }
  // The start's own suspend (lazy W) must do nothing. (Blocks in order:
  // the first problem found is the one reported.)
  for (const BasicBlock &B : W)
    for (const Instruction &I : B)
      if (const auto *Sp = dyn_cast<CoroSuspendInst>(&I);
          Sp && BeforeCall.count(&B)) {
        CallBase *IS = awaitSuspendOf(const_cast<CoroSuspendInst *>(Sp));
        if (!IS)
          continue;
        auto *IW = dyn_cast<Function>(IS->getArgOperand(2));
        if (!IW || IS->getIntrinsicID() != Intrinsic::coro_await_suspend_void)
          return fail("its initial suspend transfers control");
        WrapperEffect IE =
            interpretWrapper(*IW, [](int64_t) { return false; }, Simplifier);
        if (!IE.Problem.empty() || IE.Handoffs)
          return fail("at its initial suspend, " +
                      (IE.Problem.empty() ? std::string("a handle is stored")
                                          : IE.Problem));
      }
  return true;
}

bool WrapperMatcher::prove() {
  if (!proveCallee() || !proveStructure() || !proveCalleeStart())
    return false;
  for (Instruction &I : instructions(W))
    if (auto *CB = dyn_cast<CallBase>(&I))
      if (Function *F = CB->getCalledFunction();
          F && F->getName() == "__cxa_begin_catch")
        BeginCatches.push_back(CB);
  computeHandles();
  return proveAwaitProtocol() && proveEffects();
}

SmallVector<Function *, 4> WrapperMatcher::rewrite(Function &Original) {
  LLVMContext &Ctx = Original.getContext();
  SmallVector<BasicBlock *, 32> Old;
  SmallVector<Function *, 4> AwaitSuspendWrappers;
  for (BasicBlock &BB : Original) {
    Old.push_back(&BB);
    for (Instruction &I : BB)
      if (auto *CB = dyn_cast<CoroAwaitSuspendInst>(&I))
        if (auto *Wrapper = dyn_cast<Function>(CB->getArgOperand(2)))
          AwaitSuspendWrappers.push_back(Wrapper);
  }
  BasicBlock *Entry =
      BasicBlock::Create(Ctx, "forward", &Original, &Original.front());
  IRBuilder<> B(Entry);
  // The copy's arguments are the original's.
  ValueToValueMapTy VMap;
  for (unsigned I = 0, E = W.arg_size(); I != E; ++I)
    VMap[W.getArg(I)] = Original.getArg(I);
  SmallVector<Value *, 8> Args{Original.getArg(0)};
  for (unsigned I = 1, E = Call->arg_size(); I != E; ++I)
    Args.push_back(materialize(Call->getArgOperand(I), B, VMap));
  CallInst *Forward = B.CreateCall(Callee->getFunctionType(), Callee, Args);
  // Locations of the copy are scoped in the copy's subprogram (and may be
  // inlined-at chains of it): give everything new the call's line, in the
  // wrapper's own subprogram.
  DebugLoc Loc;
  if (DISubprogram *SP = Original.getSubprogram())
    if (const DebugLoc &CallLoc = Call->getDebugLoc())
      Loc = DILocation::get(Ctx, CallLoc.getLine(), CallLoc.getCol(), SP);
  for (Instruction &I : *Entry)
    I.setDebugLoc(Loc);
  // The return object is now the wrapper's own: its attributes, not the
  // temporary's (which was, say, nonnull).
  AttributeList Attrs = Call->getAttributes();
  Attrs = Attrs.removeParamAttributes(Ctx, 0);
  Attrs = Attrs.addParamAttributes(
      Ctx, 0, AttrBuilder(Ctx, Original.getAttributes().getParamAttrs(0)));
  Forward->setAttributes(Attrs);
  Forward->setCallingConv(Call->getCallingConv());
  B.CreateRetVoid()->setDebugLoc(Loc);
  for (BasicBlock *BB : Old)
    BB->dropAllReferences();
  for (BasicBlock *BB : Old)
    BB->eraseFromParent();
  Original.removeFnAttr(Attribute::PresplitCoroutine);
  Original.setMetadata(ForwarderKind, MDNode::get(Ctx, {}));
  // Its await_suspend wrappers, now unused.
  SmallVector<Function *, 4> Dead;
  for (Function *F : AwaitSuspendWrappers)
    if (F->hasLocalLinkage() && !is_contained(Dead, F))
      Dead.push_back(F);
  return Dead;
}

} // namespace wrapperinline
} // namespace corofo
