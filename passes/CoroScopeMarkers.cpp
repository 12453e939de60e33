//===- CoroScopeMarkers.cpp - Object scopes recorded before CoroSplit -----===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// See CoroScopeMarkers.h. Which allocas of a presplit switch-ABI coroutine
/// get tags: every one whose address the walk below can follow (through
/// GEPs, casts, phis and selects to loads, stores, calls, memory intrinsics
/// and escapes); which get start and end markers: those whose address also
/// escapes (is captured by a call, stored, converted, returned) and that
/// have lifetime markers. An alloca whose address is used in a way the walk
/// does not know gets no tags at all: after the split its accesses and
/// escapes are untagged, so the analysis keeps its field whole and, if it
/// escapes, live everywhere, as before.
//===----------------------------------------------------------------------===//

#include "CoroScopeMarkers.h"

#include "ChangedFunctions.h"
#include "CoroFrameAnalysis.h"
#include "ScopeMarkerFormat.h"
#include "TransformBisect.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Debug.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Coroutines/CoroInstr.h"

using namespace llvm;

#define DEBUG_TYPE "coro-record-scopes"

STATISTIC(NumObjectsRecorded, "Objects of presplit coroutines given scope tags");
STATISTIC(NumScopeMarkers, "Scope start and end markers written");
STATISTIC(NumTagConflicts, "Tags dropped: two objects claimed one operand");
STATISTIC(NumFunctionsStripped, "Functions whose leftover markers were removed");
STATISTIC(NumElidedFramesScoped,
          "Elided callee frames scoped from their ramp to their destroy");

namespace corofo {

namespace {

/// How an alloca's address is used, from a walk over its derived pointers.
struct AddressUses {
  /// (instruction, operand) pairs that read, write or pass on the object.
  SmallVector<std::pair<Instruction *, unsigned>, 8> Accesses;
  /// How many uses let the address escape.
  unsigned Escapes = 0;
  SmallVector<IntrinsicInst *, 2> Starts, Ends;
  /// A use the walk does not follow (bundle, callee, ...).
  bool Unknown = false;
  /// Some uses go through a merge with another object's address (untagged).
  bool Merged = false;
};

} // namespace

/// True if every object \p V may point into is \p AI or no alloca at all
/// (e.g. a heap pointer a std::string selects instead of its own buffer).
static bool pointsOnlyInto(const Value *V, const AllocaInst &AI) {
  SmallVector<const Value *, 4> Objects;
  getUnderlyingObjects(V, Objects);
  return all_of(Objects, [&](const Value *O) {
    return O == &AI || !isa<AllocaInst>(O);
  });
}

static AddressUses collectAddressUses(AllocaInst &AI) {
  AddressUses R;
  SmallVector<Value *, 8> Work{&AI};
  SmallPtrSet<Value *, 8> Seen{&AI};
  // Uses through a merge with another alloca's address get no tag: the tag
  // could not say whose they are (after the split such a merge of two frame
  // objects makes both live everywhere anyway).
  SmallPtrSet<Value *, 8> Ambiguous;
  auto access = [&](Value *V, Instruction *I, unsigned OpNo, bool Escapes) {
    if (!Ambiguous.contains(V))
      R.Accesses.push_back({I, OpNo});
    R.Escapes += Escapes;
  };
  while (!Work.empty() && !R.Unknown) {
    Value *V = Work.pop_back_val();
    for (Use &U : V->uses()) {
      auto *I = cast<Instruction>(U.getUser());
      if (isa<GetElementPtrInst>(I) || isa<BitCastInst>(I) ||
          isa<AddrSpaceCastInst>(I) || isa<PHINode>(I) || isa<SelectInst>(I)) {
        if (!Seen.insert(I).second)
          continue;
        if (Ambiguous.contains(V) || ((isa<PHINode>(I) || isa<SelectInst>(I)) &&
                                      !pointsOnlyInto(I, AI))) {
          Ambiguous.insert(I);
          R.Merged = true;
        }
        Work.push_back(I);
        continue;
      }
      if (isa<ICmpInst>(I))
        continue;
      if (isa<LoadInst>(I)) {
        access(V, I, U.getOperandNo(), false);
        continue;
      }
      if (auto *SI = dyn_cast<StoreInst>(I)) {
        access(V, SI, U.getOperandNo(),
               U.getOperandNo() != StoreInst::getPointerOperandIndex());
        continue;
      }
      if (auto *II = dyn_cast<IntrinsicInst>(I)) {
        if (II->isLifetimeStartOrEnd()) {
          // Only markers on the whole alloca describe its scope.
          if (V != &AI)
            continue;
          (II->getIntrinsicID() == Intrinsic::lifetime_start ? R.Starts
                                                              : R.Ends)
              .push_back(II);
          continue;
        }
        if (isa<DbgInfoIntrinsic>(II))
          continue;
        if (isa<AnyMemIntrinsic>(II)) {
          access(V, II, U.getOperandNo(), false);
          continue;
        }
      }
      if (auto *CB = dyn_cast<CallBase>(I)) {
        if (CB->isCallee(&U) || !CB->isArgOperand(&U)) {
          R.Unknown = true;
          break;
        }
        access(V, CB, U.getOperandNo(),
               !CB->doesNotCapture(CB->getArgOperandNo(&U)));
        continue;
      }
      if (isa<PtrToIntInst>(I) || isa<ReturnInst>(I) ||
          isa<InsertValueInst>(I)) {
        access(V, I, U.getOperandNo(), true);
        continue;
      }
      R.Unknown = true;
      break;
    }
  }
  return R;
}

// --- Elided callee frames -------------------------------------------------
//
// A frame that CoroAnnotationElide (HALO) or CoroElide put into this
// coroutine is an alloca without lifetime markers, so it would stay open from
// its first escape to the end: live in every state after its ramp, and,
// through the reads of its callee's inlined code, in every state before it.
// But its bytes mean nothing before the callee's inlined ramp initialises
// them, and nothing after the callee's destroy (or cleanup) function
// returns: the coroutine state is gone, and C++ defines no access to it. So
// its scope is written from a point before every access to just after each
// call that destroys it, when the placement provably holds on every path.

namespace {

/// A control-flow edge: a terminator and the number of its successor.
using Edge = std::pair<Instruction *, unsigned>;

/// Where an elided frame's markers go: a start marker before StartBefore, an
/// end marker after each of EndAfter and on each of EndOnEdge (at the start
/// of its successor when the edge is its only way in, else in a block that
/// splits the edge).
struct SyntheticScope {
  Instruction *StartBefore = nullptr;
  /// Destroys by call (not an invoke): the marker follows the call.
  SmallVector<Instruction *, 2> EndAfter;
  /// The normal edges of destroys by invoke, and the edges a test of the
  /// frame's address against null takes when it is null.
  SmallVector<Edge, 2> EndOnEdge;
  /// Those null edges: never taken (a pointer that can only be the frame,
  /// see isFrame, is never null), so the check below follows no path
  /// through them; their end markers only keep the analysis after the
  /// split from seeing the frame open there.
  SmallVector<Edge, 2> NeverTaken;
  /// The calls that destroy the frame (also those through a pointer to it
  /// loaded from memory, which are no uses of the alloca).
  SmallVector<CallBase *, 2> Destroys;
};

} // namespace

/// The split coroutine (its mangled name) whose frame \p AI is when an
/// inlined ramp stores that coroutine's resume function at \p AI's start;
/// empty otherwise.
static StringRef elidedCallee(const AllocaInst &AI, const AddressUses &U) {
  for (auto &[I, OpNo] : U.Accesses) {
    auto *SI = dyn_cast<StoreInst>(I);
    if (!SI || OpNo != StoreInst::getPointerOperandIndex() ||
        SI->getPointerOperand()->stripPointerCasts() != &AI)
      continue;
    auto *Fn = dyn_cast<Function>(SI->getValueOperand()->stripPointerCasts());
    if (Fn && Fn->getName().ends_with(".resume"))
      return Fn->getName().drop_back(StringRef(".resume").size());
  }
  return "";
}

/// Whether \p Holder, a local object (say the task a co_await awaits), can
/// only ever hold \p Frame in its first pointer: its only stores store
/// exactly that there, and its address goes nowhere but to loads, lifetime
/// markers, and calls (an await_suspend wrapper among them) that neither
/// write through it nor keep it.
static bool holdsOnly(const AllocaInst &Holder, const AllocaInst &Frame) {
  for (const Use &U : Holder.uses()) {
    const auto *I = cast<Instruction>(U.getUser());
    if (isa<LoadInst>(I))
      continue;
    if (const auto *SI = dyn_cast<StoreInst>(I)) {
      if (U.getOperandNo() != StoreInst::getPointerOperandIndex() ||
          SI->getValueOperand()->stripPointerCasts() != &Frame)
        return false;
      continue;
    }
    if (const auto *II = dyn_cast<IntrinsicInst>(I);
        II && (II->isLifetimeStartOrEnd() || isa<DbgInfoIntrinsic>(II)))
      continue;
    if (const auto *Await = dyn_cast<CoroAwaitSuspendInst>(I)) {
      const auto *Wrapper = dyn_cast<Function>(Await->getWrapperFunction());
      if (U.getOperandNo() != 0 || !Wrapper || Wrapper->arg_size() < 1 ||
          !Wrapper->getArg(0)->onlyReadsMemory() ||
          !Wrapper->getArg(0)->hasNoCaptureAttr())
        return false;
      continue;
    }
    const auto *CB = dyn_cast<CallBase>(I);
    if (!CB || !CB->isArgOperand(&U) ||
        !CB->onlyReadsMemory(CB->getArgOperandNo(&U)) ||
        !CB->doesNotCapture(CB->getArgOperandNo(&U)))
      return false;
  }
  return true;
}

/// Whether \p V is the frame \p AI: its address itself, the pointer loaded
/// from a local object that can only hold that address, or a phi or select
/// of such values.
static bool isFrame(const Value *V, const AllocaInst &AI) {
  SmallVector<const Value *, 4> Work{V};
  SmallPtrSet<const Value *, 8> Seen;
  while (!Work.empty()) {
    const Value *W = Work.pop_back_val()->stripPointerCasts();
    if (W == &AI || !Seen.insert(W).second)
      continue;
    if (const auto *Phi = dyn_cast<PHINode>(W)) {
      append_range(Work, Phi->incoming_values());
      continue;
    }
    if (const auto *Sel = dyn_cast<SelectInst>(W)) {
      Work.push_back(Sel->getTrueValue());
      Work.push_back(Sel->getFalseValue());
      continue;
    }
    const auto *LI = dyn_cast<LoadInst>(W);
    const auto *Holder =
        LI ? dyn_cast<AllocaInst>(LI->getPointerOperand()) : nullptr;
    if (!Holder || Holder == &AI || !LI->getType()->isPointerTy() ||
        !holdsOnly(*Holder, AI) || Seen.size() > 32)
      return false;
  }
  return true;
}

/// Whether \p CB destroys the coroutine whose frame is \p AI: a call of
/// \p Callee's destroy or cleanup function, directly or through the pointer
/// `llvm.coro.subfn.addr` loads from that very frame, with the frame (see
/// isFrame) as its argument.
static bool destroysFrame(const CallBase &CB, const AllocaInst &AI,
                          StringRef Callee) {
  if (CB.arg_size() != 1 || !isFrame(CB.getArgOperand(0), AI))
    return false;
  const Value *Target = CB.getCalledOperand()->stripPointerCasts();
  if (const auto *Fn = dyn_cast<Function>(Target)) {
    StringRef Name = Fn->getName();
    return Name.consume_front(Callee) &&
           (Name == ".destroy" || Name == ".cleanup");
  }
  const auto *Sub = dyn_cast<CoroSubFnInst>(Target);
  return Sub && isFrame(Sub->getFrame(), AI) &&
         (Sub->getIndex() == CoroSubFnInst::DestroyIndex ||
          Sub->getIndex() == CoroSubFnInst::CleanupIndex);
}

namespace {
/// Whether the scope may be open at a program point: on no path yet
/// (Unreached), closed or not yet opened on every path (Closed), open on
/// every path (Open), or it depends on the path (Mixed).
enum class ScopeState : uint8_t { Unreached, Closed, Open, Mixed };
} // namespace

static ScopeState join(ScopeState A, ScopeState B) {
  if (A == ScopeState::Unreached)
    return B;
  if (B == ScopeState::Unreached || A == B)
    return A;
  return ScopeState::Mixed;
}

/// True if, with markers at \p S, every access in \p U happens where the
/// scope is open on every path, and every start marker is reached only where
/// it is closed on every path (so a start never cuts a live frame short).
static bool scopeHolds(Function &F, const AddressUses &U,
                       const SyntheticScope &S) {
  enum : uint8_t { Access = 1, Start = 2, EndAfter = 4 };
  DenseMap<const Instruction *, uint8_t> Events;
  for (auto &[I, OpNo] : U.Accesses)
    Events[I] |= Access;
  for (CallBase *CB : S.Destroys)
    Events[CB] |= Access;
  Events[S.StartBefore] |= Start;
  for (Instruction *E : S.EndAfter)
    Events[E] |= EndAfter;
  // Only blocks with an event are walked (most have none).
  BitVector EventBlocks(F.getMaxBlockNumber());
  for (auto &[I, Ev] : Events)
    EventBlocks.set(I->getParent()->getNumber());
  // Runs \p BB from \p State; false if a requirement fails on the way.
  auto runBlock = [&](const BasicBlock &BB, ScopeState &State) {
    if (!EventBlocks.test(BB.getNumber()))
      return true;
    for (const Instruction &I : BB) {
      uint8_t Ev = Events.lookup(&I);
      if (Ev & Start) {
        if (State != ScopeState::Closed)
          return false;
        State = ScopeState::Open;
      }
      if ((Ev & Access) && State != ScopeState::Open)
        return false;
      if (Ev & EndAfter)
        State = ScopeState::Closed;
    }
    return true;
  };
  std::vector<ScopeState> In(F.getMaxBlockNumber(), ScopeState::Unreached);
  In[F.getEntryBlock().getNumber()] = ScopeState::Closed;
  SmallVector<const BasicBlock *, 16> Work{&F.getEntryBlock()};
  while (!Work.empty()) {
    const BasicBlock *BB = Work.pop_back_val();
    ScopeState State = In[BB->getNumber()];
    if (!runBlock(*BB, State))
      return false;
    const Instruction *Term = BB->getTerminator();
    for (unsigned K = 0, E = Term->getNumSuccessors(); K < E; ++K) {
      const BasicBlock *Succ = Term->getSuccessor(K);
      auto IsThis = [&](const Edge &Ed) {
        return Ed.first == Term && Ed.second == K;
      };
      if (any_of(S.NeverTaken, IsThis))
        continue;
      bool Ends = any_of(S.EndOnEdge, IsThis);
      ScopeState &SuccIn = In[Succ->getNumber()];
      ScopeState Joined = join(SuccIn, Ends ? ScopeState::Closed : State);
      if (Joined != SuccIn) {
        SuccIn = Joined;
        Work.push_back(Succ);
      }
    }
  }
  return true;
}

/// What of a function the scopes of its elided frames depend on, found in
/// one walk over it.
struct DestroySites {
  /// The calls that may destroy a coroutine: through a pointer that
  /// `llvm.coro.subfn.addr` loads, or of a destroy or cleanup clone.
  SmallVector<CallBase *, 8> Calls;
  /// Branches on a pointer compared with null, and the edge taken when it is.
  SmallVector<std::pair<const Value *, Edge>, 8> NullTests;
};

/// \p Candidates: the function's conditional branches and one-argument
/// calls, in program order.
static DestroySites findDestroySites(ArrayRef<Instruction *> Candidates) {
  DestroySites D;
  for (Instruction *I : Candidates) {
    if (auto *Br = dyn_cast<BranchInst>(I); Br && Br->isConditional()) {
      auto *Cmp = dyn_cast<ICmpInst>(Br->getCondition());
      if (Cmp && Cmp->isEquality() &&
          isa<ConstantPointerNull>(Cmp->getOperand(1)))
        D.NullTests.push_back(
            {Cmp->getOperand(0),
             {Br, Cmp->getPredicate() == ICmpInst::ICMP_EQ ? 0u : 1u}});
      continue;
    }
    auto *CB = dyn_cast<CallBase>(I);
    if (!CB || CB->arg_size() != 1)
      continue;
    const Value *Target = CB->getCalledOperand()->stripPointerCasts();
    const auto *Fn = dyn_cast<Function>(Target);
    if (isa<CoroSubFnInst>(Target) ||
        (Fn && (Fn->getName().ends_with(".destroy") ||
                Fn->getName().ends_with(".cleanup"))))
      D.Calls.push_back(CB);
  }
  return D;
}

namespace {

/// The blocks a function's entry reaches, in the order a depth-first walk
/// first reaches them. Enough for the nearest common dominator of a set of
/// blocks when one of them dominates the others, as the block of an elided
/// frame's first access (its inlined ramp) usually does: CoroElide has just
/// dropped the cached dominator tree, and building one anew for every
/// coroutine was a tenth of this pass's samples on a file of 1000 coroutines.
class EntryReach {
public:
  explicit EntryReach(Function &F);
  bool reaches(const BasicBlock *BB) const {
    return Order[BB->getNumber()] != Unreached;
  }
  /// The one of \p Blocks (all reached) that dominates the others, or null
  /// if none does.
  BasicBlock *dominatingOneOf(ArrayRef<BasicBlock *> Blocks) const;

private:
  static constexpr unsigned Unreached = ~0u;
  Function &F;
  std::vector<unsigned> Order;
};

} // namespace

EntryReach::EntryReach(Function &F)
    : F(F), Order(F.getMaxBlockNumber(), Unreached) {
  unsigned Next = 0;
  SmallVector<BasicBlock *, 32> Work{&F.getEntryBlock()};
  Order[F.getEntryBlock().getNumber()] = Next++;
  // Numbered when pushed: a preorder of the walk's tree, which is all the
  // argument below needs (a block's dominators precede it on every path).
  while (!Work.empty())
    for (BasicBlock *Succ : successors(Work.pop_back_val()))
      if (Order[Succ->getNumber()] == Unreached) {
        Order[Succ->getNumber()] = Next++;
        Work.push_back(Succ);
      }
}

BasicBlock *EntryReach::dominatingOneOf(ArrayRef<BasicBlock *> Blocks) const {
  if (Blocks.empty())
    return nullptr;
  // A block that dominates the others is on every path to them, so every
  // walk from the entry numbers it first: only the lowest is a candidate.
  BasicBlock *Candidate = *min_element(Blocks, [&](auto *A, auto *B) {
    return Order[A->getNumber()] < Order[B->getNumber()];
  });
  if (Candidate->isEntryBlock())
    return Candidate;
  // It dominates them if a walk that never enters it reaches none of them.
  BitVector Seen(Order.size()), Wanted(Order.size());
  for (BasicBlock *BB : Blocks)
    Wanted.set(BB->getNumber());
  Wanted.reset(Candidate->getNumber());
  Seen.set(Candidate->getNumber());
  Seen.set(F.getEntryBlock().getNumber());
  SmallVector<BasicBlock *, 32> Work{&F.getEntryBlock()};
  while (!Work.empty()) {
    BasicBlock *BB = Work.pop_back_val();
    if (Wanted.test(BB->getNumber()))
      return nullptr;
    for (BasicBlock *Succ : successors(BB))
      if (!Seen.test(Succ->getNumber())) {
        Seen.set(Succ->getNumber());
        Work.push_back(Succ);
      }
  }
  return Candidate;
}

/// The scope of the elided frame \p AI (see above), or nothing when the
/// placement cannot be proved: an access through an address merged with
/// another object's, no destroy in this function, an access or start the
/// flow cannot show in scope. \p GetDT: the dominator tree, asked for only
/// when no block of an access dominates the others.
static std::optional<SyntheticScope>
planElidedFrameScope(AllocaInst &AI, const AddressUses &U, StringRef Callee,
                     const DestroySites &Sites, const EntryReach &Reach,
                     function_ref<DominatorTree &()> GetDT) {
  if (U.Merged)
    return std::nullopt;
  SyntheticScope S;
  SmallVector<BasicBlock *, 8> Blocks;
  for (auto &[I, OpNo] : U.Accesses)
    if (Reach.reaches(I->getParent()))
      Blocks.push_back(I->getParent());
  BasicBlock *Common = Reach.dominatingOneOf(Blocks);
  if (!Common && !Blocks.empty()) {
    DominatorTree &DT = GetDT();
    Common = Blocks.front();
    for (BasicBlock *BB : drop_begin(Blocks))
      Common = DT.findNearestCommonDominator(Common, BB);
  }
  for (CallBase *CB : Sites.Calls) {
    if (!Reach.reaches(CB->getParent()) || !destroysFrame(*CB, AI, Callee))
      continue;
    S.Destroys.push_back(CB);
    if (isa<InvokeInst>(CB))
      S.EndOnEdge.push_back({CB, 0});
    else
      S.EndAfter.push_back(CB);
  }
  if (!Common || S.Destroys.empty())
    return std::nullopt;
  for (auto &[V, E] : Sites.NullTests)
    if (isFrame(V, AI)) {
      S.EndOnEdge.push_back(E);
      S.NeverTaken.push_back(E);
    }
  S.StartBefore = Common->getTerminator();
  for (Instruction &I : *Common)
    if (any_of(U.Accesses, [&](auto &A) { return A.first == &I; })) {
      S.StartBefore = &I;
      break;
    }
  if (S.StartBefore->isEHPad() || !scopeHolds(*AI.getFunction(), U, S))
    return std::nullopt;
  return S;
}

/// The constant C string global \p Text (in llvm.metadata, as clang emits
/// annotation strings), created on first use.
static GlobalVariable *annotationString(Module &M, StringRef Text) {
  SmallString<32> Name(".");
  Name += Text;
  if (GlobalVariable *GV = M.getNamedGlobal(Name))
    if (annotationText(GV) == Text)
      return GV;
  Constant *Init = ConstantDataArray::getString(M.getContext(), Text);
  auto *GV = new GlobalVariable(M, Init->getType(), /*isConstant=*/true,
                                GlobalValue::PrivateLinkage, Init, Name);
  GV->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  GV->setSection("llvm.metadata");
  return GV;
}

namespace {

/// What one object's tags are made of, each made once for the object: the
/// constants of its id and size, by operand number the node of its
/// one-operand tags (most tags), and the argument attribute.
struct ObjectTag {
  ObjectTag(uint64_t Id, uint64_t Size, Metadata *IdMD, Metadata *SizeMD)
      : Id(Id), Size(Size), IdMD(IdMD), SizeMD(SizeMD) {}
  uint64_t Id, Size;
  Metadata *IdMD, *SizeMD;
  SmallDenseMap<unsigned, MDNode *, 4> Single;
  Attribute Argument;
};

} // namespace

/// Add (OpNo, Id, Size) to \p I's tag. An operand that another object's
/// walk tagged already (an address merged in a way the walks did not see)
/// is a conflict: the caller drops the whole tag. \p OpNoMD: the constant of
/// an operand number.
static void addTag(Instruction &I, unsigned OpNo, ObjectTag &T,
                   unsigned TagKindID,
                   function_ref<Metadata *(unsigned)> OpNoMD,
                   SmallPtrSetImpl<Instruction *> &Conflicts) {
  MDNode *OldNode = I.getMetadata(TagKindID);
  if (std::optional<ScopeTag> Old = OldNode ? scopeTagIn(*OldNode, OpNo)
                                            : argumentScopeTag(I, OpNo)) {
    if (Old->Id != T.Id)
      Conflicts.insert(&I);
    return;
  }
  LLVMContext &Ctx = I.getContext();
  if (!OldNode) {
    MDNode *&Node = T.Single[OpNo];
    if (!Node)
      Node = MDNode::get(Ctx, {OpNoMD(OpNo), T.IdMD, T.SizeMD});
    I.setMetadata(TagKindID, Node);
  } else {
    SmallVector<Metadata *, 6> Ops(OldNode->op_begin(), OldNode->op_end());
    Ops.append({OpNoMD(OpNo), T.IdMD, T.SizeMD});
    I.setMetadata(TagKindID, MDNode::get(Ctx, Ops));
  }
  // The awaiter of llvm.coro.await.suspend.* carries it as a parameter
  // attribute too: CoroSplit replaces the intrinsic by a call of the
  // await_suspend wrapper that keeps the parameter attributes, not the
  // metadata.
  if (auto *CB = dyn_cast<CoroAwaitSuspendInst>(&I); CB && OpNo == 0) {
    if (!T.Argument.isValid())
      T.Argument = Attribute::get(Ctx, ScopeTagKind,
                                  std::to_string(T.Id) + ":" +
                                      std::to_string(T.Size));
    CB->addParamAttr(OpNo, T.Argument);
  }
}

static bool isMarker(const Instruction *I, ScopeMarker Kind, uint64_t Id) {
  uint64_t Got = 0;
  return I && classifyScopeMarker(*I, Got) == Kind && Got == Id;
}

namespace {

/// What the walk that drops an earlier run's tags finds on the way.
struct FirstWalk {
  SmallVector<AllocaInst *, 32> Allocas;
  /// The start and end markers of an earlier run, with their ids.
  SmallVector<std::pair<uint64_t, Instruction *>, 4> Markers;
  /// Where findDestroySites looks if an elided frame needs it.
  SmallVector<Instruction *, 64> SiteCandidates;
  /// The first id no alloca, marker or tag names: new ids never reuse one
  /// that a marker or tag still names (the object may be gone, e.g.
  /// promoted, and its markers left behind).
  uint64_t NextId = 0;
  /// Whether a tag was dropped.
  bool Stripped = false;
};

} // namespace

/// Drop the tags of an earlier run from \p F. Tags are made anew on every
/// run: a pass may have moved a tagged operand to another object since the
/// last one.
static FirstWalk dropOldTags(Function &F) {
  FirstWalk W;
  uint64_t &NextId = W.NextId;
  unsigned TagKindID = F.getContext().getMDKindID(ScopeTagKind);
  unsigned IdKindID = F.getContext().getMDKindID(ScopeIdKind);
  for (Instruction &I : instructions(F)) {
    if (auto *AI = dyn_cast<AllocaInst>(&I)) {
      W.Allocas.push_back(AI);
      if (MDNode *MD = AI->getMetadata(IdKindID))
        if (auto *CI = mdconst::dyn_extract<ConstantInt>(MD->getOperand(0)))
          NextId = std::max(NextId, CI->getZExtValue() + 1);
    }
    uint64_t Id = 0;
    ScopeMarker Kind = classifyScopeMarker(I, Id);
    if (Kind == ScopeMarker::Start || Kind == ScopeMarker::End) {
      NextId = std::max(NextId, Id + 1);
      W.Markers.push_back({Id, &I});
    }
    if (MDNode *MD = I.getMetadata(TagKindID)) {
      for (unsigned Op = 1; Op < MD->getNumOperands(); Op += 3)
        if (auto *CI = mdconst::dyn_extract<ConstantInt>(MD->getOperand(Op)))
          NextId = std::max(NextId, CI->getZExtValue() + 1);
      I.setMetadata(TagKindID, nullptr);
      W.Stripped = true;
    }
    // One look-up per argument: most calls carry no tag.
    auto *CB = dyn_cast<CallBase>(&I);
    if (auto *Br = dyn_cast<BranchInst>(&I);
        (Br && Br->isConditional()) || (CB && CB->arg_size() == 1))
      W.SiteCandidates.push_back(&I);
    bool Tagged = false;
    for (unsigned Arg = 0, E = CB ? argsWithAttributes(*CB) : 0; Arg < E; ++Arg)
      if (CB->getParamAttr(Arg, ScopeTagKind).isValid()) {
        Tagged = true;
        if (std::optional<ScopeTag> T = argumentScopeTag(I, Arg))
          NextId = std::max(NextId, T->Id + 1);
      }
    if (Tagged)
      W.Stripped |= removeArgumentScopeTags(I);
  }
  return W;
}

namespace {

/// An alloca to record, with its size and the uses to tag.
struct ScopePlan {
  AllocaInst *AI;
  uint64_t Size;
  AddressUses Uses;
  /// An elided callee frame: its markers (of an earlier run) are replaced,
  /// by those of Synthetic if its scope could be placed.
  bool ElidedFrame = false;
  std::optional<SyntheticScope> Synthetic;
};

/// Writes the tags and markers of one coroutine's objects.
class ScopeWriter {
public:
  /// \p OldMarkers: the markers dropOldTags found; \p Decls: the
  /// module's, filled in here if not yet.
  ScopeWriter(Function &F, uint64_t NextId,
              SmallVectorImpl<std::pair<uint64_t, Instruction *>> &OldMarkers,
              CoroRecordScopesPass::MarkerDecls &Decls);
  void write(ScopePlan &P);
  /// Whether write() split an edge (the CFG changed).
  bool SplitEdges = false;
  /// Drop the tags of operands two objects' walks both claimed.
  void dropConflicts();

private:
  LLVMContext &Ctx;
  unsigned TagKindID, IdKindID;
  uint64_t NextId;
  Function *Annotation;
  GlobalVariable *StartStr, *EndStr;
  Constant *Null;
  SmallPtrSet<Instruction *, 4> Conflicts;
  SmallVectorImpl<std::pair<uint64_t, Instruction *>> &OldMarkers;
  /// By operand number, its constant in a tag.
  SmallVector<Metadata *, 4> OpNoMD;

