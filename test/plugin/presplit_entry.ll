; The passes that prepare a presplit coroutine for CoroSplit run as one
; pipeline entry, coro-presplit, at ScalarOptimizerLate, and
; coro-lifetime-restart runs once, at the Peephole visit that ends function
; simplification: each entry costs instrumentation (a timer under
; -ftime-report) for every function, coroutine or not.
; RUN: %opt -O2 -print-pipeline-passes -disable-output %inputs/ir/collapse.ll | FileCheck %s --check-prefix=PIPE
; RUN: %opt -O1 -print-pipeline-passes -disable-output %inputs/ir/collapse.ll | FileCheck %s --check-prefix=PIPE
; PIPE-NOT: coro-lifetime-restart
; PIPE-NOT: coro-state-collapse
; PIPE: coro-presplit,
; PIPE-NOT: coro-presplit
; PIPE-SAME: instcombine<{{[^>]*}}>,coro-lifetime-restart)
; PIPE-NOT: coro-lifetime-restart
; PIPE-SAME: coro-split
;
; Disabled passes are left out of the entry; with all three off there is none.
; RUN: %opt -O2 -coro-frame-opt-disable=collapse,overlap -print-pipeline-passes -disable-output %inputs/ir/collapse.ll | FileCheck %s --check-prefix=NONE
; NONE-NOT: coro-presplit
;
; The entry does what the three passes named one by one do.
; RUN: %opt -passes='function(coro-presplit)' -S %inputs/ir/collapse.ll -o %t.entry.ll
; RUN: %opt -passes='function(coro-state-collapse,coro-record-scopes,coro-mark-frame-size)' -S %inputs/ir/collapse.ll -o %t.three.ll
; RUN: diff %t.entry.ll %t.three.ll
; RUN: %opt -passes='function(coro-presplit)' -verify-each -disable-output %inputs/ir/collapse.ll
; Without the collapse, the entry does what the other two do.
; RUN: %opt -coro-frame-opt-disable=collapse -passes='function(coro-presplit)' -S %inputs/ir/collapse.ll -o %t.nocollapse.ll
; RUN: %opt -passes='function(coro-record-scopes,coro-mark-frame-size)' -S %inputs/ir/collapse.ll -o %t.two.ll
; RUN: diff %t.nocollapse.ll %t.two.ll
; ...and it changed something (the collapse is in the first output only).
; RUN: not diff -q %t.entry.ll %t.two.ll
