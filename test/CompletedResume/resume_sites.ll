; Caller side: resumes through a handle get a null check on the pointer they
; are about to call, before CoroCleanup (llvm.coro.subfn.addr(h, 0)) and
; after it (a fastcc call of the pointer loaded from offset 0 of its only
; argument). Destroys, other indirect calls and already checked sites are
; left alone; musttail symmetric transfers keep `musttail call; ret`; an
; invoke's skipped resume goes on at its normal destination.
; RUN: %opt -passes='coro-completed-resume<pending>' -verify-each -S %s | FileCheck %s --check-prefixes=CHECK,PENDING
; RUN: %opt -passes='coro-completed-resume<trap>' -verify-each -S %s | FileCheck %s --check-prefixes=CHECK,TRAP
; RUN: %opt -passes='coro-completed-resume<pending>,coro-completed-resume<pending>' -S %s | FileCheck %s --check-prefixes=CHECK,PENDING
; RUN: %opt -passes='coro-completed-resume<ub>' -S %s | FileCheck %s --check-prefix=UB
; RUN: %opt -passes='coro-completed-resume<pending>' -pass-remarks=coro-completed-resume -pass-remarks-analysis=coro-completed-resume -disable-output %s 2>&1 | FileCheck %s --check-prefix=REMARK
; UB-NOT: completed
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

$inline_resume = comdat any
$inline_resume_addr_taken = comdat any

; CHECK-LABEL: define void @before_cleanup(ptr %h)
; CHECK-NEXT:    %fn = call ptr @llvm.coro.subfn.addr(ptr %h, i8 0)
; CHECK-NEXT:    %completed = icmp eq ptr %fn, null
; CHECK-NEXT:    br i1 %completed, label %resume.completed, label %resume.call, !prof
; CHECK:       resume.completed:
; Pending calls the program's corofo_on_completed_resume (null: the handle
; does not say which coroutine) if it defines one, then skips the resume.
; PENDING-NEXT:  %completed.hook.defined = icmp ne ptr @corofo_on_completed_resume, null
; PENDING-NEXT:  br i1 %completed.hook.defined, label %completed.hook, label %completed.after
; TRAP:          call i64 @write(i32 2, ptr @coro.completed.message
; TRAP-NEXT:     call void @llvm.trap()
; CHECK:       resume.call:
; CHECK-NEXT:    call fastcc void %fn(ptr %h), !corofo.resume.guarded
; CHECK-NEXT:    br label %resume.cont
; CHECK:       resume.cont:
; CHECK-NEXT:    call void @after()
define void @before_cleanup(ptr %h) {
  %fn = call ptr @llvm.coro.subfn.addr(ptr %h, i8 0)
  call fastcc void %fn(ptr %h)
  call void @after()
  ret void
}

; Index 1 is destroy: valid after completion, left alone.
; CHECK-LABEL: define void @destroy_is_fine(ptr %h)
; CHECK-NOT:     completed
; CHECK:         ret void
define void @destroy_is_fine(ptr %h) {
  %fn = call ptr @llvm.coro.subfn.addr(ptr %h, i8 1)
  call fastcc void %fn(ptr %h)
  ret void
}

; After CoroCleanup, as clang -O0 leaves std::coroutine_handle::resume().
; CHECK-LABEL: define void @after_cleanup(ptr %h)
; CHECK:         %fn = load ptr, ptr %field, align 8
; CHECK-NEXT:    %completed = icmp eq ptr %fn, null
; CHECK:         call fastcc void %fn(ptr %h), !corofo.resume.guarded
define void @after_cleanup(ptr %h) {
  %field = getelementptr inbounds { ptr, ptr }, ptr %h, i32 0, i32 0
  %fn = load ptr, ptr %field, align 8
  call fastcc void %fn(ptr %h)
  ret void
}

; Not resumes: the destroy slot (offset 8), a C calling convention, a
; pointer loaded from something other than the argument.
; CHECK-LABEL: define void @not_resumes(ptr %h, ptr %other)
; CHECK-NOT:     completed
; CHECK:         ret void
define void @not_resumes(ptr %h, ptr %other) {
  %d.addr = getelementptr inbounds i8, ptr %h, i64 8
  %d = load ptr, ptr %d.addr, align 8
  call fastcc void %d(ptr %h)
  %c = load ptr, ptr %h, align 8
  call void %c(ptr %h)
  %o = load ptr, ptr %other, align 8
  call fastcc void %o(ptr %h)
  ret void
}

; A symmetric transfer, as CoroSplit leaves it in a resume function.
; CHECK-LABEL: define internal fastcc void @f.resume(ptr %frame)
; CHECK-NEXT:    %next.addr = getelementptr inbounds i8, ptr %frame, i64 16
; CHECK-NEXT:    %next = load ptr, ptr %next.addr, align 8
; CHECK-NEXT:    %fn = load ptr, ptr %next, align 8
; CHECK-NEXT:    %completed = icmp eq ptr %fn, null
; CHECK-NEXT:    br i1 %completed, label %resume.completed, label %resume.call
; CHECK:       resume.completed:
; PENDING-NEXT:  %completed.hook.defined = icmp ne ptr @corofo_on_completed_resume, null
; TRAP:          call void @llvm.trap()
; CHECK:       resume.call:
; CHECK-NEXT:    musttail call fastcc void %fn(ptr %next), !corofo.resume.guarded
; CHECK-NEXT:    ret void
; PENDING:     completed.hook:
; PENDING-NEXT:  call void @corofo_on_completed_resume(ptr null)
; PENDING-NEXT:  br label %completed.after
; PENDING:     completed.after:
; PENDING-NEXT:  ret void
define internal fastcc void @f.resume(ptr %frame) {
  %next.addr = getelementptr inbounds i8, ptr %frame, i64 16
  %next = load ptr, ptr %next.addr, align 8
  %fn = load ptr, ptr %next, align 8
  musttail call fastcc void %fn(ptr %next)
  ret void
}

; An invoked resume: skipping it continues at the normal destination, whose
; phi gets the same incoming value for the new edge.
; CHECK-LABEL: define void @invoked(ptr %h, i32 %x)
; CHECK:         br i1 %completed, label %resume.completed, label %resume.call
; CHECK:       resume.completed:
; PENDING-NEXT:  %completed.hook.defined = icmp ne ptr @corofo_on_completed_resume, null
; CHECK:       resume.call:
; CHECK-NEXT:    invoke fastcc void %fn(ptr %h)
; CHECK-NEXT:      to label %ok unwind label %lpad
; CHECK:       ok:
; PENDING-NEXT:  %v = phi i32 [ %x, %resume.call ], [ %x, %completed.after ]
; PENDING:     completed.after:
; PENDING-NEXT:  br label %ok
define void @invoked(ptr %h, i32 %x) personality ptr @__gxx_personality_v0 {
entry:
  %fn = load ptr, ptr %h, align 8
  invoke fastcc void %fn(ptr %h) to label %ok unwind label %lpad
ok:
  %v = phi i32 [ %x, %entry ]
  call void @use(i32 %v)
  ret void
lpad:
  %lp = landingpad { ptr, i32 } cleanup
  resume { ptr, i32 } %lp
}

; An inline function (std::coroutine_handle::resume() at -O0) with a checked
; site becomes local to the file, unless its address is taken.
; CHECK-LABEL: define internal void @inline_resume(ptr %h) {
; CHECK-LABEL: define linkonce_odr void @inline_resume_addr_taken(ptr %h) comdat {
define linkonce_odr void @inline_resume(ptr %h) comdat {
  %fn = load ptr, ptr %h, align 8
  call fastcc void %fn(ptr %h)
  ret void
}
define linkonce_odr void @inline_resume_addr_taken(ptr %h) comdat {
  %fn = load ptr, ptr %h, align 8
  call fastcc void %fn(ptr %h)
  ret void
}
@keep = global ptr @inline_resume_addr_taken

; REMARK-DAG: remark: <unknown>:0:0: resume through a handle in 'before_cleanup' checks for a completed coroutine (policy pending)
; REMARK-DAG: remark: <unknown>:0:0: symmetric transfer through a handle in 'f.resume' checks for a completed coroutine (policy pending)
; REMARK-DAG: remark: <unknown>:0:0: 'inline_resume' made local to this file, so that the linker cannot pick an unchecked copy from another one
; REMARK-NOT: 'inline_resume_addr_taken' made local

declare ptr @llvm.coro.subfn.addr(ptr, i8)
declare void @after()
declare void @use(i32)
declare i32 @__gxx_personality_v0(...)
