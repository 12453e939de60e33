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

namespace {
/// The abstract run of one simplified await_suspend wrapper: the value of
/// each instruction, and what the wrapper does.
class AwaitSuspendInterpreter {
public:
  AwaitSuspendInterpreter(Function &Copy,
                          function_ref<bool(int64_t)> HandleSlot)
      : F(Copy), DL(Copy.getDataLayout()), HandleSlot(HandleSlot) {
    Val[Copy.getArg(0)] = {Abs::Awaiter, 0};
    Val[Copy.getArg(1)] = {Abs::Frame, 0};
  }
  /// Run the blocks in reverse post-order (a loop is a problem of its own).
  WrapperEffect run();

private:
  AbsValue get(const Value *V) const;
  void fail(const Instruction &I, const Twine &Why);
  void visit(Instruction &I);

  Function &F;
  const DataLayout &DL;
  function_ref<bool(int64_t)> HandleSlot;
  DenseMap<const Value *, AbsValue> Val;
  WrapperEffect E;
};
} // namespace

AbsValue AwaitSuspendInterpreter::get(const Value *V) const {
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
}

void AwaitSuspendInterpreter::fail(const Instruction &I, const Twine &Why) {
  if (E.Problem.empty())
    E.Problem = Why.str();
  (void)I;
}

void AwaitSuspendInterpreter::visit(Instruction &I) {
  if (auto *Phi = dyn_cast<PHINode>(&I)) {
    AbsValue V = get(Phi->getIncomingValue(0));
    for (Value *In : drop_begin(Phi->incoming_values()))
      V = joinAbs(V, get(In));
    Val[Phi] = V;
  } else if (auto *Sel = dyn_cast<SelectInst>(&I)) {
    Val[Sel] = joinAbs(get(Sel->getTrueValue()), get(Sel->getFalseValue()));
  } else if (isa<CastInst>(&I) || isa<GetElementPtrInst>(&I)) {
    APInt Off(64, 0);
    AbsValue V = get(I.getOperand(0));
    if (auto *GEP = dyn_cast<GetElementPtrInst>(&I)) {
      if (V.Offset && GEP->accumulateConstantOffset(DL, Off))
        V.Offset = *V.Offset + Off.getSExtValue();
      else
        V.Offset.reset();
    }
    Val[&I] = V;
  } else if (auto *L = dyn_cast<LoadInst>(&I)) {
    AbsValue P = get(L->getPointerOperand());
    if (P.K == Abs::Awaiter && P.Offset && HandleSlot(*P.Offset))
      Val[L] = {Abs::Handle, 0};
    else if (P.K == Abs::Frame && P.Offset)
      Val[L] = {Abs::Continuation, P.Offset};
    if (P.K == Abs::Frame)
      E.ReadsFrame = true;
    else if (P.K != Abs::Handle && P.K != Abs::Awaiter &&
             P.K != Abs::Local && P.K != Abs::Frame)
      fail(I, "its await_suspend reads memory of neither coroutine");
  } else if (auto *St = dyn_cast<StoreInst>(&I)) {
    AbsValue P = get(St->getPointerOperand());
    AbsValue V = get(St->getValueOperand());
    if (P.K == Abs::Local)
      return;
    if (P.K == Abs::Handle && P.Offset && V.K == Abs::Frame &&
        V.Offset == 0) {
      E.HandoffOffset = *P.Offset;
      ++E.Handoffs;
      return;
    }
    fail(I, "its await_suspend stores something other than the "
            "awaiting coroutine's handle into the awaited one");
  } else if (auto *A = dyn_cast<AllocaInst>(&I)) {
    Val[A] = {Abs::Local, 0};
  } else if (auto *CB = dyn_cast<CallBase>(&I)) {
    auto *II = dyn_cast<IntrinsicInst>(CB);
    if (II && II->getIntrinsicID() == Intrinsic::coro_noop)
      Val[II] = {Abs::Noop, std::nullopt, false};
    else if (!II || !isHarmlessIntrinsic(*II) ||
             isa<AnyCoroSuspendInst>(II) || isa<CoroSubFnInst>(II))
      fail(I, CB->getCalledFunction()
                  ? "its await_suspend calls '" +
                        demangle(CB->getCalledFunction()->getName()) + "'"
                  : Twine("its await_suspend makes an indirect call"));
  } else if (auto *R = dyn_cast<ReturnInst>(&I)) {
    if (Value *RV = R->getReturnValue())
      E.Returned = E.Returned ? joinAbs(*E.Returned, get(RV)) : get(RV);
  } else if (I.mayHaveSideEffects()) {
    fail(I, "its await_suspend has an effect ('" +
                std::string(I.getOpcodeName()) + "')");
  }
}

WrapperEffect AwaitSuspendInterpreter::run() {
  ReversePostOrderTraversal<Function *> RPO(&F);
  SmallPtrSet<const BasicBlock *, 8> Seen;
  for (BasicBlock *B : RPO) {
    Seen.insert(B);
    for (BasicBlock *S : successors(B))
      if (Seen.count(S))
        fail(*B->getTerminator(), "its await_suspend loops");
    for (Instruction &I : *B)
      visit(I);
  }
  return E;
}

WrapperEffect interpretWrapper(Function &Wrapper,
                               function_ref<bool(int64_t)> HandleSlot,
                               ScratchSimplifier &Simplifier) {
  if (Wrapper.isDeclaration() || Wrapper.arg_size() != 2) {
    WrapperEffect E;
    E.Problem = "its await_suspend is not visible";
    return E;
  }
  ValueToValueMapTy VMap;
  ScratchCopy Copy(Wrapper, VMap, Simplifier, CopyScope::Wrapper);
  return AwaitSuspendInterpreter(*Copy, HandleSlot).run();
}

} // namespace wrapperinline
} // namespace corofo
