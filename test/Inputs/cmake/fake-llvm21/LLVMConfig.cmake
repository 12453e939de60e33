# Stands in for another LLVM's package to test the configure-time check.
set(LLVM_PACKAGE_VERSION 21.1.0)
set(LLVM_VERSION_MAJOR 21)
set(LLVM_VERSION_MINOR 1)
set(LLVM_TOOLS_BINARY_DIR /usr/lib/llvm-21/bin)
set(LLVM_INCLUDE_DIRS /usr/lib/llvm-21/include)
