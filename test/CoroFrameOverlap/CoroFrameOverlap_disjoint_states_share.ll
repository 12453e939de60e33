; %a (live only across the first suspend) and %b (only across the second)
; get the same bytes; the 64-byte %buf, whose address escapes, keeps bytes
; of its own; %size (read by every state's cleanup) too. Every access in the
; ramp and all clones moves, the clones' dereferenceable(N) becomes the new
; size, and the verifier is clean after every pass.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-frame-overlap' -verify-each -pass-remarks=coro-frame-overlap -pass-remarks-missed=coro-frame-overlap -S %inputs/ir/two_states.ll -o %t.ll 2>&1 | FileCheck %s --check-prefix=REMARK
; RUN: FileCheck %s < %t.ll
; RUN: FileCheck %s --check-prefix=ESCAPED < %t.ll
;
; (Without debug info, the two spills are named by their type.)
; REMARK: remark: <unknown>:0:0: frame of 'two_states' re-laid out: 120 -> 112 bytes (lower bound 112); sharing: spill of i64 + spill of i64
; REMARK-NEXT: remark: <unknown>:0:0: frame of 'two_states': the allocation stays at 120 bytes although the layout needs 112: the size value is also used by 'store' in two_states, not an allocation call
;
; Without frame-size markers (this IR did not pass coro-mark-frame-size) the
; size is spilled to reach the sized delete, so both keep the struct's size
; (120, more than the new 112): a larger allocation is safe, a sized delete
; that disagrees with its new would not be.
; CHECK-LABEL: define ptr @two_states(
; CHECK: call ptr @_Znwm(i64 120)
; CHECK: %a.spill.addr = getelementptr inbounds %two_states.Frame, ptr %hdl, i32 0, i32 5
; CHECK: %index.addr7 = getelementptr inbounds i8, ptr %hdl, i64 104
; CHECK: %b.spill.addr = getelementptr inbounds i8, ptr %hdl, i64 96
;
; CHECK-LABEL: define internal fastcc void @two_states.resume(ptr noundef nonnull align 16 dereferenceable(112) %hdl)
; CHECK: %index.addr = getelementptr inbounds i8, ptr %hdl, i64 104
; CHECK: %a.reload.addr = getelementptr inbounds %two_states.Frame, ptr %hdl, i32 0, i32 5
; CHECK: %b.spill.addr = getelementptr inbounds i8, ptr %hdl, i64 96
; CHECK: %b.reload.addr = getelementptr inbounds i8, ptr %hdl, i64 96
; CHECK-LABEL: define internal fastcc void @two_states.destroy(ptr noundef nonnull align 16 dereferenceable(112) %hdl)
; CHECK-LABEL: define internal fastcc void @two_states.cleanup(ptr noundef nonnull align 16 dereferenceable(112) %hdl)
;
; With the markers clang's pipeline puts in, the spilled size is the marker's
; value: the allocation, the spill and so the sized delete all get 112.
; RUN: %opt -passes='function(coro-mark-frame-size),coro-early,cgscc(coro-split),coro-frame-overlap' -verify-each -pass-remarks-missed=coro-frame-overlap -S %inputs/ir/two_states.ll -o %t.marked.ll 2>&1 | count 0
; RUN: FileCheck %s --check-prefix=MARKED < %t.marked.ll
; MARKED-LABEL: define ptr @two_states(
; MARKED: call ptr @_Znwm(i64 112)
; MARKED: store i64 112, ptr %frame.size.spill.addr
; MARKED-NOT: call i64 @corofo.frame.size
;
; Nothing is placed inside %buf's bytes [32, 96).
; ESCAPED-NOT: getelementptr inbounds i8, ptr %hdl, i64 {{3[3-9]|[4-8][0-9]|9[0-5]}}{{$}}
