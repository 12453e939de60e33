//===- CoroWrapperInlineFacts.cpp - Facts of an awaited coroutine ---------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// What a wrapper needs to know about the coroutine C it awaits, read on a
/// simplified copy of C: the first effect of its start (calling C earlier,
/// when W is called, must not show), where its own code stores into its
/// promise and which promise bytes it reads before it finishes.
//===----------------------------------------------------------------------===//

#include "CoroWrapperInlineImpl.h"

#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/InstIterator.h"

using namespace llvm;

namespace corofo {
namespace wrapperinline {

/// Does \p I maybe read the frame bytes [Off, Off + Size)?
static bool mayReadFrameBytes(const Instruction &I, int64_t Off, uint64_t Size,
                              const CoroShape &S) {
  auto Overlaps = [&](const Value *Ptr, uint64_t Len) {
    Place P = classify(Ptr, S, nullptr);
    if (P.R == Region::Unknown)
      return true;
    if (P.R != Region::Frame)
      return false;
    return !P.Offset ||
           (*P.Offset < Off + int64_t(Size) && *P.Offset + int64_t(Len) > Off);
  };
  const DataLayout &DL = S.F->getDataLayout();
  if (const auto *L = dyn_cast<LoadInst>(&I))
    return Overlaps(L->getPointerOperand(), DL.getTypeStoreSize(L->getType()));
  if (const auto *MT = dyn_cast<MemTransferInst>(&I))
    return Overlaps(MT->getSource(), S.PromiseSize);
  if (const auto *CB = dyn_cast<CallBase>(&I)) {
    Intrinsic::ID ID = CB->getIntrinsicID();
    return !(ID == Intrinsic::lifetime_start || ID == Intrinsic::lifetime_end ||
             ID == Intrinsic::assume ||
             ID == Intrinsic::experimental_noalias_scope_decl ||
             (ID != Intrinsic::not_intrinsic && CB->doesNotAccessMemory()) ||
             isa<MemSetInst>(CB));
  }
  return false;
}

bool isOverwrittenLater(StoreInst &St, const CoroShape &S,
                        const PostDominatorTree &PDT) {
  Place P = classify(St.getPointerOperand(), S, nullptr);
  if (P.R != Region::Frame || !P.Offset)
    return false;
  const DataLayout &DL = S.F->getDataLayout();
  uint64_t Size = DL.getTypeStoreSize(St.getValueOperand()->getType());
  for (Instruction &I : instructions(*S.F)) {
    auto *Kill = dyn_cast<StoreInst>(&I);
    if (!Kill || Kill == &St ||
        DL.getTypeStoreSize(Kill->getValueOperand()->getType()) != Size)
      continue;
    Place KP = classify(Kill->getPointerOperand(), S, nullptr);
    if (KP.R != Region::Frame || KP.Offset != P.Offset)
      continue;
    bool SameBlock = Kill->getParent() == St.getParent();
    if (SameBlock ? !St.comesBefore(Kill)
                  : !PDT.dominates(Kill->getParent(), St.getParent()))
      continue;
    // Nothing between may read the bytes.
    bool Read = false;
    SmallPtrSet<const BasicBlock *, 8> Seen;
    SmallVector<BasicBlock::iterator, 8> Work{std::next(St.getIterator())};
    while (!Work.empty() && !Read) {
      BasicBlock::iterator It = Work.pop_back_val();
      BasicBlock *B = It->getParent();
      bool Reached = false;
      for (; It != B->end(); ++It) {
        if (&*It == Kill) {
          Reached = true;
          break;
        }
        if (mayReadFrameBytes(*It, *P.Offset, Size, S)) {
          Read = true;
          break;
        }
      }
      if (Reached || Read)
        continue;
      for (BasicBlock *Succ : successors(B))
        if (Seen.insert(Succ).second)
          Work.push_back(Succ->begin());
    }
    if (!Read)
      return true;
  }
  return false;
}

/// The first effect of \p I as part of a coroutine's start, or "".
static std::string startEffect(Instruction &I, const CoroShape &S,
                               ScratchSimplifier &Simplifier) {
  auto Describe = [&](const Twine &What) { return What.str() + lineOf(I); };
  if (isa<ResumeInst>(&I))
    return Describe("an exception can leave it");
  if (auto *L = dyn_cast<LoadInst>(&I)) {
    Region R = classify(L->getPointerOperand(), S, nullptr).R;
    if (R == Region::Unknown || R == Region::Sret || L->isVolatile())
      return Describe("it reads memory it does not own");
    return "";
  }
  if (auto *St = dyn_cast<StoreInst>(&I)) {
    Region R = classify(St->getPointerOperand(), S, nullptr).R;
    if (R != Region::Local && R != Region::Frame && R != Region::Sret)
      return Describe("it stores to memory it does not own");
    return "";
  }
  if (auto *MI = dyn_cast<MemIntrinsic>(&I)) {
    Region R = classify(MI->getDest(), S, nullptr).R;
    if (R != Region::Local && R != Region::Frame && R != Region::Sret)
      return Describe("it writes memory it does not own");
    if (auto *MT = dyn_cast<MemTransferInst>(MI)) {
      Region Src = classify(MT->getSource(), S, nullptr).R;
      if (Src == Region::Unknown || Src == Region::Sret)
        return Describe("it reads memory it does not own");
    }
    return "";
  }
  if (auto *CB = dyn_cast<CallBase>(&I)) {
    if (CB->getIntrinsicID() != Intrinsic::not_intrinsic) {
      auto *II = CB;
      if (!isHarmlessIntrinsic(*II))
        return Describe("it calls an intrinsic with effects");
      if (isa<CoroAwaitSuspendInst>(II)) {
        auto *Wrapper = dyn_cast<Function>(II->getArgOperand(2));
        if (II->getIntrinsicID() != Intrinsic::coro_await_suspend_void)
          return Describe("its first suspend transfers control");
        if (!Wrapper)
          return Describe("its first await_suspend is not visible");
        WrapperEffect E = interpretWrapper(
            *Wrapper, [](int64_t) { return false; }, Simplifier);
        if (!E.Problem.empty() || E.Handoffs)
          return Describe(E.Problem.empty()
                              ? std::string("its first await_suspend hands "
                                            "its handle over")
                              : E.Problem);
      }
      return "";
    }
    Function *Callee = CB->getCalledFunction();
    if (Callee && isExceptionRuntime(*Callee) && CB->doesNotThrow())
      return "";
    if (Callee)
      return Describe("it calls '" + demangle(Callee->getName()) + "'");
    return Describe("it makes an indirect call");
  }
  if (I.mayHaveSideEffects() || I.mayThrow())
    return Describe(Twine("it has an effect ('") + I.getOpcodeName() + "')");
  return "";
}

static CoroFacts computeFacts(const CoroShape &S,
                              ScratchSimplifier &Simplifier) {
  CoroFacts Facts;
  Facts.Promise = cast<StructType>(S.Promise->getAllocatedType());
  Facts.PromiseOffset = S.PromiseOffset;
  SmallPtrSet<const BasicBlock *, 16> Start;
  for (BasicBlock *B : startBlocksOf(*S.F)) {
    Start.insert(B);
    if (S.FrameMemory.count(B))
      continue;
    for (Instruction &I : *B)
      if (Facts.StartEffect.empty())
        Facts.StartEffect = startEffect(I, S, Simplifier);
  }
  const DataLayout &DL = S.F->getDataLayout();
  PostDominatorTree PDT(*S.F);
  for (Instruction &I : instructions(*S.F)) {
    if (Start.count(I.getParent()))
      continue;
    // Reads of the promise, by the body or a non-final await_suspend.
    if (auto *L = dyn_cast<LoadInst>(&I)) {
      Place P = classify(L->getPointerOperand(), S, nullptr);
      if (inPromise(P, DL.getTypeStoreSize(L->getType()), S))
        Facts.Reads.push_back(
            P.Offset ? std::make_pair(*P.Offset,
                                      uint64_t(DL.getTypeStoreSize(L->getType())))
                     : std::make_pair(S.PromiseOffset, S.PromiseSize));
    }
    if (auto *MT = dyn_cast<MemTransferInst>(&I))
      if (inPromise(classify(MT->getSource(), S, nullptr), S.PromiseSize, S))
        Facts.Reads.push_back({S.PromiseOffset, S.PromiseSize});
    if (auto *CB = dyn_cast<CallBase>(&I)) {
      if (isa<CoroAwaitSuspendInst>(CB)) {
        auto *Wrapper = dyn_cast<Function>(CB->getArgOperand(2));
        // The final suspend is P's final_suspend, checked in W itself.
        bool Final = false;
        for (Instruction *N = CB->getNextNode(); N; N = N->getNextNode())
          if (auto *Sp = dyn_cast<CoroSuspendInst>(N)) {
            Final = Sp->isFinal();
            break;
          }
        if (auto *II = dyn_cast<InvokeInst>(CB))
          for (Instruction &N : *II->getNormalDest())
            if (auto *Sp = dyn_cast<CoroSuspendInst>(&N))
              Final = Sp->isFinal();
        if (!Final && (!Wrapper ||
                       interpretWrapper(
                           *Wrapper, [](int64_t) { return false; }, Simplifier)
                           .ReadsFrame))
          Facts.Reads.push_back({S.PromiseOffset, S.PromiseSize});
      }
    }
    if (auto *St = dyn_cast<StoreInst>(&I); St && isOverwrittenLater(*St, S, PDT))
      continue;
    Value *Ptr = nullptr;
    uint64_t Size = 0;
    Constant *C = nullptr;
    if (auto *St = dyn_cast<StoreInst>(&I)) {
      Ptr = St->getPointerOperand();
      Size = DL.getTypeStoreSize(St->getValueOperand()->getType());
      C = dyn_cast<Constant>(St->getValueOperand());
    } else if (auto *MI = dyn_cast<MemIntrinsic>(&I)) {
      Ptr = MI->getDest();
      auto *Len = dyn_cast<ConstantInt>(MI->getLength());
      Size = Len ? Len->getZExtValue() : S.PromiseSize;
    } else {
      continue;
    }
    Place P = classify(Ptr, S, nullptr);
    if (!inPromise(P, Size, S))
      continue;
    if (!P.Offset)
      Facts.Stores.push_back({S.PromiseOffset, S.PromiseSize, nullptr});
    else
      Facts.Stores.push_back({*P.Offset, Size, C});
  }
  return Facts;
}

std::optional<CoroFacts> factsOf(Function &C, ScratchSimplifier &Simplifier) {
  if (!getShape(C))
    return std::nullopt;
  ValueToValueMapTy VMap;
  ScratchCopy Copy(C, VMap, Simplifier, CopyScope::StartAndPromise);
  std::optional<CoroFacts> Facts;
  if (std::optional<CoroShape> S = getShape(*Copy))
    Facts = computeFacts(*S, Simplifier);
  return Facts;
}

} // namespace wrapperinline
} // namespace corofo
