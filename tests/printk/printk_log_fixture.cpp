#include "tests/printk/printk_log_fixture.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "capture/translate/make_virtual_memory.h"
#include "elf/elf_dump.h"

namespace vmcap::testing {

void PageMapMemory::map(uint64_t vaddr, std::span<const std::byte> bytes) {
  for (uint64_t off = 0; off < bytes.size();) {
    const uint64_t va = vaddr + off;
    const uint64_t page = va & ~(kPage - 1);
    auto& p = pages_[page];
    if (p.empty()) p.assign(kPage, std::byte{0});
    const uint64_t in_page = va - page;
    const uint64_t n = std::min<uint64_t>(kPage - in_page, bytes.size() - off);
    std::memcpy(p.data() + in_page, bytes.data() + off, n);
    off += n;
  }
}

void PageMapMemory::unmap_page(uint64_t vaddr) { pages_.erase(vaddr & ~(kPage - 1)); }

Result<void> PageMapMemory::read(uint64_t vaddr, std::span<std::byte> out) const {
  for (uint64_t off = 0; off < out.size();) {
    const uint64_t va = vaddr + off;
    if (va < vaddr)
      return make_error(ErrorKind::Hole, {}, va, "address space wraps around");
    const uint64_t page = va & ~(kPage - 1);
    auto it = pages_.find(page);
    if (it == pages_.end())
      return make_error(ErrorKind::Hole, {}, va, fmt::format("{:#x} is not mapped", va));
    const uint64_t in_page = va - page;
    const uint64_t n = std::min<uint64_t>(kPage - in_page, out.size() - off);
    std::memcpy(out.data() + off, it->second.data() + in_page, n);
    off += n;
  }
  return ok();
}

SyntheticKernel::SyntheticKernel() {
  regions_.push_back({kImageVaddr, kImagePaddr, std::vector<std::byte>(kImageSize)});
  regions_.push_back({kDirectMapBase + kHeapPaddr, kHeapPaddr, {}});
}

uint64_t SyntheticKernel::add_variable(uint64_t size) {
  next_var_ = (next_var_ + 7) / 8 * 8;
  const uint64_t va = kImageVaddr + next_var_;
  next_var_ += size;
  if (next_var_ > kImageSize) throw std::runtime_error("kernel image data full");
  return va;
}

uint64_t SyntheticKernel::add_buffer(uint64_t size) {
  auto& heap = regions_[1];
  const uint64_t va = heap.vaddr + next_heap_;
  next_heap_ += (size + PageMapMemory::kPage - 1) / PageMapMemory::kPage * PageMapMemory::kPage;
  heap.data.resize(next_heap_);
  return va;
}

SyntheticKernel::Region* SyntheticKernel::region_of(uint64_t vaddr, uint64_t n) {
  for (auto& r : regions_)
    if (vaddr >= r.vaddr && vaddr - r.vaddr <= r.data.size() &&
        n <= r.data.size() - (vaddr - r.vaddr))
      return &r;
  throw std::runtime_error(fmt::format("{:#x}+{} is in no region", vaddr, n));
}

std::span<std::byte> SyntheticKernel::bytes(uint64_t vaddr, uint64_t n) {
  Region* r = region_of(vaddr, n);
  return {r->data.data() + (vaddr - r->vaddr), n};
}

void SyntheticKernel::put_u16(uint64_t vaddr, uint16_t v) {
  auto b = bytes(vaddr, 2);
  for (int i = 0; i < 2; ++i) b[i] = std::byte(v >> (8 * i));
}
void SyntheticKernel::put_u32(uint64_t vaddr, uint32_t v) {
  auto b = bytes(vaddr, 4);
  for (int i = 0; i < 4; ++i) b[i] = std::byte(v >> (8 * i));
}
void SyntheticKernel::put_u64(uint64_t vaddr, uint64_t v) {
  auto b = bytes(vaddr, 8);
  for (int i = 0; i < 8; ++i) b[i] = std::byte(v >> (8 * i));
}

std::string SyntheticKernel::vmcoreinfo(const std::string& osrelease,
                                        const std::string& extra) const {
  // Keys an x86_64 kernel of these generations exported besides the log buffer's (values
  // point into the synthetic image; nothing here reads them).
  std::string s = fmt::format("OSRELEASE={}\nPAGESIZE=4096\n", osrelease);
  s += fmt::format("SYMBOL(init_uts_ns)={:x}\n", kImageVaddr + 0x3000);
  s += fmt::format("SYMBOL(node_online_map)={:x}\n", kImageVaddr + 0x3100);
  s += fmt::format("SYMBOL(swapper_pg_dir)={:x}\n", kImageVaddr + 0x3200);
  s += fmt::format("SYMBOL(_stext)={:x}\n", kImageVaddr);
  s += fmt::format("SYMBOL(vmap_area_list)={:x}\n", kImageVaddr + 0x3300);
  s += fmt::format("SYMBOL(mem_map)={:x}\n", kImageVaddr + 0x3400);
  s += "SIZE(page)=56\nSIZE(pglist_data)=5824\nSIZE(zone)=1792\nSIZE(free_area)=88\n"
       "SIZE(list_head)=16\nSIZE(nodemask_t)=8\nOFFSET(page.flags)=0\n"
       "OFFSET(page._count)=12\nOFFSET(page.mapping)=24\nOFFSET(page.lru)=40\n"
       "OFFSET(page._mapcount)=8\nOFFSET(page.private)=16\n";
  s += extra;
  s += "LENGTH(zone.free_area)=11\nNUMBER(PG_lru)=5\nNUMBER(PG_private)=11\n"
       "NUMBER(PG_swapcache)=16\nNUMBER(phys_base)=0\nKERNELOFFSET=0\nCRASHTIME=1600000000\n";
  return s;
}

PageMapMemory SyntheticKernel::memory() const {
  PageMapMemory m;
  for (const auto& r : regions_) m.map(r.vaddr, r.data);
  for (uint64_t page : dropped_) m.unmap_page(page);
  return m;
}

void SyntheticKernel::write_vmcore(const std::string& path,
                                   const std::string& vmcoreinfo_text) const {
  SyntheticVmcore core;
  X86_64Regs regs;
  regs.rip = kImageVaddr + 0x1234;
  core.add_prstatus(1, regs);
  core.add_vmcoreinfo(vmcoreinfo_text);
  for (const auto& r : regions_) {
    // Split around dropped pages, as a dump without those pages would be.
    uint64_t begin = 0;
    const uint64_t size = r.data.size();
    for (uint64_t off = 0; off <= size; off += PageMapMemory::kPage) {
      const bool cut = off == size || dropped_.contains(r.vaddr + off);
      if (!cut) continue;
      if (off > begin)
        core.add_load(r.paddr + begin, r.vaddr + begin,
                      std::span<const std::byte>(r.data.data() + begin, off - begin));
      begin = off + PageMapMemory::kPage;
    }
  }
  auto w = core.write(path);
  if (!w) throw std::runtime_error(w.error().message());
}

std::string vmcore_dmesg_path() {
#ifdef VMCORE_DMESG
  return VMCORE_DMESG;
#else
  return {};
#endif
}

OracleResult run_vmcore_dmesg(const std::string& path, int timeout_seconds) {
  OracleResult res;
  const std::string exe = vmcore_dmesg_path();
  if (exe.empty()) return res;
  int pipefd[2];
  if (pipe(pipefd) != 0) return res;
  const pid_t pid = fork();
  if (pid < 0) return res;
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    alarm(static_cast<unsigned>(timeout_seconds));  // SIGALRM survives exec: a hung oracle dies
    execl(exe.c_str(), exe.c_str(), path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipefd[1]);
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n <= 0) break;
    res.out.append(buf, static_cast<size_t>(n));
    if (res.out.size() > (64u << 20)) break;  // runaway output: stop reading
  }
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return res;
}

Result<void> decode_vmcore_file(const std::string& path, LogDecoderFn decoder, LogSink& sink) {
  auto dump = VMCAP_TRY(ElfDump::open(path));
  const auto text = dump->vmcoreinfo_text();
  if (!text) return make_error(ErrorKind::Missing, path, std::nullopt, "no VMCOREINFO note");
  const VmcoreInfo info = VMCAP_TRY(VmcoreInfo::parse(*text, path));
  auto memory = VMCAP_TRY(make_virtual_memory(dump->machine(), dump->memory(), info,
                                              dump->virtual_mappings()));
  return decoder(info, *memory, sink);
}

std::string temp_path(const std::string& stem) {
  static std::atomic<int> counter{0};
  return fmt::format("{}/{}-{}-{}.vmcore", ::testing::TempDir(), stem, getpid(), counter++);
}

}  // namespace vmcap::testing
