//===- RemarksWanted.cpp - Whether a pass's remarks go anywhere ----------===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//

#include "RemarksWanted.h"

#include "llvm/IR/DiagnosticHandler.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LLVMRemarkStreamer.h"
#include "llvm/Remarks/RemarkStreamer.h"

using namespace llvm;

namespace corofo {

bool remarksWanted(LLVMContext &Ctx, StringRef PassName) {
  if (Ctx.getDiagHandlerPtr()->isAnyRemarkEnabled(PassName))
    return true;
  remarks::RemarkStreamer *Record = Ctx.getMainRemarkStreamer();
  return Ctx.getLLVMRemarkStreamer() &&
         (!Record || Record->matchesFilter(PassName));
}

} // namespace corofo
