# Locate Debian's LLVM 22 (or the one named by -DLLVM_DIR=) and refuse any
# other major version: the plugin uses LLVM's C++ API, which changes between
# major releases, and it must be loaded into a clang/opt of the same major.
#
# LLVM's own version file only accepts an exact major.minor request, so we
# ask for any version and check the major ourselves (see
# ../shared/docs/llvm22-coroutine-facts.md).
set(CORO_REQUIRED_LLVM_MAJOR 22)

if(NOT LLVM_DIR)
  set(LLVM_DIR "/usr/lib/llvm-${CORO_REQUIRED_LLVM_MAJOR}/lib/cmake/llvm"
      CACHE PATH "Directory holding LLVMConfig.cmake")
endif()
find_package(LLVM REQUIRED CONFIG)

if(NOT LLVM_VERSION_MAJOR EQUAL CORO_REQUIRED_LLVM_MAJOR)
  message(FATAL_ERROR
    "CoroFrameOpt needs LLVM ${CORO_REQUIRED_LLVM_MAJOR}, but LLVM_DIR "
    "(${LLVM_DIR}) is LLVM ${LLVM_PACKAGE_VERSION}. Install llvm-22-dev or "
    "pass -DLLVM_DIR=/usr/lib/llvm-22/lib/cmake/llvm.")
endif()
message(STATUS "Using LLVM ${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}")

# The tools the tests and examples drive. They must come from the same LLVM:
# a plugin built for LLVM 22 cannot be loaded by another clang or opt.
foreach(tool IN ITEMS clang++ opt FileCheck not count llvm-dis llvm-as)
  string(MAKE_C_IDENTIFIER "${tool}" var)
  string(TOUPPER "CORO_${var}" var)
  find_program(${var} NAMES ${tool} PATHS "${LLVM_TOOLS_BINARY_DIR}"
               NO_DEFAULT_PATH)
  if(NOT ${var})
    message(FATAL_ERROR "CoroFrameOpt: ${tool} not found in "
      "${LLVM_TOOLS_BINARY_DIR}; install llvm-22-tools and clang-22.")
  endif()
endforeach()
set(CORO_CLANGXX "${CORO_CLANG__}")

execute_process(COMMAND "${CORO_CLANGXX}" --version
                OUTPUT_VARIABLE clang_version_text)
if(NOT clang_version_text MATCHES "clang version ${CORO_REQUIRED_LLVM_MAJOR}\\.")
  message(FATAL_ERROR "CoroFrameOpt: ${CORO_CLANGXX} is not clang "
    "${CORO_REQUIRED_LLVM_MAJOR}:\n${clang_version_text}")
endif()

find_program(CORO_LIT NAMES lit lit.py
  PATHS "${LLVM_TOOLS_BINARY_DIR}" "${LLVM_TOOLS_BINARY_DIR}/../build/utils/lit"
  NO_DEFAULT_PATH)
# Debian's python3: lit and the report tool use its python3-yaml.
if(EXISTS /usr/bin/python3 AND NOT Python3_EXECUTABLE)
  set(Python3_EXECUTABLE /usr/bin/python3)
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)

separate_arguments(LLVM_DEFINITIONS_LIST NATIVE_COMMAND "${LLVM_DEFINITIONS}")

# Compile flags every target that includes LLVM headers needs.
function(coro_frame_opt_llvm_flags target)
  if(NOT LLVM_ENABLE_RTTI)
    target_compile_options(${target} PRIVATE -fno-rtti)
  endif()
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter
                         -fvisibility-inlines-hidden)
endfunction()
