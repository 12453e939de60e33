//===- SplitCoroutine.cpp - The functions of a split coroutine ------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Recognition of split coroutines; see the header for the contract.
//===----------------------------------------------------------------------===//

#include "SplitCoroutine.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace corofo {

SmallVector<Function *, 5> SplitCoroutine::functions() const {
  SmallVector<Function *, 5> Fns;
  for (Function *F : {Ramp, Resume, Destroy, Cleanup, NoAlloc})
    if (F)
      Fns.push_back(F);
  return Fns;
}

StringRef abiName(CoroABI ABI) {
  switch (ABI) {
  case CoroABI::Switch:
    return "switch";
  case CoroABI::Retcon:
    return "retcon";
  case CoroABI::Async:
    return "async";
  case CoroABI::Continuation:
    return "retcon-or-async";
  }
  return "unknown";
}

std::string displayName(StringRef MangledName) {
  return demangle(MangledName);
}

/// A clone made by CoroSplit takes the frame pointer as its first parameter.
static bool takesFramePointer(const Function &F) {
  return !F.isDeclaration() && F.arg_size() >= 1 &&
         F.getArg(0)->getType()->isPointerTy();
}

/// True if \p User (transitively through constants such as the
/// `@F.resumers` array) is used inside \p F.
static bool isReferencedFrom(const Function &Target, const Function &F) {
  SmallVector<const User *, 8> Work(Target.users().begin(),
                                    Target.users().end());
  SmallPtrSet<const User *, 16> Seen;
  while (!Work.empty()) {
    const User *U = Work.pop_back_val();
    if (!Seen.insert(U).second)
      continue;
    if (const auto *I = dyn_cast<Instruction>(U)) {
      if (I->getFunction() == &F)
        return true;
      continue;
    }
    // Constant expressions, arrays and globals: follow their users.
    for (const User *UU : U->users())
      Work.push_back(UU);
  }
  return false;
}

/// Build the coroutine whose clones are named after \p Stem, or nothing if
/// the clones do not follow CoroSplit's switch-ABI contract.
static std::optional<SplitCoroutine> buildFromStem(Module &M, StringRef Stem,
                                                   Function *Ramp) {
  SplitCoroutine C;
  // Asked for every function the CGSCC walk visits: names built on the
  // stack, not on the heap.
  SmallString<128> Name;
  auto clone = [&](StringRef Suffix) {
    Name = Stem;
    Name += Suffix;
    return M.getFunction(Name);
  };
  C.Resume = clone(".resume");
  C.Destroy = clone(".destroy");
  if (!C.Resume || !C.Destroy || !takesFramePointer(*C.Resume) ||
      !takesFramePointer(*C.Destroy))
    return std::nullopt;
  C.Cleanup = clone(".cleanup");
  if (C.Cleanup && !takesFramePointer(*C.Cleanup))
    C.Cleanup = nullptr;
  C.NoAlloc = clone(".noalloc");
  if (C.NoAlloc && C.NoAlloc->isDeclaration())
    C.NoAlloc = nullptr;
  if (Ramp && !isReferencedFrom(*C.Resume, *Ramp) &&
      !(C.NoAlloc && isReferencedFrom(*C.Resume, *C.NoAlloc)))
    return std::nullopt;
  C.Ramp = Ramp;
  C.Name = Stem.str();

  uint64_t Size = C.Resume->getParamDereferenceableBytes(0);
  if (Size)
    C.FrameSize = Size;
  if (MaybeAlign A = C.Resume->getParamAlign(0))
    C.FrameAlign = *A;
  return C;
}

std::optional<SplitCoroutine> getSplitCoroutine(Function &Ramp) {
  if (Ramp.isDeclaration() || !Ramp.hasName())
    return std::nullopt;
  return buildFromStem(*Ramp.getParent(), Ramp.getName(), &Ramp);
}

StringRef cloneStem(const Function &F) {
  if (F.isDeclaration() || !F.hasName())
    return "";
  StringRef Stem = F.getName();
  for (StringRef Suffix : {".resume", ".destroy", ".cleanup", ".noalloc"})
    if (Stem.consume_back(Suffix))
      return Stem;
  return "";
}

