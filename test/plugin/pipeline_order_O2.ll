; At O2 the driver sees the coroutine right after CoroSplit, before the ramp
; is simplified: checked on the pass manager's own trace.
; RUN: %opt -O2 -debug-pass-manager -disable-output %inputs/ir/counter.ll 2>&1 | FileCheck %s
; CHECK: Running pass: CoroSplitPass on (counter)
; CHECK: Running pass: corofo::CoroFrameOptCGSCCPass on (counter)
; CHECK: Running pass: CoroCleanupPass on [module]
