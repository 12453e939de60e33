; A coroutine the analysis cannot read is left exactly as it is, with a
; missed remark giving the reason.
; RUN: %stock-opt -O2 %inputs/ir/two_states.ll -o %t.bc
; RUN: %opt -passes=coro-frame-overlap -pass-remarks-missed=coro-frame-overlap %t.bc -o %t.after.bc 2>&1 | FileCheck %s
; RUN: llvm-dis %t.bc -o - | tail -n +2 > %t.before.ll
; RUN: llvm-dis %t.after.bc -o - | tail -n +2 > %t.after.ll
; RUN: diff %t.before.ll %t.after.ll
; CHECK: remark: <unknown>:0:0: frame of 'two_states' not re-laid out: an interior frame address passed to a call, frame layout unknown
