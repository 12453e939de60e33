target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; Pre-split switch-ABI coroutine whose allocator the inliner has already
; put into the ramp, as clang -O2 does with an allocator defined in the TU:
; the frame size feeds a byte counter, the malloc of size + 8, and a store
; of the size at p + size (book-keeping kept past the frame); the cleanup
; reads it back from p + size, checks it and counts the freed bytes.
; %a is live only across the first suspend, %b only across the second.
@allocated = global i64 0
@freed = global i64 0

define ptr @inlined_alloc(i64 %x) presplitcoroutine {
entry:
  %promise = alloca i64, align 8
  %id = call token @llvm.coro.id(i32 16, ptr %promise, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %c = load i64, ptr @allocated
  %c2 = add i64 %c, %size
  store i64 %c2, ptr @allocated
  %room = add i64 %size, 8
  %alloc = call ptr @malloc(i64 %room)
  %tail = getelementptr i8, ptr %alloc, i64 %size
  store i64 %size, ptr %tail
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  %a = call i64 @compute(i64 %x)
  %s0 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s0, label %ret [i8 0, label %after0
                             i8 1, label %cleanup]
after0:
  call void @use(i64 %a)
  %b = call i64 @compute(i64 %x)
  %s1 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s1, label %ret [i8 0, label %after1
                             i8 1, label %cleanup]
after1:
  call void @use(i64 %b)
  %s2 = call i8 @llvm.coro.suspend(token none, i1 true)
  switch i8 %s2, label %ret [i8 0, label %trap
                             i8 1, label %cleanup]
trap:
  unreachable
cleanup:
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  %size2 = call i64 @llvm.coro.size.i64()
  %tail2 = getelementptr i8, ptr %mem, i64 %size2
  %kept = load i64, ptr %tail2
  call void @check(i64 %kept, i64 %size2)
  %f = load i64, ptr @freed
  %f2 = add i64 %f, %size2
  store i64 %f2, ptr @freed
  call void @free(ptr %mem)
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
declare ptr @malloc(i64)
declare void @free(ptr)
declare i64 @compute(i64)
declare void @use(i64)
declare void @check(i64, i64)
