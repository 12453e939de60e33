//===- CoroFrameReport.cpp - Report coroutine frame sizes -----------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Turns the frame analysis into remarks, a size warning and a test dump. The
/// remark argument names (coroutine, frame_size (bytes allocated),
/// layout_size (only when the layout is smaller), frame_align, lower_bound,
/// states, slots, escaped, slot, slot_size, slot_states; for slot remarks
/// kind, offset, size, align, live_states, type, source, origin) are an
/// interface: tools/coro-frame-report reads them from the YAML records.
//===----------------------------------------------------------------------===//

#include "CoroFrameReport.h"

#include "CoroFrameAnalysis.h"
#include "CoroFrameOverlap.h"
#include "RemarksWanted.h"

#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

#define DEBUG_TYPE "coro-frame-report"

STATISTIC(NumReported, "Number of coroutine frames reported");
STATISTIC(NumNotAnalysed, "Number of coroutine frames the analysis could not read");
STATISTIC(NumUnsupported, "Number of coroutines of an unsupported ABI");
STATISTIC(NumWarned, "Number of frames above the size warning threshold");

namespace corofo {

WantedRemarks WantedRemarks::in(LLVMContext &Ctx) {
  WantedRemarks W;
  W.Summary = remarksWanted(Ctx, ReportRemarkPass);
  W.Slots = remarksWanted(Ctx, SlotRemarkPass);
  W.Overlap = remarksWanted(Ctx, OverlapRemarkPass);
  return W;
}

/// Where remarks about \p C point: the ramp's (or resume clone's) definition.
static DiagnosticLocation coroutineLocation(const SplitCoroutine &C) {
  return DiagnosticLocation(C.anchor()->getSubprogram());
}

static void emitSummary(const SplitCoroutine &C, StringRef Name,
                        const FrameLayout &L, OptimizationRemarkEmitter &ORE) {
  Function *Anchor = C.anchor();
  ORE.emit([&] {
    OptimizationRemarkAnalysis R(ReportRemarkPass, "CoroFrame",
                                 coroutineLocation(C), &Anchor->getEntryBlock());
    // The bytes allocated are what the program pays; a layout that needs
    // fewer (a re-layout the allocation could not follow) is shown beside.
    R << "coroutine '" << ore::NV("coroutine", Name)
      << "': frame " << ore::NV("frame_size", L.AllocSize) << " bytes";
    if (L.Size < L.AllocSize)
      R << " allocated (layout " << ore::NV("layout_size", L.Size)
        << " bytes)";
    R << ", align "
      << ore::NV("frame_align", L.Alignment.value()) << ", lower bound "
      << ore::NV("lower_bound", L.LowerBound) << " bytes, "
      << ore::NV("states", unsigned(L.States.size())) << " states, "
      << ore::NV("slots", unsigned(L.Slots.size())) << " slots";
    if (!L.NumEscaped) {
    } else if (!L.NumScoped)
      R << " (" << ore::NV("escaped", L.NumEscaped)
        << " escaped, assumed live in every state)";
    else if (L.NumEscaped == L.NumScoped)
      R << " (" << ore::NV("escaped", L.NumEscaped) << " escaped, "
        << ore::NV("scoped", L.NumScoped)
        << " bounded by their recorded scopes)";
    else if (L.NumEscaped)
      R << " (" << ore::NV("escaped", L.NumEscaped) << " escaped: "
        << ore::NV("scoped", L.NumScoped)
        << " bounded by their recorded scopes, the others assumed live in "
           "every state)";
    auto Largest = L.largestSlots(3);
    if (!Largest.empty())
      R << "; largest:";
    for (const FrameSlot *S : Largest)
      R << " " << ore::NV("slot", S->Name) << " ("
        << ore::NV("slot_size", S->Size) << " B, states "
        << ore::NV("slot_states", L.liveStatesText(*S)) << ")";
    return R;
  });
}

static void emitSlots(const SplitCoroutine &C, StringRef Name,
                      const FrameLayout &L, OptimizationRemarkEmitter &ORE) {
  Function *Anchor = C.anchor();
  for (const FrameSlot &S : L.Slots) {
    if (L.Relaid && S.Kind == SlotKind::Unused)
      continue;
    ORE.emit([&] {
      OptimizationRemarkAnalysis R(SlotRemarkPass, "CoroFrameSlot",
                                   coroutineLocation(C),
                                   &Anchor->getEntryBlock());
      R << "coroutine '" << ore::NV("coroutine", Name)
        << "' slot '" << ore::NV("slot", S.Name) << "' "
        << ore::NV("kind", slotKindName(S.Kind)) << " at offset "
        << ore::NV("offset", S.Offset) << " size " << ore::NV("size", S.Size)
        << " align " << ore::NV("align", S.Alignment.value())
        << ", live in states " << ore::NV("live_states", L.liveStatesText(S))
        << ", escaped " << ore::NV("escaped", S.Escaped ? "true" : "false");
      if (S.Scoped)
        R << ", scoped " << ore::NV("scoped", "true");
      R << ", type " << ore::NV("type", S.typeName());
      if (!S.Source.empty())
        R << ", from " << ore::NV("source", S.Source);
      // What the name rests on: the report tool measures attribution by it.
      R << ", named as " << ore::NV("origin", slotOriginName(S.Origin));
      return R;
    });
  }
}

static void warnIfTooLarge(const SplitCoroutine &C, const FrameLayout &L,
                           uint64_t Limit) {
  if (!Limit || L.AllocSize <= Limit)
    return;
  std::string Msg;
  raw_string_ostream OS(Msg);
  OS << "coroutine frame of '" << displayName(C.Name) << "' is "
     << L.AllocSize << " bytes, larger than " << Limit
     << " (-coro-frame-opt-warn-above)";
  auto Largest = L.largestSlots(3);
  if (!Largest.empty()) {
    OS << "; largest slots:";
    for (const FrameSlot *S : Largest) {
      OS << " " << S->Name << " (" << S->Size << " bytes";
      if (!S->Source.empty())
        OS << ", " << S->Source;
      OS << ")";
    }
  }
  Function *Anchor = C.anchor();
  // A resource-limit diagnostic, like -Wframe-larger-than's: clang places it
  // at the function's declaration even without debug info.
  Anchor->getContext().diagnose(DiagnosticInfoResourceLimit(
      *Anchor, "coroutine frame size", L.AllocSize, Limit, DS_Warning));
  Anchor->getContext().diagnose(DiagnosticInfoGenericWithLoc(
      Msg, *Anchor, coroutineLocation(C), DS_Note));
  ++NumWarned;
}

void reportCoroutineFrame(const SplitCoroutine &C, const FrameLayout &L,
                          const ReportOptions &Opts,
                          const WantedRemarks &Wanted,
                          OptimizationRemarkEmitter &ORE) {
  if (!L.Analyzable) {
    Function *Anchor = C.anchor();
    ORE.emit([&] {
      OptimizationRemarkMissed R(ReportRemarkPass, "NotAnalysed",
                                 coroutineLocation(C), &Anchor->getEntryBlock());
      R << "coroutine '" << ore::NV("coroutine", displayName(C.Name)) << "'";
      if (C.FrameSize)
        R << " (frame " << ore::NV("frame_size", *C.FrameSize) << " bytes)";
      R << " not analysed: " << ore::NV("reason", L.WhyNot);
      return R;
    });
    LLVM_DEBUG(dbgs() << "coro-frame-report: " << C.Name
                      << " not analysed: " << L.WhyNot << "\n");
    ++NumNotAnalysed;
    return;
  }
  assert(L.Detail == FrameDetail::Full && "a report needs slot names");
  std::string Name =
      Wanted.Summary || Wanted.Slots ? displayName(C.Name) : "";
  if (Wanted.Summary)
    emitSummary(C, Name, L, ORE);
  if (Wanted.Slots)
    emitSlots(C, Name, L, ORE);
  warnIfTooLarge(C, L, Opts.WarnAbove);
  LLVM_DEBUG(dbgs() << "coro-frame-report: " << C.Name << ": "
                    << L.AllocSize << " bytes, " << L.Slots.size()
                    << " slots, " << L.States.size() << " states\n");
  ++NumReported;
}

void reportUnsupportedABI(Function &F, CoroABI ABI,
                          OptimizationRemarkEmitter &ORE) {
  ORE.emit([&] {
    return OptimizationRemarkMissed(ReportRemarkPass, "UnsupportedABI", &F)
           << "coroutine '" << ore::NV("coroutine", displayName(F.getName()))
           << "' uses the " << ore::NV("abi", abiName(ABI))
           << " ABI; CoroFrameOpt handles only switch-ABI coroutines and "
              "leaves it unchanged";
  });
  ++NumUnsupported;
}

void printFrameLayout(const SplitCoroutine &C, const FrameLayout &L,
                      raw_ostream &OS) {
  OS << "coroutine " << C.Name << ":";
  for (Function *F : C.functions())
    OS << " " << F->getName();
  OS << "\n";
  if (!L.Analyzable) {
    OS << "  not analysed: " << L.WhyNot << "\n";
    return;
  }
  OS << "  frame " << L.Size;
  if (L.AllocSize != L.Size)
    OS << " alloc " << L.AllocSize;
  OS << " align " << L.Alignment.value()
     << " lower-bound " << L.LowerBound << " (fixed " << L.FixedBytes
     << " index " << L.IndexBytes << " max-live " << L.MaxLiveBytes << ")"
     << (L.Relaid    ? " relaid"
         : L.FrameTy ? " layout-from-type"
                     : " layout-from-accesses")
     << "\n";
  for (const SuspendState &S : L.States) {
    OS << "  state ";
    if (S.IndexValue == SuspendState::NullResumeState)
      OS << "final(null-resume)";
    else
      OS << S.IndexValue << (S.Final ? " final" : "");
    OS << " resumed-in:";
    for (auto &[F, BB] : S.ResumeBlocks)
      OS << " " << F->getName();
    OS << " set-in:";
    for (StoreInst *SI : S.IndexStores)
      OS << " " << SI->getFunction()->getName();
    OS << " live:";
    for (const FrameSlot &Sl : L.Slots)
      if (!Sl.isFixed() &&
          Sl.LiveStates.test(&S - &L.States.front()))
        OS << " #" << Sl.Id;
    OS << "\n";
  }
  for (const FrameSlot &S : L.Slots) {
    if (L.Relaid && S.Kind == SlotKind::Unused)
      continue;
    OS << "  slot #" << S.Id << " [" << S.Offset << "," << S.end() << ") align "
       << S.Alignment.value() << " " << slotKindName(S.Kind)
       << (S.Escaped ? " escaped" : "") << (S.Scoped ? " scoped" : "")
       << " live " << L.liveStatesText(S)
       << " accesses " << S.Accesses.size() << " '" << S.Name << "'";
    if (!S.Source.empty())
      OS << " " << S.Source;
    // Interference among movable slots (fixed, unscoped escaped and index
    // slots interfere with everything and are left out).
    auto Movable = [](const FrameSlot &X) {
      return !X.isFixed() && (!X.Escaped || X.Scoped) &&
             X.Kind != SlotKind::Index;
    };
    if (Movable(S) && S.Id < L.Interferes.size()) {
      OS << " interferes:";
      for (unsigned T : L.Interferes[S.Id].set_bits()) {
        const FrameSlot &O = L.Slots[T];
        if (Movable(O))
          OS << " #" << T;
      }
    }
    OS << "\n";
  }
}

PreservedAnalyses CoroFrameReportPass::run(Module &M,
                                           ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  WantedRemarks Wanted = WantedRemarks::in(M.getContext());
  for (const SplitCoroutine &C : findSplitCoroutines(M))
    reportCoroutineFrame(
        C, analyzeFrame(C), Opts, Wanted,
        FAM.getResult<OptimizationRemarkEmitterAnalysis>(*C.anchor()));
  for (Function &F : M)
    if (std::optional<CoroABI> ABI = getUnsupportedABI(F))
      reportUnsupportedABI(
          F, *ABI, FAM.getResult<OptimizationRemarkEmitterAnalysis>(F));
  return PreservedAnalyses::all();
}

PreservedAnalyses CoroFramePrinterPass::run(Module &M,
                                            ModuleAnalysisManager &) {
  for (const SplitCoroutine &C : findSplitCoroutines(M))
    printFrameLayout(C, analyzeFrame(C), errs());
  return PreservedAnalyses::all();
}

} // namespace corofo
