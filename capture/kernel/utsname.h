// The crashed kernel's utsname (host name, release, version, machine) read from its
// init_uts_ns: what the kdump header carries and what names a capture.
#pragma once

#include <string>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/translate/virtual_memory.h"
#include "elf/result.h"

namespace vmcap {

struct Utsname {
  std::string sysname, nodename, release, version, machine, domainname;
};

// Reads SYMBOL(init_uts_ns) + OFFSET(uts_namespace.name). Kernels without that offset
// (5.10 and older) had a 4-byte kref first; the offset is then found by matching the
// release field against OSRELEASE, so a wrong guess is never taken for a host name.
Result<Utsname> read_utsname(const VmcoreInfo& info, const VirtualMemory& memory);

}  // namespace vmcap
