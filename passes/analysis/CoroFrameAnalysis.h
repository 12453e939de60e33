//===- CoroFrameAnalysis.h - Facts about split coroutine frames -*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// The one place that answers questions about a coroutine's frame after
/// LLVM's CoroSplit: its slots, suspend states, which slot is live across
/// which state, the lower bound of its size, what each slot holds in source
/// terms, and where the size is recorded. A plain data result
/// (FrameLayout) of analyzeFrame; the phases that compute it are private
/// (FrameAnalyzer.h). Passes ask here; they do not walk the IR for frame
/// facts on their own.
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_ANALYSIS_COROFRAMEANALYSIS_H
#define COROFRAMEOPT_ANALYSIS_COROFRAMEANALYSIS_H

#include "SplitCoroutine.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/Function.h"
#include "llvm/Support/Alignment.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class BasicBlock;
class CallBase;
class Function;
class Instruction;
class Module;
class StoreInst;
class StructType;
class Type;
class Value;
} // namespace llvm

namespace corofo {

//===----------------------------------------------------------------------===//
// Frame layout, states and liveness.
//===----------------------------------------------------------------------===//

/// What a frame slot holds. Header, Promise and Index are the fixed fields.
enum class SlotKind { Header, Promise, Index, Spill, Alloca, Unused };
llvm::StringRef slotKindName(SlotKind K);

/// What a slot's name rests on (docs/report.md, "Slot names"). The first
/// five name a source entity the IR gives evidence for; Temporary and Value
/// only say what the bytes are (a type) and where they are made (a line);
/// Unknown has not even the line.
enum class SlotOrigin {
  Fixed,       ///< Header, promise or index: named by their ABI role.
  Variable,    ///< A local variable (debug records place it in the slot).
  Parameter,   ///< A parameter, or the copy of one the ramp stores.
  Awaiter,     ///< The awaiter that an await_suspend call is given.
  ElidedFrame, ///< A callee coroutine's frame that CoroElide put here.
  Temporary,   ///< An object known by its type and defining line only.
  Value,       ///< A spilled value known by its type and defining line only.
  Unknown      ///< Type only (no line: built without debug info), or unused.
};
llvm::StringRef slotOriginName(SlotOrigin O);

/// One slot of the frame: a field of the frame struct (or, when the struct
/// type is unknown, a maximal byte range that accesses touch together).
struct FrameSlot {
  unsigned Id = 0;
  uint64_t Offset = 0;
  uint64_t Size = 0;
  llvm::Align Alignment;
  /// The alignment the slot's current offset guarantees (with the frame's):
  /// all any access to it may rely on. A new offset must keep it.
  llvm::Align Guaranteed;
  /// The alignment a new offset must have: the largest `align` of its loads
  /// and stores when those are its only accesses, else Guaranteed.
  llvm::Align Needed;
  SlotKind Kind = SlotKind::Unused;
  int FieldIndex = -1;           ///< Element of the frame struct, if known.
  /// A field LLVM gave several objects of different sizes is split into
  /// parts at their sizes, one slot each: parts [GroupStart, GroupStart +
  /// GroupSize) of one field keep their relative offsets (an object spans
  /// several). An unsplit slot is a group of one.
  unsigned GroupStart = 0;
  unsigned GroupSize = 1;
  llvm::Type *Ty = nullptr;      ///< Element type, if known.
  /// The address leaves the coroutine's own code (passed to a call that may
  /// capture it, stored to memory, ...): the slot is assumed live everywhere,
  /// unless it is Scoped.
  bool Escaped = false;
  /// An escaped object whose scope was recorded before CoroSplit
  /// (ScopeMarkerFormat.h): it is live only where its scope may be open.
  bool Scoped = false;
  /// Every instruction, in any function of the coroutine, that reads, writes
  /// or takes the address of the slot.
  llvm::SmallVector<llvm::Instruction *, 4> Accesses;
  /// Suspend states (indices into FrameLayout::States) the slot is live across.
  llvm::BitVector LiveStates;
  /// Objects recorded before CoroSplit (scope tags, ScopeMarkerFormat.h)
  /// whose accesses touch the slot, as (object id, size in bytes); each
  /// starts at its field's start. Empty without tags (e.g. at -O0).
  llvm::SmallVector<std::pair<uint64_t, uint64_t>, 2> Objects;
  std::string Name;   ///< What the slot holds, from evidence (SlotOrigin).
  SlotOrigin Origin = SlotOrigin::Unknown;
  std::string Source; ///< "file:line" where known.
  /// Set for byte ranges; slots with a type print it when asked (only the
  /// report asks: printing every slot's type cost the -O2 analysis 3%).
  std::string TypeName;

