; A re-layout invalidates the analyses of the coroutine's functions only:
; an unrelated function's dominator tree, computed before the pass, is still
; cached after it (the module passes used to return PreservedAnalyses::none(),
; which made every function's analyses be computed again).
; RUN: cat %inputs/ir/two_states.ll %s > %t.ll
; RUN: %opt -passes='coro-early,cgscc(coro-split),function(require<domtree>),coro-frame-overlap,function(require<domtree>)' -debug-pass-manager -disable-output %t.ll 2>&1 | FileCheck %s
;
; CHECK-LABEL: Running pass: corofo::CoroFrameOverlapPass on [module]
; CHECK-DAG: Invalidating analysis: DominatorTreeAnalysis on two_states{{$}}
; CHECK-DAG: Invalidating analysis: DominatorTreeAnalysis on two_states.resume
; CHECK-NOT: DominatorTreeAnalysis on unrelated
; CHECK: Running analysis: DominatorTreeAnalysis on two_states.resume
; CHECK-NOT: DominatorTreeAnalysis on unrelated
; CHECK: Running pass: VerifierPass
;
; A direct caller of the coroutine (whose call sites may carry frame-size
; attributes the re-layout rewrites) loses the analyses that may read them,
; and keeps its dominator tree: its control flow did not change.
; RUN: %opt -passes='coro-early,cgscc(coro-split),function(require<domtree>,require<lazy-value-info>),coro-frame-overlap' -debug-pass-manager -disable-output %t.ll 2>&1 | FileCheck %s --check-prefix=CALLER
; CALLER-LABEL: Running pass: corofo::CoroFrameOverlapPass on [module]
; CALLER-NOT: DominatorTreeAnalysis on caller
; CALLER: Invalidating analysis: LazyValueAnalysis on caller
; CALLER-NOT: DominatorTreeAnalysis on caller

define i64 @unrelated(i64 %x) {
  %y = add i64 %x, 1
  ret i64 %y
}

define ptr @caller(i64 %x) {
  %h = call ptr @two_states(i64 %x)
  ret ptr %h
}
