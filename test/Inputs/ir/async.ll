; A pre-split async coroutine (the ABI Swift uses for async functions, never
; clang's C++): one suspend that calls another async function and resumes
; through @llvm.coro.async.resume. The plugin must say it is unsupported and
; change nothing.
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; Relative pointer to the function and the initial context size.
@fetch_fp = constant <{ i32, i32 }> <{ i32 trunc (i64 sub (i64 ptrtoint (ptr @fetch to i64), i64 ptrtoint (ptr getelementptr inbounds (<{ i32, i32 }>, ptr @fetch_fp, i32 0, i32 1) to i64)) to i32), i32 64 }>

define swiftcc void @fetch(ptr swiftasync %ctx, i64 %key) presplitcoroutine {
entry:
  %id = call token @llvm.coro.id.async(i32 64, i32 16, i32 0, ptr @fetch_fp)
  %hdl = call ptr @llvm.coro.begin(token %id, ptr null)
  %callee.ctx = call ptr @context_alloc()
  %resume = call ptr @llvm.coro.async.resume()
  ; The callee returns through the continuation stored in its context.
  %ret.addr = getelementptr inbounds i8, ptr %callee.ctx, i64 8
  store ptr %resume, ptr %ret.addr, align 8
  %r = call { ptr } (i32, ptr, ptr, ...) @llvm.coro.suspend.async(i32 0, ptr %resume, ptr @project, ptr @call_lookup, ptr @lookup, ptr %callee.ctx, i64 %key)
  call void @use(i64 %key)
  call void (ptr, i1, ...) @llvm.coro.end.async(ptr %hdl, i1 false)
  unreachable
}

define ptr @project(ptr %ctx) {
  %caller = load ptr, ptr %ctx, align 8
  ret ptr %caller
}

define swiftcc void @call_lookup(ptr %fn, ptr %ctx, i64 %key) {
  tail call swiftcc void %fn(ptr swiftasync %ctx, i64 %key)
  ret void
}

declare swiftcc void @lookup(ptr swiftasync, i64)
declare ptr @context_alloc()
declare void @use(i64)
declare token @llvm.coro.id.async(i32, i32, i32, ptr)
declare ptr @llvm.coro.begin(token, ptr)
declare ptr @llvm.coro.async.resume()
declare { ptr } @llvm.coro.suspend.async(i32, ptr, ptr, ...)
declare void @llvm.coro.end.async(ptr, i1, ...)
