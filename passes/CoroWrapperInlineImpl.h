//===- CoroWrapperInlineImpl.h - coro-wrapper-inline parts ------*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// What the files of coro-wrapper-inline share and nothing else includes:
/// the facts it gathers about coroutines, the scratch copies it reads them
/// on, and the matcher that proves a wrapper transparent. The pass interface
/// is CoroWrapperInline.h; docs/wrapper-inline.md has the argument.
/// Vocabulary: W is the wrapper being looked at, C the coroutine it awaits,
/// "start" the part of a coroutine that runs when it is called (up to its
/// first suspend) or destroyed unstarted.
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROWRAPPERINLINEIMPL_H
#define COROFRAMEOPT_PASSES_COROWRAPPERINLINEIMPL_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Analysis/PostDominators.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Transforms/Coroutines/CoroInstr.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace corofo {
namespace wrapperinline {

//===----------------------------------------------------------------------===//
// The shape of a presplit coroutine (CoroWrapperInlineShape.cpp).
//===----------------------------------------------------------------------===//

/// A store into a coroutine's promise made after its start.
struct PromiseStore {
  int64_t Offset;
  uint64_t Size;
  llvm::Constant *Value; ///< Null: not a constant.
};

/// What a wrapper needs to know about the coroutine it awaits.
struct CoroFacts {
  llvm::StructType *Promise = nullptr;
  int64_t PromiseOffset = 0;
  /// Empty when the start has no effect; else the first effect.
  std::string StartEffect;
  llvm::SmallVector<PromiseStore, 8> Stores;
  /// Promise bytes read after the start (offset, size; the whole promise
  /// when an await_suspend reads the frame): where C could look up whoever
  /// awaits it before it finishes.
  llvm::SmallVector<std::pair<int64_t, uint64_t>, 8> Reads;
};

/// The fixed parts of a presplit switch-ABI coroutine.
struct CoroShape {
  llvm::Function *F = nullptr;
  llvm::IntrinsicInst *Id = nullptr;
  llvm::IntrinsicInst *Begin = nullptr;
  llvm::AllocaInst *Promise = nullptr;
  int64_t PromiseOffset = 0;
  uint64_t PromiseSize = 0;
  /// Blocks that only allocate or free the frame (not effects).
  llvm::SmallPtrSet<const llvm::BasicBlock *, 8> FrameMemory;
};

/// Where a pointer points, as far as these checks care.
enum class Region {
  Local,    ///< an alloca of the function (W's frame after the split)
  Frame,    ///< the coroutine frame itself (coro.begin based), Offset known
  Sret,     ///< the function's return object
  Callee,   ///< C's frame (a handle loaded from C's task)
  ByVal,    ///< a byval parameter (the callee's own copy)
  Constant, ///< a constant global
  Unknown
};

struct Place {
  Region R = Region::Unknown;
  std::optional<int64_t> Offset;
  const llvm::Value *Base = nullptr;
};

/// `'f(int)'`: \p F's demangled name, quoted.
std::string quoted(const llvm::Function &F);

/// ` (task.h:286)`: inlined promise code has its header's location.
std::string lineOf(const llvm::Instruction &I);

/// Blocks reachable from \p From without entering \p Stop.
void collectUntil(llvm::BasicBlock *From, const llvm::BasicBlock *Stop,
                  llvm::SmallPtrSetImpl<const llvm::BasicBlock *> &Out);

/// The shape of \p F if it is a presplit switch-ABI coroutine with a struct
/// promise whose frame memory blocks hold no coroutine code.
std::optional<CoroShape> getShape(llvm::Function &F);

/// Classify \p P. \p Handles: values known to be C's frame pointer.
Place classify(const llvm::Value *P, const CoroShape &S,
               const llvm::SmallPtrSetImpl<const llvm::Value *> *Handles);

/// Whether \p P, \p Size bytes, may overlap the promise of \p S.
bool inPromise(const Place &P, uint64_t Size, const CoroShape &S);

/// The exception runtime calls a promise's exception handling consists of:
/// reference counts and the current exception, nothing a caller can see.
bool isExceptionRuntime(const llvm::Function &F);

/// Intrinsics that are not effects: coroutine structure, markers, pure.
bool isHarmlessIntrinsic(const llvm::CallBase &II);

//===----------------------------------------------------------------------===//
// Scratch copies (CoroWrapperInlineScratch.cpp) and the await_suspend
// wrappers read on them (CoroWrapperInlineAwait.cpp).
//===----------------------------------------------------------------------===//

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

/// The pipeline that simplifies scratch copies. One per run of the pass,
/// handed to all that makes copies: building analysis managers for every
/// copy cost more than the copy, and modules differ, so do their cached
/// module analyses.
class ScratchSimplifier {
public:
  ScratchSimplifier();
  ~ScratchSimplifier();
  ScratchSimplifier(const ScratchSimplifier &) = delete;
  ScratchSimplifier &operator=(const ScratchSimplifier &) = delete;
  /// Simplify \p F; \p Small: the shorter pipeline (an await_suspend
  /// wrapper).
  void run(llvm::Function &F, bool Small = false);

private:
  struct Pipelines;
  /// Made on first use: a run of the pass that makes no copy builds none.
  std::unique_ptr<Pipelines> P;
};

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

/// A wrapper whose code, its calls inlined, grows past this many
/// instructions is kept unread: every wrapper the tests and the corpus turn
/// into a forwarder stays under 400, and simplifying a copy ten times that
/// (a test-framework macro around the co_await, with its reporting) cost
/// more than the rest of the pass.
inline constexpr size_t MaxWrapperInstructions = 3000;

/// A simplified copy of a function (makeSimplifiedCopy) that is erased with
/// all that its simplification added to the module and nothing uses any
/// more (declarations, constant strings of folded library calls), so that
/// looking leaves the module as it was.
class ScratchCopy {
public:
  ScratchCopy(llvm::Function &F, llvm::ValueToValueMapTy &VMap,
              ScratchSimplifier &Simplifier,
              CopyScope Scope = CopyScope::Everything);
  ScratchCopy(const ScratchCopy &) = delete;
  ScratchCopy &operator=(const ScratchCopy &) = delete;
  ~ScratchCopy();
  llvm::Function &operator*() const { return *Copy; }
  llvm::Function *operator->() const { return Copy; }
  /// A wrapper's copy (CopyScope::Everything) that grew past
  /// MaxWrapperInstructions: inlining stopped there and it is not
  /// simplified.
  bool tooLarge() const { return TooLarge; }

private:
  llvm::Module &M;
  llvm::GlobalVariable *LastGlobal;
  llvm::Function *LastFunction;
  bool TooLarge = false;
  llvm::Function *Copy;
};

/// Blocks of the start: from the entry, not following any suspend point's
/// resume edge (the destroy edge of an unstarted coroutine is included).
std::vector<llvm::BasicBlock *> startBlocksOf(llvm::Function &F);

/// Abstractly run a simplified copy of await_suspend wrapper \p Wrapper
/// (made with \p Simplifier): arg 0 is the awaiter, arg 1 W's frame.
/// \p HandleSlot says which awaiter offsets hold C's handle.
WrapperEffect interpretWrapper(llvm::Function &Wrapper,
                               llvm::function_ref<bool(int64_t)> HandleSlot,
                               ScratchSimplifier &Simplifier);

//===----------------------------------------------------------------------===//
// Facts of an awaited coroutine (CoroWrapperInlineFacts.cpp).
//===----------------------------------------------------------------------===//

/// Is \p St overwritten by a later store of the same bytes on every path,
/// before anything could read them (optional::emplace clearing its flag
/// before setting it)? Such a store never shows.
bool isOverwrittenLater(llvm::StoreInst &St, const CoroShape &S,
                        const llvm::PostDominatorTree &PDT);

/// Facts of coroutine \p C, read on a simplified copy.
std::optional<CoroFacts> factsOf(llvm::Function &C,
                                 ScratchSimplifier &Simplifier);

//===----------------------------------------------------------------------===//
// The wrapper (CoroWrapperInlineMatcher.cpp, CoroWrapperInlineEffects.cpp).
//===----------------------------------------------------------------------===//

/// A call that makes the task a wrapper may await: of a presplit coroutine
/// (or a forwarder, or a declaration returning W's task type), the task
/// returned through sret.
bool makesTask(const llvm::CallBase &CB, llvm::Type *WrapperTask);

/// The parts of a single-await wrapper: the one call that makes a task, the
/// one suspend after it (another, the initial one, may come first) and the
/// final suspends. The same test decides on the wrapper as written (before
/// its scratch copy is made) and on the copy.
struct SingleAwait {
  llvm::CallBase *Call = nullptr;
  llvm::CoroSuspendInst *Await = nullptr;
  llvm::SmallVector<llvm::CoroSuspendInst *, 2> Finals;
};

std::optional<SingleAwait> findSingleAwait(llvm::Function &W,
                                           const llvm::DominatorTree &DT);

/// Why \p W cannot become a call of what \p Call calls, from the call and
/// its callee alone (empty: no such reason). Also asked before the scratch
/// copy of W is made, which these never need.
std::string calleeProblem(const llvm::CallBase &Call, const llvm::Function &W);

class WrapperMatcher {
public:
  /// \p S: the shape of a simplified copy of the wrapper. \p FactsCache:
  /// facts of awaited coroutines, shared between wrappers. \p Simplifier:
  /// the run's, for the copies the matcher makes.
  WrapperMatcher(
      const CoroShape &S,
      llvm::DenseMap<llvm::Function *, std::optional<CoroFacts>> &FactsCache,
      ScratchSimplifier &Simplifier)
      : S(S), W(*S.F), DT(W), FactsCache(FactsCache), Simplifier(Simplifier) {
  }

  /// Is W shaped like a single-await wrapper at all (worth a remark)?
  bool isCandidate();
  /// Prove the rewrite unobservable; false with Why set otherwise.
  bool prove();
  /// Turn \p Original (of which W is the simplified copy) into
  /// `C(ret, args)`; returns the functions it no longer uses (its
  /// await_suspend wrappers).
  llvm::SmallVector<llvm::Function *, 4> rewrite(llvm::Function &Original);

  llvm::Function *callee() const { return Callee; }
  llvm::CallBase *call() const { return Call; }
  std::string Why;

private:
  bool fail(const llvm::Twine &Reason) {
    if (Why.empty())
      Why = Reason.str();
    return false;
  }
  bool proveCallee();
  bool proveCalleeStart();
  bool proveStructure();
  void computeHandles();
  bool isHandleSlot(const llvm::AllocaInst *A, int64_t Offset) const;
  bool proveAwaitProtocol();
  bool proveEffects();
  bool proveInstruction(llvm::Instruction &I, bool BeforeCall);
  bool provePromiseStore(llvm::Instruction &I, const Place &P, uint64_t Size,
                         llvm::Value *Stored);
  bool proveHandlerCall(llvm::CallBase &CB, llvm::Function &F, unsigned Depth);
  bool materializable(llvm::Value *V, unsigned Depth, std::string &Problem);
  llvm::Value *materialize(llvm::Value *V, llvm::IRBuilder<> &B,
                           llvm::ValueToValueMapTy &VMap);

  const CoroShape &S;
  llvm::Function &W;
  llvm::DominatorTree DT;
  llvm::DenseMap<llvm::Function *, std::optional<CoroFacts>> &FactsCache;
  ScratchSimplifier &Simplifier;
  llvm::PostDominatorTree PDT{W};
  llvm::SmallVector<llvm::CallBase *, 2> BeginCatches;
  llvm::CallBase *Call = nullptr;
  llvm::Function *Callee = nullptr;
  std::optional<CoroFacts> Facts;
  llvm::AllocaInst *Task = nullptr;
  llvm::CoroSuspendInst *Await = nullptr;
  llvm::CallBase *AwaitSuspend = nullptr;
  llvm::SmallVector<llvm::CoroSuspendInst *, 2> Finals;
  llvm::SmallPtrSet<const llvm::BasicBlock *, 16> BeforeCall;
  llvm::SmallPtrSet<const llvm::Value *, 8> Handles;
  int64_t HandoffOffset = 0;
  llvm::BasicBlock *ResumeAfterAwait = nullptr;
};

} // namespace wrapperinline
} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROWRAPPERINLINEIMPL_H
