// An exception_ptr caught in one handler and rethrown after a co_await: it
// lives in the frame across the suspension, and it is no awaiter.
#include "corolib/corolib.h"

#include <exception>
#include <stdexcept>

using corolib::manual_executor;
using corolib::task;

int may_throw(int x);
void log_failure();

task<int> retry(manual_executor &ex, int x) {
  std::exception_ptr failure;
  try {
    co_return may_throw(x);
  } catch (...) {
    failure = std::current_exception();
  }
  co_await ex.schedule();
  log_failure();
  std::rethrow_exception(failure);
}
