; A scope marker whose object id is no longer a constant (two markers merged
; by a pass after the recording) could be the end of any object: the
; analysis then bounds no object of the coroutine, every escaped slot is
; live everywhere, as without recorded scopes, and the overlap cannot
; share them.
; RUN: %opt -passes='cgscc(coro-split),print<coro-frame>' -disable-output %inputs/ir/scopes_malformed.ll 2>&1 | FileCheck %s --match-full-lines
; RUN: %opt -passes='cgscc(coro-split),coro-frame-overlap' -verify-each -disable-output %inputs/ir/scopes_malformed.ll
;
; CHECK:   frame 176 align 16 lower-bound 168 (fixed 24 index 1 max-live 136) layout-from-type
; CHECK:   slot #3 [24,40) align 1 alloca escaped live all accesses 2 'unnamed i8[16]'
; CHECK-NEXT:   slot #4 [40,56) align 1 alloca escaped live all accesses 3 'unnamed i8[16]'
; CHECK:   slot #6 [64,128) align 1 alloca escaped live all accesses 2 'unnamed i8[64]'
