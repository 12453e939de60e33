; coro-prune-dead-paths on the shapes CoroSplit leaves at -O0, written out by
; hand as a split coroutine `f` (ramp, .resume, .destroy): branches on
; constants, on comparisons of constants, and on phis whose running incoming
; edges agree are folded, and the blocks that cannot run go; branches on
; loaded values, on phis whose running edges disagree and on anything else
; stay, with every block they reach. Functions that are no coroutine's are
; not touched.
; RUN: %opt -passes=coro-prune-dead-paths,verify -pass-remarks=coro-prune-dead-paths -S %s -o - 2>%t.remarks | FileCheck %s
; RUN: FileCheck %s --check-prefix=REMARK < %t.remarks
; RUN: %opt -passes=coro-prune-dead-paths -S %s -o - | %opt -passes=coro-prune-dead-paths -S -o - | FileCheck %s

; REMARK: remark: <unknown>:0:0: 'f': 5 blocks (11 instructions) that cannot run deleted from its ramp and clones
; REMARK-NOT: remark

declare void @work(i32)
declare void @free(ptr)

; The ramp: the suspend result is -1, its switch goes to the return; the code
; after the suspend (reached only through it) goes.
; CHECK-LABEL: define void @f(
; CHECK-NEXT:  entry:
; CHECK-NEXT:    store ptr @f.resume, ptr %frame
; CHECK-NEXT:    call void @work(i32 1)
; CHECK-NEXT:    br label %suspended
; CHECK-EMPTY:
; CHECK-NEXT:  suspended:
; CHECK-NEXT:    ret void
; CHECK-NEXT:  }
define void @f(ptr %frame) optnone noinline {
entry:
  store ptr @f.resume, ptr %frame
  call void @work(i32 1)
  switch i8 -1, label %suspended [
    i8 0, label %resumed
    i8 1, label %suspended
  ]
resumed:
  call void @work(i32 2)
  br label %suspended
suspended:
  ret void
}

; .resume: a cleanup destination set on two paths, both running, and a
; branch on a loaded index: all of it stays. A loop whose phi can only carry
; 0 (optimistically: its back edge brings what it holds): its exit test is
; known, the back edge goes, and so does the block a false test guards.
; CHECK-LABEL: define internal void @f.resume(
; CHECK:       dispatch:
; CHECK-NEXT:    %index = load i8, ptr %frame
; CHECK-NEXT:    switch i8 %index, label %state1 [
; CHECK:       state0:
; CHECK:         %dest = phi i32 [ 0, %state0 ], [ 2, %state1 ]
; CHECK-NEXT:    %is.zero = icmp eq i32 %dest, 0
; CHECK-NEXT:    br i1 %is.zero, label %go.on, label %leave
; CHECK:       go.on:
; CHECK:       loop:
; CHECK-NEXT:    %zero = phi i32 [ 0, %go.on ]{{$}}
; CHECK-NEXT:    call void @work(i32 %zero)
; CHECK-NEXT:    br label %loop.exit
; CHECK:       loop.exit:
; CHECK-NOT:   never:
; CHECK:       leave:
; CHECK-NEXT:    ret void
; CHECK-NEXT:  }
define internal void @f.resume(ptr %frame) optnone noinline {
dispatch:
  %index = load i8, ptr %frame
  switch i8 %index, label %state1 [
    i8 0, label %state0
  ]
state0:
  br label %join
state1:
  br label %join
join:
  %dest = phi i32 [ 0, %state0 ], [ 2, %state1 ]
  %is.zero = icmp eq i32 %dest, 0
  br i1 %is.zero, label %go.on, label %leave
go.on:
  br label %loop
loop:
  %zero = phi i32 [ 0, %go.on ], [ %zero, %loop ]
  call void @work(i32 %zero)
  %again = icmp ne i32 %zero, 0
  br i1 %again, label %loop, label %loop.exit
loop.exit:
  %not.done = icmp ult i32 %zero, 0
  br i1 %not.done, label %never, label %leave
never:
  call void @work(i32 99)
  br label %leave
leave:
  ret void
}

; .destroy: the folded suspend result (1) picks the cleanup; the cleanup's
; destination (2) reaches the branch after the destructor through two phis
; and a block of its own, so the resumed path after it goes too. The
; landing's other arm only reaches the join through dead blocks: the join's
; phi loses those entries and keeps its running ones.
; CHECK-LABEL: define internal void @f.destroy(
; CHECK:       landing:
; CHECK-NEXT:    br label %cleanup
; CHECK-EMPTY:
; CHECK-NEXT:  cleanup:
; CHECK-NEXT:    br label %join
; CHECK-EMPTY:
; CHECK-NEXT:  join:
; CHECK-NEXT:    %dest = phi i32 [ 2, %cleanup ]
; CHECK-NEXT:    call void @work(i32 3)
; CHECK-NEXT:    br label %pass
; CHECK-EMPTY:
; CHECK-NEXT:  pass:
; CHECK-NEXT:    %dest.again = phi i32 [ %dest, %join ]
; CHECK-NEXT:    br label %final
; CHECK-EMPTY:
; CHECK-NEXT:  final:
; CHECK-NEXT:    call void @free(ptr %frame)
; CHECK-NEXT:    ret void
; CHECK-NEXT:  }
define internal void @f.destroy(ptr %frame) optnone noinline {
entry:
  br label %landing
landing:
  switch i8 1, label %final [
    i8 0, label %resumed
    i8 1, label %cleanup
  ]
resumed:
  call void @work(i32 4)
  br label %join
cleanup:
  br label %join
join:
  %dest = phi i32 [ 0, %resumed ], [ 2, %cleanup ]
  call void @work(i32 3)
  br label %pass
pass:
  %dest.again = phi i32 [ %dest, %join ]
  %go.on = icmp eq i32 %dest.again, 0
  br i1 %go.on, label %after, label %final
after:
  call void @work(i32 5)
  %more = icmp sgt i32 %dest.again, 1
  br i1 %more, label %after2, label %final
after2:
  call void @work(i32 6)
  br label %final
final:
  call void @free(ptr %frame)
  ret void
}

; Not a coroutine's function: left as written.
; CHECK-LABEL: define void @plain(
; CHECK-NEXT:  entry:
; CHECK-NEXT:    br i1 false, label %dead, label %live
define void @plain() {
entry:
  br i1 false, label %dead, label %live
dead:
  call void @work(i32 7)
  br label %live
live:
  ret void
}
