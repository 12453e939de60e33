//===- CoroStateCollapse.cpp - Merge identical suspend points ------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
//
// Two suspend points are compared by walking their continuations in lockstep
// from the `llvm.coro.save`: block by block, instruction by instruction,
// successors in pairs. A successor both walks reach is where the arms join
// (the walk stops there); different successors are paired and walked in
// turn. Operands must be the same value, or values the walks paired, or a
// pair of allocas that can become one. Only when everything matches is the
// IR changed: the second continuation's entries are redirected into the
// first and its blocks deleted (docs/state-collapse.md has the soundness
// argument).
//
//===----------------------------------------------------------------------===//

#include "CoroStateCollapse.h"

#include "CoroFrameAnalysis.h"
#include "RemarksWanted.h"
#include "TransformBisect.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Coroutines/CoroInstr.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/FunctionComparator.h"
#include "llvm/Transforms/Utils/Local.h"

#include <functional>
#include <optional>
#include <string>

using namespace llvm;

#define DEBUG_TYPE "coro-state-collapse"

STATISTIC(NumPairsCompared, "Number of pairs of suspend points compared");
STATISTIC(NumPointsCollapsed,
          "Number of suspend points collapsed into an identical one");
STATISTIC(NumCoroutinesCollapsed,
          "Number of coroutines with suspend points collapsed");

namespace corofo {

static const char *const CollapseRemarkPass = DEBUG_TYPE;

/// Instructions one comparison may walk before giving up (compile time).
static constexpr unsigned MaxWalkedInstructions = 4000;

namespace {

/// A non-final suspend point and the save that opens it.
struct SuspendPoint {
  IntrinsicInst *Save;
  IntrinsicInst *Suspend;
};

} // namespace

static SmallVector<SuspendPoint, 8> collectSuspendPoints(Function &F) {
  SmallVector<SuspendPoint, 8> Points;
  for (Instruction &I : instructions(F)) {
    auto *Suspend = dyn_cast<IntrinsicInst>(&I);
    if (!Suspend || Suspend->getIntrinsicID() != Intrinsic::coro_suspend)
      continue;
    auto *Final = dyn_cast<ConstantInt>(Suspend->getArgOperand(1));
    auto *Save = dyn_cast<IntrinsicInst>(Suspend->getArgOperand(0));
    // `token none` saves are created by CoroSplit itself: leave those alone.
    if (!Final || !Final->isZero() || !Save ||
        Save->getIntrinsicID() != Intrinsic::coro_save || !Save->hasOneUse())
      continue;
    Points.push_back({Save, Suspend});
  }
  return Points;
}

static std::string lineOf(const Instruction &I) {
  if (const DebugLoc &DL = I.getDebugLoc())
    return " (line " + std::to_string(DL.getLine()) + ")";
  return "";
}

/// `call of 'f(int)' (line 12)`, `'store' (line 3)`.
static std::string describe(const Instruction &I) {
  std::string S;
  raw_string_ostream OS(S);
  if (const auto *CB = dyn_cast<CallBase>(&I)) {
    if (const Function *Callee = CB->getCalledFunction())
      OS << "call of '" << demangle(Callee->getName()) << "'";
    else
      OS << "indirect call";
  } else {
    OS << "'" << I.getOpcodeName() << "'";
  }
  OS << lineOf(I);
  return S;
}

static std::string describeValue(const Value *V) {
  if (const auto *A = dyn_cast<AllocaInst>(V))
    return A->hasName() ? "object '" + A->getName().str() + "'"
                        : std::string("an unnamed object");
  if (const auto *I = dyn_cast<Instruction>(V))
    return "the result of " + describe(*I);
  if (const auto *F = dyn_cast<Function>(V))
    return "'" + demangle(F->getName()) + "'";
  // Printing metadata numbers every node of the module first (a third of
  // the plugin's time on state_machine.cpp with optimization records, where
  // the scope declarations of inlined calls differ between the arms).
  if (const auto *MV = dyn_cast<MetadataAsValue>(V)) {
    if (const auto *Wrapped = dyn_cast<ValueAsMetadata>(MV->getMetadata()))
      return describeValue(Wrapped->getValue());
    if (const auto *Text = dyn_cast<MDString>(MV->getMetadata()))
      return "metadata !\"" + Text->getString().str() + "\"";
    return "a metadata node";
  }
  std::string S;
  raw_string_ostream OS(S);
  V->printAsOperand(OS, /*PrintType=*/true);
  if (S.size() > 60)
    S = S.substr(0, 57) + "...";
  return S;
}

namespace {

/// Whether two await_suspend wrappers were found identical, per pair: a few
/// pairs per coroutine, most have none (inline buckets: no allocation).
using SameWrapperMap =
    SmallDenseMap<std::pair<Function *, Function *>, bool, 8>;

/// The comparison of two suspend points' continuations; on success it holds
/// everything the merge needs.
class ContinuationMatcher {
public:
  ContinuationMatcher(const SuspendPoint &Keep, const SuspendPoint &Drop,
                      SameWrapperMap &Same,
                      GlobalNumberState &GN,
                      bool CarryConstants)
      : P1(Keep), P2(Drop), Head1(Keep.Save->getParent()),
        Head2(Drop.Save->getParent()), CarryConstants(CarryConstants),
        SameWrappers(Same), Numbers(GN) {}

  bool match();

