; coro-record-scopes on a presplit coroutine: each access and escaping use of
; an object is tagged with (operand, object id, object size); for objects
; whose address escapes, a start marker precedes each lifetime.start and an
; end marker follows each lifetime.end; none of them uses the alloca.
; %opaque also reaches an operand bundle, a use the walk does not follow: it
; gets no id and no tags. Running the pass twice adds nothing (the CGSCC walk
; may run it again before CoroSplit). Plain loads and stores are tagged too
; (shared_field.ll); the awaiter of llvm.coro.await.suspend.* also carries
; its tag as a parameter attribute (CoroSplit keeps those when it lowers the
; intrinsic to a call of the await_suspend wrapper; CoroScopeMarkers_clang).
; RUN: %opt -passes='coro-early,function(coro-record-scopes)' -S %inputs/ir/scopes.ll -o %t.once.ll
; RUN: FileCheck %s < %t.once.ll
; RUN: %opt -passes='coro-early,function(coro-record-scopes,coro-record-scopes)' -S %inputs/ir/scopes.ll -o %t.twice.ll
; RUN: diff %t.once.ll %t.twice.ll
; RUN: %opt -passes='coro-early,function(coro-record-scopes)' -verify-each -disable-output %inputs/ir/scopes.ll
; Removed again by the cleanup pass, globals included.
; RUN: %opt -passes='coro-early,function(coro-record-scopes),coro-scope-markers-cleanup' -S %inputs/ir/scopes.ll -o - | FileCheck %s --check-prefix=CLEAN
; RUN: %opt -passes='coro-early,function(coro-record-scopes)' -S %inputs/ir/shared_field.ll -o - | FileCheck %s --check-prefix=ACCESS
;
; CHECK: @.corofo.scope.start = private unnamed_addr constant [19 x i8] c"corofo.scope.start\00", section "llvm.metadata"
; CHECK: @.corofo.scope.end = private unnamed_addr constant [17 x i8] c"corofo.scope.end\00", section "llvm.metadata"
; CHECK-LABEL: define ptr @scopes(
; CHECK: %buf = alloca [64 x i8], align 16, !corofo.scope.id ![[BUFID:[0-9]+]]
; CHECK: %nolife = alloca [16 x i8], align 8, !corofo.scope.id ![[NLID:[0-9]+]]
; CHECK: %opaque = alloca [16 x i8], align 8{{$}}
; CHECK: call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.start, ptr null, i32 [[BUF:[0-9]+]], ptr null)
; CHECK-NEXT: call void @llvm.lifetime.start.p0(ptr %buf)
; CHECK-NEXT: call void @capture(ptr %buf), !corofo.scope ![[BUFTAG:[0-9]+]]
; CHECK-NEXT: call void @capture(ptr %opaque){{$}}
; CHECK-NEXT: call void @bundle() [ "x"(ptr %opaque) ]{{$}}
; CHECK: after0:
; CHECK-NEXT: call void @use_buf(ptr %buf), !corofo.scope ![[BUFTAG]]
; CHECK-NEXT: call void @llvm.lifetime.end.p0(ptr %buf)
; CHECK-NEXT: call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.end, ptr null, i32 [[BUF]], ptr null)
; CHECK-NEXT: call void @capture(ptr %nolife), !corofo.scope ![[NLTAG:[0-9]+]]
; CHECK: after1:
; CHECK-NEXT: call void @use_buf(ptr %nolife), !corofo.scope ![[NLTAG]]
; CHECK-NEXT: call void @use_buf(ptr %opaque){{$}}
; CHECK: cleanup0:
; CHECK-NEXT: call void @llvm.lifetime.end.p0(ptr %buf)
; CHECK-NEXT: call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.end, ptr null, i32 [[BUF]], ptr null)
; CHECK: ![[BUFID]] = !{i32 [[BUF]]}
; CHECK: ![[NLID]] = !{i32 [[NL:[0-9]+]]}
; CHECK: ![[BUFTAG]] = !{i64 0, i64 [[BUF]], i64 64}
; CHECK: ![[NLTAG]] = !{i64 0, i64 [[NL]], i64 16}
;
; CLEAN-NOT: corofo
; CLEAN-NOT: var.annotation
;
; ACCESS: store i64 %x, ptr %small, align 8, !corofo.scope ![[STORE:[0-9]+]]
; ACCESS-NEXT: call void @capture(ptr %small), !corofo.scope ![[CAP:[0-9]+]]
; ACCESS: %v = load i64, ptr %small, align 8, !corofo.scope ![[CAP]]
; ACCESS: ![[STORE]] = !{i64 1, i64 [[SMALL:[0-9]+]], i64 8}
; ACCESS: ![[CAP]] = !{i64 0, i64 [[SMALL]], i64 8}
