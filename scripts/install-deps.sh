#!/usr/bin/env bash
# Installs the Debian packages the project needs: scripts/packages/GROUP.txt for each GROUP
# given (build, cross, package, qemu, upload, browser), every list when none is. Idempotent: does
# nothing when all are present.
#
#   scripts/install-deps.sh [GROUP...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lists=()
for g in "$@"; do
  [ -f "$here/packages/$g.txt" ] || { echo "install-deps: no package list $here/packages/$g.txt" >&2; exit 2; }
  lists+=("$here/packages/$g.txt")
done
((${#lists[@]})) || lists=("$here"/packages/*.txt)
mapfile -t pkgs < <(cat "${lists[@]}" | sed 's/#.*//' | awk 'NF {print $1}' | sort -u)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "install-deps: installing ${missing[*]}"
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq || echo "install-deps: apt-get update had errors; trying the install anyway" >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
