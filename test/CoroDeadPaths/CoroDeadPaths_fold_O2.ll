; Above -O0 the driver (coro-frame-opt in the CGSCC walk) folds the branches
; CoroSplit's constants decide once the frame passes are done with a
; coroutine: each known switch becomes a branch to the one way it takes, in
; the ramp, .resume, .destroy and .cleanup, also where a phi passes the
; constant on. The code cut off stays, unreachable (the pipeline's
; simplification deletes it; deleting it here would only move that cost), and
; no remark is emitted. -coro-frame-opt-disable=dead-paths keeps the switches.
; RUN: %opt -passes='coro-early,cgscc(coro-split,coro-frame-opt),verify' -coro-frame-opt-completed-resume=ub -S %inputs/ir/two_states.ll -o %t.ll -pass-remarks=coro-prune-dead-paths 2>&1 | count 0
; RUN: FileCheck %s --input-file=%t.ll
; RUN: %opt -passes='coro-early,cgscc(coro-split,coro-frame-opt),verify' -coro-frame-opt-completed-resume=ub -coro-frame-opt-disable=dead-paths -S %inputs/ir/two_states.ll | FileCheck %s --check-prefix=KEPT
; The whole -O2 pipeline gives the same code with and without the folding
; (only the names of blocks may differ), verifier clean after every pass.
; RUN: %opt -O2 -verify-each -coro-frame-opt-completed-resume=ub -S %inputs/ir/two_states.ll | sed -e 's/^[A-Za-z0-9._]*:.*//' -e 's/%[A-Za-z0-9._]*/%v/g' > %t.fold.txt
; RUN: %opt -O2 -verify-each -coro-frame-opt-completed-resume=ub -coro-frame-opt-disable=dead-paths -S %inputs/ir/two_states.ll | sed -e 's/^[A-Za-z0-9._]*:.*//' -e 's/%[A-Za-z0-9._]*/%v/g' > %t.kept.txt
; RUN: diff %t.kept.txt %t.fold.txt

; The ramp returns at its first suspend.
; CHECK-LABEL: define ptr @two_states(
; CHECK:       AfterCoroSuspend:
; CHECK-NEXT:    br label %ret
; CHECK:       after0: {{.*}}No predecessors!
; CHECK:       {{^}}}
; .resume goes on after it.
; CHECK-LABEL: define internal fastcc void @two_states.resume(
; CHECK:       AfterCoroSuspend:
; CHECK-NEXT:    br label %after0
; CHECK:       {{^}}}
; .destroy goes to the cleanup from each state, also past the phi of the
; second suspend's landing.
; CHECK-LABEL: define internal fastcc void @two_states.destroy(
; CHECK:       AfterCoroSuspend:
; CHECK-NEXT:    br label %cleanup
; CHECK:       after0: {{.*}}No predecessors!
; CHECK:       AfterCoroSuspend3:
; CHECK-NEXT:    br label %cleanup
; CHECK:       {{^}}}
; CHECK-LABEL: define internal fastcc void @two_states.cleanup(
; CHECK:       AfterCoroSuspend:
; CHECK-NEXT:    br label %cleanup
; CHECK:       {{^}}}

; KEPT-LABEL:  define ptr @two_states(
; KEPT:        AfterCoroSuspend:
; KEPT-NEXT:     switch i8 -1, label %ret [
; KEPT-LABEL:  define internal fastcc void @two_states.destroy(
; KEPT:        AfterCoroSuspend:
; KEPT-NEXT:     switch i8 1, label %ret [