  std::string typeName() const;

  bool isFixed() const {
    return Kind == SlotKind::Header || Kind == SlotKind::Promise;
  }
  uint64_t end() const { return Offset + Size; }
};

/// One suspend state: a value of the suspend index.
struct SuspendState {
  /// IndexValue of the final state when the final suspend stores no index
  /// (-fno-exceptions): .destroy recognises it by a null resume pointer.
  static constexpr uint64_t NullResumeState = uint64_t(1) << 62;
  uint64_t IndexValue = 0;
  bool Final = false;
  /// Where the index is set to this value (in the ramp and the clones).
  llvm::SmallVector<llvm::StoreInst *, 2> IndexStores;
  /// The block each clone's dispatch jumps to for this state.
  llvm::SmallVector<std::pair<llvm::Function *, llvm::BasicBlock *>, 3>
      ResumeBlocks;
};

/// How much analyzeFrame computes.
enum class FrameDetail {
  /// Everything, also what only reports read: slot names, origins and
  /// objects, and the lower bound's live bytes (MaxLiveBytes).
  Full,
  /// What re-laying out the frame needs: slots, states, liveness and
  /// interference (names stay empty, MaxLiveBytes 0).
  Layout
};

/// Everything the passes and the report need to know about one frame.
struct FrameLayout {
  /// False when the IR does not have a shape the analysis understands; then
  /// WhyNot says what, and no transformation may touch the coroutine.
  bool Analyzable = false;
  std::string WhyNot;

  llvm::StructType *FrameTy = nullptr; ///< `%<ramp>.Frame`, when usable.
  /// The layout after coro-frame-overlap moved the slots; unused slots (no
  /// access) were dropped and are not part of it.
  bool Relaid = false;
  /// Bytes of the layout (what `dereferenceable(N)` on the clones says).
  uint64_t Size = 0;
  /// Bytes the program asks its allocator for: what `llvm.coro.size`
  /// became (the frame struct's size), or the new size once a re-layout's
  /// size reached every allocation and deallocation. When a re-layout could
  /// not change the allocation, this stays larger than Size.
  uint64_t AllocSize = 0;
  llvm::Align Alignment;
  std::vector<FrameSlot> Slots;
  /// The slot holding byte \p Offset, or -1.
  int slotAt(uint64_t Offset) const {
    for (const FrameSlot &S : Slots)
      if (Offset >= S.Offset && Offset < S.end())
        return S.Id;
    return -1;
  }
  int IndexSlot = -1;
  std::vector<SuspendState> States;

  /// The frame pointer in each function of the coroutine.
  llvm::SmallVector<std::pair<llvm::Function *, llvm::Value *>, 5> FrameBases;
  /// Why slots cannot be given new offsets (empty when they can).
  std::string NoRelayout;
  /// Interference: Interferes[A].test(B) when A and B may hold values at the
  /// same time (one is written while the other is live or touched), so they
  /// must not share bytes. Fixed slots and escaped slots that are not Scoped
  /// interfere with all.
  std::vector<llvm::BitVector> Interferes;

  /// Bytes of fixed fields (header + promise), index, and the most bytes of
  /// other slots live at any one program point.
  uint64_t FixedBytes = 0;
  uint64_t IndexBytes = 0;
  uint64_t MaxLiveBytes = 0;
  /// The smallest allocation any assignment of offsets to these slots could
  /// have, given the liveness this analysis proved (escaped slots live
  /// everywhere).
  uint64_t LowerBound = 0;
  unsigned NumEscaped = 0;
  /// Escaped slots bounded by their recorded scopes (a subset of NumEscaped).
  unsigned NumScoped = 0;

  /// What was computed: a report needs Full.
  FrameDetail Detail = FrameDetail::Full;

  /// Bytes of a clique of the interference graph among \p Members, found
  /// greedily by decreasing size (ties keep their order): those slots need
  /// disjoint bytes in any layout. Sorts \p Members.
  uint64_t greedyCliqueBytes(llvm::SmallVectorImpl<unsigned> &Members) const;

  /// Slots by decreasing size (ties by offset); fixed fields excluded.
  llvm::SmallVector<const FrameSlot *, 8> largestSlots(unsigned N) const;
  /// "0,2,3", "all", or "none" (states by their index values).
  std::string liveStatesText(const FrameSlot &S) const;
};

/// A module's `llvm.var.annotation` calls (the recorded scope markers among
/// them) by function. A caller that analyses every coroutine of a module in
/// turn (the -O0 module pass, where all of them still hold their markers)
/// builds it once: each coroutine then finds its own markers without going
/// over everyone else's. Whoever erases annotations in a function drops the
/// function's entry first.
using AnnotationIndex =
    llvm::DenseMap<const llvm::Function *,
                   llvm::SmallVector<llvm::Instruction *, 8>>;
AnnotationIndex indexAnnotations(llvm::Module &M);

/// Some blocks of one function, kept by block number: a look-up is a bit
/// test (a hash set of blocks cost more than the flows that read it), and
/// the members are walked in the order they were added, not the function's
/// (which would visit every block). The numbers must stay as they were while
/// it is read: nothing between the flows and their readers renumbers.
class BlockSet {
public:
  explicit BlockSet(const llvm::Function &F)
      : F(&F), Bits(F.getMaxBlockNumber()) {}
  /// Add \p BB (of this function); false if it was there.
  bool insert(const llvm::BasicBlock *BB) {
    if (Bits.test(BB->getNumber()))
      return false;
    Bits.set(BB->getNumber());
    Members.push_back(BB);
    return true;
  }
  /// Blocks of other functions and blocks made since are no members.
  bool contains(const llvm::BasicBlock *BB) const {
    return BB->getParent() == F && BB->getNumber() < Bits.size() &&
           Bits.test(BB->getNumber());
  }
  size_t size() const { return Members.size(); }
  auto begin() const { return Members.begin(); }
  auto end() const { return Members.end(); }

private:
  const llvm::Function *F;
  llvm::BitVector Bits;
  llvm::SmallVector<const llvm::BasicBlock *, 32> Members;
};

/// The blocks of a function that can run, and where a block's branch or
/// switch is known to go, the successor it takes (FrameControlFlow.cpp).
struct KnownControlFlow {
  explicit KnownControlFlow(const llvm::Function &F) : Running(F) {}
  BlockSet Running;
  llvm::DenseMap<const llvm::BasicBlock *, const llvm::BasicBlock *> Taken;
};
/// Which blocks of \p F run: those reachable from its entry over the edges
/// that conditions with a known value leave open. A condition is known when
/// it is a constant, a comparison of known values, or a phi whose incoming
/// values on the edges that can run agree (CoroSplit's clones, unsimplified,
/// carry chains of these: the folded suspend result selects a cleanup's
/// destination, which a phi passes on to the branch that leaves it).
KnownControlFlow findKnownControlFlow(const llvm::Function &F);

/// Per function, its known control flow.
using KnownFlows =
    llvm::SmallVector<std::pair<llvm::Function *, KnownControlFlow>, 4>;

/// \p F's known control flow in \p Flows, or null if it has none.
inline const KnownControlFlow *flowOf(const KnownFlows &Flows,
                                      const llvm::Function *F) {
  for (const auto &[G, Flow] : Flows)
    if (G == F)
      return &Flow;
  return nullptr;
}

/// Analyse the frame of \p C. Never fails: an unanalysable frame comes back
/// with Analyzable = false and the reason. \p Annotations, if given, must be
/// up to date for \p C's functions. \p Flows, if given, receives the known
/// control flow of each function the analysis read (none if it stopped
/// before), for a caller that folds those branches afterwards.
FrameLayout analyzeFrame(const SplitCoroutine &C,
                         FrameDetail Detail = FrameDetail::Full,
                         const AnnotationIndex *Annotations = nullptr,
                         KnownFlows *Flows = nullptr);

/// The function attribute coro-prune-dead-paths leaves on the functions it
/// changed. The frame analysis refuses them: it reads a coroutine in the
/// shape CoroSplit gives it (a `.resume` without a dispatch, for one, is
/// entered where the chain from its entry reaches the suspend's folded
/// switch, which pruning folds away).
inline constexpr const char *DeadPathsPrunedAttr =
    "coro-frame-opt-dead-paths-pruned";

/// Give every slot of \p L (analysed, accesses known) its Name, Origin and
/// Source from the debug records, stores and calls of \p C's functions
/// (FrameNames.cpp). Part of analyzeFrame.
void nameFrameSlots(const SplitCoroutine &C, FrameLayout &L);

} // namespace corofo

#endif // COROFRAMEOPT_ANALYSIS_COROFRAMEANALYSIS_H
