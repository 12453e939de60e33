; coro-record-scopes on callee frames HALO put into a presplit coroutine
; (test/Inputs/ir/elided_frames.ll): %ef's scope starts before the inlined
; ramp's first store and ends after the call that destroys it through the
; handle its task holds, and on the edge its task destructor's null test
; would take (split for it: its successor has two predecessors). %ef2, whose
; task goes to a call that may change the handle, and %ef3, destroyed on one
; path of a loop that sets it up again, get no markers (their scopes stay
; open from their first escape, as before). Running the pass twice gives the
; same IR (the markers are placed anew); the verifier is clean.
; RUN: %opt -passes='coro-early,function(coro-record-scopes)' -verify-each -S %inputs/ir/elided_frames.ll -o %t.once.ll
; RUN: FileCheck %s < %t.once.ll
; RUN: %opt -passes='coro-early,function(coro-record-scopes,coro-record-scopes)' -verify-each -S %inputs/ir/elided_frames.ll -o %t.twice.ll
; RUN: diff %t.once.ll %t.twice.ll
;
; CHECK-LABEL: define ptr @caller(
; CHECK: %ef = alloca [48 x i8], align 8, !corofo.scope.id ![[EFID:[0-9]+]]
; CHECK: %ef2 = alloca [48 x i8], align 8, !corofo.scope.id ![[EF2ID:[0-9]+]]
; CHECK: %ef3 = alloca [48 x i8], align 8, !corofo.scope.id ![[EF3ID:[0-9]+]]
; CHECK: await1:
; CHECK-NEXT: call void @llvm.lifetime.start.p0(ptr %task)
; CHECK-NEXT: call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.start, ptr null, i32 [[EF:[0-9]+]], ptr null)
; CHECK-NEXT: store ptr @callee.resume, ptr %ef
; CHECK: br i1 %isnull, label %[[NULLEDGE:[a-z0-9_.]+]], label %destroy1
; CHECK: [[NULLEDGE]]:
; CHECK-NEXT: call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.end, ptr null, i32 [[EF]], ptr null)
; CHECK-NEXT: br label %done1
; CHECK: destroy1:
; CHECK-NEXT: %fn = call ptr @llvm.coro.subfn.addr(ptr %h, i8 1)
; CHECK-NEXT: call void %fn(ptr %h)
; CHECK-NEXT: call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.end, ptr null, i32 [[EF]], ptr null)
; CHECK-NEXT: br label %done1
; CHECK: done1:
; CHECK-NOT: @.corofo.scope.{{start|end}}, ptr null, i32 [[EF]],
; CHECK: ret ptr %hdl
; The ids: %ef's markers name it; no marker names %ef2 (4) or %ef3 (5).
; CHECK: ![[EFID]] = !{i32 [[EF]]}
; CHECK: ![[EF2ID]] = !{i32 4}
; CHECK: ![[EF3ID]] = !{i32 5}
; RUN: FileCheck %s --check-prefix=NONE -DEF2=4 -DEF3=5 < %t.once.ll
; NONE-NOT: @.corofo.scope.{{start|end}}, ptr null, i32 [[EF2]],
; NONE-NOT: @.corofo.scope.{{start|end}}, ptr null, i32 [[EF3]],