StringRef splitCoroutineStem(const Function &F) {
  if (StringRef Stem = cloneStem(F); !Stem.empty() || F.isDeclaration() ||
                                     !F.hasName())
    return Stem;
  // A ramp: one look-up of its resume clone (a name built on the stack).
  SmallString<128> Name(F.getName());
  Name += ".resume";
  return F.getParent()->getFunction(Name) ? F.getName() : "";
}

std::optional<SplitCoroutine> getSplitCoroutineOf(Function &F) {
  StringRef Stem = splitCoroutineStem(F);
  if (Stem.empty())
    return std::nullopt;
  Module &M = *F.getParent();
  Function *Ramp = Stem == F.getName() ? &F : M.getFunction(Stem);
  if (Ramp && Ramp->isDeclaration())
    Ramp = nullptr;
  return buildFromStem(M, Stem, Ramp);
}

SmallVector<SplitCoroutine, 8> findSplitCoroutines(Module &M) {
  SmallVector<SplitCoroutine, 8> Found;
  for (Function &F : M) {
    StringRef Name = F.getName();
    if (!Name.consume_back(".resume"))
      continue;
    Function *Ramp = M.getFunction(Name);
    if (Ramp && Ramp->isDeclaration())
      Ramp = nullptr;
    if (auto C = buildFromStem(M, Name, Ramp))
      Found.push_back(std::move(*C));
  }
  return Found;
}

/// True for a retcon/async continuation `X.resume.N` whose ramp X exists:
/// it carries copies of the ramp's intrinsics but is not a coroutine itself.
static bool isContinuationClone(const Function &F) {
  StringRef Stem = F.getName().rtrim("0123456789");
  if (Stem.size() == F.getName().size() || !Stem.consume_back(".resume."))
    return false;
  return F.getParent()->getFunction(Stem) != nullptr;
}

/// Whether \p M declares a retcon or async coro.id intrinsic, called
/// (\p Used) or not.
static bool declaresContinuationIds(const Module &M, bool Used) {
  for (StringRef Name :
       {"llvm.coro.id.retcon", "llvm.coro.id.retcon.once", "llvm.coro.id.async"})
    if (const Function *F = M.getFunction(Name);
        F && (!Used || !F->use_empty()))
      return true;
  return false;
}

bool mayHoldContinuationCoroutines(const Module &M) {
  return declaresContinuationIds(M, /*Used=*/false);
}

std::optional<CoroABI> getUnsupportedABI(const Function &F) {
  if (F.isDeclaration() || isContinuationClone(F))
    return std::nullopt;
  // Before CoroCleanup the ramp still calls its coro.id intrinsic.
  if (declaresContinuationIds(*F.getParent(), /*Used=*/true))
    for (const Instruction &I : instructions(F)) {
      const auto *II = dyn_cast<IntrinsicInst>(&I);
      if (!II)
        continue;
      switch (II->getIntrinsicID()) {
      case Intrinsic::coro_id_retcon:
      case Intrinsic::coro_id_retcon_once:
        return CoroABI::Retcon;
      case Intrinsic::coro_id_async:
        return CoroABI::Async;
      default:
        break;
      }
    }
  // Afterwards only the continuations' names remain: `F.resume.0`, ...
  const Module &M = *F.getParent();
  SmallString<128> Name(F.getName());
  Name += ".resume.0";
  if (F.hasName() && M.getFunction(Name))
    return CoroABI::Continuation;
  return std::nullopt;
}

bool isSwitchPresplitCoroutine(const Function &F) {
  if (!F.isPresplitCoroutine())
    return false;
  for (const Instruction &I : instructions(F))
    if (const auto *II = dyn_cast<IntrinsicInst>(&I)) {
      Intrinsic::ID ID = II->getIntrinsicID();
      if (ID == Intrinsic::coro_id)
        return true;
      if (ID == Intrinsic::coro_id_retcon ||
          ID == Intrinsic::coro_id_retcon_once ||
          ID == Intrinsic::coro_id_async)
        return false;
    }
  return false;
}

} // namespace corofo
