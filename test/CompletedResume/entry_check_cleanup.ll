; coro-completed-resume-cleanup drops the `.resume` entry check once no
; direct call can need it: every use of the function stores it (the ramp
; filling the resume slot), and no llvm.coro.subfn.addr is left for
; CoroElide to turn into a direct call. A resume through a handle loads null
; from a completed coroutine's slot and is checked at the call instead.
;
; After coro-cleanup: only the ramp's store is left, the check goes.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>,coro-cleanup,coro-completed-resume-cleanup' -verify-each -S %inputs/ir/counter.ll | FileCheck %s --check-prefix=DROPPED
; Before coro-cleanup: @counter.resumers still refers to it, the check stays.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>,coro-completed-resume-cleanup' -verify-each -S %inputs/ir/counter.ll | FileCheck %s --check-prefix=KEPT
; A direct call keeps it too.
; RUN: %opt -passes='coro-completed-resume-cleanup' -verify-each -S %s | FileCheck %s --check-prefix=DIRECT
; The remark.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-completed-resume<pending>,coro-cleanup,coro-completed-resume-cleanup' -pass-remarks-analysis=coro-completed-resume -disable-output %inputs/ir/counter.ll 2>&1 | FileCheck %s --check-prefix=REMARK
;
; DROPPED-LABEL: define internal fastcc void @counter.resume(
; DROPPED-NOT:     %resume.fn
; DROPPED-NOT:     resume.completed
; DROPPED:       }
; DROPPED-NOT:   coro-frame-opt-completed-resume
; KEPT-LABEL: define internal fastcc void @counter.resume(
; KEPT-NEXT:  entry.resume:
; KEPT-NEXT:    %resume.fn = load ptr, ptr %hdl
; DIRECT-LABEL: define internal fastcc void @f.resume(
; DIRECT-NEXT:    %resume.fn = load ptr, ptr %frame
; DIRECT-NEXT:    %completed = icmp eq ptr %resume.fn, null
; REMARK: remark: <unknown>:0:0: 'counter.resume' needs no entry check: no direct call of it remains, and resumes through handles are checked where they call
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

define internal fastcc void @f.resume(ptr %frame) #0 {
  %resume.fn = load ptr, ptr %frame, align 8
  %completed = icmp eq ptr %resume.fn, null
  br i1 %completed, label %resume.completed, label %resume.body, !coro.frame.opt.entry.check !0
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
