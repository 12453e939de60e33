//===- CoroFrameReport.cpp - Report coroutine frame sizes -----------------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// Emits the per-coroutine frame remarks described in the header. The remark
/// argument names (`coroutine`, `frame_size`, `frame_align`, `abi`) are an
/// interface: tools/coro-frame-report reads them from the YAML records.
//===----------------------------------------------------------------------===//

#include "CoroFrameReport.h"
#include "CoroFrameAnalysis.h"

#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Module.h"

using namespace llvm;

#define DEBUG_TYPE "coro-frame-report"

STATISTIC(NumReported, "Number of coroutine frames reported");
STATISTIC(NumUnsupported, "Number of coroutines of an unsupported ABI");

namespace corofo {

void reportCoroutineFrame(const SplitCoroutine &C,
                          OptimizationRemarkEmitter &ORE) {
  Function *Anchor = C.anchor();
  ORE.emit([&] {
    OptimizationRemarkAnalysis R(ReportRemarkPass, "CoroFrame", Anchor);
    R << "coroutine '" << ore::NV("coroutine", displayName(C.Name)) << "': ";
    if (C.FrameSize)
      R << "frame " << ore::NV("frame_size", *C.FrameSize) << " bytes";
    else
      R << "frame size unknown (no dereferenceable attribute)";
    if (C.FrameAlign)
      R << ", align " << ore::NV("frame_align", C.FrameAlign->value());
    return R;
  });
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

PreservedAnalyses CoroFrameReportPass::run(Module &M,
                                           ModuleAnalysisManager &AM) {
  auto &FAM = AM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  for (const SplitCoroutine &C : findSplitCoroutines(M))
    reportCoroutineFrame(
        C, FAM.getResult<OptimizationRemarkEmitterAnalysis>(*C.anchor()));
  for (Function &F : M)
    if (std::optional<CoroABI> ABI = getUnsupportedABI(F))
      reportUnsupportedABI(
          F, *ABI, FAM.getResult<OptimizationRemarkEmitterAnalysis>(F));
  return PreservedAnalyses::all();
}

} // namespace corofo
