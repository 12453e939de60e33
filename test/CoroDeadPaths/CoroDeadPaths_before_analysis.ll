; The frame analysis reads split coroutines as CoroSplit leaves them; after
; coro-prune-dead-paths they no longer are (a `.resume` without a dispatch
; is entered where the chain from its entry reaches the suspend's folded
; switch, which pruning folds away, so the chain would run past the resume).
; The default -O0 pipeline prunes after the driver; run the other way round,
; the analysis refuses the coroutine and the overlap leaves its frame alone.
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-prune-dead-paths,print<coro-frame>' -disable-output %inputs/ir/loop.ll 2>&1 | FileCheck %s --check-prefix=REFUSED
; RUN: %opt -passes='coro-early,cgscc(coro-split),coro-prune-dead-paths,coro-frame-overlap,verify' -pass-remarks-missed=coro-frame-overlap -disable-output %inputs/ir/loop.ll 2>&1 | FileCheck %s --check-prefix=KEPT
; RUN: %opt -passes='coro-early,cgscc(coro-split),print<coro-frame>,coro-prune-dead-paths' -disable-output %inputs/ir/loop.ll 2>&1 | FileCheck %s --check-prefix=READ

; REFUSED: coroutine accumulate:
; REFUSED-NEXT: not analysed: 'accumulate' was pruned by coro-prune-dead-paths, which has to run after the frame analysis
; KEPT: frame of 'accumulate' not re-laid out: 'accumulate' was pruned by coro-prune-dead-paths
; READ: coroutine accumulate:
; READ-NEXT: frame 48 align 8
