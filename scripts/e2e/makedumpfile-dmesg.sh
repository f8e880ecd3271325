# shellcheck shell=bash
# Sourced by the end-to-end scripts that hold vmcap's log against makedumpfile's.

# plain_makedumpfile_dmesg FILE: makedumpfile 1.7.8's --dump-dmesg text as vmcap prints it
# (vmcore-dmesg's text): without the caller id ("[      T1] ") after the time, and the
# continuation lines of a multi-line record without the indent 1.7.8 aligns them with (the
# width of its "[time] [caller] " prefix). Multi-line records come and go with the boot
# (a tracing clock notice when TCG's TSC looks unstable).
plain_makedumpfile_dmesg() {
  awk '
    match($0, /^\[ *[0-9]+\.[0-9]+\] \[ *[TC][0-9]+\] /) {
      indent = RLENGTH
      time_end = index($0, "]")
      print substr($0, 1, time_end) " " substr($0, RLENGTH + 1)
      next
    }
    indent > 0 && substr($0, 1, indent) ~ /^ *$/ { print substr($0, indent + 1); next }
    { print }
  ' "$1" > "$1.plain" && mv "$1.plain" "$1"
}
