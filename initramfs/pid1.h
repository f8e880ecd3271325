// vmcap as the capture initramfs's /init (docs/initramfs.md): mounts, modules, network,
// then the same capture as `vmcap capture` on /proc/vmcore, then the final action.
// PID 1 must never exit (the kernel panics), so the capture runs in a forked child and
// PID 1 only waits: whatever becomes of the child (an exit, an exception, a crash, the
// deadline), PID 1 ends in the configured final or failure action.
#pragma once

namespace vmcap::initramfs {

// True when this process is the kernel's first (getpid() == 1) started as init (argv[0]
// "/init"): not a container whose entry point happens to be vmcap.
bool running_as_init(const char* argv0);

// Never returns.
[[noreturn]] void run_as_init();

}  // namespace vmcap::initramfs
