//===- CoroFrameAnalysis.cpp - Slots, states and liveness of a frame ------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Reconstructs a split coroutine's frame from the IR of its ramp and clones,
/// in phases, each in its own file and run in this order by
/// FrameAnalyzer::run below:
///
///  1. Frame pointers (FrameSlots.cpp): param 0 of .resume/.destroy/.cleanup,
///     the last param of .noalloc, and in the ramp the pointer `@F.resume` is
///     stored through.
///  2. Slots (FrameSlots.cpp): the fields of `%F.Frame` (offsets from the
///     DataLayout) or, when that type is gone or does not match the recorded
///     size, byte ranges.
///  3. Accesses (FrameAccesses.cpp): every user of a frame pointer in a block
///     that runs (reachable over feasible edges, FrameControlFlow.cpp),
///     followed through constant GEPs. A load reads, a store writes,
///     memcpy/memset read/write a span (possibly several slots), a call
///     argument marked captures(none) reads and may write. Anything else that
///     lets a slot's address out escapes it. The frame pointer itself
///     (offset 0) reaching a call or memory is a coroutine handle: through a
///     handle only the ABI fields (resume/destroy pointers, promise) are
///     reachable, so only those are touched.
///  4. States (FrameStates.cpp): the clones dispatch on the index field
///     (`switch` on its load; with -fno-exceptions .destroy first tests the
///     resume pointer for null, which is the final state). Stores of the
///     index mark suspend points.
///  5. Scopes (FrameScopes.cpp): an escaped object whose every escape carries
///     a scope tag recorded before CoroSplit (ScopeMarkerFormat.h) is open
///     from its escapes and start markers until its end markers, by forward
///     data flow glued at the suspend states; it is live only where it may be
///     open.
///  6. Liveness (FrameLiveness.cpp): backward data flow over the blocks that
///     run; a store of index K is where the coroutine may suspend in state K,
///     so everything live on entry to any clone's resume block for K is live
///     there. Iterated to a fixed point over all functions (the suspend edges
///     glue them together). Then the lower bound of the frame's size.
///  7. Names (FrameNames.cpp): what each slot holds in source terms, from
///     evidence only; the objects each slot's tagged accesses name are
///     recorded for it.
///
/// Anything the walk does not understand makes the frame unanalysable, and
/// the reason is kept for the report and for missed remarks.
//===----------------------------------------------------------------------===//

#include "FrameAnalyzer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace corofo {

StringRef slotKindName(SlotKind K) {
  switch (K) {
  case SlotKind::Header:
    return "header";
  case SlotKind::Promise:
    return "promise";
  case SlotKind::Index:
    return "index";
  case SlotKind::Spill:
    return "spill";
  case SlotKind::Alloca:
    return "alloca";
  case SlotKind::Unused:
    return "unused";
  }
  return "unknown";
}


/// The functions holding code that stores the coroutine's own resume or
/// destroy functions: the ramp and .noalloc initialise the frame that way.
/// Anywhere else, a copy of ramp code was inlined (CoroAnnotationElide
/// inlines .noalloc into callers in the same CGSCC step as CoroSplit, before
/// this analysis runs): it initialises frames with the current layout, so
/// slots must not move. Returns the first such function.
static Function *findInlinedRampCopy(const SplitCoroutine &C) {
  for (Function *Target : {C.Resume, C.Destroy, C.Cleanup}) {
    if (!Target)
      continue;
    SmallVector<const User *, 8> Work(Target->users().begin(),
                                      Target->users().end());
    SmallPtrSet<const User *, 16> Seen;
    while (!Work.empty()) {
      const User *U = Work.pop_back_val();
      if (!Seen.insert(U).second)
        continue;
      if (const auto *I = dyn_cast<Instruction>(U)) {
        Function *F = const_cast<Function *>(I->getFunction());
        if (F != C.Ramp && F != C.NoAlloc)
          return F;
        continue;
      }
      // Constants (the @F.resumers array, casts): follow their users. The
      // resumers array's user is llvm.coro.id in the ramp.
      for (const User *UU : U->users())
        Work.push_back(UU);
    }
  }
  return nullptr;
}

