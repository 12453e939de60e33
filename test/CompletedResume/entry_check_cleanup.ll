; coro-completed-resume-cleanup drops the `.resume` entry check once no
; direct call can need it: every use of the function stores it (the ramp
; filling the resume slot), and no llvm.coro.subfn.addr is left for
; CoroElide to turn into a direct call. A resume through a handle loads null
; from a completed coroutine's slot and is checked at the call instead.
;
; After coro-cleanup: only the ramp's store is left, the check goes.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>,coro-cleanup,coro-completed-resume-cleanup' -verify-each -S %inputs/ir/countdown.ll | FileCheck %s --check-prefix=DROPPED
; Before coro-cleanup: @countdown.resumers still refers to it, the check stays.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>,coro-completed-resume-cleanup' -verify-each -S %inputs/ir/countdown.ll | FileCheck %s --check-prefix=KEPT
; A direct call keeps it too.
; RUN: %opt -passes='coro-completed-resume-cleanup' -verify-each -S %s | FileCheck %s --check-prefix=DIRECT
; The remark.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>,coro-cleanup,coro-completed-resume-cleanup' -pass-remarks-analysis=coro-completed-resume -disable-output %inputs/ir/countdown.ll 2>&1 | FileCheck %s --check-prefix=REMARK
;
; DROPPED-LABEL: define internal fastcc void @countdown.resume(
; DROPPED-NOT:     %resume.fn
; DROPPED-NOT:     resume.completed
; DROPPED:       }
; DROPPED-NOT:   coro-frame-opt-completed-resume
; KEPT-LABEL: define internal fastcc void @countdown.resume(
; KEPT-NEXT:  entry.resume:
; KEPT-NEXT:    %resume.fn = load ptr, ptr %hdl
; DIRECT-LABEL: define internal fastcc void @f.resume(
; DIRECT-NEXT:    %resume.fn = load ptr, ptr %frame
; DIRECT-NEXT:    %completed = icmp eq ptr %resume.fn, null
;  The check that stays calls the program's corofo_on_completed_resume, if
;  it defines one, with the coroutine's name (issue 25: never silent).
; DIRECT-NEXT:    br i1 %completed, label %resume.completed.hooked, label %resume.body
; DIRECT:       resume.completed.hooked:
; DIRECT-NEXT:    %completed.hook.defined = icmp ne ptr @corofo_on_completed_resume, null
; DIRECT-NEXT:    br i1 %completed.hook.defined, label %completed.hook, label %completed.after
; DIRECT-NOT:   resume.completed:
; DIRECT:       completed.hook:
; DIRECT-NEXT:    call void @corofo_on_completed_resume(ptr @coro.completed.name)
; DIRECT:       completed.after:
; DIRECT-NEXT:    ret void
; DIRECT:       declare extern_weak void @corofo_on_completed_resume(ptr)
; KEPT:         call void @corofo_on_completed_resume(ptr @coro.completed.name)
; Idempotent: a second run adds nothing.
; RUN: %opt -passes='coro-completed-resume-cleanup,coro-completed-resume-cleanup' -verify-each -S %s | FileCheck %s --check-prefix=TWICE
; TWICE-COUNT-1: call void @corofo_on_completed_resume
; TWICE-NOT:     call void @corofo_on_completed_resume
; REMARK: remark: <unknown>:0:0: 'countdown.resume' needs no entry check: no direct call of it remains, and resumes through handles are checked where they call
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

define internal fastcc void @f.resume(ptr %frame) #0 {
  %resume.fn = load ptr, ptr %frame, align 8
  %completed = icmp eq ptr %resume.fn, null
  br i1 %completed, label %resume.completed, label %resume.body, !corofo.entry.check !0
resume.completed:
  ret void
resume.body:
  call void @work()
  ret void
}

define void @caller(ptr %frame) {
  store ptr @f.resume, ptr %frame, align 8
  call fastcc void @f.resume(ptr %frame)
  ret void
}

declare void @work()
attributes #0 = { "coro-frame-opt-completed-resume"="pending" }
!0 = !{}