  /// Why the match failed (the first difference found), written out only
  /// when a remark asks: printing values and demangling names cost more than
  /// the comparison itself, and most pairs of suspend points differ.
  std::function<std::string()> Difference;
  /// The two suspend calls themselves matched: the points await alike.
  bool AwaitAlike = false;

  /// Region 1 (kept) block -> region 2 (dropped) block, and back. Made for
  /// every pair of suspend points and filled from its first instruction:
  /// the 64 buckets a DenseMap would allocate on the first insert are kept
  /// inline (same buckets, so the same order when iterated).
  using BlockMap = SmallDenseMap<BasicBlock *, BasicBlock *, 64>;
  BlockMap Blocks, Blocks2;
  /// Instruction of region 1 -> its counterpart in region 2, and back.
  SmallDenseMap<Instruction *, Instruction *, 64> Insts, Insts2;
  /// Allocas of region 2's code that become region 1's, in the order the
  /// match found them (the first pair that fails is the one reported).
  MapVector<AllocaInst *, AllocaInst *> Allocas2;
  /// A value from before the continuations that differs between them (each
  /// arm computed its own): region 1's use is rewritten to read a slot that
  /// every entry into either continuation sets to its arm's value.
  struct CarriedUse {
    Value *V1, *V2;
    Instruction *User; ///< In region 1, or a phi where they join.
    unsigned OpNo;
  };
  SmallVector<CarriedUse, 4> Carried;
  /// Where each continuation is entered: (store point, region 1?) -- the
  /// arm's value is stored there, if it is available there.
  SmallVector<std::pair<Instruction *, bool>, 8> EntryPoints;

  const SuspendPoint P1, P2;
  BasicBlock *Head1, *Head2;
  const bool CarryConstants;

private:
  bool fail(const char *Why) {
    return fail([Why] { return std::string(Why); });
  }
  template <typename DescribeFn> bool fail(DescribeFn Describe) {
    if (!Difference)
      Difference = std::move(Describe);
    return false;
  }
  bool failMerges(const PHINode *Phi) {
    return fail([Phi] {
      return "the phi " + describe(*Phi) + " merges different values";
    });
  }
  bool failDiffers(const Instruction &I1, const Instruction &I2) {
    return fail([P1 = &I1, P2 = &I2] {
      return describe(*P1) + " differs from " + describe(*P2);
    });
  }
  bool matchBlock(BasicBlock *B1, BasicBlock *B2);
  bool matchSuccessor(BasicBlock *S1, BasicBlock *S2, BasicBlock *From1,
                      BasicBlock *From2);
  /// Whether I belongs to the continuation of the first (or second) state:
  /// its blocks, and in the head block only the suspend and what follows.
  bool inRegion(const Instruction *I, bool First) const;
  bool correspond(Value *V1, Value *V2);
  bool correspondOrCarry(Value *V1, Value *V2, Instruction *User,
                         unsigned OpNo);
  bool planEntries();
  bool constantsPayOff();
  bool sameAwaitWrapper(Value *V1, Value *V2);
  bool checkEntries();
  bool checkEscapes(BasicBlock *B, bool First);
  bool checkAllocaPairs();
  bool neverLiveTogether(AllocaInst *A1, AllocaInst *A2);

