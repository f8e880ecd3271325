# The fully static configuration (-DVMCAP_STATIC=ON), included by the root CMakeLists.txt
# after find_package(fmt ...). scripts/build-static.sh prepares what it needs and is the
# usual way in; by hand:
#   cmake -S . -B build/static -DVMCAP_STATIC=ON -DVMCAP_TESTS=OFF \
#         -DVMCAP_CURL_PREFIX=<prefix> -Dfmt_DIR=<prefix>/lib/cmake/fmt
# where <prefix> holds a static libcurl (lib/libcurl.a, include/curl/) and a static libfmt
# (Debian's libfmt-dev ships only libfmt.so), both built from Debian's sources.
#
# Defines vmcap::libelf, vmcap::zstd and vmcap::curl as imported static archives with their
# private dependencies, links every executable of this configuration with -static (no
# PT_INTERP, no DT_NEEDED), and adds:
#   vmcap_stripped    <dir of vmcap>/vmcap.stripped, the copy the capture initramfs takes;
#   vmcap-curl-probe  next to vmcap: prints what the linked libcurl supports and can fetch
#                     a URL (tests/static uses it; it links exactly vmcap::curl).

set(VMCAP_CURL_PREFIX "" CACHE PATH
  "Prefix holding the static libcurl (scripts/build-static.sh builds it)")
if(NOT VMCAP_CURL_PREFIX OR NOT EXISTS "${VMCAP_CURL_PREFIX}/lib/libcurl.a")
  message(FATAL_ERROR "VMCAP_STATIC needs -DVMCAP_CURL_PREFIX=<prefix with lib/libcurl.a> "
    "(got '${VMCAP_CURL_PREFIX}'); scripts/build-static.sh builds one from Debian's curl source.")
endif()

# fmt must be a static archive too. The root CMakeLists has found it already; steer it with
# -Dfmt_DIR=<prefix>/lib/cmake/fmt.
set(_vmcap_fmt fmt::fmt)
get_target_property(_vmcap_fmt_alias fmt::fmt ALIASED_TARGET)
if(_vmcap_fmt_alias)
  set(_vmcap_fmt ${_vmcap_fmt_alias})
endif()
get_target_property(_vmcap_fmt_type ${_vmcap_fmt} TYPE)
if(NOT _vmcap_fmt_type STREQUAL "STATIC_LIBRARY")
  message(FATAL_ERROR "VMCAP_STATIC: fmt::fmt is a ${_vmcap_fmt_type} (from ${fmt_DIR}); "
    "Debian ships no libfmt.a. Pass -Dfmt_DIR=<prefix>/lib/cmake/fmt of a static fmt "
    "(scripts/build-static.sh builds one from Debian's fmtlib source).")
endif()

# Every library below must resolve to a .a.
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
find_package(Threads REQUIRED)

# _vmcap_static_archive(<name> <archive file name> [HINTS dirs...]): an imported STATIC
# target vmcap_static::<name> for the archive, found once and cached.
function(_vmcap_static_archive name file)
  cmake_parse_arguments(A "" "" "HINTS;DEPS" ${ARGN})
  string(TOUPPER "${name}" upper)
  set(var VMCAP_STATIC_${upper}_ARCHIVE)
  if(A_HINTS)
    find_library(${var} NAMES ${file} HINTS ${A_HINTS} NO_DEFAULT_PATH)
  else()
    find_library(${var} NAMES ${file})
  endif()
  if(NOT ${var})
    message(FATAL_ERROR "VMCAP_STATIC: ${file} not found (Debian's -dev packages ship it; "
      "scripts/build-static.sh installs them)")
  endif()
  add_library(vmcap_static::${name} STATIC IMPORTED GLOBAL)
  set_target_properties(vmcap_static::${name} PROPERTIES
    IMPORTED_LOCATION "${${var}}"
    IMPORTED_LINK_INTERFACE_LANGUAGES C
    INTERFACE_LINK_LIBRARIES "${A_DEPS}")
endfunction()

_vmcap_static_archive(z libz.a)
_vmcap_static_archive(zstd libzstd.a DEPS Threads::Threads)
_vmcap_static_archive(crypto libcrypto.a DEPS Threads::Threads ${CMAKE_DL_LIBS})
_vmcap_static_archive(ssl libssl.a DEPS vmcap_static::crypto)
_vmcap_static_archive(ssh2 libssh2.a DEPS vmcap_static::ssl vmcap_static::crypto vmcap_static::z)
_vmcap_static_archive(cares libcares.a)
# elfutils' libelf uses zlib for compressed sections (zstd too in newer releases: harmless
# to list when unused).
_vmcap_static_archive(elf libelf.a DEPS vmcap_static::z vmcap_static::zstd)
_vmcap_static_archive(curl libcurl.a HINTS "${VMCAP_CURL_PREFIX}/lib"
  DEPS vmcap_static::ssh2 vmcap_static::ssl vmcap_static::crypto vmcap_static::cares
       vmcap_static::zstd vmcap_static::z Threads::Threads ${CMAKE_DL_LIBS})
set_target_properties(vmcap_static::curl PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${VMCAP_CURL_PREFIX}/include"
  INTERFACE_COMPILE_DEFINITIONS CURL_STATICLIB)

add_library(vmcap::libelf ALIAS vmcap_static::elf)
add_library(vmcap::zstd ALIAS vmcap_static::zstd)
add_library(vmcap::curl ALIAS vmcap_static::curl)

# Fully static executables: glibc, libstdc++ and libgcc included. (-static beats GCC's
# default -pie: the result is a non-PIE ET_EXEC without PT_INTERP or PT_DYNAMIC.)
# The initramfs wants small: drop unreferenced sections (about a fifth of the binary).
string(APPEND CMAKE_EXE_LINKER_FLAGS " -static -Wl,--gc-sections")
add_compile_options(-ffunction-sections -fdata-sections)

# The probe and the stripped copy go next to vmcap, which is defined later (capture/cli):
# finish when the root directory is done.
function(_vmcap_static_finish)
  if(NOT TARGET vmcap)
    message(FATAL_ERROR "VMCAP_STATIC: no vmcap target")
  endif()
  get_target_property(dir vmcap RUNTIME_OUTPUT_DIRECTORY)
  if(NOT dir)
    get_target_property(dir vmcap BINARY_DIR)
  endif()

  # The probe: the same vmcap::curl, in its own small static binary.
  add_executable(vmcap-curl-probe "${PROJECT_SOURCE_DIR}/tests/static/curl_probe.c")
  target_link_libraries(vmcap-curl-probe PRIVATE vmcap::curl)
  set_target_properties(vmcap-curl-probe PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${dir}")

  # The stripped copy for the initramfs; vmcap itself keeps its symbols for debugging.
  if(NOT CMAKE_STRIP)
    find_program(CMAKE_STRIP strip REQUIRED)
  endif()
  add_custom_command(
    OUTPUT "${dir}/vmcap.stripped"
    COMMAND "${CMAKE_STRIP}" --strip-all -o "${dir}/vmcap.stripped" "$<TARGET_FILE:vmcap>"
    DEPENDS vmcap
    COMMENT "Stripping vmcap -> vmcap.stripped"
    VERBATIM)
  add_custom_target(vmcap_stripped ALL DEPENDS "${dir}/vmcap.stripped")

  # Where the binary is, for scripts/build-static.sh.
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/vmcap-static.txt"
    CONTENT "VMCAP_STATIC_BINARY_PATH=$<TARGET_FILE:vmcap>\n")
endfunction()
cmake_language(DEFER DIRECTORY "${PROJECT_SOURCE_DIR}" CALL _vmcap_static_finish)
