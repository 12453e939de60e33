; Callee side: `.resume` tests its resume slot (offset 0 of the frame, null
; once the coroutine completed) before the dispatch, and returns (pending) or
; reports and traps (trap); ub changes nothing. Only `.resume` gets the
; check: destroying a completed coroutine is valid. A second run adds nothing.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>' -verify-each -S %inputs/ir/counter.ll | FileCheck %s --check-prefixes=CHECK,PENDING
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<trap>' -verify-each -S %inputs/ir/counter.ll | FileCheck %s --check-prefixes=CHECK,TRAP
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>,coro-completed-resume<trap>' -verify-each -S %inputs/ir/counter.ll | FileCheck %s --check-prefixes=CHECK,PENDING
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<ub>' -S %inputs/ir/counter.ll -o %t.ub.ll
; RUN: %opt -passes='coro-early,cgscc(coro-split)' -S %inputs/ir/counter.ll -o %t.stock.ll
; RUN: diff %t.stock.ll %t.ub.ll
; Remarks name the coroutine and the policy.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<trap>' -pass-remarks=coro-completed-resume -disable-output %inputs/ir/counter.ll 2>&1 | FileCheck %s --check-prefix=REMARK
; REMARK: remark: <unknown>:0:0: 'counter' traps when resumed after completion (policy trap)

; TRAP: @coro.completed.message = private unnamed_addr constant [64 x i8] c"coro-frame-opt: coroutine 'counter' resumed after it completed\0A\00"
; CHECK-LABEL: define internal fastcc void @counter.resume(ptr
; CHECK-SAME: %hdl) #[[ATTR:[0-9]+]]
; CHECK-NEXT: entry.resume:
; CHECK-NEXT:   %resume.fn = load ptr, ptr %hdl, align 8
; CHECK-NEXT:   %completed = icmp eq ptr %resume.fn, null
; CHECK-NEXT:   br i1 %completed, label %resume.completed, label %resume.body, !prof ![[UNLIKELY:[0-9]+]]
; CHECK-EMPTY:
; CHECK-NEXT: resume.completed:
; PENDING-NEXT:   ret void
; TRAP-NEXT:   %{{[0-9]+}} = call i64 @write(i32 2, ptr @coro.completed.message, i64 63)
; TRAP-NEXT:   call void @llvm.trap()
; TRAP-NEXT:   unreachable
; CHECK-EMPTY:
; CHECK-NEXT: resume.body:
; CHECK:        switch
; CHECK-LABEL: define internal fastcc void @counter.destroy(
; CHECK-NOT:   %resume.fn
; CHECK-LABEL: define internal fastcc void @counter.cleanup(
; CHECK-NOT:   %resume.fn
; PENDING: attributes #[[ATTR]] = { "coro-frame-opt-completed-resume"="pending" }
; TRAP: attributes #[[ATTR]] = { "coro-frame-opt-completed-resume"="trap" }
; CHECK: ![[UNLIKELY]] = !{!"branch_weights", i32 1, i32 1048575}
