// corolib/corolib.h - everything in corolib, the small header-only C++20
// coroutine library that CoroFrameOpt's tests and examples are written
// against (so they never depend on outside code). Only needs libstdc++'s
// <coroutine> and -std=c++20.
//
//   task.h        corolib::task<T>, lazy, symmetric transfer; sync_wait(task)
//   generator.h   corolib::generator<T>, lazy range of co_yield-ed values
//   eager.h       corolib::eager_task<T>, starts running when called
//   executor.h    corolib::manual_executor, spawn(), sync_wait(executor, task)
//   alloc_count.h heap allocation counters (see the macro described there)
#ifndef COROLIB_COROLIB_H
#define COROLIB_COROLIB_H

#include "alloc_count.h"
#include "eager.h"
#include "executor.h"
#include "generator.h"
#include "task.h"

#endif // COROLIB_COROLIB_H
