; A field CoroSplit gives two objects of different sizes (storage reuse, as
; at -O1+) is split where the smaller one ends. Bytes 8-64 of the field
; belong to %big only, whose scope is the first state: the values spilled
; across the second state (%b1..%b4, slots #7-#10) may use them, and the
; overlap puts them there. Without recorded scopes the field is one slot,
; escaped and live everywhere. (No debug info: the parts are named by the
; objects that span them, two in bytes 0-8, %big alone after.)
; RUN: %opt -passes='coro-early,function(coro-record-scopes),cgscc(coro-split<reuse-storage>),print<coro-frame>' -disable-output %inputs/ir/shared_field.ll 2>&1 | FileCheck %s --check-prefix=SPLIT --match-full-lines
; RUN: %opt -passes='coro-early,cgscc(coro-split<reuse-storage>),print<coro-frame>' -disable-output %inputs/ir/shared_field.ll 2>&1 | FileCheck %s --check-prefix=WHOLE --match-full-lines
; RUN: %opt -passes='coro-early,function(coro-record-scopes),cgscc(coro-split<reuse-storage>),coro-frame-overlap' -pass-remarks=coro-frame-overlap -verify-each -S %inputs/ir/shared_field.ll -o %t.ll 2>&1 | FileCheck %s --check-prefix=REMARK
; RUN: FileCheck %s --check-prefix=IR < %t.ll
;
; SPLIT:   frame 144 align 8 lower-bound 112 (fixed 24 index 1 max-live 80) layout-from-type
; SPLIT:   slot #3 [24,32) align 1 alloca escaped scoped live 0,1 accesses 5 '2 unnamed objects (bytes 0-8)' interferes: #4 #5 #6 #7 #8 #9 #10
; SPLIT-NEXT:   slot #4 [32,88) align 1 alloca escaped scoped live 0 accesses 2 'unnamed object (bytes 8-64)' interferes: #3 #5 #6
; SPLIT:   slot #7 [104,112) align 8 spill live 1 accesses 2 'spill of i64' interferes: #3 #6 #8 #9 #10
;
; WHOLE:   frame 144 align 8 lower-bound 136 (fixed 24 index 1 max-live 104) layout-from-type
; WHOLE:   slot #3 [24,88) align 1 alloca escaped live all accesses 5 'unnamed i8[64]'
;
; REMARK: remark: <unknown>:0:0: frame of 'shared_field' re-laid out: 144 -> 112 bytes (lower bound 112); sharing: unnamed object (bytes 8-64) + spill of i64 + spill of i64 + spill of i64 + spill of i64
;
; The spills of the second state land in bytes 8-64 of the field (now at
; 24..88), after %big's last use and its end marker; markers stay until the
; drivers strip them.
; IR-LABEL: define internal fastcc void @shared_field.resume(ptr noundef nonnull align 8 dereferenceable(112) %hdl)
; IR: call void @use_buf(ptr %big.reload.addr)
; IR-NEXT: call void @llvm.var.annotation.p0.p0(ptr null, ptr @.corofo.scope.end, ptr null, i32 [[BIG:[0-9]+]], ptr null)
; IR-NEXT: %b1 = call i64 @compute(i64 %x.reload)
; IR-NEXT: %b1.spill.addr = getelementptr inbounds i8, ptr %hdl, i64 32
; IR: %b4.spill.addr = getelementptr inbounds i8, ptr %hdl, i64 56
