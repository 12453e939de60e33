//===- CoroLifetimeRestart.h - Lifetimes restarted in one block --*- C++
//-*-===//
//
// Part of CoroFrameOpt, an LLVM pass plugin for C++20 coroutine frames.
//
//===----------------------------------------------------------------------===//
/// \file
/// FILE: CoroLifetimeRestart
///
/// DESCRIPTION: works around a miscompile in LLVM 22's CoroSplit. To decide
/// whether an alloca lives in the frame, CoroSplit asks whether a suspend is
/// reachable from a block with a lifetime.start of it without passing a
/// block with a lifetime.end of it. The question is asked per block, so a
/// block where the object's lifetime ends and then starts again (loop
/// unrolling followed by block merging makes them: the end of iteration 1
/// and the start of iteration 2) is never a starting point, and an object
/// live across a suspend from there on stays on the stack of `.resume`:
///
///   for (int i = 0; i < 2; ++i) {      // fully unrolled at -O2
///     std::string s = make(i);
///     if (i == 1) co_yield s.size();   // s is read after the resume:
///   }                                  // a stack slot of another call
///
/// `coro-lifetime-restart` runs on presplit coroutines at the last peephole
/// point before CoroSplit (after the last simplifycfg) and, for each
/// `lifetime.end(%a) ... lifetime.start(%a)` in one block with a suspend
/// reachable from that start before any lifetime.end(%a), removes the two
/// markers, and repeats that until no such pair is left (with three unrolled
/// iterations the second start reaches the suspend once the second pair is
/// gone). The object's lifetime then runs through the gap, where nothing may
/// read it, so the program means the same; CoroSplit sees the path to the
/// suspend and puts the object into the frame. Each removal is a remark
/// (`-Rpass=coro-lifetime-restart`).
///
/// USAGE:
///   opt -load-pass-plugin=libCoroFrameOpt.so
///       -passes='function(coro-lifetime-restart),coro-split' in.ll
//===----------------------------------------------------------------------===//

#ifndef COROFRAMEOPT_PASSES_COROLIFETIMERESTART_H
#define COROFRAMEOPT_PASSES_COROLIFETIMERESTART_H

#include "llvm/IR/PassManager.h"

namespace corofo {

class CoroLifetimeRestartPass
    : public llvm::PassInfoMixin<CoroLifetimeRestartPass> {
public:
  llvm::PreservedAnalyses run(llvm::Function &F,
                              llvm::FunctionAnalysisManager &AM);
  static bool isRequired() { return false; }
};

} // namespace corofo

#endif // COROFRAMEOPT_PASSES_COROLIFETIMERESTART_H
