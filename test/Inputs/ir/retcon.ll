; A pre-split retcon-once coroutine (the ABI Swift uses, never clang's C++):
; the plugin must recognise it, say it is unsupported, and change nothing.
define {ptr, ptr} @swap_in(ptr %buffer, ptr %p) presplitcoroutine {
entry:
  %tmp = alloca i32, align 4
  %id = call token @llvm.coro.id.retcon.once(i32 8, i32 8, ptr %buffer, ptr @continuation_proto, ptr @alloc_frame, ptr @free_frame)
  %hdl = call ptr @llvm.coro.begin(token %id, ptr null)
  %old = load i32, ptr %p
  store i32 %old, ptr %tmp
  %abort = call i1 (...) @llvm.coro.suspend.retcon.i1(ptr %tmp)
  br i1 %abort, label %done, label %writeback

writeback:
  %new = load i32, ptr %tmp
  store i32 %new, ptr %p
  br label %done

done:
  call void @llvm.coro.end(ptr %hdl, i1 false, token none)
  unreachable
}

declare token @llvm.coro.id.retcon.once(i32, i32, ptr, ptr, ptr, ptr)
declare ptr @llvm.coro.begin(token, ptr)
declare i1 @llvm.coro.suspend.retcon.i1(...)
declare void @llvm.coro.end(ptr, i1, token)
declare void @continuation_proto(ptr, i1 zeroext)
declare noalias ptr @alloc_frame(i32)
declare void @free_frame(ptr)
