//===- CoroWrapperInlineAwait.cpp - Reading await_suspend -----------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// What an `llvm.coro.await.suspend` wrapper does, found by running its
/// simplified copy on abstract values (the awaiter, the suspending frame,
/// the awaited coroutine's handle, a continuation stored in the frame): the
/// handle it hands over, the handle it transfers to, or why it cannot be
/// accounted for.
//===----------------------------------------------------------------------===//

#include "CoroWrapperInlineImpl.h"

#include "llvm/ADT/PostOrderIterator.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"

using namespace llvm;

namespace corofo {
namespace wrapperinline {

static AbsValue joinAbs(const AbsValue &A, const AbsValue &B) {
  if (A == B)
    return A;
  auto IsCont = [](const AbsValue &V) {
    return V.K == Abs::Continuation || V.K == Abs::Noop || V.K == Abs::Null;
  };
  if (IsCont(A) && IsCont(B)) {
    const AbsValue *C = A.K == Abs::Continuation ? &A : &B;
    if (C->K == Abs::Continuation &&
        (A.K != Abs::Continuation || B.K != Abs::Continuation ||
         A.Offset == B.Offset))
      return {Abs::Continuation, C->Offset, true};
  }
  if ((A.K == Abs::Handle && B.K == Abs::Null) ||
      (A.K == Abs::Null && B.K == Abs::Handle))
    return {Abs::Handle, std::optional<int64_t>(0), false};
  return {};
}

WrapperEffect interpretWrapper(Function &Wrapper,
                               function_ref<bool(int64_t)> HandleSlot) {
  WrapperEffect E;
  if (Wrapper.isDeclaration() || Wrapper.arg_size() != 2) {
    E.Problem = "its await_suspend is not visible";
    return E;
  }
  ValueToValueMapTy VMap;
  ScratchCopy Copy(Wrapper, VMap, CopyScope::Wrapper);
  const DataLayout &DL = Copy->getDataLayout();
  DenseMap<const Value *, AbsValue> Val;
  Val[Copy->getArg(0)] = {Abs::Awaiter, 0};
  Val[Copy->getArg(1)] = {Abs::Frame, 0};
  auto Get = [&](const Value *V) -> AbsValue {
    if (isa<ConstantPointerNull>(V) ||
        (isa<ConstantInt>(V) && cast<ConstantInt>(V)->isZero()))
      return {Abs::Null, std::nullopt, false};
    // libstdc++'s std::noop_coroutine() is a handle to a static frame
    // (libc++ uses llvm.coro.noop).
    if (const auto *G = dyn_cast<GlobalVariable>(V->stripPointerCasts());
        G && G->getName().starts_with(
                 "_ZNSt7__n486116coroutine_handleINS_22noop_coroutine_"
                 "promiseEE5_S_frE"))
      return {Abs::Noop, std::nullopt, false};
    auto It = Val.find(V);
    return It == Val.end() ? AbsValue() : It->second;
  };
  auto Fail = [&](const Instruction &I, const Twine &Why) {
    if (E.Problem.empty())
      E.Problem = Why.str();
    (void)I;
  };
  ReversePostOrderTraversal<Function *> RPO(&*Copy);
  SmallPtrSet<const BasicBlock *, 8> Seen;
  for (BasicBlock *B : RPO) {
    Seen.insert(B);
    for (BasicBlock *S : successors(B))
      if (Seen.count(S))
        Fail(*B->getTerminator(), "its await_suspend loops");
    for (Instruction &I : *B) {
      if (auto *Phi = dyn_cast<PHINode>(&I)) {
        AbsValue V = Get(Phi->getIncomingValue(0));
        for (Value *In : drop_begin(Phi->incoming_values()))
          V = joinAbs(V, Get(In));
        Val[Phi] = V;
      } else if (auto *Sel = dyn_cast<SelectInst>(&I)) {
        Val[Sel] = joinAbs(Get(Sel->getTrueValue()), Get(Sel->getFalseValue()));
      } else if (isa<CastInst>(&I) || isa<GetElementPtrInst>(&I)) {
        APInt Off(64, 0);
        AbsValue V = Get(I.getOperand(0));
        if (auto *GEP = dyn_cast<GetElementPtrInst>(&I)) {
          if (V.Offset && GEP->accumulateConstantOffset(DL, Off))
            V.Offset = *V.Offset + Off.getSExtValue();
          else
            V.Offset.reset();
        }
        Val[&I] = V;
      } else if (auto *L = dyn_cast<LoadInst>(&I)) {
        AbsValue P = Get(L->getPointerOperand());
        if (P.K == Abs::Awaiter && P.Offset && HandleSlot(*P.Offset))
          Val[L] = {Abs::Handle, 0};
        else if (P.K == Abs::Frame && P.Offset)
          Val[L] = {Abs::Continuation, P.Offset};
        if (P.K == Abs::Frame)
          E.ReadsFrame = true;
        else if (P.K != Abs::Handle && P.K != Abs::Awaiter &&
                 P.K != Abs::Local && P.K != Abs::Frame)
          Fail(I, "its await_suspend reads memory of neither coroutine");
      } else if (auto *St = dyn_cast<StoreInst>(&I)) {
        AbsValue P = Get(St->getPointerOperand());
        AbsValue V = Get(St->getValueOperand());
        if (P.K == Abs::Local)
          continue;
        if (P.K == Abs::Handle && P.Offset && V.K == Abs::Frame &&
            V.Offset == 0) {
          E.HandoffOffset = *P.Offset;
          ++E.Handoffs;
          continue;
        }
        Fail(I, "its await_suspend stores something other than the "
                "awaiting coroutine's handle into the awaited one");
      } else if (auto *A = dyn_cast<AllocaInst>(&I)) {
        Val[A] = {Abs::Local, 0};
      } else if (auto *CB = dyn_cast<CallBase>(&I)) {
        auto *II = dyn_cast<IntrinsicInst>(CB);
        if (II && II->getIntrinsicID() == Intrinsic::coro_noop)
          Val[II] = {Abs::Noop, std::nullopt, false};
        else if (!II || !isHarmlessIntrinsic(*II) ||
                 isa<AnyCoroSuspendInst>(II) || isa<CoroSubFnInst>(II))
          Fail(I, CB->getCalledFunction()
                      ? "its await_suspend calls '" +
                            demangle(CB->getCalledFunction()->getName()) + "'"
                      : Twine("its await_suspend makes an indirect call"));
      } else if (auto *R = dyn_cast<ReturnInst>(&I)) {
        if (Value *RV = R->getReturnValue())
          E.Returned = E.Returned ? joinAbs(*E.Returned, Get(RV)) : Get(RV);
      } else if (I.mayHaveSideEffects()) {
        Fail(I, "its await_suspend has an effect ('" +
                    std::string(I.getOpcodeName()) + "')");
      }
    }
  }
  return E;
}

} // namespace wrapperinline
} // namespace corofo
