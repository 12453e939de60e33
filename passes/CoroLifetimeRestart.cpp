//===- CoroLifetimeRestart.cpp - Lifetimes restarted in one block --------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Removes `lifetime.end(%a) ... lifetime.start(%a)` pairs inside one block of
/// a presplit coroutine when that start reaches a suspend, so that CoroSplit's
/// per-block test sees the object live across it (see the header).
///
//===----------------------------------------------------------------------===//

#include "CoroLifetimeRestart.h"

#include "CoroFrameAnalysis.h"
#include "TransformBisect.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/Debug.h"
#include "llvm/Transforms/Coroutines/CoroInstr.h"

using namespace llvm;

#define DEBUG_TYPE "coro-lifetime-restart"

STATISTIC(NumRestartsRemoved,
          "Lifetime restarts removed so that CoroSplit keeps the object");
STATISTIC(NumRestartsKept, "Lifetime restarts left alone: object may be dead");

namespace corofo {

/// The object a lifetime marker is about (its last operand: LLVM 22 has
/// dropped the size operand, earlier versions put it first).
static Value *markedObject(const IntrinsicInst &II) {
  return II.getArgOperand(II.arg_size() - 1);
}

static bool isMarkerOf(const Instruction &I, Intrinsic::ID ID,
                       const Value *Obj) {
  const auto *II = dyn_cast<IntrinsicInst>(&I);
  return II && II->getIntrinsicID() == ID && markedObject(*II) == Obj;
}

/// Whether a suspend is reachable from just after \p Start without passing a
/// lifetime.end of its object: then the object is live across that suspend.
static bool reachesSuspendAlive(IntrinsicInst &Start) {
  const Value *Obj = markedObject(Start);
  SmallVector<BasicBlock *, 16> Worklist;
  SmallPtrSet<BasicBlock *, 16> Seen;
  // Scans [It, end of block): true at a suspend; at an end marker the path
  // stops, otherwise the successors are queued.
  auto Scan = [&](BasicBlock::iterator It, BasicBlock *BB) {
    for (; It != BB->end(); ++It) {
      if (isa<AnyCoroSuspendInst>(&*It))
        return true;
      if (isMarkerOf(*It, Intrinsic::lifetime_end, Obj))
        return false;
    }
    for (BasicBlock *Succ : successors(BB))
      if (Seen.insert(Succ).second)
        Worklist.push_back(Succ);
    return false;
  };
  if (Scan(std::next(Start.getIterator()), Start.getParent()))
    return true;
  while (!Worklist.empty()) {
    BasicBlock *Next = Worklist.pop_back_val();
    if (Scan(Next->begin(), Next))
      return true;
  }
  return false;
}

/// The source name of \p Obj (from its #dbg_declare, or the #dbg_assign of
/// its alloca under assignment tracking), else its type's name.
static std::string describeObject(Value *Obj) {
  SmallVector<DbgVariableRecord *, 4> Records;
  append_range(Records, findDVRDeclares(Obj));
  auto *AI = dyn_cast<AllocaInst>(Obj);
  if (AI)
    append_range(Records, at::getDVRAssignmentMarkers(AI));
  for (DbgVariableRecord *DVR : Records)
    if (DILocalVariable *Var = DVR->getVariable();
        Var && !Var->getName().empty())
      return "'" + Var->getName().str() + "'";
  if (auto *ST = AI ? dyn_cast<StructType>(AI->getAllocatedType()) : nullptr;
      ST && ST->hasName())
    return "an object of type '" + ST->getName().str() + "'";
  return "an object";
}

/// The (end, start) pairs of one block: an end of an object and a later
/// start of the same object. Whatever lies between them cannot read the
/// object (that would be undefined), so letting its lifetime run through the
/// gap changes nothing the program can observe.
static SmallVector<std::pair<IntrinsicInst *, IntrinsicInst *>, 4>
findRestarts(BasicBlock &BB) {
  SmallVector<std::pair<IntrinsicInst *, IntrinsicInst *>, 4> Pairs;
  DenseMap<Value *, IntrinsicInst *> OpenEnds; // object -> its last end
  for (Instruction &I : BB) {
    auto *II = dyn_cast<IntrinsicInst>(&I);
    if (!II)
      continue;
    if (II->getIntrinsicID() == Intrinsic::lifetime_end)
      OpenEnds[markedObject(*II)] = II;
    else if (II->getIntrinsicID() == Intrinsic::lifetime_start)
      if (IntrinsicInst *End = OpenEnds.lookup(markedObject(*II))) {
        Pairs.push_back({End, II});
        OpenEnds.erase(markedObject(*II));
      }
  }
  return Pairs;
}

/// Whether \p Obj is alive just before \p At on every path from the entry.
/// An alloca with lifetime markers starts dead (LangRef), a start makes it
/// alive and an end dead. Only then may a restart whose end is \p At go: on
/// a path that reaches the end with the object dead (not from clang, whose
/// ends follow starts, but possible in other IR) the start is what makes it
/// alive, and without it the object would be dead where it is used.
static bool aliveOnEveryPathTo(Instruction &At, const Value *Obj) {
  Function &F = *At.getFunction();
  // The state after [begin, Stop) of BB given the state at its entry.
  auto Transfer = [&](BasicBlock &BB, bool Alive, const Instruction *Stop) {
    for (Instruction &I : BB) {
      if (&I == Stop)
        break;
      if (isMarkerOf(I, Intrinsic::lifetime_start, Obj))
        Alive = true;
      else if (isMarkerOf(I, Intrinsic::lifetime_end, Obj))
        Alive = false;
    }
    return Alive;
  };
  // Forward must-analysis: optimistic start, meet is "and" over the
  // predecessors, so states only fall from alive to dead and this ends.
  DenseMap<const BasicBlock *, bool> AliveAtExit;
  for (BasicBlock &BB : F)
    AliveAtExit[&BB] = true;
  auto AliveAtEntry = [&](BasicBlock &BB) {
    if (BB.isEntryBlock())
      return false;
    bool Alive = true;
    for (BasicBlock *Pred : predecessors(&BB))
      Alive = Alive && AliveAtExit.lookup(Pred);
    return Alive;
  };
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (BasicBlock &BB : F) {
      bool Alive = Transfer(BB, AliveAtEntry(BB), nullptr);
      if (Alive != AliveAtExit[&BB]) {
        AliveAtExit[&BB] = Alive;
        Changed = true;
      }
    }
  }
  BasicBlock &BB = *At.getParent();
  return Transfer(BB, AliveAtEntry(BB), &At);
}

