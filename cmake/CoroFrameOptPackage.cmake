# Installs a CMake package so user projects can write
#   find_package(CoroFrameOpt CONFIG REQUIRED)
#   coro_frame_opt_enable(my_target)
# which compiles my_target's sources with -fpass-plugin=<installed plugin>.
include(CMakePackageConfigHelpers)

set(CORO_PACKAGE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/CoroFrameOpt")

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/CoroFrameOptConfig.cmake.in"
  "${CMAKE_BINARY_DIR}/CoroFrameOptConfig.cmake"
  INSTALL_DESTINATION "${CORO_PACKAGE_DIR}"
  PATH_VARS CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(
  "${CMAKE_BINARY_DIR}/CoroFrameOptConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)

install(FILES
  "${CMAKE_BINARY_DIR}/CoroFrameOptConfig.cmake"
  "${CMAKE_BINARY_DIR}/CoroFrameOptConfigVersion.cmake"
  DESTINATION "${CORO_PACKAGE_DIR}")
