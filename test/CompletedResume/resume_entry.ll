; Callee side: `.resume` tests its resume slot (offset 0 of the frame, null
; once the coroutine completed) before the dispatch, and returns (pending) or
; reports and traps (trap); ub changes nothing. Only `.resume` gets the
; check: destroying a completed coroutine is valid. A second run adds nothing.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>' -verify-each -S %inputs/ir/countdown.ll | FileCheck %s --check-prefixes=CHECK,PENDING
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<trap>' -verify-each -S %inputs/ir/countdown.ll | FileCheck %s --check-prefixes=CHECK,TRAP
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>,coro-completed-resume<trap>' -verify-each -S %inputs/ir/countdown.ll | FileCheck %s --check-prefixes=CHECK,PENDING
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<ub>' -S %inputs/ir/countdown.ll -o %t.ub.ll
; RUN: %opt -passes='coro-early,cgscc(coro-split)' -S %inputs/ir/countdown.ll -o %t.stock.ll
; RUN: diff %t.stock.ll %t.ub.ll
; Remarks name the coroutine and the policy.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<trap>' -pass-remarks=coro-completed-resume -disable-output %inputs/ir/countdown.ll 2>&1 | FileCheck %s --check-prefix=REMARK
; REMARK: remark: <unknown>:0:0: 'countdown' traps when resumed after completion (policy trap)

; A coroutine that never completes (counter.ll loops forever: nothing
; clears its resume slot) gets no check: it could only keep callers that
; inline its `.resume` from folding the path it guards (a QCoro generator's
; caller kept an exception path and its elided frame; issue 21).
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<trap>' -verify-each -S %inputs/ir/counter.ll | FileCheck %s --check-prefix=ENDLESS
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>' -pass-remarks-analysis=coro-completed-resume -disable-output %inputs/ir/counter.ll 2>&1 | FileCheck %s --check-prefix=ENDLESS-REMARK
; ENDLESS-LABEL: define internal fastcc void @counter.resume(
; ENDLESS-NOT:     %resume.fn
; ENDLESS-NOT:     resume.completed
; ENDLESS:       }
; ENDLESS-NOT:   coro-frame-opt-completed-resume
; ENDLESS-REMARK: remark: <unknown>:0:0: 'counter' needs no entry check: it never completes (nothing clears its resume pointer)

; TRAP: @coro.completed.message = private unnamed_addr constant [66 x i8] c"coro-frame-opt: coroutine 'countdown' resumed after it completed\0A\00"
; CHECK-LABEL: define internal fastcc void @countdown.resume(ptr
; CHECK-SAME: %hdl) #[[ATTR:[0-9]+]]
; CHECK-NEXT: entry.resume:
; CHECK-NEXT:   %resume.fn = load ptr, ptr %hdl, align 8
; CHECK-NEXT:   %completed = icmp eq ptr %resume.fn, null
; CHECK-NEXT:   br i1 %completed, label %resume.completed, label %resume.body, !prof ![[UNLIKELY:[0-9]+]]
; CHECK-EMPTY:
; CHECK-NEXT: resume.completed:
; PENDING-NEXT:   ret void
; TRAP-NEXT:   %{{[0-9]+}} = call i64 @write(i32 2, ptr @coro.completed.message, i64 65)
; TRAP-NEXT:   call void @llvm.trap()
; TRAP-NEXT:   unreachable
; CHECK-EMPTY:
; CHECK-NEXT: resume.body:
; CHECK:        switch
; CHECK-LABEL: define internal fastcc void @countdown.destroy(
; CHECK-NOT:   %resume.fn
; CHECK-LABEL: define internal fastcc void @countdown.cleanup(
; CHECK-NOT:   %resume.fn
; PENDING: attributes #[[ATTR]] = { "coro-frame-opt-completed-resume"="pending" }
; TRAP: attributes #[[ATTR]] = { "coro-frame-opt-completed-resume"="trap" }
; CHECK: ![[UNLIKELY]] = !{!"branch_weights", i32 1, i32 1048575}
