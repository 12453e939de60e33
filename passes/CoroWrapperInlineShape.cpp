//===- CoroWrapperInlineShape.cpp - Presplit coroutine shapes -------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// The fixed parts of a presplit coroutine (its id, frame, promise and the
/// blocks that only allocate or free the frame), where a pointer points in
/// it, and which calls and intrinsics are no effects: the vocabulary every
/// check of coro-wrapper-inline is written in.
//===----------------------------------------------------------------------===//

#include "CoroWrapperInlineImpl.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace corofo {
namespace wrapperinline {

std::string quoted(const Function &F) {
  return "'" + demangle(F.getName()) + "'";
}

std::string lineOf(const Instruction &I) {
  const DebugLoc &DL = I.getDebugLoc();
  if (!DL)
    return "";
  StringRef File = cast<DIScope>(DL.getScope())->getFilename();
  return " (" + sys::path::filename(File).str() + ":" +
         std::to_string(DL.getLine()) + ")";
}

//===----------------------------------------------------------------------===//
// The shape of a presplit coroutine.
//===----------------------------------------------------------------------===//

void collectUntil(BasicBlock *From, const BasicBlock *Stop,
                  SmallPtrSetImpl<const BasicBlock *> &Out) {
  SmallVector<BasicBlock *, 8> Work{From};
  while (!Work.empty()) {
    BasicBlock *B = Work.pop_back_val();
    if (B == Stop || !Out.insert(B).second)
      continue;
    for (BasicBlock *S : successors(B))
      Work.push_back(S);
  }
}

std::optional<CoroShape> getShape(Function &F) {
  if (!F.isPresplitCoroutine())
    return std::nullopt;
  CoroShape S;
  S.F = &F;
  for (Instruction &I : instructions(F)) {
    auto *II = dyn_cast<IntrinsicInst>(&I);
    if (!II)
      continue;
    switch (II->getIntrinsicID()) {
    case Intrinsic::coro_id:
      if (S.Id)
        return std::nullopt;
      S.Id = II;
      break;
    case Intrinsic::coro_id_retcon:
    case Intrinsic::coro_id_retcon_once:
    case Intrinsic::coro_id_async:
      return std::nullopt;
    case Intrinsic::coro_begin:
      if (S.Begin)
        return std::nullopt;
      S.Begin = II;
      break;
    default:
      break;
    }
  }
  if (!S.Id || !S.Begin)
    return std::nullopt;
  S.Promise = dyn_cast<AllocaInst>(
      S.Id->getArgOperand(1)->stripPointerCasts());
  if (!S.Promise || !isa<StructType>(S.Promise->getAllocatedType()))
    return std::nullopt;
  // The promise follows the resume and destroy pointers (facts doc).
  S.PromiseOffset = alignTo(16, S.Promise->getAlign().value());
  S.PromiseSize =
      F.getDataLayout().getTypeAllocSize(S.Promise->getAllocatedType());
  // The allocation: from coro.alloc's true edge to the coro.begin block.
  for (User *U : S.Id->users())
    if (auto *Alloc = dyn_cast<IntrinsicInst>(U))
      if (Alloc->getIntrinsicID() == Intrinsic::coro_alloc)
        for (User *AU : Alloc->users())
          if (auto *Br = dyn_cast<BranchInst>(AU))
            if (Br->isConditional())
              collectUntil(Br->getSuccessor(0), S.Begin->getParent(),
                           S.FrameMemory);
  // The deallocation: from `coro.free != null` to where it rejoins.
  for (Instruction &I : instructions(F)) {
    auto *Free = dyn_cast<IntrinsicInst>(&I);
    if (!Free || Free->getIntrinsicID() != Intrinsic::coro_free)
      continue;
    for (User *U : Free->users()) {
      auto *Cmp = dyn_cast<ICmpInst>(U);
      if (!Cmp || !isa<ConstantPointerNull>(Cmp->getOperand(1)))
        continue;
      for (User *CU : Cmp->users())
        if (auto *Br = dyn_cast<BranchInst>(CU)) {
          if (!Br->isConditional())
            continue;
          bool IsEq = Cmp->getPredicate() == ICmpInst::ICMP_EQ;
          BasicBlock *NonNull = Br->getSuccessor(IsEq ? 1 : 0);
          BasicBlock *Null = Br->getSuccessor(IsEq ? 0 : 1);
          collectUntil(NonNull, Null, S.FrameMemory);
        }
    }
  }
  // A block of the frame memory that also holds coroutine code would hide
  // effects: only accept regions without suspend points or coro.begin.
  for (const BasicBlock *B : S.FrameMemory)
    for (const Instruction &I : *B)
      if (const auto *II = dyn_cast<IntrinsicInst>(&I))
        if (II->getIntrinsicID() == Intrinsic::coro_suspend ||
            II->getIntrinsicID() == Intrinsic::coro_begin ||
            II->getIntrinsicID() == Intrinsic::coro_end)
          return std::nullopt;
  return S;
}

Place classify(const Value *P, const CoroShape &S,
               const SmallPtrSetImpl<const Value *> *Handles) {
  const DataLayout &DL = S.F->getDataLayout();
  APInt Off(DL.getIndexTypeSizeInBits(P->getType()), 0);
  const Value *B =
      P->stripAndAccumulateConstantOffsets(DL, Off, /*AllowNonInbounds=*/true);
  std::optional<int64_t> Offset = Off.getSExtValue();
  if (isa<GEPOperator>(B)) { // a variable index
    B = getUnderlyingObject(B);
    Offset.reset();
  }
  auto Add = [&](int64_t Base) -> std::optional<int64_t> {
    if (!Offset)
      return std::nullopt;
    return Base + *Offset;
  };
  if (const auto *II = dyn_cast<IntrinsicInst>(B);
      II && II->getIntrinsicID() == Intrinsic::coro_promise) {
    Place Inner = classify(II->getArgOperand(0), S, Handles);
    bool FromPromise = cast<ConstantInt>(II->getArgOperand(2))->isOne();
    if (Inner.R != Region::Frame || !Inner.Offset)
      return {Region::Unknown, std::nullopt, B};
    int64_t Delta = FromPromise ? -S.PromiseOffset : S.PromiseOffset;
    return {Region::Frame, Add(*Inner.Offset + Delta), S.Begin};
  }
  if (B == S.Begin)
    return {Region::Frame, Offset, S.Begin};
  if (B == S.Promise)
    return {Region::Frame, Add(S.PromiseOffset), S.Begin};
  if (isa<AllocaInst>(B))
    return {Region::Local, Offset, B};
  if (Handles && Handles->count(B))
    return {Region::Callee, Offset, B};
  if (const auto *A = dyn_cast<Argument>(B)) {
    if (A->hasStructRetAttr())
      return {Region::Sret, Offset, B};
    if (A->hasByValAttr())
      return {Region::ByVal, Offset, B};
  }
  if (const auto *G = dyn_cast<GlobalVariable>(B); G && G->isConstant())
    return {Region::Constant, Offset, B};
  return {Region::Unknown, Offset, B};
}

bool inPromise(const Place &P, uint64_t Size, const CoroShape &S) {
  if (P.R != Region::Frame)
    return false;
  if (!P.Offset)
    return true; // somewhere in the frame: maybe the promise
  int64_t End = S.PromiseOffset + int64_t(S.PromiseSize);
  return *P.Offset < End && *P.Offset + int64_t(Size) > S.PromiseOffset;
}

bool isExceptionRuntime(const Function &F) {
  StringRef N = F.getName();
  return N == "__cxa_begin_catch" || N == "__cxa_end_catch" ||
         N == "__clang_call_terminate" || N == "_ZSt9terminatev" ||
         N == "_ZSt17current_exceptionv" ||
         N == "_ZSt17rethrow_exceptionNSt15__exception_ptr13exception_ptrE" ||
         N.starts_with("_ZNSt15__exception_ptr13exception_ptr");
}

bool isHarmlessIntrinsic(const CallBase &II) {
  switch (II.getIntrinsicID()) {
  case Intrinsic::not_intrinsic:
    return false;
  case Intrinsic::coro_id:
  case Intrinsic::coro_alloc:
  case Intrinsic::coro_begin:
  case Intrinsic::coro_free:
  case Intrinsic::coro_end:
  case Intrinsic::coro_save:
  case Intrinsic::coro_suspend:
  case Intrinsic::coro_size:
  case Intrinsic::coro_align:
  case Intrinsic::coro_promise:
  case Intrinsic::coro_frame:
  case Intrinsic::coro_noop:
  case Intrinsic::coro_subfn_addr:
  case Intrinsic::coro_is_in_ramp:
  case Intrinsic::coro_await_suspend_void:
  case Intrinsic::coro_await_suspend_bool:
  case Intrinsic::coro_await_suspend_handle:
  case Intrinsic::lifetime_start:
  case Intrinsic::lifetime_end:
  case Intrinsic::assume:
  case Intrinsic::experimental_noalias_scope_decl:
  case Intrinsic::dbg_declare:
  case Intrinsic::dbg_value:
  case Intrinsic::dbg_label:
    return true;
  default:
    return II.doesNotAccessMemory() && II.willReturn();
  }
}

} // namespace wrapperinline
} // namespace corofo
