; An async coroutine (Swift's ABI, @llvm.coro.id.async) is recognised,
; reported once as unsupported, and left exactly as stock LLVM leaves it, by
; every pass of the plugin at -O0 and -O2, and by the named passes.
; RUN: %opt -O2 -pass-remarks-missed=coro-frame -S %inputs/ir/async.ll -o %t.plugin-O2.ll 2>&1 | FileCheck %s --check-prefix=O2
; RUN: %stock-opt -O2 -S %inputs/ir/async.ll -o %t.stock-O2.ll
; RUN: diff %t.stock-O2.ll %t.plugin-O2.ll
; RUN: %opt -O0 -pass-remarks-missed=coro-frame -S %inputs/ir/async.ll -o %t.plugin-O0.ll 2>&1 | FileCheck %s --check-prefix=O0
; RUN: %stock-opt -O0 -S %inputs/ir/async.ll -o %t.stock-O0.ll
; RUN: diff %t.stock-O0.ll %t.plugin-O0.ll
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-frame-report' -pass-remarks-missed=coro-frame -disable-output %inputs/ir/async.ll 2>&1 | FileCheck %s --check-prefix=O2
; RUN: %opt -passes='coro-early,cgscc(coro-split)' -S %inputs/ir/async.ll -o %t.split.ll
; RUN: %opt -passes='coro-frame-overlap,coro-completed-resume<trap>,coro-completed-resume-cleanup' -verify-each -S %t.split.ll -o %t.after.ll
; RUN: %opt -passes='verify' -S %t.split.ll -o %t.split-again.ll
; RUN: diff %t.split-again.ll %t.after.ll
;
; O2: remark: <unknown>:0:0: coroutine 'fetch' uses the async ABI; CoroFrameOpt handles only switch-ABI coroutines and leaves it unchanged
; O2-NOT: remark:
; O0: remark: <unknown>:0:0: coroutine 'fetch' uses the retcon-or-async ABI; CoroFrameOpt handles only switch-ABI coroutines and leaves it unchanged
; O0-NOT: remark:
