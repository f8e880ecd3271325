#!/usr/bin/env bash
# Installs the S3-compatible test server (serve.js and its pinned npm packages, exactly
# as package-lock.json says) into DEST, usually BUILD/s3server: never into the source
# tree. Idempotent: `npm ci` runs again only when the lock file changed.
# Needs node and npm: the machine's, or Debian's nodejs and npm (installed here when
# neither is present; Debian's npm conflicts with NodeSource's nodejs, which ships npm).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: install.sh DEST}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "s3server: installing Debian's nodejs and npm" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
fi

mkdir -p "$dest"
cp "$here/serve.js" "$dest/serve.js"
if [ -d "$dest/node_modules" ] && cmp -s "$here/package-lock.json" "$dest/package-lock.json"; then
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
cd "$dest"
npm ci --omit=dev --no-audit --no-fund --loglevel=error
node -e "require('@20minutes/s3rver')" || { echo "s3server: the package does not load with node $(node --version)" >&2; exit 1; }
echo "s3server: installed in $dest (node $(node --version))"
