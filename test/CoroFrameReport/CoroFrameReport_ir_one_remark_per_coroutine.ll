; The report finds each split coroutine once, names it, gives its frame size,
; and says nothing about ordinary functions. Checked on the explicit pass, on
; the default O0 pipeline (OptimizerLast) and on O2 (CGSCCOptimizerLate).
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-frame-report' -pass-remarks-analysis=coro-frame -disable-output %inputs/ir/counter.ll 2>&1 | FileCheck %s
; RUN: %opt -O0 -pass-remarks-analysis=coro-frame -disable-output %inputs/ir/counter.ll 2>&1 | FileCheck %s
; RUN: %opt -O2 -pass-remarks-analysis=coro-frame -disable-output %inputs/ir/counter.ll 2>&1 | FileCheck %s
; The pass changes nothing: output equals stock opt's, verifier clean (with
; the completed-resume check, on by default, turned off, and the driver's
; folding of CoroSplit's constant branches, which renames a block, too).
; RUN: %opt -O2 -coro-frame-opt-completed-resume=ub -coro-frame-opt-disable=dead-paths -verify-each -S %inputs/ir/counter.ll -o %t.plugin.ll
; RUN: %stock-opt -O2 -S %inputs/ir/counter.ll -o %t.stock.ll
; RUN: diff %t.stock.ll %t.plugin.ll
;
; CHECK: remark: <unknown>:0:0: coroutine 'counter': frame 24 bytes, align 8, lower bound 24 bytes, 1 states, 4 slots
; CHECK-NOT: remark:
