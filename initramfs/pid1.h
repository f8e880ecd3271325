// vmcap as the capture initramfs's /init (docs/initramfs.md): mounts, modules, network, the
// machine's disks holding file:// destinations (initramfs/local_disk.h), then the same
// capture as `vmcap capture` on /proc/vmcore, then the final action (the disks unmounted
// first).
// PID 1 must never exit (the kernel panics), so the capture runs in a forked child and
// PID 1 only waits: whatever becomes of the child (an exit, an exception, a crash, the
// deadline), PID 1 ends in the configured final or failure action.
#pragma once

#include <string>

#include "capture/run/progress.h"

namespace vmcap::initramfs {

// True when this process is the kernel's first (getpid() == 1) started as init (argv[0]
// "/init"): not a container whose entry point happens to be vmcap.
bool running_as_init(const char* argv0);

// Never returns.
[[noreturn]] void run_as_init();

// `vmcap capture --network`: /init's network step for a capture vmcap does not run as PID 1
// (the dracut module's image, dracut-module/README.md): the [network] section of the config
// at CONFIG_PATH, or DHCP on the first Ethernet interface when it has none (what an empty
// section means). Its modules must be loaded already. A failure is said on the console and
// the capture goes on, as under /init: local destinations may still work. The config's
// own problems are left to the capture, which reports them. Like the final action, only in
// a kdump capture kernel (VMCORE is /proc/vmcore, which exists): anywhere else it would
// change the addresses, routes and resolv.conf of the user's own machine, so it is skipped
// and said so.
void bring_up_capture_network(const std::string& config_path, const std::string& vmcore, run::Progress& progress);

}  // namespace vmcap::initramfs
