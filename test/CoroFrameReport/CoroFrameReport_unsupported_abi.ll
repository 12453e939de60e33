; A retcon coroutine is recognised, reported once as unsupported, and left
; exactly as stock LLVM leaves it.
; RUN: %opt -O2 -pass-remarks-missed=coro-frame -S %inputs/ir/retcon.ll -o %t.plugin.ll 2>&1 | FileCheck %s --check-prefix=O2
; RUN: %stock-opt -O2 -S %inputs/ir/retcon.ll -o %t.stock.ll
; RUN: diff %t.stock.ll %t.plugin.ll
; Before CoroCleanup the intrinsic says "retcon"; after it only the
; continuation names remain.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-frame-report' -pass-remarks-missed=coro-frame -disable-output %inputs/ir/retcon.ll 2>&1 | FileCheck %s --check-prefix=O2
; RUN: %opt -O0 -pass-remarks-missed=coro-frame -disable-output %inputs/ir/retcon.ll 2>&1 | FileCheck %s --check-prefix=O0
;
; O2: remark: <unknown>:0:0: coroutine 'swap_in' uses the retcon ABI; CoroFrameOpt handles only switch-ABI coroutines and leaves it unchanged
; O2-NOT: remark:
; O0: remark: <unknown>:0:0: coroutine 'swap_in' uses the retcon-or-async ABI; CoroFrameOpt handles only switch-ABI coroutines and leaves it unchanged
; O0-NOT: remark:
