; A value carried around a loop's back edge across the suspend (%sum, slot
; #4) and a loop-invariant one (the parameter %step, slot #3) are live in the
; loop's state; the value computed and consumed between suspends (%tmp) is not
; in the frame. Without debug info the parameter is named by its IR name and
; the other spill by its type only.
; RUN: %opt -passes='coro-early,cgscc(coro-split),print<coro-frame>' -disable-output %inputs/ir/loop.ll 2>&1 | FileCheck %s --match-full-lines
;
; CHECK: coroutine accumulate: accumulate accumulate.resume accumulate.destroy accumulate.cleanup
; CHECK-NEXT:   frame 48 align 8 lower-bound 48 (fixed 24 index 1 max-live 16) layout-from-type
; CHECK-NEXT:   state 0 resumed-in: accumulate.resume accumulate.destroy accumulate.cleanup set-in: accumulate accumulate.resume live: #3 #4 #5
; CHECK-NEXT:   slot #0 [0,8) align 8 header live all accesses 4 '__resume_fn'
; CHECK-NEXT:   slot #1 [8,16) align 8 header live all accesses 4 '__destroy_fn'
; CHECK-NEXT:   slot #2 [16,24) align 8 promise live all accesses 5 '__promise'
; CHECK-NEXT:   slot #3 [24,32) align 8 spill live all accesses 2 'step' interferes: #4
; CHECK-NEXT:   slot #4 [32,40) align 8 spill live all accesses 3 'spill of i64' interferes: #3
; CHECK-NEXT:   slot #5 [40,41) align 1 index live all accesses 2 '__index'
; CHECK-NOT: {{.}}
