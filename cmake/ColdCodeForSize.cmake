# The shipped static binary: code that runs a few times per capture is built for size (-Os),
# code that touches every page of the dump stays at the build type's -O2.
#
# Why: the capture kernel unpacks the image into tmpfs, where /init (this binary) stays
# resident beside the compressed image until the unpack ends, and that is the capture
# kernel's peak. At crashkernel=96M a 1 GiB Debian 6.1 guest had about 3 MiB to spare there;
# the fleet index and the report took the binary from 9.5 to 10.5 MB and the unpack began to
# run out of memory now and then. -Os on these targets takes 1.5 MB off (docs/initramfs.md);
# the per-page paths (ELF and kdump reading, translation, the filter, the writers and
# compressors, the log decoder) stay -O2. An inline or template function both sides use is
# linked once, from whichever object comes first (often an -Os one): measured, the filter
# is as fast as before (docs/initramfs.md).
set(_vmcap_cold_targets
  vmcap                      # the command line and its subcommands
  vmcap_arm_load vmcap_arm_machine
  vmcap_config vmcap_early_random vmcap_index vmcap_info vmcap_init
  vmcap_initramfs_disks vmcap_initramfs_image vmcap_initramfs_sysfs
  vmcap_network vmcap_pstore_collect vmcap_pstore_records vmcap_report vmcap_run
  vmcap_signature vmcap_upload
)
foreach(t IN LISTS _vmcap_cold_targets)
  if(NOT TARGET ${t})
    message(FATAL_ERROR "cmake/ColdCodeForSize.cmake: no target ${t} (renamed? update the list)")
  endif()
  target_compile_options(${t} PRIVATE -Os)
endforeach()
