target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; Presplit switch-ABI coroutines whose suspend points coro-state-collapse
; merges or keeps apart. Each arm makes an awaiter (@make: the prefix, which
; differs), suspends on it through a wrapper of its own (clang emits one per
; co_await; @wrap1..3 have identical bodies, @wrap_other does not), and on
; resume reads it (@result) and hands the value on (@use).

%awaiter = type { ptr, i32 }

; Two arms that differ only before the suspend: one state.
define ptr @two_arms(i1 %c) presplitcoroutine {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  br i1 %c, label %arm1, label %arm2
arm1:
  call void @llvm.lifetime.start.p0(ptr %aw1)
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %destroy1]
resume1:
  %v1 = call i32 @result(ptr %aw1)
  call void @use(i32 %v1)
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %final
destroy1:
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %cleanup
arm2:
  call void @llvm.lifetime.start.p0(ptr %aw2)
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %destroy2]
resume2:
  %v2 = call i32 @result(ptr %aw2)
  call void @use(i32 %v2)
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %final
destroy2:
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %cleanup
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

; Three arms of a switch, and the value they resume with joins in a phi.
define ptr @three_arms(i32 %k) presplitcoroutine {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %aw3 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  switch i32 %k, label %arm3 [i32 0, label %arm1
                              i32 1, label %arm2]
arm1:
  call void @llvm.lifetime.start.p0(ptr %aw1)
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %destroy1]
resume1:
  %v1 = call i32 @result(ptr %aw1)
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %join
destroy1:
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %cleanup
arm2:
  call void @llvm.lifetime.start.p0(ptr %aw2)
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %destroy2]
resume2:
  %v2 = call i32 @result(ptr %aw2)
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %join
destroy2:
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %cleanup
arm3:
  call void @llvm.lifetime.start.p0(ptr %aw3)
  call void @make(ptr %aw3, i32 3)
  %save3 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw3, ptr %hdl, ptr @wrap3)
  %s3 = call i8 @llvm.coro.suspend(token %save3, i1 false)
  switch i8 %s3, label %ret [i8 0, label %resume3
                             i8 1, label %destroy3]
resume3:
  %v3 = call i32 @result(ptr %aw3)
  call void @llvm.lifetime.end.p0(ptr %aw3)
  br label %join
destroy3:
  call void @llvm.lifetime.end.p0(ptr %aw3)
  br label %cleanup
join:
  %v = phi i32 [ %v1, %resume1 ], [ %v2, %resume2 ], [ %v3, %resume3 ]
  call void @use(i32 %v)
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

; The second arm's resume path calls @use_twice instead of @use: kept apart.
define ptr @one_call_differs(i1 %c) presplitcoroutine {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  br i1 %c, label %arm1, label %arm2
arm1:
  call void @llvm.lifetime.start.p0(ptr %aw1)
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %destroy1]
resume1:
  %v1 = call i32 @result(ptr %aw1)
  call void @use(i32 %v1)
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %final
destroy1:
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %cleanup
arm2:
  call void @llvm.lifetime.start.p0(ptr %aw2)
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %destroy2]
resume2:
  %v2 = call i32 @result(ptr %aw2)
  call void @use_twice(i32 %v2), !dbg !9
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %final
destroy2:
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %cleanup
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

; Both arms inside a loop: each awaiter's lifetime ends before the next
; iteration's other arm starts its own, so the two still become one.
define ptr @in_loop(i32 %n) presplitcoroutine {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %latch ]
  %odd = trunc i32 %i to i1
  br i1 %odd, label %arm1, label %arm2
arm1:
  call void @llvm.lifetime.start.p0(ptr %aw1)
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %destroy1]
resume1:
  %v1 = call i32 @result(ptr %aw1)
  call void @use(i32 %v1)
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %latch
destroy1:
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %cleanup
arm2:
  call void @llvm.lifetime.start.p0(ptr %aw2)
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %destroy2]
resume2:
  %v2 = call i32 @result(ptr %aw2)
  call void @use(i32 %v2)
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %latch
destroy2:
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %cleanup
latch:
  %next = add i32 %i, 1
  %done = icmp eq i32 %next, %n
  br i1 %done, label %final, label %loop
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

; The same loop with objects that have no lifetime markers: one arm's object
; may still hold what the other iteration's arm needs. Kept apart.
define ptr @in_loop_no_markers(i32 %n) presplitcoroutine {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %latch ]
  %odd = trunc i32 %i to i1
  br i1 %odd, label %arm1, label %arm2
arm1:
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %cleanup]
resume1:
  %v1 = call i32 @result(ptr %aw1)
  call void @use(i32 %v1)
  br label %latch
