#!/usr/bin/env bash
# Prints the Built-Using value of vmcap's package (Debian Policy 7.8): the Debian source packages (and
# versions) whose code the static vmcap contains, for their licences (glibc and libelf are
# LGPL: their exact sources must stay findable).
#
#   scripts/built-using.sh STATIC_BUILD_DIR
#
# From the installed -dev packages the static link took archives from (dpkg-query), and
# libcurl's and libfmt's Debian source versions from scripts/build-static.sh's stamps.
set -euo pipefail
build=${1:?usage: static-built-using.sh STATIC_BUILD_DIR}
prefix=$build/deps/prefix
fields=()
for p in libc6-dev libstdc++-12-dev libelf-dev libssl-dev libssh2-1-dev libc-ares-dev zlib1g-dev \
         libzstd-dev libcli11-dev nlohmann-json3-dev; do
  v=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' "$p" 2>/dev/null) ||
    { echo "static-built-using: $p is not installed (scripts/build-static.sh installs it)" >&2; exit 1; }
  fields+=("$v")
done
for s in curl:.stamp-curl fmtlib:.stamp-fmtlib; do
  [ -f "$prefix/${s#*:}" ] || { echo "static-built-using: no $prefix/${s#*:}: run scripts/build-static.sh" >&2; exit 1; }
  fields+=("${s%%:*} (= $(cut -d' ' -f1 "$prefix/${s#*:}"))")
done
(IFS=,; echo "${fields[*]}" | sed 's/,/, /g')
