//===- CoroWrapperInlineEffects.cpp - A wrapper's own effects -------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Everything a wrapper does besides calling and awaiting C must touch only
/// its own frame and C's: loads from the two frames, stores into its frame,
/// C's result fields copied into its promise unchanged, its own handle into
/// its return object, exception handling that stays in its frame, and
/// destroying C. These are the checks, one instruction at a time.
//===----------------------------------------------------------------------===//

#include "CoroWrapperInlineImpl.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/InstIterator.h"

using namespace llvm;

namespace corofo {
namespace wrapperinline {

bool WrapperMatcher::provePromiseStore(Instruction &I, const Place &P,
                                       uint64_t Size, Value *Stored) {
  if (!P.Offset)
    return fail("it writes somewhere into its promise" + lineOf(I));
  // The exception path: unhandled_exception (P's own code, which C runs
  // too) stores the exception caught here, C's or one W's await_resume
  // throws as the caller's would.
  for (const CallBase *Begin : BeginCatches)
    if (DT.dominates(Begin, &I))
      return true;
  if (auto *St = dyn_cast<StoreInst>(&I); St && isOverwrittenLater(*St, S, PDT))
    return true;
  // A copy of the same field of C's promise, read after C has finished.
  if (auto *L = dyn_cast_or_null<LoadInst>(Stored)) {
    Place From = classify(L->getPointerOperand(), S, &Handles);
    if (From.R == Region::Callee && From.Offset == P.Offset &&
        DT.dominates(ResumeAfterAwait, L->getParent()))
      return true;
  }
  // A constant that is the only value C's own code ever stores there.
  if (auto *C = dyn_cast_or_null<Constant>(Stored)) {
    bool Seen = false, Other = false;
    for (const PromiseStore &St : Facts->Stores) {
      if (St.Offset + int64_t(St.Size) <= *P.Offset ||
          St.Offset >= *P.Offset + int64_t(Size))
        continue;
      if (St.Offset == *P.Offset && St.Size == Size && St.Value == C)
        Seen = true;
      else
        Other = true;
    }
    if (Seen && !Other)
      return true;
  }
  return fail("the result it stores into its promise is not " +
              quoted(*Callee) + "'s" + lineOf(I));
}

bool WrapperMatcher::proveHandlerCall(CallBase &CB, Function &F,
                                      unsigned Depth) {
  // unhandled_exception: may store anything into memory its arguments point
  // to, which must be W's own; calls only the exception runtime.
  if (F.isDeclaration() || Depth > 3)
    return fail("its exception handler calls " + quoted(F));
  for (Value *Arg : CB.args())
    if (Arg->getType()->isPointerTy()) {
      Region R = classify(Arg, S, &Handles).R;
      if (R != Region::Local && R != Region::Frame)
        return fail("its exception handler passes " + quoted(F) +
                    " memory it does not own");
    }
  for (Instruction &I : instructions(F)) {
    auto Own = [&](const Value *P) {
      const Value *B = getUnderlyingObject(P);
      return isa<AllocaInst>(B) || isa<Argument>(B) ||
             (isa<GlobalVariable>(B) && cast<GlobalVariable>(B)->isConstant());
    };
    if (auto *L = dyn_cast<LoadInst>(&I)) {
      if (!Own(L->getPointerOperand()))
        return fail("its exception handler " + quoted(F) +
                    " reads memory it does not own");
    } else if (auto *St = dyn_cast<StoreInst>(&I)) {
      if (!Own(St->getPointerOperand()) ||
          isa<Argument>(St->getValueOperand())) // an argument escaping
        return fail("its exception handler " + quoted(F) +
                    " stores to memory it does not own");
    } else if (auto *Inner = dyn_cast<CallBase>(&I)) {
      if (auto *II = dyn_cast<IntrinsicInst>(Inner)) {
        if (isa<MemIntrinsic>(II) && Own(cast<MemIntrinsic>(II)->getDest()))
          continue;
        if (!isHarmlessIntrinsic(*II) || isa<AnyCoroSuspendInst>(II))
          return fail("its exception handler " + quoted(F) +
                      " calls an intrinsic with effects");
        continue;
      }
      Function *G = Inner->getCalledFunction();
      if (!G)
        return fail("its exception handler makes an indirect call");
      if (isExceptionRuntime(*G))
        continue;
      for (Value *Arg : Inner->args())
        if (Arg->getType()->isPointerTy() && !Own(Arg))
          return fail("its exception handler " + quoted(F) +
                      " passes memory it does not own");
      if (G->isDeclaration() || Depth >= 3)
        return fail("its exception handler calls " + quoted(*G));
      if (!proveHandlerCall(*Inner, *G, Depth + 1))
        return false;
    } else if (I.mayHaveSideEffects() && !isa<ResumeInst>(I) &&
               !isa<LandingPadInst>(I)) {
      return fail("its exception handler " + quoted(F) + " has an effect");
    }
  }
  return true;
}

bool WrapperMatcher::proveInstruction(Instruction &I, bool Before) {
  if (&I == Call)
    return true;
  if (Before && I.mayThrow())
    return fail("it can throw before calling " + quoted(*Callee) + lineOf(I));
  const DataLayout &DL = W.getDataLayout();
  auto Readable = [](Region R) {
    return R == Region::Local || R == Region::Frame || R == Region::Callee ||
           R == Region::ByVal || R == Region::Constant;
  };
  if (auto *L = dyn_cast<LoadInst>(&I)) {
    Place P = classify(L->getPointerOperand(), S, &Handles);
    if (!Readable(P.R) || L->isVolatile())
      return fail("it reads memory outside the two frames" + lineOf(I));
    return true;
  }
  auto CheckWrite = [&](Value *Ptr, uint64_t Size, Value *Stored) {
    Place P = classify(Ptr, S, &Handles);
    switch (P.R) {
    case Region::Local:
      return true;
    case Region::Frame:
      if (!Before && inPromise(P, Size, S))
        return provePromiseStore(I, P, Size, Stored);
      return true;
    case Region::Sret:
      if (P.Offset == 0 && Stored &&
          classify(Stored, S, nullptr).R == Region::Frame &&
          classify(Stored, S, nullptr).Offset == 0)
        return true;
      return fail("it stores into its return object other than its own "
                  "handle" + lineOf(I));
    case Region::Callee:
      return fail("it writes into " + quoted(*Callee) + "'s frame" +
                  lineOf(I));
    default:
      return fail("it writes memory outside its frame" + lineOf(I));
    }
  };
  if (auto *St = dyn_cast<StoreInst>(&I)) {
    if (St->isVolatile())
      return fail("it makes a volatile store" + lineOf(I));
    return CheckWrite(St->getPointerOperand(),
                      DL.getTypeStoreSize(St->getValueOperand()->getType()),
                      St->getValueOperand());
  }
  if (auto *MI = dyn_cast<MemIntrinsic>(&I)) {
    auto *Len = dyn_cast<ConstantInt>(MI->getLength());
    uint64_t Size = Len ? Len->getZExtValue() : S.PromiseSize;
    if (auto *MT = dyn_cast<MemTransferInst>(MI))
      if (!Readable(classify(MT->getSource(), S, &Handles).R))
        return fail("it reads memory outside the two frames" + lineOf(I));
    return CheckWrite(MI->getDest(), Size, nullptr);
  }
  if (auto *CB = dyn_cast<CallBase>(&I)) {
    if (CB->getIntrinsicID() != Intrinsic::not_intrinsic) {
      if (isHarmlessIntrinsic(*CB))
        return true;
      return fail("it calls " + CB->getCalledFunction()->getName() +
                  lineOf(I));
    }
    if (CB->isIndirectCall()) {
      // Destroying C: `coro.subfn.addr(h, 1)(h)`.
      auto *Fn = dyn_cast<CoroSubFnInst>(CB->getCalledOperand());
      if (Fn && Fn->getIndex() == CoroSubFnInst::DestroyIndex &&
          Handles.count(Fn->getFrame()) && CB->arg_size() == 1 &&
          CB->getArgOperand(0) == Fn->getFrame())
        return true;
      return fail("it makes an indirect call" + lineOf(I));
    }
    Function *F = CB->getCalledFunction();
    if (isExceptionRuntime(*F)) {
      // __cxa_begin_catch and terminate take the exception object itself.
      bool TakesException = F->getName() == "__cxa_begin_catch" ||
                            F->getName() == "__clang_call_terminate";
      for (Value *Arg : CB->args())
        if (Arg->getType()->isPointerTy() && !TakesException &&
            !Readable(classify(Arg, S, &Handles).R))
          return fail("it passes the exception runtime memory it does not "
                      "own" + lineOf(I));
      return true;
    }
    // unhandled_exception, called in the catch handler.
    const Instruction *Prev = CB->getPrevNode();
    const auto *Begin = dyn_cast_or_null<CallBase>(Prev);
    if (Begin && Begin->getCalledFunction() &&
        Begin->getCalledFunction()->getName() == "__cxa_begin_catch")
      return proveHandlerCall(*CB, *F, 0);
    return fail("it calls " + quoted(*F) + lineOf(I));
  }
  if (isa<FenceInst>(I) || isa<AtomicRMWInst>(I) ||
      isa<AtomicCmpXchgInst>(I) || isa<VAArgInst>(I))
    return fail(Twine("it has an effect ('") + I.getOpcodeName() + "')" +
                lineOf(I));
  return true;
}

bool WrapperMatcher::proveEffects() {
  for (BasicBlock &B : W) {
    if (S.FrameMemory.count(&B))
      continue;
    bool InCallBlock = &B == Call->getParent();
    for (Instruction &I : B) {
      bool Before = BeforeCall.count(&B) || (InCallBlock && I.comesBefore(Call));
      if (!proveInstruction(I, Before))
        return false;
    }
  }
  return true;
}

} // namespace wrapperinline
} // namespace corofo
