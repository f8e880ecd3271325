#!/bin/sh
# pre-udev (early stage), pre-mount and pre-pivot hook (sourced): the capture, in a capture
# kernel only, once (vmcap-capture keeps a mark in /run).
[ -e /proc/vmcore ] && /sbin/vmcap-capture
