target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; Pre-split switch-ABI coroutine with two objects in disjoint scopes that
; CoroSplit (with storage reuse, as at -O1+) gives one frame field:
;  - %big, 64 bytes, escapes into @capture; its scope spans the first
;    suspend only;
;  - %small, 8 bytes, stored to directly and escaping into @capture; its
;    scope spans the second suspend only;
;  - %b1..%b4 are spilled across the second suspend.
; Past %small's 8 bytes, the shared field holds nothing in the second state.
define ptr @shared_field(i64 %x) presplitcoroutine personality ptr @__gxx_personality_v0 {
entry:
  %promise = alloca i64, align 8
  %big = alloca [64 x i8], align 8
  %small = alloca i64, align 8
  %id = call token @llvm.coro.id(i32 16, ptr %promise, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  call void @llvm.lifetime.start.p0(ptr %big)
  call void @capture(ptr %big)
  %s0 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s0, label %ret [i8 0, label %after0
                             i8 1, label %cleanup0]
after0:
  call void @use_buf(ptr %big)
  call void @llvm.lifetime.end.p0(ptr %big)
  %b1 = call i64 @compute(i64 %x)
  %b2 = call i64 @compute(i64 %b1)
  %b3 = call i64 @compute(i64 %b2)
  %b4 = call i64 @compute(i64 %b3)
  call void @llvm.lifetime.start.p0(ptr %small)
  store i64 %x, ptr %small, align 8
  call void @capture(ptr %small)
  %s1 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s1, label %ret [i8 0, label %after1
                             i8 1, label %cleanup1]
after1:
  %v = load i64, ptr %small, align 8
  call void @llvm.lifetime.end.p0(ptr %small)
  %sum1 = add i64 %b1, %b2
  %sum2 = add i64 %b3, %b4
  %sum3 = add i64 %sum1, %sum2
  %sum = add i64 %sum3, %v
  call void @consume(i64 %sum)
  %s2 = call i8 @llvm.coro.suspend(token none, i1 true)
  switch i8 %s2, label %ret [i8 0, label %trap
                             i8 1, label %cleanup]
trap:
  unreachable
cleanup0:
  call void @llvm.lifetime.end.p0(ptr %big)
  br label %cleanup
cleanup1:
  call void @llvm.lifetime.end.p0(ptr %small)
  br label %cleanup
cleanup:
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  call void @_ZdlPvm(ptr %mem, i64 %size)
  br label %ret
ret:
  call void @llvm.coro.end(ptr %hdl, i1 false, token none)
  ret ptr %hdl
}

declare token @llvm.coro.id(i32, ptr, ptr, ptr)
declare i64 @llvm.coro.size.i64()
declare ptr @llvm.coro.begin(token, ptr)
declare i8 @llvm.coro.suspend(token, i1)
declare ptr @llvm.coro.free(token, ptr)
declare void @llvm.coro.end(ptr, i1, token)
declare void @llvm.lifetime.start.p0(ptr)
declare void @llvm.lifetime.end.p0(ptr)
declare ptr @_Znwm(i64)
declare void @_ZdlPvm(ptr, i64)
declare i64 @compute(i64)
declare void @capture(ptr)
declare void @use_buf(ptr)
declare void @consume(i64)
declare i32 @__gxx_personality_v0(...)
