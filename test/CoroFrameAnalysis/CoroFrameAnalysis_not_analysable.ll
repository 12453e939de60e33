; IR simplified past recognition (the clones' dispatch folded, frame accesses
; on raw byte offsets with calls on interior addresses) is reported as not
; analysed, with the reason, and never crashes the analysis.
; RUN: %stock-opt -O2 %inputs/ir/counter.ll -o %t.counter.bc
; RUN: %opt -passes='print<coro-frame>' -disable-output %t.counter.bc 2>&1 | FileCheck %s --check-prefix=COUNTER
; RUN: %stock-opt -O2 %inputs/ir/two_states.ll -o %t.two.bc
; RUN: %opt -passes='print<coro-frame>' -disable-output %t.two.bc 2>&1 | FileCheck %s --check-prefix=TWO
; The remark says the same.
; RUN: %opt -passes=coro-frame-report -pass-remarks-missed=coro-frame -disable-output %t.two.bc 2>&1 | FileCheck %s --check-prefix=REMARK
; A .destroy that resumes one state without dispatching on the index, next to
; clones that dispatch over three: the reason names which clones do which.
; RUN: %opt -passes='coro-early,cgscc(coro-split)' -S %inputs/ir/two_states.ll -o %t.split.ll
; RUN: sed '/^define.*@two_states.destroy/,/^}/ s/br i1 %1, label %resume.2, label [%]Switch/br label %resume.1/' %t.split.ll > %t.mixed.ll
; RUN: %opt -passes='print<coro-frame>' -disable-output %t.mixed.ll 2>&1 | FileCheck %s --check-prefix=MIXED
;
; COUNTER: coroutine counter: counter counter.resume counter.destroy
; COUNTER-NEXT: not analysed: no suspend-index dispatch found in 'counter.resume'
; TWO: coroutine two_states: two_states two_states.resume two_states.destroy
; TWO-NEXT: not analysed: an interior frame address passed to a call, frame layout unknown
; REMARK: remark: <unknown>:0:0: coroutine 'two_states' (frame 128 bytes) not analysed: an interior frame address passed to a call, frame layout unknown
; MIXED: coroutine two_states: two_states two_states.resume two_states.destroy two_states.cleanup
; MIXED-NEXT: not analysed: some clones dispatch on an index and some do not: '.destroy' without a dispatch, '.resume', '.cleanup' dispatching over 3 states
