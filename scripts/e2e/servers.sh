# shellcheck shell=bash
# The servers the end-to-end tests upload to, on 127.0.0.1 (10.0.2.2 from a QEMU guest).
# Sourced by scripts/e2e-kdump.sh and scripts/e2e-debian-system.sh, which define log, fail,
# out and e2e_dir. start_nginx sets http_port, nginx_pid and upload_root.

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_listening PORT PID: until something listens on 127.0.0.1:PORT (read from /proc/net/tcp:
# a test connection would be the one connection socat takes).
wait_listening() {
  local hex i=0
  hex=$(printf '%04X' "$1")
  until awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp; do
    kill -0 "$2" 2>/dev/null || return 1
    i=$((i + 1)); [ "$i" -lt 100 ] || return 1
    sleep 0.1
  done
}

# nginx with WebDAV PUT (scripts/e2e/nginx.conf.in), files under OUT/nginx/root/upload.
start_nginx() {
  local dir=$out/nginx user=
  rm -rf "$dir"; mkdir -p "$dir/root/upload" "$dir/tmp"
  http_port=$(free_port)
  [ "$(id -u)" = 0 ] && user="user root;"
  sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$http_port|" -e "s|@USER@|$user|" \
    "$e2e_dir/nginx.conf.in" > "$dir/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" > "$dir/stderr.log" 2>&1 &
  nginx_pid=$!
  wait_listening "$http_port" "$nginx_pid" || { cat "$dir/stderr.log" "$dir/error.log" >&2; fail "nginx did not start"; }
  upload_root=$dir/root/upload
  log "nginx (WebDAV PUT) on 127.0.0.1:$http_port, files in $upload_root"
}