void EventsByBlock::merge(const EventsByBlock *Base, unsigned NumBlocks,
                          ArrayRef<std::pair<unsigned, Instruction *>> Keyed) {
  Start.assign(NumBlocks + 1, 0);
  Insts.reserve(Keyed.size() + (Base ? Base->Insts.size() : 0));
  const auto *K = Keyed.begin();
  for (unsigned B = 0; B < NumBlocks; ++B) {
    ArrayRef<Instruction *> Old;
    if (Base)
      Old = Base->of(B);
    const auto *O = Old.begin();
    size_t First = Insts.size();
    // Both in program order; one taken from both sides is kept once.
    while (O != Old.end() || (K != Keyed.end() && K->first == B)) {
      bool FromKeyed = K != Keyed.end() && K->first == B &&
                       (O == Old.end() ||
                        (K->second != *O && K->second->comesBefore(*O)));
      Instruction *Next = FromKeyed ? (K++)->second : *O++;
      if (Insts.size() == First || Insts.back() != Next)
        Insts.push_back(Next);
    }
    Start[B + 1] = Insts.size();
  }
}

void BlockEdges::assign(unsigned NumBlocks,
                        ArrayRef<std::pair<unsigned, unsigned>> Edges,
                        bool ByTarget) {
  // A counting sort by block, stable: each block keeps its edges in order.
  Start.assign(NumBlocks + 1, 0);
  for (auto [From, To] : Edges)
    ++Start[(ByTarget ? To : From) + 1];
  for (unsigned B = 0; B < NumBlocks; ++B)
    Start[B + 1] += Start[B];
  Ends.resize(Edges.size());
  std::vector<unsigned> Next(Start.begin(), Start.end() - 1);
  for (auto [From, To] : Edges)
    Ends[Next[ByTarget ? To : From]++] = ByTarget ? From : To;
}

void FrameAnalyzer::run() {
  L.Analyzable = true;
  for (Function *F : C.functions())
    if (F->hasFnAttribute(DeadPathsPrunedAttr)) {
      fail("'" + F->getName().str() +
           "' was pruned by coro-prune-dead-paths, which has to run after "
           "the frame analysis");
      return;
    }
  if (Function *Copy = findInlinedRampCopy(C))
    L.NoRelayout = "frame-initialising code of this coroutine was already "
                   "inlined into '" + displayName(Copy->getName()) +
                   "' with the current layout";
  if (!findFrameBases() || !buildSlots())
    return;
  findRunningBlocks();
  for (FrameSlot &S : L.Slots)
    S.Guaranteed = S.Offset ? std::min(L.Alignment, Align(uint64_t(1)
                                          << llvm::countr_zero(S.Offset)))
                            : L.Alignment;
  std::string NoRelayout = L.NoRelayout;
  for (auto &[F, Base] : L.FrameBases)
    if (!walkAccesses(*F, Base))
      return;
  std::vector<unsigned> FirstPartOf;
  if (splitSharedFields(FirstPartOf)) {
    Effects.clear();
    Escapes.clear();
    Touchers.clear();
    L.NoRelayout = NoRelayout;
    for (FrameSlot &S : L.Slots)
      S.Escaped = false;
    if (!replayAccesses(FirstPartOf))
      return;
  }
  WalkSteps = {};
  // Deterministic access order: by function, then position (see
  // numberRunningBlocks); within a block the instructions' own order
  // decides (numbering every instruction cost more than the analysis). The
  // accessing instructions are sorted once, then dealt out to their slots.
  numberRunningBlocks();
  unsigned N = RunningBlocks.size();
  auto Before = [&](const Instruction *A, const Instruction *B) {
    if (A->getParent() != B->getParent())
      return BlockOrder.lookup(A->getParent()) <
             BlockOrder.lookup(B->getParent());
    return A != B && A->comesBefore(B);
  };
  AccessEvents.emplace(BlockOrder, Effects);
  for (unsigned Block = 0; Block < N; ++Block)
    for (Instruction *I : AccessEvents->of(Block))
      for (unsigned Id : Effects.find(I)->second.Touches.set_bits())
        L.Slots[Id].Accesses.push_back(I);
  for (FrameSlot &S : L.Slots) {
    // Loads and stores state the alignment they rely on; anything else (a
    // call may assume the object's alignment) keeps what the offset gave.
    S.Needed = Align(1);
    for (Instruction *I : S.Accesses) {
      if (isa<GetElementPtrInst>(I))
        continue;
      if (auto *LI = dyn_cast<LoadInst>(I))
        S.Needed = std::max(S.Needed, LI->getAlign());
      else if (auto *SI = dyn_cast<StoreInst>(I);
               SI && !S.Escaped)
        S.Needed = std::max(S.Needed, SI->getAlign());
      else
        S.Needed = S.Guaranteed;
    }
    S.Needed = std::min(S.Needed, S.Guaranteed);
    if (S.Kind != SlotKind::Unused || S.Accesses.empty())
      continue;
    // Scalars that are only loaded and stored whole are spilled values.
    bool WholeScalar = S.Ty && (S.Ty->isIntegerTy() ||
                                S.Ty->isFloatingPointTy() ||
                                S.Ty->isPointerTy() || S.Ty->isVectorTy());
    S.Kind = WholeScalar && !S.Escaped ? SlotKind::Spill : SlotKind::Alloca;
  }
  if (!findStates() || !recordIndexStores())
    return;
  for (SuspendState &S : L.States)
    llvm::sort(S.IndexStores, Before);
  computeScopes();
  computeLiveness();
  computeLowerBound();
  if (L.Detail == FrameDetail::Full) {
    recordSlotObjects();
    nameFrameSlots(C, L);
  }
}

