// Fuzz target: the whole input is an ELF vmcore file. Opens it the way vmcap does (a real
// file: a memfd, read through /proc/self/fd), then uses everything a capture uses: notes,
// CPU states, VMCOREINFO, and reads at both ends of every memory range.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "capture/kernel/vmcoreinfo.h"
#include "elf/elf_dump.h"
#include "elf/open_dump.h"
#include "elf/prstatus.h"

namespace {

// One memfd for the whole run, rewritten per input.
const std::string& input_path(int& fd) {
  static std::string path;
  if (path.empty()) {
    fd = memfd_create("vmcap-fuzz-elf", 0);
    if (fd < 0) std::abort();
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  return path;
}

void exercise(const vmcap::Dump& dump) {
  (void)vmcap::read_cpu_states(dump);
  if (auto text = dump.vmcoreinfo_text()) (void)vmcap::VmcoreInfo::parse(*text, dump.path());
  std::byte buf[64];
  int n = 0;
  for (const auto& r : dump.memory().ranges()) {
    if (++n > 16) break;
    (void)dump.memory().read(r.start, std::span(buf, r.size < 64 ? r.size : 64));
    if (r.size >= 64) (void)dump.memory().read(r.end() - 64, buf);
    (void)dump.memory().read(r.end(), std::span(buf, 1));  // just past: a Hole, not a crash
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int fd = -1;
  const std::string& path = input_path(fd);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
    std::abort();
  vmcap::ElfOpenOptions options;
  options.use_mmap = size & 1;  // both read paths, chosen by the input
  if (auto dump = vmcap::ElfDump::open(path, options)) {
    (void)(*dump)->warnings();
    exercise(**dump);
  }
  // The format dispatcher too (kdump/flattened signatures reach their readers from a file).
  if (auto dump = vmcap::open_dump(path)) {
    (void)vmcap::open_warnings(**dump);
    exercise(**dump);
  }
  return 0;
}
