; An allocator inlined into the ramp before CoroSplit: the frame size feeds a
; counter, malloc(size + 8), and book-keeping stored at p + size and read
; back in the cleanup. With the size routed through markers
; (coro-mark-frame-size), the re-layout gives every one of them the new size,
; in the ramp and in every clone; nothing keeps the old one.
; RUN: %opt -passes='function(coro-mark-frame-size),coro-early,cgscc(coro-split),coro-frame-overlap' -verify-each -pass-remarks=coro-frame-overlap -pass-remarks-missed=coro-frame-overlap -S %inputs/ir/inlined_allocator.ll -o %t.ll 2>&1 | FileCheck %s --check-prefix=REMARK
; RUN: FileCheck %s < %t.ll
;
; REMARK: remark: <unknown>:0:0: frame of 'inlined_alloc' re-laid out: 56 -> 48 bytes
; REMARK-NOT: allocation stays
;
; CHECK-LABEL: define ptr @inlined_alloc(
; CHECK-NOT: corofo.frame.size
; CHECK: %c2 = add i64 %c, 48
; CHECK: %room = add i64 48, 8
; CHECK: %alloc = call ptr @malloc(i64 %room)
; CHECK: %tail = getelementptr i8, ptr %alloc, i64 48
; CHECK: store i64 48, ptr %tail
; CHECK: %tail2 = getelementptr i8, ptr %mem, i64 48
; CHECK: call void @check(i64 %kept, i64 48)
; CHECK: %f2 = add i64 %f, 48
; CHECK-LABEL: define internal fastcc void @inlined_alloc.resume(ptr noundef nonnull align 8 dereferenceable(48) %hdl)
; CHECK-NOT: corofo.frame.size
; CHECK: %tail2 = getelementptr i8, ptr %hdl, i64 48
; CHECK: call void @check(i64 %kept, i64 48)
; CHECK: %f2 = add i64 %f, 48
; CHECK-LABEL: define internal fastcc void @inlined_alloc.destroy(ptr noundef nonnull align 8 dereferenceable(48) %hdl)
; CHECK-NOT: corofo.frame.size
; CHECK: %tail2 = getelementptr i8, ptr %hdl, i64 48
; CHECK: call void @check(i64 %kept, i64 48)
; CHECK-LABEL: define internal fastcc void @inlined_alloc.cleanup(ptr noundef nonnull align 8 dereferenceable(48) %hdl)
; CHECK-NOT: corofo.frame.size
; CHECK: call void @check(i64 %kept, i64 48)

;
; Without markers the constant 56 is everywhere and cannot be told from
; other numbers: the frame is left alone, with the reason.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-frame-overlap' -pass-remarks-missed=coro-frame-overlap -disable-output %inputs/ir/inlined_allocator.ll 2>&1 | FileCheck %s --check-prefix=UNMARKED
; UNMARKED: remark: <unknown>:0:0: frame of 'inlined_alloc' not re-laid out:
;
; Markers the plugin never resolved go back to their argument: where nothing
; was split (ThinLTO pre-link), llvm.coro.size itself; after CoroSplit, its
; constant. The marker declaration goes too.
; RUN: %opt -passes='function(coro-mark-frame-size),coro-frame-size-cleanup' -verify-each -S %inputs/ir/inlined_allocator.ll | FileCheck %s --check-prefix=UNSPLIT
; UNSPLIT: %size = call i64 @llvm.coro.size.i64()
; UNSPLIT: %c2 = add i64 %c, %size
; UNSPLIT: %size2 = call i64 @llvm.coro.size.i64()
; UNSPLIT: %tail2 = getelementptr i8, ptr %mem, i64 %size2
; UNSPLIT-NOT: corofo.frame.size
; RUN: %opt -passes='function(coro-mark-frame-size),coro-early,cgscc(coro-split),coro-frame-size-cleanup' -verify-each -S %inputs/ir/inlined_allocator.ll | FileCheck %s --check-prefix=SPLIT
; SPLIT: %c2 = add i64 %c, 56
; SPLIT: %tail = getelementptr i8, ptr %alloc, i64 56
; SPLIT: %tail2 = getelementptr i8, ptr %mem, i64 56
; SPLIT-NOT: corofo.frame.size
;
; Marking twice (the CGSCC walk revisits a function) adds nothing.
; RUN: %opt -passes='function(coro-mark-frame-size,coro-mark-frame-size)' -S %inputs/ir/inlined_allocator.ll | FileCheck %s --check-prefix=TWICE
; TWICE: %frame.size = call i64 @corofo.frame.size.i64(i64 %size)
; TWICE-NOT: call i64 @corofo.frame.size.i64(i64 %frame.size
; TWICE: %frame.size{{[0-9]+}} = call i64 @corofo.frame.size.i64(i64 %size2)
; TWICE-NOT: call i64 @corofo.frame.size
