target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; A loop around a suspend with a promise: %sum is carried around the back edge
; and live across the suspend in every iteration; %step is loop-invariant and
; live across it too; %tmp is computed and used between suspends only.
define ptr @accumulate(i64 %step) presplitcoroutine {
entry:
  %promise = alloca i64, align 8
  %id = call token @llvm.coro.id(i32 16, ptr %promise, ptr null, ptr null)
  %alloc = call ptr @malloc(i64 64)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  br label %loop

loop:
  %sum = phi i64 [ 0, %entry ], [ %next, %body ]
  store i64 %sum, ptr %promise
  %s = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s, label %ret [i8 0, label %body
                            i8 1, label %cleanup]

body:
  %tmp = call i64 @get()
  %t2 = mul i64 %tmp, %step
  %next = add i64 %sum, %t2
  br label %loop

cleanup:
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  call void @free(ptr %mem)
  br label %ret

ret:
  call void @llvm.coro.end(ptr %hdl, i1 false, token none)
  ret ptr %hdl
}

declare token @llvm.coro.id(i32, ptr, ptr, ptr)
declare ptr @llvm.coro.begin(token, ptr)
declare i8 @llvm.coro.suspend(token, i1)
declare ptr @llvm.coro.free(token, ptr)
declare void @llvm.coro.end(ptr, i1, token)
declare noalias ptr @malloc(i64)
declare void @free(ptr)
declare i64 @get()
