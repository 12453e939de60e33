; coro-lifetime-restart: in @restart, %s's lifetime ends and starts again in
; the entry block, and from that start it is live across the suspend. Stock
; CoroSplit asks "is a suspend reachable from a block with a lifetime.start
; without passing a block with a lifetime.end?" per block, so the entry block
; (which has both) starts no path and %s stays on the stack of @restart.resume
; although .resume reads it. The pass removes the end/start pair; then
; CoroSplit puts %s into the frame. In @restart_three (three unrolled
; iterations) the second start reaches the suspend only once the second pair
; is gone, and the block would still hold the first end; both pairs go.
; Left alone: a pair after which no suspend comes before the next end
; (@no_suspend_after), markers in different blocks (@separate_blocks), pairs
; whose object may be dead before the end, where the start is what makes it
; alive (@dead_on_some_path, @double_end; a missed remark each), a function
; that is not a coroutine (@plain), and coroutines of other ABIs.
;
; RUN: %opt -passes='function(coro-lifetime-restart)' -pass-remarks=coro-lifetime-restart -pass-remarks-missed=coro-lifetime-restart -S %s -o %t.ll 2>&1 | FileCheck %s --check-prefix=REMARK
; RUN: FileCheck %s < %t.ll
; RUN: %opt -passes='function(coro-lifetime-restart),cgscc(coro-split)' -verify-each -S %s -o - | FileCheck %s --check-prefix=SPLIT
; Stock CoroSplit on the same input keeps %s on the stack (the bug); should
; this fail, LLVM has fixed it.
; RUN: %stock-opt -passes='cgscc(coro-split)' -S %s -o - | FileCheck %s --check-prefix=STOCK
; Running it twice changes nothing more; other ABIs are left exactly as they are.
; RUN: %opt -passes='function(coro-lifetime-restart,coro-lifetime-restart)' -S %s -o %t.twice.ll
; RUN: diff %t.ll %t.twice.ll
; RUN: %opt -passes='verify' -S %inputs/ir/async.ll -o %t.async.ll
; RUN: %opt -passes='function(coro-lifetime-restart)' -S %inputs/ir/async.ll -o %t.async-after.ll
; RUN: diff %t.async.ll %t.async-after.ll
; RUN: %opt -passes='verify' -S %inputs/ir/retcon.ll -o %t.retcon.ll
; RUN: %opt -passes='function(coro-lifetime-restart)' -S %inputs/ir/retcon.ll -o %t.retcon-after.ll
; RUN: diff %t.retcon.ll %t.retcon-after.ll
; In the default -O2 pipeline it runs at the peephole points, the last one
; after the last simplifycfg, which has merged @separate_blocks' two blocks
; into one with a restart (how such blocks come about); switched off with
; -coro-frame-opt-disable=lifetime-restart.
; RUN: %opt -O2 -pass-remarks=coro-lifetime-restart -disable-output %s 2>&1 | FileCheck %s --check-prefix=O2
; RUN: %opt -O2 -coro-frame-opt-disable=lifetime-restart -pass-remarks=coro-lifetime-restart -disable-output %s 2>&1 | count 0
;
; REMARK: remark: <unknown>:0:0: the lifetime of an object of type 'struct.str' in 'restart' ends and starts again in one block before a suspend it is live across; the two markers are removed so that CoroSplit keeps it in the frame (LLVM 22 would leave it on the stack)
; REMARK-NEXT: remark: <unknown>:0:0: the lifetime of an object of type 'struct.str' in 'restart_three' ends and starts again in one block
; REMARK-NEXT: remark: <unknown>:0:0: the lifetime of an object of type 'struct.str' in 'restart_three' ends and starts again in one block
; REMARK-NEXT: remark: <unknown>:0:0: the lifetime of an object of type 'struct.str' in 'dead_on_some_path' ends and starts again in one block before a suspend it is live across, but it may be dead before that end on some path; the markers are left alone (CoroSplit may keep it on the stack)
; REMARK-NEXT: remark: <unknown>:0:0: the lifetime of an object of type 'struct.str' in 'double_end' ends and starts again in one block before a suspend it is live across, but it may be dead before that end on some path
; REMARK-NOT: remark
; O2-DAG: remark: <unknown>:0:0: the lifetime of an object of type 'struct.str' in 'restart' ends and starts again in one block
; O2-DAG: remark: <unknown>:0:0: the lifetime of an object of type 'struct.str' in 'separate_blocks' ends and starts again in one block
; O2-DAG: remark: <unknown>:0:0: the lifetime of an object of type 'struct.str' in 'restart_three' ends and starts again in one block
; O2-DAG: remark: <unknown>:0:0: the lifetime of an object of type 'struct.str' in 'restart_three' ends and starts again in one block
;
; CHECK-LABEL: define ptr @restart(
; CHECK: call void @llvm.lifetime.start.p0(ptr %s)
; CHECK-NEXT: call void @make(ptr %s)
; CHECK-NEXT: call void @use(ptr %s)
; CHECK-NEXT: call void @make(ptr %s)
; CHECK-NEXT: %sp = call i8 @llvm.coro.suspend(
; CHECK: resume:
; CHECK-NEXT: call void @use(ptr %s)
; CHECK-NEXT: call void @llvm.lifetime.end.p0(ptr %s)
;
; CHECK-LABEL: define ptr @restart_three(
; CHECK: call void @llvm.lifetime.start.p0(ptr %s)
; CHECK-NEXT: call void @make(ptr %s)
; CHECK-NEXT: call void @make(ptr %s)
; CHECK-NEXT: call void @make(ptr %s)
; CHECK-NEXT: %sp = call i8 @llvm.coro.suspend(
;
; CHECK-LABEL: define ptr @no_suspend_after(
; CHECK: call void @llvm.lifetime.end.p0(ptr %s)
; CHECK-NEXT: call void @llvm.lifetime.start.p0(ptr %s)
; CHECK-NEXT: call void @use(ptr %s)
; CHECK-NEXT: call void @llvm.lifetime.end.p0(ptr %s)
; CHECK-NEXT: %sp = call i8 @llvm.coro.suspend(
;
; CHECK-LABEL: define ptr @separate_blocks(
; CHECK: call void @llvm.lifetime.end.p0(ptr %s)
; CHECK-NEXT: br label %next
; CHECK: next:
; CHECK-NEXT: call void @llvm.lifetime.start.p0(ptr %s)
;
; CHECK-LABEL: define ptr @dead_on_some_path(
; CHECK: merge:
; CHECK-NEXT: call void @llvm.lifetime.end.p0(ptr %s)
; CHECK-NEXT: call void @llvm.lifetime.start.p0(ptr %s)
;
; CHECK-LABEL: define ptr @double_end(
; CHECK: call void @llvm.lifetime.end.p0(ptr %s)
; CHECK-NEXT: call void @llvm.lifetime.end.p0(ptr %s)
; CHECK-NEXT: call void @llvm.lifetime.start.p0(ptr %s)
;
; CHECK-LABEL: define void @plain(
; CHECK: call void @llvm.lifetime.end.p0(ptr %s)
; CHECK-NEXT: call void @llvm.lifetime.start.p0(ptr %s)
;
; SPLIT-LABEL: define internal fastcc void @restart.resume(
; SPLIT-NOT: alloca
; SPLIT: call void @use(ptr
; SPLIT-LABEL: define internal fastcc void @restart.destroy(
; SPLIT-LABEL: define internal fastcc void @restart_three.resume(
; SPLIT-NOT: alloca
; SPLIT: call void @use(ptr
; SPLIT-LABEL: define internal fastcc void @restart_three.destroy(
;
; STOCK-LABEL: define internal fastcc void @restart.resume(
; STOCK: %s = alloca %struct.str
; STOCK-LABEL: define internal fastcc void @restart.destroy(
; STOCK-LABEL: define internal fastcc void @restart_three.resume(
; STOCK: %s = alloca %struct.str
; STOCK-LABEL: define internal fastcc void @restart_three.destroy(

%struct.str = type { ptr, i64, [16 x i8] }

declare void @make(ptr)
declare void @use(ptr)
declare ptr @malloc(i32)
declare void @free(ptr)

define ptr @restart(i32 %n) presplitcoroutine {
entry:
  %s = alloca %struct.str, align 8
  %id = call token @llvm.coro.id(i32 0, ptr null, ptr null, ptr null)
  %size = call i32 @llvm.coro.size.i32()
  %alloc = call ptr @malloc(i32 %size)
  %hdl = call ptr @llvm.coro.begin(token %id, ptr %alloc)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  call void @use(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  %sp = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %sp, label %suspend [i8 0, label %resume
                                 i8 1, label %cleanup]
resume:
  call void @use(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  br label %cleanup
cleanup:
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  call void @free(ptr %mem)
  br label %suspend
suspend:
  call void @llvm.coro.end(ptr %hdl, i1 false, token none)
  ret ptr %hdl
}

define ptr @restart_three(i32 %n) presplitcoroutine {
entry:
  %s = alloca %struct.str, align 8
  %id = call token @llvm.coro.id(i32 0, ptr null, ptr null, ptr null)
  %size = call i32 @llvm.coro.size.i32()
  %alloc = call ptr @malloc(i32 %size)
  %hdl = call ptr @llvm.coro.begin(token %id, ptr %alloc)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  %sp = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %sp, label %suspend [i8 0, label %resume
                                 i8 1, label %cleanup]
resume:
  call void @use(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  br label %cleanup
cleanup:
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  call void @free(ptr %mem)
  br label %suspend
suspend:
  call void @llvm.coro.end(ptr %hdl, i1 false, token none)
  ret ptr %hdl
}

define ptr @no_suspend_after(i32 %n) presplitcoroutine {
entry:
  %s = alloca %struct.str, align 8
  %id = call token @llvm.coro.id(i32 0, ptr null, ptr null, ptr null)
  %size = call i32 @llvm.coro.size.i32()
  %alloc = call ptr @malloc(i32 %size)
  %hdl = call ptr @llvm.coro.begin(token %id, ptr %alloc)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @use(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  %sp = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %sp, label %suspend [i8 0, label %cleanup
                                 i8 1, label %cleanup]
cleanup:
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  call void @free(ptr %mem)
  br label %suspend
suspend:
  call void @llvm.coro.end(ptr %hdl, i1 false, token none)
  ret ptr %hdl
}

define ptr @separate_blocks(i32 %n) presplitcoroutine {
entry:
  %s = alloca %struct.str, align 8
  %id = call token @llvm.coro.id(i32 0, ptr null, ptr null, ptr null)
  %size = call i32 @llvm.coro.size.i32()
  %alloc = call ptr @malloc(i32 %size)
  %hdl = call ptr @llvm.coro.begin(token %id, ptr %alloc)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  br label %next
next:
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  %sp = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %sp, label %suspend [i8 0, label %resume
                                 i8 1, label %cleanup]
resume:
  call void @use(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  br label %cleanup
cleanup:
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  call void @free(ptr %mem)
  br label %suspend
suspend:
  call void @llvm.coro.end(ptr %hdl, i1 false, token none)
  ret ptr %hdl
}

; Entered from %entry, the object was never started when %merge ends it:
; without the start it would be dead at @make and @use.
define ptr @dead_on_some_path(i1 %c) presplitcoroutine {
entry:
  %s = alloca %struct.str, align 8
  %id = call token @llvm.coro.id(i32 0, ptr null, ptr null, ptr null)
  %size = call i32 @llvm.coro.size.i32()
  %alloc = call ptr @malloc(i32 %size)
  %hdl = call ptr @llvm.coro.begin(token %id, ptr %alloc)
  br i1 %c, label %started, label %merge
started:
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  br label %merge
merge:
  call void @llvm.lifetime.end.p0(ptr %s)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  %sp = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %sp, label %suspend [i8 0, label %resume
                                 i8 1, label %cleanup]
resume:
  call void @use(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  br label %cleanup
cleanup:
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  call void @free(ptr %mem)
  br label %suspend
suspend:
  call void @llvm.coro.end(ptr %hdl, i1 false, token none)
  ret ptr %hdl
}

; The first end kills the object; the second finds it dead.
define ptr @double_end(i32 %n) presplitcoroutine {
entry:
  %s = alloca %struct.str, align 8
  %id = call token @llvm.coro.id(i32 0, ptr null, ptr null, ptr null)
  %size = call i32 @llvm.coro.size.i32()
  %alloc = call ptr @malloc(i32 %size)
  %hdl = call ptr @llvm.coro.begin(token %id, ptr %alloc)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  %sp = call i8 @llvm.coro.suspend(token none, i1 false)
  switch i8 %sp, label %suspend [i8 0, label %resume
                                 i8 1, label %cleanup]
resume:
  call void @use(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  br label %cleanup
cleanup:
  %mem = call ptr @llvm.coro.free(token %id, ptr %hdl)
  call void @free(ptr %mem)
  br label %suspend
suspend:
  call void @llvm.coro.end(ptr %hdl, i1 false, token none)
  ret ptr %hdl
}

define void @plain() {
entry:
  %s = alloca %struct.str, align 8
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @make(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  call void @llvm.lifetime.start.p0(ptr %s)
  call void @use(ptr %s)
  call void @llvm.lifetime.end.p0(ptr %s)
  ret void
}

declare token @llvm.coro.id(i32, ptr, ptr, ptr)
declare i32 @llvm.coro.size.i32()
declare ptr @llvm.coro.begin(token, ptr)
declare i8 @llvm.coro.suspend(token, i1)
declare ptr @llvm.coro.free(token, ptr)
declare void @llvm.coro.end(ptr, i1, token)
declare void @llvm.lifetime.start.p0(ptr)
declare void @llvm.lifetime.end.p0(ptr)