AnnotationIndex indexAnnotations(Module &M) {
  AnnotationIndex Index;
  Type *PtrTy = PointerType::getUnqual(M.getContext());
  if (Function *Annotation = Intrinsic::getDeclarationIfExists(
          &M, Intrinsic::var_annotation, {PtrTy, PtrTy}))
    for (User *U : Annotation->users())
      if (auto *I = dyn_cast<Instruction>(U))
        Index[I->getFunction()].push_back(I);
  return Index;
}

FrameLayout analyzeFrame(const SplitCoroutine &C, FrameDetail Detail,
                         const AnnotationIndex *Annotations,
                         KnownFlows *Flows) {
  FrameLayout L;
  L.Detail = Detail;
  FrameAnalyzer(C, L, Annotations, Flows).run();
  return L;
}

uint64_t
FrameLayout::greedyCliqueBytes(SmallVectorImpl<unsigned> &Members) const {
  llvm::stable_sort(Members, [&](unsigned A, unsigned B) {
    return Slots[A].Size > Slots[B].Size;
  });
  SmallVector<unsigned, 16> Clique;
  uint64_t Bytes = 0;
  for (unsigned Id : Members)
    if (all_of(Clique, [&](unsigned C) { return Interferes[Id].test(C); })) {
      Clique.push_back(Id);
      Bytes += Slots[Id].Size;
    }
  return Bytes;
}

SmallVector<const FrameSlot *, 8> FrameLayout::largestSlots(unsigned N) const {
  SmallVector<const FrameSlot *, 8> Out;
  for (const FrameSlot &S : Slots)
    if (!S.isFixed() && S.Kind != SlotKind::Index && S.Kind != SlotKind::Unused)
      Out.push_back(&S);
  llvm::stable_sort(Out, [](const FrameSlot *A, const FrameSlot *B) {
    return A->Size > B->Size;
  });
  if (Out.size() > N)
    Out.resize(N);
  return Out;
}

std::string FrameLayout::liveStatesText(const FrameSlot &S) const {
  if (S.LiveStates.size() && S.LiveStates.all())
    return "all";
  if (S.LiveStates.none())
    return "none";
  std::string Text;
  for (unsigned St : S.LiveStates.set_bits()) {
    if (!Text.empty())
      Text += ",";
    Text += States[St].Final ? "final" : std::to_string(States[St].IndexValue);
  }
  return Text;
}

} // namespace corofo
