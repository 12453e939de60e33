; Slots, states and liveness of a coroutine with two suspends and a final
; suspend (no unwind coro.end, so .destroy tells the final state by a null
; resume pointer). Checked exactly:
;  - %a (slot #5) is live only in state 0 and %b (slot #6) only in state 1;
;  - the 64-byte %buf (slot #4) escapes into @capture: live everywhere;
;  - %p goes to a captures(none) callee and stays off the frame;
;  - %size (slot #3) is read by the cleanup of every state, on the exception
;    path too: live everywhere;
;  - the lower bound counts %a and %b once (they never overlap in time):
;    24 fixed + 1 index + 8 + 64 + 8 = 105, rounded up to align 16 = 112.
;  - without debug info or lines, slots are named by their type only.
;  - state 1 is entered (set-in) only in .resume: the copies of its index
;    store that CoroSplit leaves in the ramp, .destroy and .cleanup sit behind
;    their folded suspend switch (`switch i8 -1`) and never run, so neither
;    they nor the other frame accesses there count (access counts are of code
;    that runs).
;  - the final state is entered where the resume pointer becomes null
;    (set-in): in .resume, and in the copies in .destroy and .cleanup, which
;    the flow cannot rule out (they sit behind a phi of the suspend result,
;    not a folded switch). What is live across it is live before those
;    stores, as before an index store.
; RUN: %opt -passes='coro-early,cgscc(coro-split),print<coro-frame>' -disable-output %inputs/ir/two_states.ll 2>&1 | FileCheck %s --match-full-lines
;
; CHECK: coroutine two_states: two_states two_states.resume two_states.destroy two_states.cleanup
; CHECK-NEXT:   frame 128 alloc 120 align 16 lower-bound 112 (fixed 24 index 1 max-live 80) layout-from-type
; CHECK-NEXT:   state 0 resumed-in: two_states.resume two_states.destroy two_states.cleanup set-in: two_states live: #3 #4 #5 #7
; CHECK-NEXT:   state 1 resumed-in: two_states.resume two_states.destroy two_states.cleanup set-in: two_states.resume live: #3 #4 #6 #7
; CHECK-NEXT:   state final(null-resume) resumed-in: two_states.destroy two_states.cleanup set-in: two_states.resume live: #3 #4 #7
; CHECK-NEXT:   slot #0 [0,8) align 8 header live all accesses 7 '__resume_fn'
; CHECK-NEXT:   slot #1 [8,16) align 8 header live all accesses 4 '__destroy_fn'
; CHECK-NEXT:   slot #2 [16,24) align 8 promise live all accesses 3 '__promise'
; CHECK-NEXT:   slot #3 [24,32) align 8 spill live all accesses 4 'spill of i64' interferes: #5 #6
; CHECK-NEXT:   slot #4 [32,96) align 1 alloca escaped live all accesses 2 'unnamed i8[64]'
; CHECK-NEXT:   slot #5 [96,104) align 8 spill live 0 accesses 2 'spill of i64' interferes: #3
; CHECK-NEXT:   slot #6 [104,112) align 8 spill live 1 accesses 2 'spill of i64' interferes: #3
; CHECK-NEXT:   slot #7 [112,113) align 1 index live all accesses 5 '__index'
; CHECK-NOT: {{.}}
