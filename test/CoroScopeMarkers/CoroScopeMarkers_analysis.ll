; The frame analysis with and without scopes recorded before CoroSplit.
;  - %buf (slot #6): escapes, but its scope ends after the first resume, so
;    it is live in state 0 only and does not interfere with the spills
;    %b1..%b4 (slots #8-#11, live in state 1);
;  - %nolife (slot #3): no lifetime markers; open from its first escape on,
;    so live in states 1 and final (and in 0, since the capturing call may
;    read it);
;  - %opaque (slot #4): one use the recording does not follow: untagged,
;    live in every state, as are all three without recorded scopes.
; RUN: %opt -passes='coro-early,function(coro-record-scopes),cgscc(coro-split),print<coro-frame>' -disable-output %inputs/ir/scopes.ll 2>&1 | FileCheck %s --check-prefix=SCOPES --match-full-lines
; RUN: %opt -passes='coro-early,cgscc(coro-split),print<coro-frame>' -disable-output %inputs/ir/scopes.ll 2>&1 | FileCheck %s --check-prefix=NONE --match-full-lines
;
; SCOPES:   frame 176 align 16 lower-bound 144 (fixed 24 index 1 max-live 112) layout-from-type
; SCOPES:   slot #3 [24,40) align 1 alloca escaped scoped live all accesses 2 'unnamed i8[16]' interferes: #5 #6 #7 #8 #9 #10 #11
; SCOPES-NEXT:   slot #4 [40,56) align 1 alloca escaped live all accesses 3 'unnamed i8[16]'
; SCOPES-NEXT:   slot #5 [56,64) align 8 spill live 0 accesses 2 'x' interferes: #3 #6 #7
; SCOPES-NEXT:   slot #6 [64,128) align 1 alloca escaped scoped live 0 accesses 2 'unnamed i8[64]' interferes: #3 #5 #7
; SCOPES-NEXT:   slot #7 [128,136) align 8 spill live all accesses 4 'spill of i64' interferes: #3 #5 #6 #8 #9 #10 #11
; SCOPES-NEXT:   slot #8 [136,144) align 8 spill live 1 accesses 2 'spill of i64' interferes: #3 #7 #9 #10 #11
;
; NONE:   frame 176 align 16 lower-bound 168 (fixed 24 index 1 max-live 136) layout-from-type
; NONE:   slot #3 [24,40) align 1 alloca escaped live all accesses 2 'unnamed i8[16]'
; NONE-NEXT:   slot #4 [40,56) align 1 alloca escaped live all accesses 3 'unnamed i8[16]'
; NONE-NEXT:   slot #5 [56,64) align 8 spill live 0 accesses 2 'x' interferes: #7
; NONE-NEXT:   slot #6 [64,128) align 1 alloca escaped live all accesses 2 'unnamed i8[64]'