arm2:
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %cleanup]
resume2:
  %v2 = call i32 @result(ptr %aw2)
  call void @use(i32 %v2)
  br label %latch
latch:
  %next = add i32 %i, 1
  %done = icmp eq i32 %next, %n
  br i1 %done, label %final, label %loop
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

; Without markers but outside loops: no path leads from one arm to the
; other, so the objects are never both in use. One state.
define ptr @no_markers(i1 %c) presplitcoroutine {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  br i1 %c, label %arm1, label %arm2
arm1:
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %cleanup]
resume1:
  %v1 = call i32 @result(ptr %aw1)
  call void @use(i32 %v1)
  br label %final
arm2:
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %cleanup]
resume2:
  %v2 = call i32 @result(ptr %aw2)
  call void @use(i32 %v2)
  br label %final
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

; The first awaiter is still live when the second arm starts its own (it is
; ended only after the join): they cannot become one object.
define ptr @live_together(i1 %c) presplitcoroutine {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  call void @llvm.lifetime.start.p0(ptr %aw1)
  call void @make(ptr %aw1, i32 0)
  br i1 %c, label %arm1, label %arm2
arm1:
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %cleanup]
resume1:
  %v1 = call i32 @result(ptr %aw1)
  call void @use(i32 %v1)
  br label %final
arm2:
  call void @llvm.lifetime.start.p0(ptr %aw2)
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %cleanup]
resume2:
  %v2 = call i32 @result(ptr %aw2)
  call void @use(i32 %v2)
  br label %final
final:
  call void @llvm.lifetime.end.p0(ptr %aw2)
  call void @llvm.lifetime.end.p0(ptr %aw1)
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

; The exception paths differ: the first arm's unwinds into a landing pad
; that destroys the awaiter, the second's into one that also logs. Kept
; apart; a call of the same awaiter with a different wrapper body is not
; even a candidate (no remark).
define ptr @eh_paths_differ(i1 %c) presplitcoroutine personality ptr @__gxx_personality_v0 {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %aw3 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  br i1 %c, label %arm1, label %arm2
arm1:
  call void @llvm.lifetime.start.p0(ptr %aw1)
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %destroy1]
resume1:
  %v1 = invoke i32 @result(ptr %aw1)
          to label %ok1 unwind label %lpad1
ok1:
  call void @use(i32 %v1)
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %other
lpad1:
  %lp1 = landingpad { ptr, i32 } cleanup
  call void @destroy(ptr %aw1)
  call void @llvm.lifetime.end.p0(ptr %aw1)
  resume { ptr, i32 } %lp1
destroy1:
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %cleanup
arm2:
  call void @llvm.lifetime.start.p0(ptr %aw2)
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %destroy2]
resume2:
  %v2 = invoke i32 @result(ptr %aw2)
          to label %ok2 unwind label %lpad2
ok2:
  call void @use(i32 %v2)
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %other
lpad2:
  %lp2 = landingpad { ptr, i32 } cleanup
  call void @destroy(ptr %aw2)
  call void @log()
  call void @llvm.lifetime.end.p0(ptr %aw2)
  resume { ptr, i32 } %lp2
destroy2:
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %cleanup
other:
  call void @llvm.lifetime.start.p0(ptr %aw3)
  call void @make(ptr %aw3, i32 3)
  %save3 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw3, ptr %hdl, ptr @wrap_other)
  %s3 = call i8 @llvm.coro.suspend(token %save3, i1 false)
  switch i8 %s3, label %ret [i8 0, label %resume3
                             i8 1, label %destroy3]
resume3:
  %v3 = call i32 @result(ptr %aw3)
  call void @use(i32 %v3)
  call void @llvm.lifetime.end.p0(ptr %aw3)
  br label %final
destroy3:
  call void @llvm.lifetime.end.p0(ptr %aw3)
  br label %cleanup
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

; Each arm starts an operation of its own (%op1, %op2: SSA values from before
; the suspend) and the continuation finishes it: the merged continuation
; reads the arm's value from a slot that both arms set before they enter it.
define ptr @carried(i1 %c) presplitcoroutine {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  br i1 %c, label %arm1, label %arm2
arm1:
  %op1 = call ptr @start(i32 1)
  call void @llvm.lifetime.start.p0(ptr %aw1)
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %destroy1]
resume1:
  %v1 = call i32 @finish(ptr %op1)
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %final
destroy1:
  call void @llvm.lifetime.end.p0(ptr %aw1)
  br label %cleanup
arm2:
  %op2 = call ptr @start(i32 2)
  call void @llvm.lifetime.start.p0(ptr %aw2)
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %destroy2]
resume2:
  %v2 = call i32 @finish(ptr %op2)
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %final
destroy2:
  call void @llvm.lifetime.end.p0(ptr %aw2)
  br label %cleanup
