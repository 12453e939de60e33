//===- CoroWrapperInline.cpp - Wrapper coroutines become their callee -----===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// See CoroWrapperInline.h for what the pass does and docs/wrapper-inline.md
/// for why each check is needed. Vocabulary: W is the wrapper being looked
/// at, C the coroutine it awaits, "start" the part of a coroutine that runs
/// when it is called (up to its first suspend) or destroyed unstarted.
//===----------------------------------------------------------------------===//

#include "CoroWrapperInline.h"
#include "TransformBisect.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/Analysis/PostDominators.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Transforms/Coroutines/CoroInstr.h"
#include "llvm/Transforms/InstCombine/InstCombine.h"
#include "llvm/Transforms/Scalar/DeadStoreElimination.h"
#include "llvm/Transforms/Scalar/EarlyCSE.h"
#include "llvm/Transforms/Scalar/SROA.h"
#include "llvm/Transforms/Scalar/SimplifyCFG.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include "llvm/Support/Path.h"

#include <memory>
#include <optional>
#include <string>

using namespace llvm;

namespace corofo {

static const char *const WrapperRemarkPass = "coro-wrapper-inline";
/// Function metadata on a wrapper made into a forwarder: wrappers of it are
/// worth a look.
static const char *const ForwarderKind = "corofo.forwarder";

namespace {

/// A store into a coroutine's promise made after its start.
struct PromiseStore {
  int64_t Offset;
  uint64_t Size;
  Constant *Value; ///< Null: not a constant.
};

/// What a wrapper needs to know about the coroutine it awaits.
struct CoroFacts {
  StructType *Promise = nullptr;
  int64_t PromiseOffset = 0;
  /// Empty when the start has no effect; else the first effect.
  std::string StartEffect;
  SmallVector<PromiseStore, 8> Stores;
  /// Promise bytes read after the start (offset, size; the whole promise
  /// when an await_suspend reads the frame): where C could look up whoever
  /// awaits it before it finishes.
  SmallVector<std::pair<int64_t, uint64_t>, 8> Reads;
};

/// The fixed parts of a presplit switch-ABI coroutine.
struct CoroShape {
  Function *F = nullptr;
  IntrinsicInst *Id = nullptr;
  IntrinsicInst *Begin = nullptr;
  AllocaInst *Promise = nullptr;
  int64_t PromiseOffset = 0;
  uint64_t PromiseSize = 0;
  /// Blocks that only allocate or free the frame (not effects).
  SmallPtrSet<const BasicBlock *, 8> FrameMemory;
};

/// Where a pointer points, as far as these checks care.
enum class Region {
  Local,     ///< an alloca of the function (W's frame after the split)
  Frame,     ///< the coroutine frame itself (coro.begin based), Offset known
  Sret,      ///< the function's return object
  Callee,    ///< C's frame (a handle loaded from C's task)
  ByVal,     ///< a byval parameter (the callee's own copy)
  Constant,  ///< a constant global
  Unknown
};

struct Place {
  Region R = Region::Unknown;
  std::optional<int64_t> Offset;
  const Value *Base = nullptr;
};

} // namespace

static std::string quoted(const Function &F) {
  return "'" + demangle(F.getName()) + "'";
}

/// ` (task.h:286)`: inlined promise code has its header's location.
static std::string lineOf(const Instruction &I) {
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

/// Blocks reachable from \p From without entering \p Stop.
static void collectUntil(BasicBlock *From, const BasicBlock *Stop,
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

static std::optional<CoroShape> getShape(Function &F) {
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

/// Classify \p P. \p Handles: values known to be C's frame pointer.
static Place classify(const Value *P, const CoroShape &S,
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

static bool inPromise(const Place &P, uint64_t Size, const CoroShape &S) {
  if (P.R != Region::Frame)
    return false;
  if (!P.Offset)
    return true; // somewhere in the frame: maybe the promise
  int64_t End = S.PromiseOffset + int64_t(S.PromiseSize);
  return *P.Offset < End && *P.Offset + int64_t(Size) > S.PromiseOffset;
}

/// The exception runtime calls a promise's exception handling consists of:
/// reference counts and the current exception, nothing a caller can see.
static bool isExceptionRuntime(const Function &F) {
  StringRef N = F.getName();
  return N == "__cxa_begin_catch" || N == "__cxa_end_catch" ||
         N == "__clang_call_terminate" || N == "_ZSt9terminatev" ||
         N == "_ZSt17current_exceptionv" ||
         N == "_ZSt17rethrow_exceptionNSt15__exception_ptr13exception_ptrE" ||
         N.starts_with("_ZNSt15__exception_ptr13exception_ptr");
}

/// `llvm.coro.await.suspend.{void,bool,handle}`, called or invoked.
static bool isAwaitSuspend(Intrinsic::ID ID) {
  return ID == Intrinsic::coro_await_suspend_void ||
         ID == Intrinsic::coro_await_suspend_bool ||
         ID == Intrinsic::coro_await_suspend_handle;
}

/// Intrinsics that are not effects: coroutine structure, markers, pure.
static bool isHarmlessIntrinsic(const CallBase &II) {
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

//===----------------------------------------------------------------------===//
// await_suspend wrappers, read on a simplified scratch copy.
//===----------------------------------------------------------------------===//

namespace {

/// What a value in an await_suspend wrapper is.
enum class Abs { Other, Frame, Awaiter, Handle, Continuation, Noop, Null, Local };

struct AbsValue {
  Abs K = Abs::Other;
  std::optional<int64_t> Offset;
  bool MayBeNoop = false; ///< Continuation, or the noop coroutine
  bool operator==(const AbsValue &O) const {
    return K == O.K && Offset == O.Offset && MayBeNoop == O.MayBeNoop;
  }
};

/// What a wrapper does, or why it cannot be accounted for.
struct WrapperEffect {
  std::string Problem;                  ///< empty: understood
  std::optional<int64_t> HandoffOffset; ///< store of W's handle into C
  unsigned Handoffs = 0;
  std::optional<AbsValue> Returned;
  bool ReadsFrame = false; ///< loads from the frame it suspends
};

} // namespace

namespace {
/// The pipeline that simplifies scratch copies, built once per run of the
/// pass (building analysis managers for every copy cost more than the copy).
class ScratchSimplifier {
public:
  ScratchSimplifier() {
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
  void run(Function &F, bool Small = false) {
    (Small ? Light : FPM).run(F, FAM);
    FAM.clear(F, F.getName());
  }
  /// The one of the current run of the pass (made on first use).
  static ScratchSimplifier &get() {
    if (!Current)
      Current = std::make_unique<ScratchSimplifier>();
    return *Current;
  }
  /// End of a run: modules differ, so do their cached module analyses.
  static void reset() { Current.reset(); }

private:
  PassBuilder PB;
  LoopAnalysisManager LAM;
  FunctionAnalysisManager FAM;
  CGSCCAnalysisManager CGAM;
  ModuleAnalysisManager MAM;
  FunctionPassManager FPM, Light;
  static std::unique_ptr<ScratchSimplifier> Current;
};
std::unique_ptr<ScratchSimplifier> ScratchSimplifier::Current;
} // namespace

/// What a scratch copy inlines.
enum class CopyScope {
  /// Every call to a defined function (a wrapper: all it does must show).
  Everything,
  /// The same with a shorter pipeline (an await_suspend wrapper).
  Wrapper,
  /// Calls in the coroutine's start and calls given its promise or frame
  /// (an awaited coroutine: its start, and what touches its promise).
  StartAndPromise
};

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

static std::vector<BasicBlock *> startBlocksOf(Function &F) {
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
/// which the checks then refuse).
static Function *makeSimplifiedCopy(Function &F, ValueToValueMapTy &VMap,
                                    CopyScope Scope) {
  Function *Copy = CloneFunction(&F, VMap);
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
  for (unsigned Budget = 2000; !Work.empty() && Budget && Size < 20000;) {
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
  ScratchSimplifier::get().run(*Copy, Scope == CopyScope::Wrapper);
  return Copy;
}

namespace {
/// A simplified copy of a function (makeSimplifiedCopy) that is erased with
/// all that its simplification added to the module and nothing uses any
/// more (declarations, constant strings of folded library calls), so that
/// looking leaves the module as it was.
class ScratchCopy {
public:
  ScratchCopy(Function &F, ValueToValueMapTy &VMap,
              CopyScope Scope = CopyScope::Everything)
      : M(*F.getParent()),
        LastGlobal(M.global_empty() ? nullptr : &*std::prev(M.global_end())),
        LastFunction(&M.getFunctionList().back()),
        Copy(makeSimplifiedCopy(F, VMap, Scope)) {}
  ScratchCopy(const ScratchCopy &) = delete;
  ScratchCopy &operator=(const ScratchCopy &) = delete;
  ~ScratchCopy() {
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
  Function &operator*() const { return *Copy; }
  Function *operator->() const { return Copy; }

private:
  Module &M;
  GlobalVariable *LastGlobal;
  Function *LastFunction;
  Function *Copy;
};
} // namespace

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

/// Abstractly run a simplified wrapper: arg 0 is the awaiter (alloca
/// \p Awaiter of W at \p AwaiterOffset), arg 1 W's frame. \p HandleSlot says
/// which awaiter offsets hold C's handle.
static WrapperEffect
interpretWrapper(Function &Wrapper,
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

//===----------------------------------------------------------------------===//
// Facts of a coroutine: its start and its promise stores.
//===----------------------------------------------------------------------===//

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

/// Is \p St overwritten by a later store of the same bytes on every path,
/// before anything could read them (optional::emplace clearing its flag
/// before setting it)? Such a store never shows.
static bool isOverwrittenLater(StoreInst &St, const CoroShape &S,
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
static std::string startEffect(Instruction &I, const CoroShape &S) {
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
      if (isAwaitSuspend(II->getIntrinsicID())) {
        auto *Wrapper = dyn_cast<Function>(II->getArgOperand(2));
        if (II->getIntrinsicID() != Intrinsic::coro_await_suspend_void)
          return Describe("its first suspend transfers control");
        if (!Wrapper)
          return Describe("its first await_suspend is not visible");
        WrapperEffect E = interpretWrapper(*Wrapper, [](int64_t) {
          return false;
        });
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

/// Blocks of the start: from the entry, not following any suspend point's
/// resume edge (the destroy edge of an unstarted coroutine is included).

static CoroFacts computeFacts(const CoroShape &S) {
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
        Facts.StartEffect = startEffect(I, S);
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
      Intrinsic::ID ID = CB->getIntrinsicID();
      if (isAwaitSuspend(ID)) {
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
                       interpretWrapper(*Wrapper, [](int64_t) {
                         return false;
                       }).ReadsFrame))
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

/// Facts of coroutine \p C, read on a simplified copy.
static std::optional<CoroFacts> factsOf(Function &C) {
  if (!getShape(C))
    return std::nullopt;
  ValueToValueMapTy VMap;
  ScratchCopy Copy(C, VMap, CopyScope::StartAndPromise);
  std::optional<CoroFacts> Facts;
  if (std::optional<CoroShape> S = getShape(*Copy))
    Facts = computeFacts(*S);
  return Facts;
}

//===----------------------------------------------------------------------===//
// The wrapper.
//===----------------------------------------------------------------------===//

namespace {

class WrapperMatcher {
public:
  /// \p S: the shape of a simplified copy of the wrapper. \p FactsCache:
  /// facts of awaited coroutines, shared between wrappers.
  WrapperMatcher(const CoroShape &S,
                 DenseMap<Function *, std::optional<CoroFacts>> &FactsCache)
      : S(S), W(*S.F), DT(W), FactsCache(FactsCache) {}

  /// Is W shaped like a single-await wrapper at all (worth a remark)?
  bool isCandidate();
  /// Prove the rewrite unobservable; false with Why set otherwise.
  bool prove();
  /// Turn \p Original (of which W is the simplified copy) into
  /// `C(ret, args)`; returns the functions it no longer uses (its
  /// await_suspend wrappers).
  SmallVector<Function *, 4> rewrite(Function &Original);

  Function *callee() const { return Callee; }
  CallBase *call() const { return Call; }
  std::string Why;

private:
  bool fail(const Twine &Reason) {
    if (Why.empty())
      Why = Reason.str();
    return false;
  }
  bool proveCallee();
  bool proveCalleeStart();
  bool proveStructure();
  void computeHandles();
  bool isHandleSlot(const AllocaInst *A, int64_t Offset) const;
  bool proveAwaitProtocol();
  bool proveEffects();
  bool proveInstruction(Instruction &I, bool BeforeCall);
  bool provePromiseStore(Instruction &I, const Place &P, uint64_t Size,
                         Value *Stored);
  bool proveHandlerCall(CallBase &CB, Function &F, unsigned Depth);
  bool materializable(Value *V, unsigned Depth, std::string &Problem);
  Value *materialize(Value *V, IRBuilder<> &B, ValueToValueMapTy &VMap);

  const CoroShape &S;
  Function &W;
  DominatorTree DT;
  DenseMap<Function *, std::optional<CoroFacts>> &FactsCache;
  PostDominatorTree PDT{W};
  SmallVector<CallBase *, 2> BeginCatches;
  CallBase *Call = nullptr;
  Function *Callee = nullptr;
  std::optional<CoroFacts> Facts;
  AllocaInst *Task = nullptr;
  CoroSuspendInst *Await = nullptr;
  CallBase *AwaitSuspend = nullptr;
  SmallVector<CoroSuspendInst *, 2> Finals;
  SmallPtrSet<const BasicBlock *, 16> BeforeCall;
  SmallPtrSet<const Value *, 8> Handles;
  int64_t HandoffOffset = 0;
  BasicBlock *ResumeAfterAwait = nullptr;
};

} // namespace

/// The await_suspend intrinsic that belongs to suspend \p Sp.
static CallBase *awaitSuspendOf(CoroSuspendInst *Sp) {
  auto *Save = dyn_cast<CoroSaveInst>(Sp->getArgOperand(0));
  if (!Save)
    return nullptr;
  for (Instruction *I = Save->getNextNode(); I; I = I->getNextNode()) {
    if (auto *CB = dyn_cast<CallBase>(I)) {
      Intrinsic::ID ID = CB->getIntrinsicID();
      if (isAwaitSuspend(ID))
        return CB;
    }
    if (I == Sp)
      return nullptr;
  }
  return nullptr;
}

/// A call that makes the task a wrapper may await: of a presplit coroutine
/// (or a forwarder, or a declaration returning W's task type), the task
/// returned through sret.
static bool makesTask(const CallBase &CB, Type *WrapperTask) {
  const Function *Callee = CB.getCalledFunction();
  if (!Callee || CB.arg_empty() || !CB.paramHasAttr(0, Attribute::StructRet))
    return false;
  if (Callee->isPresplitCoroutine() || Callee->getMetadata(ForwarderKind))
    return true;
  return Callee->isDeclaration() &&
         CB.getParamStructRetType(0) == WrapperTask;
}

/// The parts of a single-await wrapper: the one call that makes a task, the
/// one suspend after it (another, the initial one, may come first) and the
/// final suspends. The same test decides on the wrapper as written (before
/// its scratch copy is made) and on the copy.
struct SingleAwait {
  CallBase *Call = nullptr;
  CoroSuspendInst *Await = nullptr;
  SmallVector<CoroSuspendInst *, 2> Finals;
};

static std::optional<SingleAwait> findSingleAwait(Function &W,
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

/// Why \p W cannot become a call of what \p Call calls, from the call and
/// its callee alone (empty: no such reason). Also asked before the scratch
/// copy of W is made, which these never need.
static std::string calleeProblem(const CallBase &Call, const Function &W) {
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
    Cached = FactsCache.try_emplace(Callee, factsOf(*Callee)).first;
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
        if (isAwaitSuspend(ID) &&
            II->getArgOperand(0) == P)
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
  WrapperEffect E = interpretWrapper(*Wrapper, [&](int64_t Off) {
    return isHandleSlot(AwaiterAlloca, *Awaiter.Offset + Off);
  });
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
    WrapperEffect FE = interpretWrapper(*FW, [](int64_t) { return false; });
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
        WrapperEffect IE = interpretWrapper(*IW, [](int64_t) { return false; });
        if (!IE.Problem.empty() || IE.Handoffs)
          return fail("at its initial suspend, " +
                      (IE.Problem.empty() ? std::string("a handle is stored")
                                          : IE.Problem));
      }
  return true;
}

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
      if (auto *CB = dyn_cast<CallBase>(&I))
        if (isAwaitSuspend(CB->getIntrinsicID()))
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

/// Functions callees first (a DFS post-order over direct calls), so that a
/// wrapper of a wrapper is looked at once the inner one is a forwarder.
static SmallVector<Function *, 32> calleesFirst(Module &M) {
  SmallVector<Function *, 32> Order;
  SmallPtrSet<Function *, 32> Seen;
  for (Function &Root : M) {
    if (Root.isDeclaration() || !Seen.insert(&Root).second)
      continue;
    SmallVector<std::pair<Function *, inst_iterator>, 16> Stack;
    Stack.push_back({&Root, inst_begin(Root)});
    while (!Stack.empty()) {
      auto &[F, It] = Stack.back();
      if (It == inst_end(*F)) {
        Order.push_back(F);
        Stack.pop_back();
        continue;
      }
      Instruction &I = *It++;
      auto *CB = dyn_cast<CallBase>(&I);
      Function *Callee = CB ? CB->getCalledFunction() : nullptr;
      if (Callee && !Callee->isDeclaration() && Seen.insert(Callee).second)
        Stack.push_back({Callee, inst_begin(*Callee)});
    }
  }
  return Order;
}

/// Cheap test on the unsimplified function: could it be a wrapper?
static bool mayBeWrapper(Function &F) {
  if (!F.isPresplitCoroutine() || !F.getReturnType()->isVoidTy() ||
      F.arg_empty() || !F.getArg(0)->hasStructRetAttr())
    return false;
  Type *TaskTy = F.getParamStructRetType(0);
  unsigned Suspends = 0, Tasks = 0;
  for (Instruction &I : instructions(F)) {
    if (isa<CoroSuspendInst>(&I) && ++Suspends > 3)
      return false;
    if (auto *CB = dyn_cast<CallBase>(&I); CB && makesTask(*CB, TaskTy) &&
                                            ++Tasks > 1)
      return false;
  }
  return Tasks == 1;
}

/// The missed remark for wrapper \p F of \p Callee, kept for \p Why.
static void emitKept(Function &F, const Function &Callee, StringRef Why) {
  OptimizationRemarkEmitter(&F).emit([&] {
    return OptimizationRemarkMissed(WrapperRemarkPass, "WrapperKept", &F)
           << "wrapper " << ore::NV("Wrapper", demangle(F.getName()))
           << " kept (it awaits "
           << ore::NV("Callee", demangle(Callee.getName())) << "): "
           << ore::NV("Reason", Why);
  });
}

PreservedAnalyses CoroWrapperInlinePass::run(Module &M,
                                             ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  DenseMap<Function *, std::optional<CoroFacts>> FactsCache;
  SmallVector<Function *, 8> Dead;
  bool Changed = false;
  // The order matters only between candidates (a wrapper of a wrapper): with
  // fewer than two, no walk over every call of the module for it.
  SmallVector<Function *, 32> Candidates;
  for (Function &F : M)
    if (!F.isDeclaration() && mayBeWrapper(F))
      Candidates.push_back(&F);
  if (Candidates.size() > 1) {
    SmallPtrSet<Function *, 32> IsCandidate(Candidates.begin(),
                                            Candidates.end());
    Candidates.clear();
    for (Function *F : calleesFirst(M))
      if (IsCandidate.contains(F))
        Candidates.push_back(F);
  }
  for (Function *F : Candidates) {
    // What the wrapper as written already decides spares the scratch copy
    // (the costly part of the pass): the copy only inlines functions that
    // are not coroutines, so it has the same suspends and the same call of
    // the awaited coroutine, with its callee, types and attributes.
    std::optional<SingleAwait> Written = findSingleAwait(*F, DominatorTree(*F));
    if (!Written)
      continue;
    if (std::string Problem = calleeProblem(*Written->Call, *F);
        !Problem.empty()) {
      emitKept(*F, *Written->Call->getCalledFunction(), Problem);
      continue;
    }
    ValueToValueMapTy VMap;
    ScratchCopy Copy(*F, VMap);
    std::optional<CoroShape> S = getShape(*Copy);
    std::optional<WrapperMatcher> Matcher;
    if (S)
      Matcher.emplace(*S, FactsCache);
    if (!Matcher || !Matcher->isCandidate())
      continue;
    WrapperMatcher &Mt = *Matcher;
    OptimizationRemarkEmitter ORE(F);
    Function *C = Mt.callee();
    if (!Mt.prove()) {
      emitKept(*F, *C, Mt.Why);
    } else if (shouldTransform([&] {
                 return "wrapper-inline: make " + quoted(*F) + " return " +
                        quoted(*C) + "'s task";
               })) {
      ORE.emit([&] {
        return OptimizationRemark(WrapperRemarkPass, "WrapperInlined", F)
               << "wrapper " << ore::NV("Wrapper", demangle(F->getName()))
               << " now returns the task of "
               << ore::NV("Callee", demangle(C->getName()))
               << " itself: its frame, allocation and suspend points are gone";
      });
      SmallVector<Function *, 4> Unused = Mt.rewrite(*F);
      FactsCache.erase(F);
      FAM.invalidate(*F, PreservedAnalyses::none());
      for (Function *U : Unused)
        if (!is_contained(Dead, U))
          Dead.push_back(U);
      Changed = true;
    }
  }
  ScratchSimplifier::reset();
  // Erased only now: the walk above still holds them.
  for (Function *U : Dead)
    if (U->use_empty()) {
      FAM.clear(*U, U->getName());
      U->eraseFromParent();
    }
  return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace corofo
