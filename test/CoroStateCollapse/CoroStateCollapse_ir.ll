; coro-state-collapse on hand-written presplit coroutines (inputs/ir/collapse.ll):
; identical suspend points become one -- the second arm branches into the
; first arm's continuation at its llvm.coro.save, its awaiter becomes the
; first arm's -- and CoroSplit then makes one state (narrower index, one
; awaiter field) of them. Kept apart: a resume path with one different call
; (the missed remark names it), objects that may be live together (loop
; without lifetime markers; a lifetime that spans both arms), exception
; paths that differ, a constant that differs in a short continuation (the
; missed remark says carrying it costs more than it saves). Merged: two arms, three arms
; joining in a phi, arms in a loop with lifetime markers, arms without
; markers outside loops, arms whose continuations use values each arm
; computed before its suspend (carried in a slot both arms set), a longer
; continuation that differs in a constant (carried the same way).
;
; RUN: %opt -passes='function(coro-state-collapse)' -verify-each -pass-remarks=coro-state-collapse -pass-remarks-missed=coro-state-collapse -S -o %t.ll < %inputs/ir/collapse.ll 2> %t.remarks
; RUN: FileCheck %s < %t.ll
; RUN: FileCheck %s --check-prefix=REMARK < %t.remarks
; Running it again changes nothing.
; RUN: %opt -passes='function(coro-state-collapse)' -S -o %t.again.ll < %t.ll
; RUN: diff %t.ll %t.again.ll
; Through CoroSplit, in the -O1+ order (after coro-early) and the -O0 order
; (before it); stock for comparison.
; RUN: %opt -passes='coro-early,function(coro-state-collapse),cgscc(coro-split)' -verify-each -S %inputs/ir/collapse.ll -o - | FileCheck %s --check-prefix=SPLIT
; RUN: %opt -passes='function(coro-state-collapse),coro-early,cgscc(coro-split)' -verify-each -S %inputs/ir/collapse.ll -o - | FileCheck %s --check-prefix=SPLIT
; RUN: %stock-opt -passes='coro-early,cgscc(coro-split)' -S %inputs/ir/collapse.ll -o - | FileCheck %s --check-prefix=STOCK
; In the default pipelines (the pass at ScalarOptimizerLate): the same merges.
; RUN: %opt -passes='default<O0>' -verify-each -pass-remarks=coro-state-collapse -disable-output %inputs/ir/collapse.ll 2>&1 | FileCheck %s --check-prefix=PIPELINE
; RUN: %opt -passes='default<O2>' -verify-each -pass-remarks=coro-state-collapse -disable-output %inputs/ir/collapse.ll 2>&1 | FileCheck %s --check-prefix=PIPELINE
; RUN: %opt -passes='default<O2>' -coro-frame-opt-disable=collapse -pass-remarks=coro-state-collapse -disable-output %inputs/ir/collapse.ll 2>&1 | count 0
; The bisect limit counts each merge: with 1, three_arms keeps one of its two.
; RUN: %opt -coro-frame-opt-max-transforms=2 -passes='function(coro-state-collapse)' -S %inputs/ir/collapse.ll -o /dev/null 2>&1 | FileCheck %s --check-prefix=BISECT
;
; CHECK-LABEL: define ptr @two_arms(
; CHECK: %aw1 = alloca %awaiter, align 8
; CHECK-NOT: %aw2 = alloca
; CHECK: arm1:
; CHECK-NEXT: call void @llvm.lifetime.start.p0(ptr %aw1)
; CHECK-NEXT: call void @make(ptr %aw1, i32 1)
; CHECK-NEXT: br label %arm1.suspend
; CHECK: arm1.suspend:
; CHECK-NEXT: %save1 = call token @llvm.coro.save(ptr null)
; CHECK-NEXT: call void @llvm.coro.await.suspend.void(ptr %aw1, ptr %hdl, ptr @wrap1)
; CHECK-NEXT: %s1 = call i8 @llvm.coro.suspend(token %save1, i1 false)
; CHECK: arm2:
; CHECK-NEXT: call void @llvm.lifetime.start.p0(ptr %aw1)
; CHECK-NEXT: call void @make(ptr %aw1, i32 2)
; CHECK-NEXT: br label %arm1.suspend
; CHECK-NOT: @llvm.coro.save
; CHECK-LABEL: define ptr @three_arms(
; CHECK-NOT: %aw2 = alloca
; CHECK-NOT: %aw3 = alloca
; CHECK: %save1 = call token @llvm.coro.save(ptr null)
; CHECK-NOT: @llvm.coro.save
; CHECK: join:
; CHECK-NEXT: call void @use(i32 %v1)
; CHECK-LABEL: define ptr @one_call_differs(
; CHECK: %save1 = call token @llvm.coro.save(ptr null)
; CHECK: %save2 = call token @llvm.coro.save(ptr null)
; CHECK-LABEL: define ptr @in_loop(
; CHECK-NOT: %aw2 = alloca
; CHECK: %save1 = call token @llvm.coro.save(ptr null)
; CHECK-NOT: @llvm.coro.save
; CHECK-LABEL: define ptr @in_loop_no_markers(
; CHECK: %save1 = call token @llvm.coro.save(ptr null)
; CHECK: %save2 = call token @llvm.coro.save(ptr null)
; CHECK-LABEL: define ptr @no_markers(
; CHECK-NOT: %aw2 = alloca
; CHECK: %save1 = call token @llvm.coro.save(ptr null)
; CHECK-NOT: @llvm.coro.save
; CHECK-LABEL: define ptr @live_together(
; CHECK: %save1 = call token @llvm.coro.save(ptr null)
; CHECK: %save2 = call token @llvm.coro.save(ptr null)
; CHECK-LABEL: define ptr @eh_paths_differ(
; CHECK: %save1 = call token @llvm.coro.save(ptr null)
; CHECK: %save2 = call token @llvm.coro.save(ptr null)
; CHECK: %save3 = call token @llvm.coro.save(ptr null)
; CHECK-LABEL: define ptr @carried(
; CHECK: %op1.carried = alloca ptr, align 8
; CHECK: arm1:
; CHECK-NEXT: %op1 = call ptr @start(i32 1)
; CHECK: store ptr %op1, ptr %op1.carried, align 8
; CHECK-NEXT: br label %arm1.suspend
; CHECK: resume1:
; CHECK-NEXT: %op1.arm = load ptr, ptr %op1.carried, align 8
; CHECK-NEXT: %v1 = call i32 @finish(ptr %op1.arm)
; CHECK: arm2:
; CHECK-NEXT: %op2 = call ptr @start(i32 2)
; CHECK: store ptr %op2, ptr %op1.carried, align 8
; CHECK-NEXT: br label %arm1.suspend
; CHECK: final:
; CHECK-NEXT: call void @use(i32 %v1)
; CHECK-LABEL: define ptr @constant_differs(
; CHECK: %save1 = call token @llvm.coro.save(ptr null)
; CHECK: %save2 = call token @llvm.coro.save(ptr null)
; CHECK-LABEL: define ptr @constant_carried(
; CHECK: %carried = alloca i32, align 4
; CHECK: store i32 1, ptr %carried, align 4
; CHECK: %arm = load i32, ptr %carried, align 4
; CHECK-NEXT: call void @use(i32 %arm)
; CHECK: store i32 2, ptr %carried, align 4
; CHECK-NOT: @llvm.coro.save
; CHECK-LABEL: define internal void @wrap1(
;
; REMARK: remark: <unknown>:0:0: suspend point collapsed into an identical one of 'two_arms': one state fewer
; REMARK-NEXT: remark: <unknown>:0:0: 'two_arms': 1 of 2 non-final suspend points collapsed into identical ones
; REMARK-NEXT: remark: <unknown>:0:0: suspend point collapsed into an identical one of 'three_arms': one state fewer
; REMARK-NEXT: remark: <unknown>:0:0: suspend point collapsed into an identical one of 'three_arms': one state fewer
; REMARK-NEXT: remark: <unknown>:0:0: 'three_arms': 2 of 3 non-final suspend points collapsed into identical ones
; REMARK-NEXT: remark: <unknown>:0:0: suspend point not collapsed into the one of 'one_call_differs', which awaits alike: call of 'use' differs from call of 'use_twice' (line 42)
; REMARK-NEXT: remark: <unknown>:0:0: suspend point collapsed into an identical one of 'in_loop': one state fewer
; REMARK-NEXT: remark: <unknown>:0:0: 'in_loop': 1 of 2 non-final suspend points collapsed into identical ones
; REMARK-NEXT: remark: <unknown>:0:0: suspend point not collapsed into the one of 'in_loop_no_markers', which awaits alike: object 'aw1' and object 'aw2' may be live at the same time
; REMARK-NEXT: remark: <unknown>:0:0: suspend point collapsed into an identical one of 'no_markers': one state fewer
; REMARK-NEXT: remark: <unknown>:0:0: 'no_markers': 1 of 2 non-final suspend points collapsed into identical ones
; REMARK-NEXT: remark: <unknown>:0:0: suspend point not collapsed into the one of 'live_together', which awaits alike: object 'aw1' and object 'aw2' may be live at the same time
; REMARK-NEXT: remark: <unknown>:0:0: suspend point not collapsed into the one of 'eh_paths_differ', which awaits alike: call of 'llvm.lifetime.end.p0' differs from call of 'log'
; REMARK-NEXT: remark: <unknown>:0:0: suspend point collapsed into an identical one of 'carried': one state fewer
; REMARK-NEXT: remark: <unknown>:0:0: 'carried': 1 of 2 non-final suspend points collapsed into identical ones
; REMARK-NEXT: remark: <unknown>:0:0: suspend point not collapsed into the one of 'constant_differs', which awaits alike: the continuations differ in constants, and carrying them would cost more code than the merge saves
; REMARK-NEXT: remark: <unknown>:0:0: suspend point collapsed into an identical one of 'constant_carried': one state fewer
; REMARK-NEXT: remark: <unknown>:0:0: 'constant_carried': 1 of 2 non-final suspend points collapsed into identical ones
; REMARK-NOT: remark
;
; One awaiter field and a one-bit index where stock has two (or three)
; awaiters and a two-bit index.
; SPLIT-DAG: %two_arms.Frame = type { ptr, ptr, %awaiter, i64, i1 }
; SPLIT-DAG: %three_arms.Frame = type { ptr, ptr, %awaiter, i64, i1 }
; SPLIT-DAG: %one_call_differs.Frame = type { ptr, ptr, %awaiter, %awaiter, i64, i2 }
; SPLIT-DAG: %in_loop.Frame = type { ptr, ptr, %awaiter, i64, i32, i32, i1 }
; SPLIT-DAG: %in_loop_no_markers.Frame = type { ptr, ptr, %awaiter, %awaiter, i64, i32, i32, i2 }
; SPLIT-DAG: %no_markers.Frame = type { ptr, ptr, %awaiter, i64, i1 }
; SPLIT-DAG: %live_together.Frame = type { ptr, ptr, %awaiter, %awaiter, i64, i2 }
; SPLIT-DAG: %eh_paths_differ.Frame = type { ptr, ptr, %awaiter, %awaiter, %awaiter, i64, i2 }
; SPLIT-DAG: %carried.Frame = type { ptr, ptr, %awaiter, ptr, i64, i1 }
; SPLIT-DAG: %constant_differs.Frame = type { ptr, ptr, %awaiter, %awaiter, i64, i2 }
; The merged state's resume clone has no dispatch left on the index.
; SPLIT-LABEL: define internal fastcc void @two_arms.resume(
; SPLIT-NOT: switch i{{[12]}} %index
; SPLIT: call i32 @result(
; SPLIT-NOT: call i32 @result(
; SPLIT: }
; SPLIT-LABEL: define internal fastcc void @one_call_differs.resume(
; SPLIT: switch i2 %index, label %unreachable [
; SPLIT-NEXT: i2 0, label %resume.0
; SPLIT-NEXT: i2 1, label %resume.1
;
; STOCK-DAG: %two_arms.Frame = type { ptr, ptr, %awaiter, %awaiter, i64, i2 }
; STOCK-DAG: %three_arms.Frame = type { ptr, ptr, %awaiter, %awaiter, %awaiter, i64, i2 }
; STOCK-DAG: %carried.Frame = type { ptr, ptr, %awaiter, %awaiter, i64, ptr, ptr, i2 }
;
; PIPELINE: 'two_arms': 1 of 2 non-final suspend points collapsed
; PIPELINE: 'three_arms': 2 of 3 non-final suspend points collapsed
; PIPELINE: 'in_loop': 1 of 2 non-final suspend points collapsed
; PIPELINE: 'no_markers': 1 of 2 non-final suspend points collapsed
; PIPELINE: 'carried': 1 of 2 non-final suspend points collapsed
; PIPELINE: 'constant_carried': 1 of 2 non-final suspend points collapsed
;
; BISECT: coro-frame-opt: transformation 1: state-collapse: merge a suspend point of 'two_arms' into the one (applied)
; BISECT-NEXT: coro-frame-opt: transformation 2: state-collapse: merge a suspend point of 'three_arms' into the one (applied)
; BISECT-NEXT: coro-frame-opt: transformation 3: state-collapse: merge a suspend point of 'three_arms' into the one (skipped)