  SameWrapperMap &SameWrappers;
  GlobalNumberState &Numbers;
  DenseMap<AllocaInst *, AllocaInst *> Allocas1; // region 1 -> region 2
  SmallVector<std::pair<BasicBlock *, BasicBlock *>, 16> Worklist;
  struct OperandPair {
    Value *V1, *V2;
    Instruction *User;
    unsigned OpNo;
  };
  SmallVector<OperandPair, 32> Deferred;
  SmallVector<std::pair<PHINode *, PHINode *>, 8> Phis;
  struct JoinEdge {
    BasicBlock *From1, *From2, *To;
  };
  SmallVector<JoinEdge, 8> Joins;
  SmallPtrSet<BasicBlock *, 8> JoinBlocks;
  unsigned Walked = 0;
};

} // namespace

bool ContinuationMatcher::inRegion(const Instruction *I, bool First) const {
  const BasicBlock *B = I->getParent();
  if (!(First ? Blocks : Blocks2).count(B))
    return false;
  const Instruction *Save = First ? P1.Save : P2.Save;
  return B != (First ? Head1 : Head2) || I == Save || Save->comesBefore(I);
}

bool ContinuationMatcher::sameAwaitWrapper(Value *V1, Value *V2) {
  auto *F1 = dyn_cast<Function>(V1), *F2 = dyn_cast<Function>(V2);
  if (!F1 || !F2 || F1->isDeclaration() || F2->isDeclaration())
    return false;
  auto [It, New] = SameWrappers.try_emplace({F1, F2}, false);
  if (New)
    It->second = FunctionComparator(F1, F2, &Numbers).compare() == 0;
  return It->second;
}

bool ContinuationMatcher::matchSuccessor(BasicBlock *S1, BasicBlock *S2,
                                         BasicBlock *From1,
                                         BasicBlock *From2) {
  if (S1 == S2) {
    Joins.push_back({From1, From2, S1});
    JoinBlocks.insert(S1);
    return true;
  }
  if (S1 == Head1 || S2 == Head2)
    return fail("the continuation loops back to its own suspend point");
  auto It = Blocks.find(S1);
  if (It != Blocks.end())
    return It->second == S2 ||
           fail("the continuations branch to different places");
  if (Blocks2.count(S2))
    return fail("the continuations branch to different places");
  Blocks[S1] = S2;
  Blocks2[S2] = S1;
  Worklist.push_back({S1, S2});
  return true;
}

bool ContinuationMatcher::matchBlock(BasicBlock *B1, BasicBlock *B2) {
  BasicBlock::iterator It1 =
      B1 == Head1 ? P1.Save->getIterator() : B1->begin();
  BasicBlock::iterator It2 =
      B2 == Head2 ? P2.Save->getIterator() : B2->begin();
  for (; It1 != B1->end() && It2 != B2->end(); ++It1, ++It2) {
    Instruction &I1 = *It1, &I2 = *It2;
    if (++Walked > MaxWalkedInstructions)
      return fail("the continuations are too long to compare");
    // Phis may differ in their incoming edges from outside (an arm merged
    // before adds some); those from inside are compared at the end.
    bool SamePhis = isa<PHINode>(I1) && isa<PHINode>(I2) &&
                    I1.getType() == I2.getType();
    if (!SamePhis && !I1.isSameOperationAs(&I2))
      return failDiffers(I1, I2);
    if (isa<IndirectBrInst>(I1) || isa<CallBrInst>(I1))
      return fail([P = &I1] { return describe(*P) + " is not supported"; });
    if ((&I1 == P1.Suspend) != (&I2 == P2.Suspend))
      return failDiffers(I1, I2);
    Insts[&I1] = &I2;
    Insts2[&I2] = &I1;
    if (auto *Phi1 = dyn_cast<PHINode>(&I1)) {
      Phis.push_back({Phi1, cast<PHINode>(&I2)});
      continue;
    }
    const auto *Call = dyn_cast<CallBase>(&I1);
    bool IsAwaitSuspend = Call && isa<CoroAwaitSuspendInst>(Call);
    for (unsigned K = 0, E = I1.getNumOperands(); K != E; ++K) {
      Value *O1 = I1.getOperand(K), *O2 = I2.getOperand(K);
      if (auto *S1 = dyn_cast<BasicBlock>(O1)) {
        auto *S2 = dyn_cast<BasicBlock>(O2);
        if (!S2 || !matchSuccessor(S1, S2, B1, B2))
          return false;
        continue;
      }
      // Clang emits one wrapper per co_await expression; identical bodies
      // mean identical await_suspend calls.
      if (IsAwaitSuspend && K == 2 && O1 != O2 && sameAwaitWrapper(O1, O2))
        continue;
      bool Constants = isa<ConstantInt, ConstantFP>(O1) &&
                       isa<ConstantInt, ConstantFP>(O2);
      if (isa<Instruction>(O1) || isa<Instruction>(O2) ||
          (CarryConstants && Constants && O1 != O2)) {
        Deferred.push_back({O1, O2, &I1, K});
        continue;
      }
      if (O1 != O2 && isa<CallBase>(I1) &&
          &I1.getOperandUse(K) == &cast<CallBase>(I1).getCalledOperandUse())
        return failDiffers(I1, I2);
      if (O1 != O2)
        return fail([K, P1 = &I1, P2 = &I2, O1, O2] {
          return "operand " + std::to_string(K) + " of " + describe(*P1) +
                 " is " + describeValue(O1) + " where " + describe(*P2) +
                 " has " + describeValue(O2);
        });
    }
    if (&I1 == P1.Suspend)
      AwaitAlike = true;
  }
  if (It1 != B1->end() || It2 != B2->end())
    return fail([B1, B2] {
      return "the blocks after " + describe(*B1->getFirstNonPHIOrDbg()) +
             " and " + describe(*B2->getFirstNonPHIOrDbg()) +
             " have different lengths";
    });
  return true;
}

/// CoroElide leaves `bitcast ptr %frame to ptr` of the allocas it creates.
static Value *stripPointerBitcasts(Value *V) {
  while (auto *Cast = dyn_cast<BitCastInst>(V))
    V = Cast->getOperand(0);
  return V;
}

/// The instructions that use \p A's address, looking through bitcasts (a
/// bitcast only copies the pointer).
static SmallVector<Instruction *, 16> addressUsers(AllocaInst *A) {
  SmallVector<Instruction *, 16> Users;
  SmallVector<Value *, 4> Work = {A};
  while (!Work.empty())
    for (User *U : Work.pop_back_val()->users()) {
      if (isa<BitCastInst>(U))
        Work.push_back(U);
      else
        Users.push_back(cast<Instruction>(U));
    }
  return Users;
}

bool ContinuationMatcher::correspond(Value *V1, Value *V2) {
  auto *I1 = dyn_cast<Instruction>(V1), *I2 = dyn_cast<Instruction>(V2);
  bool R1 = I1 && inRegion(I1, true), R2 = I2 && inRegion(I2, false);
  if (R1 || R2)
    return R1 && R2 && Insts.lookup(I1) == I2;
  if (V1 == V2)
    return true;
  V1 = stripPointerBitcasts(V1);
  V2 = stripPointerBitcasts(V2);
  if (V1 == V2)
    return true;
  auto *A1 = dyn_cast<AllocaInst>(V1), *A2 = dyn_cast<AllocaInst>(V2);
  if (!A1 || !A2)
    return false;
  // One pairing per alloca, and no alloca on both sides (no chains).
  auto It1 = Allocas1.find(A1);
  if (It1 != Allocas1.end())
    return It1->second == A2;
  if (Allocas2.count(A2) || Allocas2.count(A1) || Allocas1.count(A2))
    return false;
  Allocas1[A1] = A2;
  Allocas2[A2] = A1;
  return true;
}

/// Values may be carried through a slot only where a load can stand for
/// them: not in intrinsics (their operands often must be what they are), not
/// as a callee, never tokens; constants stay as they are (an arm's constant
/// in a slot costs code everywhere and saves none).
bool ContinuationMatcher::correspondOrCarry(Value *V1, Value *V2,
                                            Instruction *User, unsigned OpNo) {
  if (correspond(V1, V2))
    return true;
  auto IsCarriable = [&](Value *V) {
    if (!isa<Instruction>(V) && !isa<Argument>(V) &&
        !(CarryConstants && isa<ConstantInt, ConstantFP>(V)))
      return false;
    if (auto *I = dyn_cast<Instruction>(V);
        I && (inRegion(I, true) || inRegion(I, false)))
      return false;
    return !isa<AllocaInst>(stripPointerBitcasts(V));
  };
  Type *Ty = V1->getType();
  if (!IsCarriable(V1) || !IsCarriable(V2) || Ty != V2->getType() ||
      !Ty->isFirstClassType() || Ty->isTokenTy() || Ty->isLabelTy() ||
      Ty->isMetadataTy())
    return false;
  if (auto *CB = dyn_cast<CallBase>(User))
    if (CB->getIntrinsicID() != Intrinsic::not_intrinsic ||
        &CB->getOperandUse(OpNo) == &CB->getCalledOperandUse())
      return false;
  // Many operands must stay constants (switch cases, struct indices, ...):
  // a constant is carried only where any value may stand.
  if (isa<Constant>(V1) &&
      !(isa<CallBase, BinaryOperator, CmpInst, SelectInst, PHINode,
            ReturnInst>(User) ||
        (isa<StoreInst>(User) && OpNo == 0)))
    return false;
  Carried.push_back({V1, V2, User, OpNo});
  return true;
}

/// The entries of both continuations, where carried values are stored. An
/// arm's value is stored only where it is available; where it is not, no
/// use of it can be reached before the continuation is left again (a use
/// reachable from an entry inside the continuation is dominated by the
/// value, hence so is the entry).
bool ContinuationMatcher::planEntries() {
  if (Carried.empty())
    return true;
  EntryPoints.push_back({P1.Save, true});
  EntryPoints.push_back({P2.Save, false});
  for (bool First : {true, false})
    for (auto [B, Other] : First ? Blocks : Blocks2) {
      if (B == (First ? Head1 : Head2))
        continue;
      for (BasicBlock *P : predecessors(B)) {
        if ((First ? Blocks : Blocks2).count(P))
          continue;
        Instruction *T = P->getTerminator();
        // The value an invoke defines is not available before it.
        for (const CarriedUse &C : Carried)
          if (T == (First ? C.V1 : C.V2))
            return fail([T] {
              return "the value of " + describe(*T) +
                     " cannot be carried into the continuation";
            });
        EntryPoints.push_back({T, First});
      }
    }
  return true;
}

/// Edges into region 2 from outside are redirected into region 1: they must
/// not come from region 1, nor from a block that also enters region 1 (its
/// phis would need two values for one edge, a carried value two stores).
bool ContinuationMatcher::checkEntries() {
  SmallPtrSet<BasicBlock *, 8> Enters1;
  for (auto [B1, B2] : Blocks)
    if (B1 != Head1)
      for (BasicBlock *P : predecessors(B1))
        if (!Blocks.count(P))
          Enters1.insert(P);
  for (auto [B2, B1] : Blocks2) {
    // The head is split at the save; its own predecessors stay as they are.
    if (B2 == Head2)
      continue;
    for (BasicBlock *P : predecessors(B2)) {
      if (Blocks2.count(P))
        continue;
      if (Blocks.count(P))
        return fail("the first continuation flows into the second");
      if (Enters1.count(P))
        return fail("a block branches into both continuations");
      const Instruction *T = P->getTerminator();
      if (!isa<BranchInst>(T) && !isa<SwitchInst>(T) && !isa<InvokeInst>(T))
        return fail([T] { return describe(*T) + " enters a continuation"; });
    }
  }
  return true;
}

/// A value computed in a continuation may be used after the join only by a
/// phi there, on the edge from the continuation.
bool ContinuationMatcher::checkEscapes(BasicBlock *B, bool First) {
  BasicBlock *Head = First ? Head1 : Head2;
  const SuspendPoint &P = First ? P1 : P2;
  auto InRegion = [&](const Instruction *I) { return inRegion(I, First); };
  auto &Region = First ? Blocks : Blocks2;
  BasicBlock::iterator Begin = B == Head ? P.Save->getIterator() : B->begin();
  for (Instruction &I : make_range(Begin, B->end()))
    for (Use &U : I.uses()) {
      auto *User = cast<Instruction>(U.getUser());
      if (InRegion(User))
        continue;
      auto *Phi = dyn_cast<PHINode>(User);
      if (Phi && JoinBlocks.count(Phi->getParent()) &&
          Region.count(Phi->getIncomingBlock(U)))
        continue;
      return fail([P = &I] {
        return "the result of " + describe(*P) +
               " is used after the continuations join";
      });
    }
  return true;
}

/// May-live dataflow over the lifetime markers of two allocas: they may share
/// storage if neither starts while the other may be live, and neither is used
/// where it is certainly dead.
static bool markersNeverOverlap(AllocaInst *A1, AllocaInst *A2) {
  auto MarkerOf = [&](const Instruction &I, unsigned &Which) -> int {
    const auto *II = dyn_cast<IntrinsicInst>(&I);
    if (!II || (II->getIntrinsicID() != Intrinsic::lifetime_start &&
                II->getIntrinsicID() != Intrinsic::lifetime_end))
      return 0;
    const Value *Ptr = II->getArgOperand(II->arg_size() - 1);
    if (Ptr == A1)
      Which = 0;
    else if (Ptr == A2)
      Which = 1;
    else
      return 0;
    return II->getIntrinsicID() == Intrinsic::lifetime_start ? 1 : -1;
  };
  bool Started[2] = {false, false};
  SmallPtrSet<Instruction *, 16> Uses[2];
  // Per block, in order, the instructions that mark or use either object:
  // the only ones the dataflow has to look at (a walk over every
  // instruction, once per pair of allocas, was most of this pass' time).
  DenseMap<BasicBlock *, SmallVector<Instruction *, 4>> Events;
  for (unsigned K = 0; K < 2; ++K)
    for (Instruction *I : addressUsers(K == 0 ? A1 : A2)) {
      unsigned Which;
      if (MarkerOf(*I, Which) == 1)
        Started[Which] = true;
      Uses[K].insert(I);
      Events[I->getParent()].push_back(I);
    }
  if (!Started[0] || !Started[1])
    return false;
  for (auto &[B, List] : Events) {
    llvm::sort(List, [](Instruction *X, Instruction *Y) {
      return X != Y && X->comesBefore(Y);
    });
    List.erase(std::unique(List.begin(), List.end()), List.end());
  }

  // Bit 0: A1 may be live, bit 1: A2 may be live.
  DenseMap<BasicBlock *, unsigned> Out;
  auto Transfer = [&](BasicBlock &B, unsigned Live) {
    auto It = Events.find(&B);
    if (It == Events.end())
      return Live;
    for (Instruction *I : It->second) {
      unsigned Which;
      int M = MarkerOf(*I, Which);
      if (M == 1)
        Live |= 1u << Which;
      else if (M == -1)
        Live &= ~(1u << Which);
    }
    return Live;
  };
  auto In = [&](BasicBlock &B) {
    unsigned Live = 0;
    for (BasicBlock *P : predecessors(&B))
      Live |= Out.lookup(P);
    return Live;
  };
  // Only a start marker makes an object live: the flow begins at their
  // blocks and goes on only while something may be live (a block it never
  // reaches has nothing live, as Out's default says).
  SmallVector<BasicBlock *, 32> Work;
  for (auto &[B, List] : Events)
    Work.push_back(B);
  while (!Work.empty()) {
    BasicBlock *B = Work.pop_back_val();
    unsigned New = Transfer(*B, In(*B));
    auto [It, Inserted] = Out.try_emplace(B, New);
    if (Inserted ? New == 0 : It->second == New)
      continue;
    It->second = New;
    for (BasicBlock *S : successors(B))
      Work.push_back(S);
  }
  for (auto &[B, List] : Events) {
    unsigned Live = In(*B);
    for (Instruction *I : List) {
      unsigned Which;
      int M = MarkerOf(*I, Which);
      if (M == 1 && (Live & (1u << (1 - Which))))
        return false;
      if (M == 1)
        Live |= 1u << Which;
      else if (M == -1)
        Live &= ~(1u << Which);
      else
        for (unsigned K = 0; K < 2; ++K)
          if (Uses[K].count(I) && !(Live & (1u << K)))
            return false;
    }
  }
  return true;
}

/// Without markers: no path leads from an instruction using one alloca to
/// one using the other, so no execution touches both objects.
static bool usesMutuallyUnreachable(AllocaInst *A1, AllocaInst *A2) {
  SmallPtrSet<BasicBlock *, 16> Uses[2];
  for (unsigned K = 0; K < 2; ++K)
    for (Instruction *I : addressUsers(K == 0 ? A1 : A2))
      Uses[K].insert(I->getParent());
  for (unsigned K = 0; K < 2; ++K) {
    SmallPtrSet<BasicBlock *, 32> Seen;
    SmallVector<BasicBlock *, 32> Work;
    for (BasicBlock *B : Uses[K]) {
      if (Uses[1 - K].count(B))
        return false;
      append_range(Work, successors(B));
    }
    while (!Work.empty()) {
      BasicBlock *B = Work.pop_back_val();
      if (!Seen.insert(B).second)
        continue;
      if (Uses[1 - K].count(B))
        return false;
      append_range(Work, successors(B));
    }
  }
  return true;
}

bool ContinuationMatcher::neverLiveTogether(AllocaInst *A1, AllocaInst *A2) {
  return markersNeverOverlap(A1, A2) || usesMutuallyUnreachable(A1, A2);
}

/// The promise is the one alloca CoroSplit puts at a fixed place.
static bool isPromise(const AllocaInst *A) {
  return any_of(A->users(), [](const User *U) {
    const auto *II = dyn_cast<IntrinsicInst>(U);
    return II && II->getIntrinsicID() == Intrinsic::coro_id;
  });
}

bool ContinuationMatcher::checkAllocaPairs() {
  Function &F = *Head1->getParent();
  for (auto [A2, A1] : Allocas2) {
    auto Objects = [A1, A2] {
      return describeValue(A1) + " and " + describeValue(A2);
    };
    if (!A1->isStaticAlloca() || !A2->isStaticAlloca() ||
        A1->getParent() != &F.getEntryBlock() ||
        A2->getParent() != &F.getEntryBlock() ||
        A1->getAllocatedType() != A2->getAllocatedType() ||
        A1->getArraySize() != A2->getArraySize() ||
        A1->getAddressSpace() != A2->getAddressSpace() ||
        // Clang keeps these on the ramp's stack, out of the frame.
        A1->hasMetadata("coro.outside.frame") ||
        A2->hasMetadata("coro.outside.frame") || isPromise(A1) ||
        isPromise(A2))
      return fail([Objects] { return Objects() + " are not alike"; });
    if (!neverLiveTogether(A1, A2))
      return fail(
          [Objects] { return Objects() + " may be live at the same time"; });
  }
  return true;
}

bool ContinuationMatcher::match() {
  if (Head1 == Head2)
    return fail("both suspend points are in one block");
  Blocks[Head1] = Head2;
  Blocks2[Head2] = Head1;
  Worklist.push_back({Head1, Head2});
  while (!Worklist.empty()) {
    auto [B1, B2] = Worklist.pop_back_val();
    if (!matchBlock(B1, B2))
      return false;
  }
  for (auto [B1, B2] : Blocks)
    if (Blocks2.count(B1) || Blocks.count(B2) || JoinBlocks.count(B1) ||
        JoinBlocks.count(B2))
      return fail("the continuations overlap");
  for (const OperandPair &P : Deferred)
    if (!correspondOrCarry(P.V1, P.V2, P.User, P.OpNo))
      return fail([P] {
        return "in " + describe(*P.User) + ", " + describeValue(P.V1) +
               " differs from " + describeValue(P.V2);
      });
  for (auto [Phi1, Phi2] : Phis) {
    unsigned Internal1 = 0, Internal2 = 0;
    for (unsigned K = 0, E = Phi1->getNumIncomingValues(); K != E; ++K) {
      BasicBlock *In1 = Phi1->getIncomingBlock(K);
      auto It = Blocks.find(In1);
      if (It == Blocks.end())
        continue;
      ++Internal1;
      int K2 = Phi2->getBasicBlockIndex(It->second);
      if (K2 < 0 || !correspondOrCarry(Phi1->getIncomingValue(K),
                                       Phi2->getIncomingValue(K2), Phi1, K))
        return failMerges(Phi1);
    }
    for (BasicBlock *In2 : Phi2->blocks())
      Internal2 += Blocks2.count(In2);
    if (Internal1 != Internal2)
      return failMerges(Phi1);
  }
  for (const JoinEdge &J : Joins)
    for (PHINode &Phi : J.To->phis())
      for (unsigned K = 0, E = Phi.getNumIncomingValues(); K != E; ++K)
        if (Phi.getIncomingBlock(K) == J.From1 &&
            !correspondOrCarry(Phi.getIncomingValue(K),
                               Phi.getIncomingValueForBlock(J.From2), &Phi,
                               K))
          return fail([To = J.To] {
            return "the continuations bring different values to " +
                   describe(*To->getFirstNonPHIOrDbg());
          });
  if (!checkEntries())
    return false;
  for (auto [B1, B2] : Blocks)
    if (!checkEscapes(B1, /*First=*/true) || !checkEscapes(B2, false))
      return false;
  return checkAllocaPairs() && planEntries() && constantsPayOff();
}

/// A carried constant costs a store at every entry and a load at every use;
/// merge only if the dropped continuation is more than twice that much code.
bool ContinuationMatcher::constantsPayOff() {
  DenseSet<std::pair<Value *, Value *>> Pairs;
  unsigned Loads = 0;
  for (const CarriedUse &C : Carried)
    if (isa<Constant>(C.V1) || isa<Constant>(C.V2)) {
      Pairs.insert({C.V1, C.V2});
      ++Loads;
    }
  if (Pairs.empty())
    return true;
  unsigned Added = Loads + Pairs.size() * EntryPoints.size();
  unsigned Dropped = 0;
  for (auto [B2, B1] : Blocks2)
    for (const Instruction &I : *B2)
      Dropped += inRegion(&I, false);
  if (Dropped > 2 * Added)
    return true;
  return fail("the continuations differ in constants, and carrying them "
              "would cost more code than the merge saves");
}

/// Redirect region 2's entries into region 1, make its allocas region 1's
/// and delete it.
static void mergeContinuations(ContinuationMatcher &M,
                               const DominatorTree &DT) {
  // One slot per pair of carried values, set at every entry.
  Function &F = *M.Head1->getParent();
  const DataLayout &DL = F.getDataLayout();
  DenseMap<std::pair<Value *, Value *>, AllocaInst *> Slots;
  for (const ContinuationMatcher::CarriedUse &C : M.Carried) {
    AllocaInst *&Slot = Slots[{C.V1, C.V2}];
    if (Slot)
      continue;
    Slot = new AllocaInst(C.V1->getType(), DL.getAllocaAddrSpace(), nullptr,
                          DL.getPrefTypeAlign(C.V1->getType()),
                          C.V1->hasName() ? C.V1->getName() + ".carried"
                                          : Twine("carried"),
                          F.getEntryBlock().getFirstNonPHIOrDbgOrAlloca());
    for (auto [Point, First] : M.EntryPoints) {
      Value *V = First ? C.V1 : C.V2;
      if (DT.dominates(V, Point))
        new StoreInst(V, Slot, Point->getIterator());
    }
  }
  // The continuations start at the saves: split them off their blocks.
  BasicBlock *Start1 =
      M.Head1->splitBasicBlock(M.P1.Save, M.Head1->getName() + ".suspend");
  BasicBlock *Start2 = M.Head2->splitBasicBlock(M.P2.Save);
  auto Rekey = [](ContinuationMatcher::BlockMap &Map, BasicBlock *Old,
                  BasicBlock *New) {
    BasicBlock *V = Map.lookup(Old);
    Map.erase(Old);
    Map[New] = V;
  };
  Rekey(M.Blocks, M.Head1, Start1);
  Rekey(M.Blocks2, M.Head2, Start2);
  M.Blocks[Start1] = Start2;
  M.Blocks2[Start2] = Start1;

  auto MapValue = [&](Value *V) -> Value * {
    if (auto *I = dyn_cast<Instruction>(V))
      if (Instruction *I1 = M.Insts2.lookup(I))
        return I1;
    return V;
  };
  for (auto [B2, B1] : M.Blocks2) {
    SmallVector<BasicBlock *, 4> Preds;
    for (BasicBlock *P : predecessors(B2))
      if (!M.Blocks2.count(P) && !is_contained(Preds, P))
        Preds.push_back(P);
    for (BasicBlock *P : Preds) {
      Instruction *T = P->getTerminator();
      for (unsigned K = 0, E = T->getNumSuccessors(); K != E; ++K) {
        if (T->getSuccessor(K) != B2)
          continue;
        for (PHINode &Phi1 : B1->phis()) {
          auto *Phi2 = cast<PHINode>(M.Insts.lookup(&Phi1));
          Phi1.addIncoming(MapValue(Phi2->getIncomingValueForBlock(P)), P);
        }
        T->setSuccessor(K, B1);
      }
    }
  }
  for (const ContinuationMatcher::CarriedUse &C : M.Carried) {
    AllocaInst *Slot = Slots.lookup({C.V1, C.V2});
    Instruction *At = C.User;
    if (auto *Phi = dyn_cast<PHINode>(C.User))
      At = Phi->getIncomingBlock(C.OpNo)->getTerminator();
    auto *Load = new LoadInst(C.V1->getType(), Slot,
                              C.V1->hasName() ? C.V1->getName() + ".arm"
                                              : Twine("arm"),
                              At->getIterator());
    C.User->setOperand(C.OpNo, Load);
  }
  for (auto [A2, A1] : M.Allocas2) {
    A1->setAlignment(std::max(A1->getAlign(), A2->getAlign()));
    A2->replaceAllUsesWith(A1);
    A2->eraseFromParent();
  }
  // The kept code now also stands for the dropped code. The suspension
  // itself (save, await_suspend, suspend) keeps its line: CoroSplit names the
  // state's `__coro_resume_N` label after it, the frame report its awaiter,
  // and a merged location would give both no line at all.
  for (auto [I1, I2] : M.Insts) {
    combineMetadataForCSE(I1, I2, /*DoesKMove=*/false);
    auto *CB = dyn_cast<CallBase>(I1);
    bool Suspension = I1 == M.P1.Save || I1 == M.P1.Suspend ||
                      (CB && isa<CoroAwaitSuspendInst>(CB));
    if (!Suspension && I1->getDebugLoc() && I2->getDebugLoc())
      I1->applyMergedLocation(I1->getDebugLoc(), I2->getDebugLoc());
  }
  SmallVector<BasicBlock *, 16> Dead;
  for (auto [B2, B1] : M.Blocks2)
    Dead.push_back(B2);
  DeleteDeadBlocks(Dead);
}

namespace {
/// A pair of suspend points that await alike but were not collapsed, and why.
struct Missed {
  SuspendPoint Kept, Dropped;
  std::function<std::string()> Why;
};
} // namespace

/// The missed remarks for \p Misses, suspend points of \p F that await alike
/// but were not collapsed in the last round of comparisons.
static void emitMisses(Function &F, ArrayRef<Missed> Misses,
                       const DominatorTree &DT,
                       OptimizationRemarkEmitter &ORE) {
  // Only alternatives are worth a remark, not co_awaits in sequence: of
  // those the first one's await_ready test dominates the second's (the
  // suspend itself does not, await_ready may skip it).
  auto AwaitHead = [](const SuspendPoint &P) {
    BasicBlock *B = P.Save->getParent();
    BasicBlock *Pred = B->getSinglePredecessor();
    return Pred && B->getFirstNonPHIIt() == P.Save->getIterator() ? Pred : B;
  };
  for (const Missed &Miss : Misses)
    if (!DT.dominates(AwaitHead(Miss.Kept), AwaitHead(Miss.Dropped)) &&
        !DT.dominates(AwaitHead(Miss.Dropped), AwaitHead(Miss.Kept)))
      ORE.emit([&] {
        return OptimizationRemarkMissed(CollapseRemarkPass,
                                        "StateNotCollapsed",
                                        Miss.Dropped.Suspend)
               << "suspend point not collapsed into the one"
               << ore::NV("kept_at", lineOf(*Miss.Kept.Suspend)) << " of '"
               << ore::NV("coroutine", demangle(F.getName()))
               << "', which awaits alike: "
               << ore::NV("reason", Miss.Why());
      });
}

PreservedAnalyses CoroStateCollapsePass::run(Function &F,
                                             FunctionAnalysisManager &AM) {
  if (!isSwitchPresplitCoroutine(F))
    return PreservedAnalyses::all();
  // Before anything is set up: most coroutines have nothing to compare.
  SmallVector<SuspendPoint, 8> Points = collectSuspendPoints(F);
  size_t PointsBefore = Points.size();
  if (PointsBefore < 2)
    return PreservedAnalyses::all();
  // Asked for when a remark is due (a merge, a miss): most coroutines
  // have none.
  auto ORE = [&]() -> OptimizationRemarkEmitter & {
    return AM.getResult<OptimizationRemarkEmitterAnalysis>(F);
  };
  SameWrapperMap SameWrappers;
  if (!Numbers)
    Numbers = std::make_shared<GlobalNumberState>();
  SmallDenseSet<std::pair<Instruction *, Instruction *>, 8> Declined;
  // Comparisons of one run, so that huge coroutines stay cheap to compile.
  unsigned Budget = 2048;
  bool Changed = false;
  SmallVector<Missed, 4> Misses;
  unsigned Collapsed = 0;
  // Only merges and missed remarks read the tree, most coroutines neither:
  // the cached one until a merge changes the function, then its own, each
  // built when first asked for.
  DominatorTree *DT = nullptr;
  DominatorTree Updated;
  auto getDT = [&]() -> const DominatorTree & {
    if (!DT) {
      if (Changed) {
        Updated.recalculate(F);
        DT = &Updated;
      } else {
        DT = &AM.getResult<DominatorTreeAnalysis>(F);
      }
    }
    return *DT;
  };
  for (bool Merged = true; Merged;) {
    Merged = false;
    Misses.clear();
    // Each merge removes a point: found anew after one.
    if (Changed)
      Points = collectSuspendPoints(F);
    for (unsigned J = 1; J < Points.size() && !Merged; ++J) {
      bool Reported = false;
      for (unsigned I = 0; I < J && !Merged && Budget; ++I, --Budget) {
        if (Declined.count({Points[I].Save, Points[J].Save}))
          continue;
        ContinuationMatcher M(Points[I], Points[J], SameWrappers, *Numbers,
                              CarryConstants);
        ++NumPairsCompared;
        if (!M.match()) {
          LLVM_DEBUG(dbgs() << DEBUG_TYPE ": in " << F.getName()
                            << ", suspend point" << lineOf(*Points[J].Suspend)
                            << " not collapsed into the one"
                            << lineOf(*Points[I].Suspend) << ": "
                            << (M.Difference ? M.Difference() : "?") << "\n");
          if (M.AwaitAlike && !Reported) {
            Misses.push_back({Points[I], Points[J], M.Difference});
            Reported = true;
          }
          continue;
        }
        std::string Kept = lineOf(*Points[I].Suspend);
        if (!shouldTransform([&] {
              return "state-collapse: merge a suspend point of '" +
                     demangle(F.getName()) + "'" + lineOf(*Points[J].Suspend) +
                     " into the one" + Kept;
            })) {
          LLVM_DEBUG(dbgs() << DEBUG_TYPE ": in " << F.getName()
                            << ", collapsing suspend point"
                            << lineOf(*Points[J].Suspend)
                            << " declined by the transform bisection\n");
          Declined.insert({Points[I].Save, Points[J].Save});
          continue;
        }
        ORE().emit([&] {
          return OptimizationRemark(CollapseRemarkPass, "StateCollapsed",
                                    Points[J].Suspend)
                 << "suspend point collapsed into an identical one"
                 << ore::NV("kept_at", Kept) << " of '"
                 << ore::NV("coroutine", demangle(F.getName()))
                 << "': one state fewer";
        });
        LLVM_DEBUG(dbgs() << DEBUG_TYPE ": in " << F.getName()
                          << ", suspend point" << lineOf(*Points[J].Suspend)
                          << " collapsed into the one" << Kept << "\n");
        mergeContinuations(M, getDT());
        ++Collapsed;
        ++NumPointsCollapsed;
        Merged = Changed = true;
        DT = nullptr;
      }
    }
  }
  LLVM_DEBUG(if (!Budget) dbgs() << DEBUG_TYPE ": in " << F.getName()
                                 << ", out of comparisons\n");
  // The tree the misses need is built only for a remark someone takes.
  if (!Misses.empty() && remarksWanted(F.getContext(), CollapseRemarkPass))
    emitMisses(F, Misses, getDT(), ORE());
  if (Collapsed) {
    ++NumCoroutinesCollapsed;
    ORE().emit([&] {
      return OptimizationRemark(CollapseRemarkPass, "CoroutineCollapsed", &F)
             << "'" << ore::NV("coroutine", demangle(F.getName())) << "': "
             << ore::NV("collapsed", Collapsed) << " of "
             << ore::NV("suspend_points", PointsBefore)
             << " non-final suspend points collapsed into identical ones";
    });
  }
  return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace corofo
