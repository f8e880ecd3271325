#!/bin/sh
# pre-mount and pre-pivot hook (sourced): the capture, in a capture kernel only, once.
[ -e /proc/vmcore ] && /sbin/vmcap-capture