final:
  %v = phi i32 [ %v1, %resume1 ], [ %v2, %resume2 ]
  call void @use(i32 %v)
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

; The continuations differ in a constant only, and the code to carry it
; (a store in each arm, a load) is half of what the merge would drop: kept
; apart.
define ptr @constant_differs(i1 %c) presplitcoroutine {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  br i1 %c, label %arm1, label %arm2
arm1:
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %cleanup]
resume1:
  call void @use(i32 1)
  br label %final
arm2:
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %cleanup]
resume2:
  call void @use(i32 2)
  br label %final
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

; Longer continuations that differ in a constant: worth carrying it.
define ptr @constant_carried(i1 %c) presplitcoroutine {
entry:
  %aw1 = alloca %awaiter, align 8
  %aw2 = alloca %awaiter, align 8
  %id = call token @llvm.coro.id(i32 16, ptr null, ptr null, ptr null)
  %size = call i64 @llvm.coro.size.i64()
  %alloc = call ptr @_Znwm(i64 %size)
  %hdl = call noalias ptr @llvm.coro.begin(token %id, ptr %alloc)
  br i1 %c, label %arm1, label %arm2
arm1:
  call void @make(ptr %aw1, i32 1)
  %save1 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
  %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
  switch i8 %s1, label %ret [i8 0, label %resume1
                             i8 1, label %cleanup]
resume1:
  call void @use(i32 1)
  call void @log()
  call void @log()
  call void @log()
  br label %final
arm2:
  call void @make(ptr %aw2, i32 2)
  %save2 = call token @llvm.coro.save(ptr null)
  call void @llvm.coro.await.suspend.void(ptr %aw2, ptr %hdl, ptr @wrap2)
  %s2 = call i8 @llvm.coro.suspend(token %save2, i1 false)
  switch i8 %s2, label %ret [i8 0, label %resume2
                             i8 1, label %cleanup]
resume2:
  call void @use(i32 2)
  call void @log()
  call void @log()
  call void @log()
  br label %final
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

define internal void @wrap1(ptr %aw, ptr %h) {
  call void @suspend_on(ptr %aw, ptr %h)
  ret void
}
define internal void @wrap2(ptr %aw, ptr %h) {
  call void @suspend_on(ptr %aw, ptr %h)
  ret void
}
define internal void @wrap3(ptr %aw, ptr %h) {
  call void @suspend_on(ptr %aw, ptr %h)
  ret void
}
define internal void @wrap_other(ptr %aw, ptr %h) {
  call void @suspend_elsewhere(ptr %aw, ptr %h)
  ret void
}

declare token @llvm.coro.id(i32, ptr, ptr, ptr)
declare i64 @llvm.coro.size.i64()
declare ptr @llvm.coro.begin(token, ptr)
declare token @llvm.coro.save(ptr)
declare void @llvm.coro.await.suspend.void(ptr, ptr, ptr)
declare i8 @llvm.coro.suspend(token, i1)
declare ptr @llvm.coro.free(token, ptr)
declare void @llvm.coro.end(ptr, i1, token)
declare void @llvm.lifetime.start.p0(ptr)
declare void @llvm.lifetime.end.p0(ptr)
declare ptr @_Znwm(i64)
declare void @_ZdlPvm(ptr, i64)
declare void @make(ptr, i32)
declare ptr @start(i32)
declare i32 @finish(ptr)
declare i32 @result(ptr)
declare void @use(i32)
declare void @use_twice(i32)
declare void @destroy(ptr)
declare void @log()
declare void @suspend_on(ptr, ptr)
declare void @suspend_elsewhere(ptr, ptr)
declare i32 @__gxx_personality_v0(...)

!llvm.module.flags = !{!0, !1}
!llvm.dbg.cu = !{!2}
!0 = !{i32 2, !"Debug Info Version", i32 3}
!1 = !{i32 7, !"Dwarf Version", i32 5}
!2 = distinct !DICompileUnit(language: DW_LANG_C_plus_plus_14, file: !3, producer: "hand-written", isOptimized: false, runtimeVersion: 0, emissionKind: LineTablesOnly)
!3 = !DIFile(filename: "collapse.cpp", directory: "/")
!4 = distinct !DISubprogram(name: "one_call_differs", scope: !3, file: !3, line: 1, type: !5, scopeLine: 1, spFlags: DISPFlagDefinition, unit: !2)
!5 = !DISubroutineType(types: !6)
!6 = !{}
!9 = !DILocation(line: 42, column: 3, scope: !4)