/// The restarts of \p F whose start reaches a suspend alive: those that may
/// go (\p Removable) and those whose object may be dead before the end
/// (\p NotAlive).
static void findRestartsBeforeSuspend(
    Function &F,
    SmallVectorImpl<std::pair<IntrinsicInst *, IntrinsicInst *>> &Removable,
    SmallVectorImpl<std::pair<IntrinsicInst *, IntrinsicInst *>> &NotAlive) {
  for (BasicBlock &BB : F)
    for (auto &P : findRestarts(BB))
      if (reachesSuspendAlive(*P.second))
        (aliveOnEveryPathTo(*P.first, markedObject(*P.first)) ? Removable
                                                                : NotAlive)
            .push_back(P);
}

/// The start of both remarks: which object, where, and what its markers do.
static void describeRestart(DiagnosticInfoOptimizationBase &R, StringRef What,
                            const Function &F) {
  R << "the lifetime of " << What << " in '" << displayName(F.getName())
    << "' ends and starts again in one block before a suspend it is live "
       "across";
}

PreservedAnalyses CoroLifetimeRestartPass::run(Function &F,
                                               FunctionAnalysisManager &AM) {
  if (!isSwitchPresplitCoroutine(F))
    return PreservedAnalyses::all();
  OptimizationRemarkEmitter *ORE = nullptr;
  bool Changed = false;
  // Until none is left: removing a pair lets the lifetime of the start
  // before it run on, so with three unrolled iterations
  // (end1 start2 ... end2 start3 ... suspend) start2 reaches the suspend only
  // once end2 is gone, and a block that keeps end1 is still no starting
  // point for CoroSplit. At the end no start that reaches a suspend alive
  // has an end of its object before it in its block (one after it would end
  // the object before the suspend), which is what CoroSplit's per-block test
  // needs. Each round removes a pair, so this ends.
  SmallPtrSet<IntrinsicInst *, 4> ReportedMissed;
  for (bool LimitReached = false; !LimitReached;) {
    SmallVector<std::pair<IntrinsicInst *, IntrinsicInst *>, 4> Pairs, NotAlive;
    findRestartsBeforeSuspend(F, Pairs, NotAlive);
    if (!ORE && (!Pairs.empty() || !NotAlive.empty()))
      ORE = &AM.getResult<OptimizationRemarkEmitterAnalysis>(F);
    for (auto [End, Start] : NotAlive) {
      if (!ReportedMissed.insert(Start).second)
        continue;
      ++NumRestartsKept;
      LLVM_DEBUG(dbgs() << "coro-lifetime-restart: " << F.getName()
                        << ": restart kept (may be dead): " << *Start << "\n");
      ORE->emit([&] {
        OptimizationRemarkMissed R(DEBUG_TYPE, "LifetimeRestart", Start);
        describeRestart(R, describeObject(markedObject(*Start)), F);
        return R << ", but it may be dead before that end on some path; the "
                    "markers are left alone (CoroSplit may keep it on the "
                    "stack)";
      });
    }
    if (Pairs.empty())
      break;
    for (auto [End, Start] : Pairs) {
      std::string What = describeObject(markedObject(*Start));
      // Refused once, refused from then on: the bisect limit is reached.
      if (!shouldTransform([&] {
            return "lifetime-restart: keep " + What + " of '" +
                   displayName(F.getName()) + "' alive across its restart";
          })) {
        LimitReached = true;
        break;
      }
      ORE->emit([&] {
        OptimizationRemark R(DEBUG_TYPE, "LifetimeRestart", Start);
        describeRestart(R, What, F);
        return R << "; the two markers are removed so that CoroSplit keeps it "
                    "in the frame (LLVM 22 would leave it on the stack)";
      });
      LLVM_DEBUG(dbgs() << "coro-lifetime-restart: " << F.getName()
                        << ": removing " << *End << " and " << *Start << "\n");
      ++NumRestartsRemoved;
      End->eraseFromParent();
      Start->eraseFromParent();
      Changed = true;
    }
  }
  if (!Changed)
    return PreservedAnalyses::all();
  PreservedAnalyses PA;
  PA.preserveSet<CFGAnalyses>();
  return PA;
}

} // namespace corofo
