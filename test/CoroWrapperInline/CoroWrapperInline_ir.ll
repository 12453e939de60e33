; coro-wrapper-inline on the wrappers of test/Inputs/cpp/wrappers.cpp, as
; clang emits them (-O2 before any LLVM pass) and after coro-early, which is
; where the pass runs in the pipeline. The IR is generated here so that it
; matches the installed clang's output exactly.
;
; RUN: %clangxx %cxxflags -O2 -Xclang -disable-llvm-passes -S -emit-llvm %inputs/cpp/wrappers.cpp -o %t.ll
; RUN: %opt -passes='coro-early,coro-wrapper-inline' -verify-each %t.ll -S -o %t.out.ll -pass-remarks=coro-wrapper-inline -pass-remarks-missed=coro-wrapper-inline 2>&1 | FileCheck %s --check-prefix=REMARK
; RUN: FileCheck %s --check-prefix=IR < %t.out.ll
; With debug info: the forwarders' locations are in their own subprograms
; (the verifier rejects locations of the simplified copies).
; RUN: %clangxx %cxxflags -O2 -g -Xclang -disable-llvm-passes -S -emit-llvm %inputs/cpp/wrappers.cpp -o %t.g.ll
; RUN: %opt -passes='coro-early,coro-wrapper-inline' -verify-each %t.g.ll -S -o - | FileCheck %s --check-prefix=DEBUG
; Idempotent: a second run finds nothing more to do.
; RUN: %opt -passes='coro-wrapper-inline' -verify-each %t.out.ll -S -pass-remarks=coro-wrapper-inline 2>&1 -o /dev/null | FileCheck %s --check-prefix=AGAIN --allow-empty
; Bisect: the limit counts these transformations too.
; RUN: %opt -passes='coro-early,coro-wrapper-inline' %t.ll -S -o /dev/null -coro-frame-opt-max-transforms=1 2>&1 | FileCheck %s --check-prefix=BISECT
; In the default pipelines (coro-early, this pass, then inlining and
; CoroSplit): w_chain2 ends up with c's ramp inlined, and the wrappers are
; never split.
; RUN: %opt -passes='default<O2>' -verify-each %t.ll -S -o - | FileCheck %s --check-prefix=O2 --implicit-check-not='@_Z7w_plaini.resume' --implicit-check-not='@_Z8w_chain2i.resume'
; RUN: %opt -passes='default<O0>' %t.ll -S -o - | FileCheck %s --check-prefix=O0
;
; REMARK-DAG: wrapper w_plain(int) now returns the task of c(int) itself: its frame, allocation and suspend points are gone
; REMARK-DAG: wrapper w_pure(int) now returns the task of c(int) itself
; REMARK-DAG: wrapper w_ref(int&) now returns the task of c_ref(int&) itself
; REMARK-DAG: wrapper w_void(int&) now returns the task of c_void(int&) itself
; REMARK-DAG: wrapper w_chain(int) now returns the task of c(int) itself
; REMARK-DAG: wrapper w_chain2(int) now returns the task of c(int) itself
; REMARK-DAG: wrapper w_cref({{.*}} const&) now returns the task of c_str({{.*}} const&) itself
; REMARK-DAG: wrapper w_impure(int) kept (it awaits c(int)): it reads memory outside the two frames
; REMARK-DAG: wrapper w_scaled(int) kept (it awaits c(int)): the result it stores into its promise is not 'c(int)''s
; REMARK-DAG: wrapper w_long(int) kept (it awaits c(int)): it returns another task type than 'c(int)'
; REMARK-DAG: wrapper w_byvalue({{.*}}) kept (it awaits c_str({{.*}})): argument 1 of 'c_str({{.*}})' points into the wrapper's frame (a parameter copy or temporary)
; REMARK-DAG: wrapper w_global(int) kept (it awaits c(int)): argument 1 of 'c(int)' is read from memory when the wrapper starts
; REMARK-DAG: wrapper w_branch(bool, int) kept (it awaits c(int)): it may not call 'c(int)'
; REMARK-DAG: wrapper w_ext(int) kept (it awaits ext(int)): 'ext(int)' is not defined in this module
; REMARK-DAG: wrapper w_large(int) kept (it awaits c(int)): its code with its calls inlined is over 3000 instructions, too much to check
; REMARK-DAG: wrapper w_print(int) kept (it awaits c(int)): it calls 'printf'
; REMARK-DAG: wrapper w_self(int) kept (it awaits w_self(int)): it awaits itself
; REMARK-DAG: wrapper w_eager(int) kept (it awaits ce(int)): starting 'ce(int)' earlier could show: it calls 'printf'
; REMARK-DAG: wrapper w_early(int) kept (it awaits e_yield(int)): 'e_yield(int)' may look up whoever awaits it before it finishes
; Callees and coroutines that await nothing are not candidates.
; REMARK-NOT: wrapper c(
; REMARK-NOT: wrapper e_yield(
;
; A wrapper becomes a call of its callee into its own return object, with
; the wrapper's sret attributes, and is marked as a forwarder; its
; await_suspend wrappers are gone.
; IR-LABEL: define dso_local void @_Z7w_plaini(ptr dead_on_unwind writable sret(%"class.corolib::task") align 8 %0, i32 noundef %1) {{.*}}!corofo.forwarder
; IR-NEXT:  forward:
; IR-NEXT:    call void @_Z1ci(ptr dead_on_unwind writable sret(%"class.corolib::task") align 8 %0, i32 noundef %1)
; IR-NEXT:    ret void
; IR-NEXT:  }
; IR-NOT:   @_Z7w_plaini.__await_suspend_wrapper
; A pure preamble moves to the call.
; IR-LABEL: define dso_local void @_Z6w_purei(
; IR-NEXT:  forward:
; IR-NEXT:    [[T:%.*]] = shl nsw i32 %1, 1
; IR-NEXT:    [[A:%.*]] = or disjoint i32 [[T]], 1
; IR-NEXT:    call void @_Z1ci(ptr {{.*}}sret{{.*}} %0, i32 noundef [[A]])
; IR-NEXT:    ret void
; References pass through.
; IR-LABEL: define dso_local void @_Z5w_refRi(
; IR:         call void @_Z5c_refRi(ptr {{.*}}sret{{.*}} %0, ptr {{.*}}%1)
; IR-LABEL: define dso_local void @_Z6w_voidRi(
; IR:         call void @_Z6c_voidRi(ptr {{.*}}sret{{.*}} %0, ptr {{.*}}%1)
; A chain collapses onto the innermost coroutine.
; IR-LABEL: define dso_local void @_Z7w_chaini(
; IR-NEXT:  forward:
; IR-NEXT:    call void @_Z1ci(
; IR-LABEL: define dso_local void @_Z8w_chain2i(
; IR-NEXT:  forward:
; IR-NEXT:    call void @_Z1ci(
; The rest stay coroutines.
; IR-LABEL: define dso_local void @_Z8w_impurei(
; IR:         call token @llvm.coro.id(
; IR-LABEL: define dso_local void @_Z8w_scaledi(
; IR:         call token @llvm.coro.id(
; IR-LABEL: define dso_local void @_Z6w_longi(
; IR:         call token @llvm.coro.id(
; IR-LABEL: define dso_local void @_Z9w_byvalue
; IR:         call token @llvm.coro.id(
; IR-LABEL: define dso_local void @_Z8w_globali(
; IR:         call token @llvm.coro.id(
; IR-LABEL: define dso_local void @_Z8w_branchbi(
; IR:         call token @llvm.coro.id(
; IR-LABEL: define dso_local void @_Z5w_exti(
; IR:         call token @llvm.coro.id(
; IR-LABEL: define dso_local void @_Z7w_printi(
; IR:         call token @llvm.coro.id(
; IR-LABEL: define dso_local void @_Z7w_eageri(
; IR:         call token @llvm.coro.id(
; IR-LABEL: define dso_local void @_Z7w_earlyi(
; IR:         call token @llvm.coro.id(
;
; DEBUG-LABEL: define dso_local void @_Z6w_purei(
; DEBUG-SAME:  !dbg [[SP:![0-9]+]]
; DEBUG-NEXT:  forward:
; DEBUG-NEXT:    shl nsw i32 %1, 1, !dbg [[LOC:![0-9]+]]
; DEBUG:         call void @_Z1ci({{.*}}), !dbg [[LOC]]
; DEBUG:       [[LOC]] = !DILocation(line: {{[0-9]+}}, column: {{[0-9]+}}, scope: [[SP]])
;
; AGAIN-NOT: remark
; BISECT: coro-frame-opt: transformation 1: wrapper-inline: make 'w_plain(int)' return 'c(int)''s task (applied)
; BISECT: coro-frame-opt: transformation 2: wrapper-inline: make 'w_pure(int)' return 'c(int)''s task (skipped)
;
; O2-LABEL: define {{.*}} @_Z8w_chain2i(
; O2-NOT:     @_Z7w_chaini
; O2:         store ptr @_Z1ci.resume
; O2:       define internal fastcc void @_Z1ci.resume(
; O0-NOT:   !corofo.forwarder
