//===- CoroWrapperInline.h - Wrapper coroutines become their callee -*- C++ -*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroWrapperInline
///
/// DESCRIPTION: `task<T> w(x) { co_return co_await c(x); }` is a coroutine
/// of its own: a frame on the heap, a state machine, a resume hop into `c`
/// and one back out. When nobody can tell the difference, `w` can simply
/// return `c`'s task: `w(x)` becomes `return c(x);` ("W becomes C"), its
/// frame, allocation and clones disappear, and a caller that inlines it
/// calls `c` directly, so chains of wrappers collapse one after the other.
///
/// `coro-wrapper-inline` is a module pass that runs before the inliner
/// (above -O0, right after coro-early): later, C's small ramp would be
/// inlined into W and the call gone. It reads each wrapper and callee on a
/// simplified copy (promise and awaiter code inlined, as the pipeline will
/// do), and rewrites W into a call of C when all of this is shown on the IR
/// (docs/wrapper-inline.md has the argument):
///   - W has one suspend point after its start, and it awaits the task a
///     direct call returned: C, a presplit coroutine defined in this module
///     with the same promise type and the same task type;
///   - nothing W does before that call has an effect (loads only of its own
///     frame, no calls, no stores but into its frame and its return object,
///     nothing that can throw, no branch around the call), and C's start (up
///     to its first suspend, and destroying it unstarted) has none either,
///     so calling C when W is called instead of when W starts cannot show;
///   - C's arguments are W's parameters (not a by-value one), constants or
///     pure computations on them: nothing points into W's frame;
///   - W's await_suspend only hands W's handle to C (one store into C's
///     promise, at offset K) and transfers to C, and W's final suspend
///     transfers to the handle at offset K of W's own promise: the task
///     protocol that makes C resume whoever awaits it;
///   - everything else W does touches only W's frame and C's frame: its
///     promise receives C's result fields unchanged (copies from the same
///     offsets of C's promise, or a constant that is the only value C's own
///     code ever stores there), an exception reaches W's handler and its
///     unhandled_exception, exception_ptr bookkeeping, and destroying C.
/// The frame allocation and deallocation are not effects (as for CoroElide).
/// Anything else keeps W as it is, with a missed remark naming the reason.
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so
///       -passes='coro-early,coro-wrapper-inline' in.ll
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROWRAPPERINLINE_H
#define COROFRAMEOPT_PASSES_COROWRAPPERINLINE_H

#include "llvm/IR/PassManager.h"

namespace corofo {

/// Turn provably transparent single-await wrappers into calls of the
/// coroutine they await, callees first so that chains collapse.
struct CoroWrapperInlinePass : llvm::PassInfoMixin<CoroWrapperInlinePass> {
  llvm::PreservedAnalyses run(llvm::Module &M,
                              llvm::ModuleAnalysisManager &AM);
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROWRAPPERINLINE_H
