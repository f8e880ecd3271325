# CMake toolchain file: cross-building for aarch64 with Debian's cross toolchain
# (g++-aarch64-linux-gnu: its glibc and libstdc++ live in /usr/aarch64-linux-gnu), against the
# arm64 -dev packages unpacked into a folder of their own (scripts/build-static.sh --arch arm64
# makes it: DIR/deps/sysroot, with usr/include, usr/include/aarch64-linux-gnu and
# usr/lib/aarch64-linux-gnu holding the static archives, plus the host's header-only CLI11 and
# nlohmann-json copied in), so the host's dpkg is never made multiarch.
#
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DVMCAP_CROSS_SYSROOT=<folder> \
#         [-DVMCAP_CROSS_PREFIX=<prefix of the cross-built curl and fmt>] ...
#
# Libraries, headers, CMake packages and pkg-config files are searched only in those folders
# (and in the cross toolchain's own), never in the host's /usr.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(VMCAP_CROSS_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${VMCAP_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${VMCAP_CROSS_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${VMCAP_CROSS_TRIPLET})
# try_compile projects read this file again: hand them the folders.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES VMCAP_CROSS_SYSROOT VMCAP_CROSS_PREFIX)

if(NOT VMCAP_CROSS_SYSROOT AND DEFINED ENV{VMCAP_CROSS_SYSROOT})
  set(VMCAP_CROSS_SYSROOT "$ENV{VMCAP_CROSS_SYSROOT}")
endif()
if(NOT VMCAP_CROSS_SYSROOT)
  message(FATAL_ERROR "aarch64-linux-gnu.cmake: set -DVMCAP_CROSS_SYSROOT=<folder with the unpacked "
    "arm64 -dev packages> (scripts/build-static.sh --arch arm64 makes one)")
endif()
set(VMCAP_CROSS_SYSROOT "${VMCAP_CROSS_SYSROOT}" CACHE PATH "The unpacked arm64 -dev packages")
set(VMCAP_CROSS_PREFIX "${VMCAP_CROSS_PREFIX}" CACHE PATH "Prefix of the cross-built curl and fmt")

set(CMAKE_FIND_ROOT_PATH "${VMCAP_CROSS_SYSROOT}" /usr/${VMCAP_CROSS_TRIPLET})
if(VMCAP_CROSS_PREFIX)
  list(APPEND CMAKE_FIND_ROOT_PATH "${VMCAP_CROSS_PREFIX}")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The -dev headers (the compiler's own search path holds only glibc's and libstdc++'s).
foreach(lang C CXX)
  set(CMAKE_${lang}_STANDARD_INCLUDE_DIRECTORIES
    "${VMCAP_CROSS_SYSROOT}/usr/include/${VMCAP_CROSS_TRIPLET}" "${VMCAP_CROSS_SYSROOT}/usr/include")
endforeach()

# pkg-config (FindPkgConfig) sees the arm64 .pc files only, with their paths in the folder.
set(ENV{PKG_CONFIG_LIBDIR}
  "${VMCAP_CROSS_SYSROOT}/usr/lib/${VMCAP_CROSS_TRIPLET}/pkgconfig:${VMCAP_CROSS_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${VMCAP_CROSS_SYSROOT}")
unset(ENV{PKG_CONFIG_PATH})

# Programs built for the target run under qemu-user when a test asks for it.
find_program(VMCAP_CROSS_EMULATOR qemu-aarch64-static)
if(VMCAP_CROSS_EMULATOR)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${VMCAP_CROSS_EMULATOR}")
endif()
