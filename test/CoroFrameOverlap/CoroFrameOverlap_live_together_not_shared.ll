; Slots live across the same suspend never share: %sum (carried around the
; loop's back edge) and %step are both live in the loop's state, so there is
; no smaller layout; the pass says so and changes nothing.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-frame-overlap' -verify-each -pass-remarks-missed=coro-frame-overlap -S %inputs/ir/loop.ll -o %t.overlap.ll 2>&1 | FileCheck %s
; RUN: %opt -passes='coro-early,cgscc(coro-split)' -S %inputs/ir/loop.ll -o %t.split.ll
; RUN: diff %t.split.ll %t.overlap.ll
; CHECK: remark: <unknown>:0:0: frame of 'accumulate' not re-laid out: no smaller layout: the slots that must coexist already fill the frame