  Metadata *constantMD(uint64_t V) const {
    return ConstantAsMetadata::get(
        ConstantInt::get(Type::getInt64Ty(Ctx), V));
  }
  /// Erase the start and end markers of object \p Id an earlier run left.
  void eraseOldMarkers(uint64_t Id);
  CallInst *marker(GlobalVariable *Text, uint64_t Id) const {
    return CallInst::Create(
        Annotation, {Null, Text, Null,
                     ConstantInt::get(Type::getInt32Ty(Ctx), Id), Null});
  }
};

} // namespace

ScopeWriter::ScopeWriter(
    Function &F, uint64_t NextId,
    SmallVectorImpl<std::pair<uint64_t, Instruction *>> &OldMarkers,
    CoroRecordScopesPass::MarkerDecls &Decls)
    : Ctx(F.getContext()), TagKindID(Ctx.getMDKindID(ScopeTagKind)),
      IdKindID(Ctx.getMDKindID(ScopeIdKind)), NextId(NextId),
      OldMarkers(OldMarkers) {
  Module &M = *F.getParent();
  Type *PtrTy = PointerType::getUnqual(Ctx);
  if (Decls.M != &M) {
    Decls = {};
    Decls.M = &M;
  }
  if (!Decls.Annotation)
    Decls.Annotation = Intrinsic::getOrInsertDeclaration(
        &M, Intrinsic::var_annotation, {PtrTy, PtrTy});
  if (!Decls.StartStr)
    Decls.StartStr = annotationString(M, ScopeStartText);
  if (!Decls.EndStr)
    Decls.EndStr = annotationString(M, ScopeEndText);
  Annotation = cast<Function>(Decls.Annotation);
  StartStr = cast<GlobalVariable>(Decls.StartStr);
  EndStr = cast<GlobalVariable>(Decls.EndStr);
  Null = ConstantPointerNull::get(cast<PointerType>(PtrTy));
}

void ScopeWriter::write(ScopePlan &P) {
  uint64_t Id;
  if (MDNode *MD = P.AI->getMetadata(IdKindID)) {
    Id = mdconst::extract<ConstantInt>(MD->getOperand(0))->getZExtValue();
  } else {
    Id = NextId++;
    P.AI->setMetadata(
        IdKindID, MDNode::get(Ctx, ConstantAsMetadata::get(ConstantInt::get(
                                       Type::getInt32Ty(Ctx), Id))));
  }
  ObjectTag Tag(Id, P.Size, constantMD(Id), constantMD(P.Size));
  auto OpNoConstant = [&](unsigned OpNo) {
    if (OpNo >= OpNoMD.size())
      OpNoMD.resize(OpNo + 1);
    if (!OpNoMD[OpNo])
      OpNoMD[OpNo] = constantMD(OpNo);
    return OpNoMD[OpNo];
  };
  for (auto &[I, OpNo] : P.Uses.Accesses)
    addTag(*I, OpNo, Tag, TagKindID, OpNoConstant, Conflicts);
  if (P.ElidedFrame) {
    // Placed anew on every run (code may have moved since the last one), and
    // none left from an earlier run where the frame escaped and now it does
    // not.
    eraseOldMarkers(Id);
    if (!P.Synthetic)
      return;
    marker(StartStr, Id)->insertBefore(P.Synthetic->StartBefore->getIterator());
    // After the old markers are gone: one may have followed a destroy.
    for (Instruction *E : P.Synthetic->EndAfter)
      marker(EndStr, Id)->insertAfter(E->getIterator());
    for (auto &[Term, K] : P.Synthetic->EndOnEdge) {
      BasicBlock *To = Term->getSuccessor(K);
      if (To->getSinglePredecessor() != Term->getParent()) {
        To = SplitCriticalEdge(Term, K);
        SplitEdges = true;
      }
      marker(EndStr, Id)->insertBefore(To->getFirstInsertionPt());
    }
    NumScopeMarkers += 1 + P.Synthetic->EndAfter.size() +
                       P.Synthetic->EndOnEdge.size();
    ++NumElidedFramesScoped;
    return;
  }
  // Scopes matter only for objects whose address escapes (the analysis sees
  // every other access). Markers sit outside the lifetime markers: no access
  // can move past a lifetime marker, so none ends up outside the recorded
  // scope. Without lifetime markers the tags alone still say where the
  // object can first be reached from outside: it stays open from there on.
  if (!P.Uses.Escapes)
    return;
  for (IntrinsicInst *S : P.Uses.Starts)
    if (!isMarker(S->getPrevNode(), ScopeMarker::Start, Id)) {
      marker(StartStr, Id)->insertBefore(S->getIterator());
      ++NumScopeMarkers;
    }
  for (IntrinsicInst *E : P.Uses.Ends)
    if (!isMarker(E->getNextNode(), ScopeMarker::End, Id)) {
      marker(EndStr, Id)->insertAfter(E->getIterator());
      ++NumScopeMarkers;
    }
}

void ScopeWriter::eraseOldMarkers(uint64_t Id) {
  erase_if(OldMarkers, [&](const std::pair<uint64_t, Instruction *> &M) {
    if (M.first != Id)
      return false;
    M.second->eraseFromParent();
    return true;
  });
}

void ScopeWriter::dropConflicts() {
  NumTagConflicts += Conflicts.size();
  for (Instruction *I : Conflicts) {
    I->setMetadata(TagKindID, nullptr);
    removeArgumentScopeTags(*I);
  }
}

PreservedAnalyses CoroRecordScopesPass::run(Function &F,
                                            FunctionAnalysisManager &AM) {
  if (!isSwitchPresplitCoroutine(F))
    return PreservedAnalyses::all();
  FirstWalk Walk = dropOldTags(F);
  PreservedAnalyses PA;
  PA.preserveSet<CFGAnalyses>();

  SmallVector<ScopePlan, 8> Plans;
  const DataLayout &DL = F.getDataLayout();
  std::optional<EntryReach> Reach;
  DestroySites Sites;
  for (AllocaInst *AI : Walk.Allocas) {
    std::optional<TypeSize> Size = AI->getAllocationSize(DL);
    if (!Size || Size->isScalable())
      continue;
    AddressUses U = collectAddressUses(*AI);
    if (U.Unknown || U.Accesses.empty())
      continue;
    ScopePlan P{AI, Size->getFixedValue(), std::move(U), false, std::nullopt};
    if (P.Uses.Starts.empty() && P.Uses.Ends.empty())
      if (StringRef Callee = elidedCallee(*AI, P.Uses); !Callee.empty()) {
        P.ElidedFrame = true;
        if (P.Uses.Escapes) {
          if (!Reach) {
            Reach.emplace(F);
            Sites = findDestroySites(Walk.SiteCandidates);
          }
          P.Synthetic = planElidedFrameScope(
              *AI, P.Uses, Callee, Sites, *Reach,
              [&]() -> DominatorTree & {
                return AM.getResult<DominatorTreeAnalysis>(F);
              });
        }
        LLVM_DEBUG(dbgs() << "coro-record-scopes: elided frame of " << Callee
                          << (P.Synthetic ? ": scoped" : ": no scope")
                          << "\n");
      }
    Plans.push_back(std::move(P));
  }
  if (Plans.empty() || !shouldTransform([&] {
        return "record-scopes: mark the scopes of " +
               std::to_string(Plans.size()) + " objects in '" +
               F.getName().str() + "'";
      }))
    return Walk.Stripped ? PA : PreservedAnalyses::all();

  LLVM_DEBUG(dbgs() << "coro-record-scopes: " << F.getName() << ": "
                    << Plans.size() << " objects, ids from " << Walk.NextId
                    << "\n");
  NumObjectsRecorded += Plans.size();
  ScopeWriter Writer(F, Walk.NextId, Walk.Markers, Decls);
  for (ScopePlan &P : Plans)
    Writer.write(P);
  Writer.dropConflicts();
  return Writer.SplitEdges ? PreservedAnalyses::none() : PA;
}

bool eraseUnusedScopeMarkerGlobals(Module &M, FunctionAnalysisManager &FAM) {
  bool Changed = false;
  for (StringRef Text : {ScopeStartText, ScopeEndText})
    if (GlobalVariable *GV = M.getNamedGlobal(("." + Text).str());
        GV && GV->use_empty()) {
      GV->eraseFromParent();
      Changed = true;
    }
  Type *PtrTy = PointerType::getUnqual(M.getContext());
  if (Function *Decl = Intrinsic::getDeclarationIfExists(
          &M, Intrinsic::var_annotation, {PtrTy, PtrTy});
      Decl && Decl->use_empty()) {
    FAM.clear(*Decl, Decl->getName());
    Decl->eraseFromParent();
    Changed = true;
  }
  return Changed;
}

PreservedAnalyses CoroScopeMarkersCleanupPass::run(Module &M,
                                                   ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  bool Changed = false;
  for (Function &F : M)
    if (!F.isDeclaration() && stripScopeMarkers(F)) {
      LLVM_DEBUG(dbgs() << "coro-scope-markers-cleanup: stripped "
                        << F.getName() << "\n");
      ++NumFunctionsStripped;
      FAM.invalidate(F, PreservedAnalyses::none());
      Changed = true;
    }
  Changed |= eraseUnusedScopeMarkerGlobals(M, FAM);
  return Changed ? changedFunctionsInvalidated() : PreservedAnalyses::all();
}

} // namespace corofo
