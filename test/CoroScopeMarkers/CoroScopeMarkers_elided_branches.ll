; coro-record-scopes on a callee frame whose inlined ramp sits in both arms
; of a branch (HALO on `co_await (c ? f(x) : f(0))`): no block that touches
; %ef dominates the others, so the start of its scope is their nearest
; common dominator, found with the dominator tree, and the marker goes
; before that block's terminator. The end follows the destroy through the
; handle its task holds. Run twice: the same IR (the markers of the first
; run are found and replaced); the verifier is clean.
; RUN: %opt -passes='coro-early,function(coro-record-scopes)' -verify-each -S %s -o %t.once.ll
; RUN: FileCheck %s < %t.once.ll
; RUN: %opt -passes='coro-early,function(coro-record-scopes,coro-record-scopes)' -verify-each -S %s -o %t.twice.ll
; RUN: diff %t.once.ll %t.twice.ll
;
; CHECK-LABEL: define ptr @branchy(
; CHECK: pick:
; CHECK-NEXT: call void @llvm.lifetime.start.p0(ptr %task)
; CHECK-NEXT: call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.start, ptr null, i32 [[EF:[0-9]+]], ptr null)
; CHECK-NEXT: br i1 %c, label %left, label %right
; CHECK: left:
; CHECK-NOT: @.corofo.scope.{{start|end}}
; CHECK: resumed:
; CHECK: call void %fn(ptr %h)
; CHECK-NEXT: call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.end, ptr null, i32 [[EF]], ptr null)
; CHECK-NOT: @.corofo.scope.{{start|end}}
; CHECK: ret ptr %hdl

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

define ptr @branchy(i64 %x, i1 %c) presplitcoroutine {
entry:
  %promise = alloca i64, align 8
  %task = alloca ptr, align 8
  %ef = alloca [48 x i8], align 8
  %id = call token @llvm.coro.id(i32 16, ptr %promise, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  %s0 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s0, label %ret [i8 0, label %pick
                             i8 1, label %cleanup]
pick:
  call void @llvm.lifetime.start.p0(ptr %task)
  br i1 %c, label %left, label %right
left:
  store ptr @callee.resume, ptr %ef, align 8
  %ef.arg = getelementptr inbounds i8, ptr %ef, i64 16
  store i64 %x, ptr %ef.arg, align 8
  br label %join
right:
  store ptr @callee.resume, ptr %ef, align 8
  %ef.arg2 = getelementptr inbounds i8, ptr %ef, i64 16
  store i64 0, ptr %ef.arg2, align 8
  br label %join
join:
  store ptr %ef, ptr %task, align 8
  call void @await_suspend(ptr %task)
  %s1 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resumed
                             i8 1, label %cleanup]
resumed:
  %h = load ptr, ptr %task, align 8
  %fn = call ptr @llvm.coro.subfn.addr(ptr %h, i8 1)
  call void %fn(ptr %h)
  call void @llvm.lifetime.end.p0(ptr %task)
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
declare void @await_suspend(ptr readonly captures(none))
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
