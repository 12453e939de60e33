; Scope markers and tags left in code no driver saw as a coroutine's (here a
; plain function, as where CoroAnnotationElide inlined ramp code before the
; plugin saw it) are gone at the end of the -O1+ pipelines: removed in the
; completion checks' walk over every function when those run, by
; coro-scope-markers-cleanup when they do not (policy ub, -O0), by the named
; pass alone too. The marker strings and the intrinsic's declaration go with
; them; the function's own code stays.
; RUN: %opt -O2 -verify-each -S %s -o - | FileCheck %s
; RUN: %opt -O2 -coro-frame-opt-completed-resume=ub -verify-each -S %s -o - | FileCheck %s
; RUN: %opt -O0 -S %s -o - | FileCheck %s
; RUN: %opt -passes=coro-scope-markers-cleanup -verify-each -S %s -o - | FileCheck %s
; Without scope recording nothing removes them.
; RUN: %opt -O2 -coro-frame-opt-disable=scopes -S %s -o - | FileCheck %s --check-prefix=KEPT
;
; CHECK-NOT: corofo
; CHECK-NOT: var.annotation
; CHECK: define {{.*}}void @left_over(ptr {{.*}}%p)
; CHECK-NEXT: entry:
; CHECK-NEXT: load i32, ptr %p, align 4{{$}}
; CHECK-NEXT: {{(tail )?}}call void @use(i32
; CHECK-NOT: corofo
; CHECK-NOT: var.annotation
;
; KEPT: @.corofo.scope.start
; KEPT: call void @llvm.var.annotation.p0.p0(ptr null, ptr {{(nonnull )?}}@.corofo.scope.start
; KEPT: !corofo.scope

@.corofo.scope.start = private unnamed_addr constant [19 x i8] c"corofo.scope.start\00", section "llvm.metadata"
@.corofo.scope.end = private unnamed_addr constant [17 x i8] c"corofo.scope.end\00", section "llvm.metadata"

declare void @llvm.var.annotation.p0.p0(ptr, ptr, ptr, i32, ptr)
declare void @use(i32)

define void @left_over(ptr %p) {
entry:
  call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.start, ptr null, i32 7, ptr null)
  %v = load i32, ptr %p, align 4, !corofo.scope !0
  call void @use(i32 %v)
  call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.end, ptr null, i32 7, ptr null)
  ret void
}

!0 = !{i64 0, i64 7, i64 4}
