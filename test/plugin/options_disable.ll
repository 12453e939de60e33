; Each way of switching the report off removes its remarks.
; RUN: %opt -O2 -coro-frame-opt-disable=report -pass-remarks-analysis=coro-frame -disable-output %inputs/ir/counter.ll 2>&1 | count 0
; RUN: %opt -O2 -coro-frame-opt-enable=false -pass-remarks-analysis=coro-frame -disable-output %inputs/ir/counter.ll 2>&1 | count 0
; RUN: %opt -O0 -coro-frame-opt-disable=report -pass-remarks-analysis=coro-frame -disable-output %inputs/ir/counter.ll 2>&1 | count 0
; An explicitly named pass still runs.
; RUN: %opt -coro-frame-opt-enable=false -passes='coro-early,cgscc(coro-split),coro-frame-report' -pass-remarks-analysis=coro-frame -disable-output %inputs/ir/counter.ll 2>&1 | FileCheck %s
; CHECK: coroutine 'counter': frame 24 bytes
