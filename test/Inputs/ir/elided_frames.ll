target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; Pre-split switch-ABI coroutine holding three callee frames the way
; CoroAnnotationElide leaves them (an alloca without lifetime markers whose
; first word the inlined ramp sets to the callee's resume function):
; - %ef is awaited through the task %task (whose address goes only to a
;   readonly, non-capturing await_suspend) and destroyed, after a null test
;   of the handle loaded from %task, through llvm.coro.subfn.addr;
; - %ef2's task is passed to @steal, which may change the handle it holds;
; - %ef3 is set up on every iteration of a loop, destroyed only when %c.
define ptr @caller(i64 %x, i1 %c) presplitcoroutine {
entry:
  %promise = alloca i64, align 8
  %task = alloca ptr, align 8
  %task2 = alloca ptr, align 8
  %ef = alloca [48 x i8], align 8
  %ef2 = alloca [48 x i8], align 8
  %ef3 = alloca [48 x i8], align 8
  %id = call token @llvm.coro.id(i32 16, ptr %promise, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  %s0 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s0, label %ret [i8 0, label %await1
                             i8 1, label %cleanup]
await1:
  call void @llvm.lifetime.start.p0(ptr %task)
  store ptr @callee.resume, ptr %ef, align 8
  %ef.destroy = getelementptr inbounds i8, ptr %ef, i64 8
  store ptr @callee.cleanup, ptr %ef.destroy, align 8
  %ef.arg = getelementptr inbounds i8, ptr %ef, i64 16
  store i64 %x, ptr %ef.arg, align 8
  store ptr %ef, ptr %task, align 8
  call void @await_suspend(ptr %task)
  %s1 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resumed1
                             i8 1, label %cleanup]
resumed1:
  %h = load ptr, ptr %task, align 8
  %v.addr = getelementptr inbounds i8, ptr %h, i64 24
  %v = load i64, ptr %v.addr, align 8
  %isnull = icmp eq ptr %h, null
  br i1 %isnull, label %done1, label %destroy1
destroy1:
  %fn = call ptr @llvm.coro.subfn.addr(ptr %h, i8 1)
  call void %fn(ptr %h)
  br label %done1
done1:
  call void @llvm.lifetime.end.p0(ptr %task)
  call void @llvm.lifetime.start.p0(ptr %task2)
  store ptr @callee.resume, ptr %ef2, align 8
  store ptr %ef2, ptr %task2, align 8
  call void @steal(ptr %task2)
  %s2 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resumed2
                             i8 1, label %cleanup]
resumed2:
  %h2 = load ptr, ptr %task2, align 8
  %fn2 = call ptr @llvm.coro.subfn.addr(ptr %h2, i8 1)
  call void %fn2(ptr %h2)
  call void @llvm.lifetime.end.p0(ptr %task2)
  br label %loop
loop:
  %i = phi i64 [ 0, %resumed2 ], [ %i.next, %latch ]
  store ptr @callee.resume, ptr %ef3, align 8
  call void @start(ptr %ef3)
  %s3 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s3, label %ret [i8 0, label %resumed3
                             i8 1, label %cleanup]
resumed3:
  br i1 %c, label %destroy3, label %latch
destroy3:
  call void @callee.cleanup(ptr %ef3)
  br label %latch
latch:
  %i.next = add i64 %i, 1
  %more = icmp ult i64 %i.next, %v
  br i1 %more, label %loop, label %final
final:
  %sf = call i8 @llvm.coro.suspend(token none, i1 true)
  switch i8 %sf, label %ret [i8 0, label %trap
                             i8 1, label %cleanup]
trap:
  unreachable
cleanup:
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  call void @_ZdlPvm(ptr %mem, i64 %size)
  br label %ret
ret:
  call void @llvm.coro.end(ptr %hdl, i1 false, token none)
  ret ptr %hdl
}

declare void @callee.resume(ptr)
declare void @callee.cleanup(ptr)
declare void @await_suspend(ptr readonly captures(none))
declare void @steal(ptr)
declare void @start(ptr)
declare token @llvm.coro.id(i32, ptr, ptr, ptr)
declare i64 @llvm.coro.size.i64()
declare ptr @llvm.coro.begin(token, ptr)
declare i8 @llvm.coro.suspend(token, i1)
declare ptr @llvm.coro.subfn.addr(ptr, i8)
declare ptr @llvm.coro.free(token, ptr)
declare void @llvm.coro.end(ptr, i1, token)
declare void @llvm.lifetime.start.p0(ptr captures(none))
declare void @llvm.lifetime.end.p0(ptr captures(none))
declare ptr @_Znwm(i64)
declare void @_ZdlPvm(ptr, i64)
