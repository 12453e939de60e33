target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; Pre-split switch-ABI coroutine with a promise, two suspend points and a
; final suspend: %a is live only across the first suspend, %b only across
; the second, %buf's address escapes into @capture, and %p is passed to a
; captures(none) callee (address taken but not escaped).
define ptr @two_states(i64 %x) presplitcoroutine personality ptr @__gxx_personality_v0 {
entry:
  %promise = alloca i64, align 8
  %buf = alloca [64 x i8], align 16
  %p = alloca i32, align 4
  %id = call token @llvm.coro.id(i32 16, ptr %promise, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  %a = call i64 @compute(i64 %x)
  call void @capture(ptr %buf)
  %s0 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s0, label %ret [i8 0, label %after0
                             i8 1, label %cleanup]
after0:
  %b = call i64 @compute(i64 %a)
  store i32 7, ptr %p
  call void @peek(ptr %p)
  %s1 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s1, label %ret [i8 0, label %after1
                             i8 1, label %cleanup]
after1:
  invoke void @may_throw(i64 %b)
          to label %final unwind label %lpad
lpad:
  %lp = landingpad { ptr, i32 } cleanup
  call void @use_buf(ptr %buf)
  br label %final
final:
  %s2 = call i8 @llvm.coro.suspend(token none, i1 true)
  switch i8 %s2, label %ret [i8 0, label %trap
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

declare token @llvm.coro.id(i32, ptr, ptr, ptr)
declare i64 @llvm.coro.size.i64()
declare ptr @llvm.coro.begin(token, ptr)
declare i8 @llvm.coro.suspend(token, i1)
declare ptr @llvm.coro.free(token, ptr)
declare void @llvm.coro.end(ptr, i1, token)
declare ptr @_Znwm(i64)
declare void @_ZdlPvm(ptr, i64)
declare i64 @compute(i64)
declare void @capture(ptr)
declare void @use_buf(ptr)
declare void @peek(ptr captures(none))
declare void @may_throw(i64)
declare i32 @__gxx_personality_v0(...)
