# The checks the real-system end-to-end scripts share (sourced by scripts/e2e-debian-system.sh
# and scripts/e2e-secure-boot.sh). Each script defines log, and sets out (results in
# $out/results), console_txt (the console without carriage returns, the test unit's lines
# unprefixed) and qemu_rc before it checks.
#   check NAME DESCRIPTION RESULT(0/1) FOUND   one PASS/FAIL line, check_NAME= in results
#   has TEXT NEEDLE                            TEXT holds NEEDLE (fixed string)
#   boot_text N                                the test unit's console lines of boot N
#   lines N NAME                               boot N's "[NAME] ..." lines without the prefix
#   check_log FILE                             the 11 markers and the panic line
#   check_poweroff NAME                        QEMU ended by the guest's power-off
ok_all=1
check() { # NAME DESCRIPTION RESULT(0/1) FOUND
  if [ "$3" = 0 ]; then log "check $1 PASS: $2 -- $4"; else log "check $1 FAIL: $2 -- $4"; ok_all=0; fi
  echo "check_$1=$([ "$3" = 0 ] && echo pass || echo fail)" >> "$out/results"
}
has() { grep -qF -- "$2" <<<"$1"; }
boot_text() { grep -a "^\[[a-z0-9.-]*\] \|^VMCAP-E2E boot=" "$console_txt" | awk -v b="VMCAP-E2E boot=$1 " '
  index($0, "VMCAP-E2E boot=") == 1 { on = (index($0, b) == 1) } on'; }
lines() { boot_text "$1" | sed -n "s/^\[$2\] //p"; }
check_log() { # FILE
  local n
  n=$(grep -c 'vmcap-e2e marker' "$1" || true)
  [ "$n" = 11 ] || { echo "$n marker records, want 11"; return 1; }
  grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$1" || { echo "no panic line"; return 1; }
  echo "11 markers and the panic line"
}
check_poweroff() { # NAME
  local off=1
  if [ "$qemu_rc" = 0 ] && grep -aq 'reboot: Power down' "$console_txt"; then off=0; fi
  check "$1" "QEMU ended by the guest's power-off" "$off" "QEMU exit $qemu_rc (124: the timeout)"
}
