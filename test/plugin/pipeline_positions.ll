; The plugin's driver runs where split coroutines are visible: at O0 as a
; module pass after coro-cleanup (OptimizerLast), at O1+ in the CGSCC walk
; right after CoroSplit and before coro-cleanup (CGSCCOptimizerLate).
; RUN: %opt -O0 -print-pipeline-passes -disable-output %inputs/ir/counter.ll | FileCheck %s --check-prefix=O0
; RUN: %opt -O1 -print-pipeline-passes -disable-output %inputs/ir/counter.ll | FileCheck %s --check-prefix=O1
; RUN: %opt -O2 -print-pipeline-passes -disable-output %inputs/ir/counter.ll | FileCheck %s --check-prefix=O1
; RUN: %opt -O3 -print-pipeline-passes -disable-output %inputs/ir/counter.ll | FileCheck %s --check-prefix=O1
; RUN: %opt -Os -print-pipeline-passes -disable-output %inputs/ir/counter.ll | FileCheck %s --check-prefix=O1
; RUN: %opt -Oz -print-pipeline-passes -disable-output %inputs/ir/counter.ll | FileCheck %s --check-prefix=O1
; The printed pipeline parses back.
; RUN: %opt -passes="$(%opt -O2 -print-pipeline-passes -disable-output %inputs/ir/counter.ll)" -disable-output %inputs/ir/counter.ll
;
; O0-NOT: coro-frame-opt
; O0: coro-cond(coro-early,cgscc(coro-split),coro-cleanup,globaldce)
; O0-SAME: ,coro-frame-opt,
;
; O1: coro-early
; O1-NOT: coro-split
; O1: coro-frame-opt
; O1-SAME: coro-split
; O1-SAME: coro-cleanup
;
; With the plugin switched off it adds nothing.
; RUN: %opt -O2 -coro-frame-opt-enable=false -print-pipeline-passes -disable-output %inputs/ir/counter.ll | FileCheck %s --check-prefix=OFF
; RUN: %opt -O0 -coro-frame-opt-enable=false -print-pipeline-passes -disable-output %inputs/ir/counter.ll | FileCheck %s --check-prefix=OFF
; OFF-NOT: coro-frame-opt
