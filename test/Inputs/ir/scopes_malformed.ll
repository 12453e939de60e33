; scopes.ll after coro-early and coro-record-scopes, with one end marker
; whose object id a later pass could have merged into a select (as
; SimplifyCFG does when it sinks two calls that differ in one operand): the
; scopes of the whole coroutine are then unknown.
; ModuleID = 'test/Inputs/ir/scopes.ll'
source_filename = "test/Inputs/ir/scopes.ll"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@.corofo.scope.start = private unnamed_addr constant [19 x i8] c"corofo.scope.start\00", section "llvm.metadata"
@.corofo.scope.end = private unnamed_addr constant [17 x i8] c"corofo.scope.end\00", section "llvm.metadata"

; Function Attrs: presplitcoroutine
define ptr @scopes(i64 %x, i1 %c) #0 personality ptr @__gxx_personality_v0 {
entry:
  %promise = alloca i64, align 8, !corofo.scope.id !0
  %buf = alloca [64 x i8], align 16, !corofo.scope.id !1
  %nolife = alloca [16 x i8], align 8, !corofo.scope.id !2
  %opaque = alloca [16 x i8], align 8
  %id = call token @llvm.coro.id(i32 16, ptr %promise, ptr @scopes, ptr null), !corofo.scope !3
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc) #7
  %promise.addr = call ptr @llvm.coro.promise(ptr %hdl, i32 8, i1 false) #7
  call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.start, ptr null, i32 1, ptr null)
  call void @llvm.lifetime.start.p0(ptr %buf)
  call void @capture(ptr %buf), !corofo.scope !4
  call void @capture(ptr %opaque)
  call void @bundle() [ "x"(ptr %opaque) ]
  %s0 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s0, label %ret [
    i8 0, label %after0
    i8 1, label %cleanup0
  ]

after0:                                           ; preds = %entry
  call void @use_buf(ptr %buf), !corofo.scope !4
  call void @llvm.lifetime.end.p0(ptr %buf)
  call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.end, ptr null, i32 1, ptr null)
  call void @capture(ptr %nolife), !corofo.scope !5
  %b1 = call i64 @compute(i64 %x)
  %b2 = call i64 @compute(i64 %b1)
  %b3 = call i64 @compute(i64 %b2)
  %b4 = call i64 @compute(i64 %b3)
  %s1 = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %s1, label %ret [
    i8 0, label %after1
    i8 1, label %cleanup
  ]

after1:                                           ; preds = %after0
  call void @use_buf(ptr %nolife), !corofo.scope !5
  call void @use_buf(ptr %opaque)
  %sum1 = add i64 %b1, %b2
  %sum2 = add i64 %b3, %b4
  %sum = add i64 %sum1, %sum2
  call void @consume(i64 %sum)
  %s2 = call i8 @llvm.coro.suspend(token none, i1 true) #7
  switch i8 %s2, label %ret [
    i8 0, label %trap
    i8 1, label %cleanup
  ]

trap:                                             ; preds = %after1
  unreachable

cleanup0:                                         ; preds = %entry
  call void @llvm.lifetime.end.p0(ptr %buf)
  %merged.id = select i1 %c, i32 1, i32 2
  call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.end, ptr null, i32 %merged.id, ptr null)
  br label %cleanup

cleanup:                                          ; preds = %cleanup0, %after1, %after0
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  call void @_ZdlPvm(ptr %mem, i64 %size)
  br label %ret

ret:                                              ; preds = %cleanup, %after1, %after0, %entry
  call void @llvm.coro.end(ptr %hdl, i1 false, token none) #7
  ret ptr %hdl
}

; Function Attrs: nocallback nofree nosync nounwind willreturn memory(argmem: read)
declare token @llvm.coro.id(i32, ptr readnone, ptr readonly captures(none), ptr) #1

; Function Attrs: nounwind memory(none)
declare i64 @llvm.coro.size.i64() #2

; Function Attrs: nounwind
declare ptr @llvm.coro.begin(token, ptr writeonly) #3

; Function Attrs: nounwind
declare i8 @llvm.coro.suspend(token, i1) #3

; Function Attrs: nounwind memory(argmem: read)
declare ptr @llvm.coro.free(token, ptr readonly captures(none)) #4

; Function Attrs: nounwind
declare void @llvm.coro.end(ptr, i1, token) #3

; Function Attrs: nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.start.p0(ptr captures(none)) #5

; Function Attrs: nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.end.p0(ptr captures(none)) #5

declare ptr @_Znwm(i64)

declare void @_ZdlPvm(ptr, i64)

declare i64 @compute(i64)

declare void @capture(ptr)

declare void @use_buf(ptr)

declare void @consume(i64)

declare void @bundle()

declare i32 @__gxx_personality_v0(...)

; Function Attrs: nounwind memory(none)
declare ptr @llvm.coro.promise(ptr captures(none), i32, i1) #2

; Function Attrs: nocallback nofree nosync nounwind willreturn memory(inaccessiblemem: readwrite)
declare void @llvm.var.annotation.p0.p0(ptr, ptr, ptr, i32, ptr) #6

attributes #0 = { presplitcoroutine }
attributes #1 = { nocallback nofree nosync nounwind willreturn memory(argmem: read) }
attributes #2 = { nounwind memory(none) }
attributes #3 = { nounwind }
attributes #4 = { nounwind memory(argmem: read) }
attributes #5 = { nocallback nofree nosync nounwind willreturn memory(argmem: readwrite) }
attributes #6 = { nocallback nofree nosync nounwind willreturn memory(inaccessiblemem: readwrite) }
attributes #7 = { noduplicate }

!0 = !{i32 0}
!1 = !{i32 1}
!2 = !{i32 2}
!3 = !{i64 1, i64 0, i64 8}
!4 = !{i64 0, i64 1, i64 64}
!5 = !{i64 0, i64 2, i64 16}
