// Real arm64 dumps (label qemu; scripts/make-test-vmcore.sh's arm64 tags: Debian 5.10, 6.1,
// 6.12 with LPA2, 6.12 folded to 48 bits, 6.12 16K) read through the arm64 translation:
//  - the log decoded through it holds every record the guest read from /dev/kmsg just
//    before the dump, byte-identical (QEMU ELF, QEMU kdump-zlib and the kdump vmcore);
//  - on the kernel's own page tables, the linear-map formula agrees with the walk for
//    every RAM page the tables map, and the image formula with the walk over the whole
//    image (the kdump vmcore's image PT_LOAD, _text to _end), the image's PT_LOAD and
//    the linear ones agree with translate(), and struct pages are reached through
//    vmemmap;
//  - the layout agrees with what the guest reported (page size, where _stext is).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "capture/kernel/arm64_layout.h"
#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/kmsg_formatter.h"
#include "capture/printk/log_decoder.h"
#include "capture/translate/arm64_virtual_memory.h"
#include "elf/open_dump.h"
#include "tests/support/real_vmcores.h"

namespace vmcap {
namespace {

namespace fs = std::filesystem;

// The dumps of a tag and the guest log each was taken with.
const std::vector<std::pair<std::string, std::string>> kDumps = {
    {"qemu.elf", "qemu.kmsg"},
    {"qemu-kdump-zlib.flat", "qemu.kmsg"},
    {"kdump.vmcore", "kdump.kmsg"},
};

// /dev/kmsg text split into records: a header line and its " KEY=value" lines.
std::vector<std::string> kmsg_records(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    line += '\n';
    if (line[0] == ' ' && !out.empty()) out.back() += line;
    else out.push_back(line);
  }
  return out;
}

uint64_t kmsg_seq(const std::string& record) {
  return std::strtoull(record.c_str() + record.find(',') + 1, nullptr, 10);
}

struct Opened {
  std::unique_ptr<Dump> dump;
  VmcoreInfo info;
  std::unique_ptr<Arm64VirtualMemory> vm;
};

class Arm64RealVmcore : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!testing::test_vmcores_configured())
      GTEST_SKIP() << "VMCAP_TEST_VMCORES not set (the test_vmcores_arm64 fixture did not run)";
    dir_ = testing::test_vmcores_dir() / GetParam();
    for (const auto& [file, kmsg] : kDumps)
      if (fs::exists(dir_ / file)) present_.push_back({file, kmsg});
    if (present_.empty()) GTEST_SKIP() << "no dump in " << dir_;
  }

  void open(const std::string& file, Opened& out) {
    auto dump = open_dump((dir_ / file).string());
    ASSERT_TRUE(dump) << dump.error().message();
    ASSERT_EQ((*dump)->machine(), 183) << file;
    auto text = (*dump)->vmcoreinfo_text();
    ASSERT_TRUE(text) << file << ": no VMCOREINFO";
    auto info = VmcoreInfo::parse(*text, file);
    ASSERT_TRUE(info) << info.error().message();
    auto layout = Arm64Layout::from_vmcoreinfo(*info);
    ASSERT_TRUE(layout) << layout.error().message();
    out.vm = std::make_unique<Arm64VirtualMemory>((*dump)->memory(), *layout);
    out.info = std::move(*info);
    out.dump = std::move(*dump);
  }

  fs::path dir_;
  std::vector<std::pair<std::string, std::string>> present_;
};

TEST_P(Arm64RealVmcore, LogHoldsEveryGuestKmsgRecord) {
  for (const auto& [file, kmsg_file] : present_) {
    SCOPED_TRACE(file);
    Opened o;
    open(file, o);
    if (HasFatalFailure()) return;
    const std::string guest_text = testing::read_whole_file(dir_ / kmsg_file);
    std::ostringstream kmsg, warnings;
    KmsgFormatter kf(kmsg, &warnings, {.caller = guest_text.find(",caller=") != std::string::npos});
    auto g = decode_kernel_log(o.info, *o.vm, kf);
    ASSERT_TRUE(g) << g.error().message();
    EXPECT_EQ(warnings.str(), "");
    auto guest = kmsg_records(guest_text);
    auto mine = kmsg_records(kmsg.str());
    ASSERT_FALSE(guest.empty());
    ASSERT_FALSE(mine.empty());
    EXPECT_LE(kmsg_seq(mine.front()), kmsg_seq(guest.front()));
    size_t j = 0;
    for (const auto& r : guest) {
      while (j < mine.size() && kmsg_seq(mine[j]) < kmsg_seq(r)) ++j;
      ASSERT_LT(j, mine.size()) << "guest record missing from ours: " << r;
      ASSERT_EQ(mine[j], r) << "record seq " << kmsg_seq(r) << " differs";
    }
    EXPECT_GE(mine.size(), guest.size());
    RecordProperty(file + "_records", static_cast<int>(guest.size()));
  }
}

TEST_P(Arm64RealVmcore, FastPathsAgreeWithTheWalkOnTheKernelsTables) {
  for (const auto& [file, kmsg_file] : present_) {
    SCOPED_TRACE(file);
    Opened o;
    open(file, o);
    if (HasFatalFailure()) return;
    const Arm64Layout& l = o.vm->layout();
    const uint64_t page = l.page_size();

    // The linear map over every page of RAM the dump holds.
    uint64_t agree = 0, unmapped = 0, pages = 0;
    for (const auto& r : o.dump->memory().ranges()) {
      for (uint64_t pa = (r.start + page - 1) & ~(page - 1); pa + page <= r.end(); pa += page) {
        ++pages;
        const uint64_t va = l.phys_to_linear(pa);
        ASSERT_TRUE(l.in_linear_map(va)) << fmt::format("{:#x} -> {:#x}", pa, va);
        auto fast = o.vm->translate(va);
        ASSERT_TRUE(fast);
        ASSERT_EQ(fast->paddr, pa);
        auto walked = o.vm->walk(va);
        if (!walked) {
          // Left out of the linear map (crashkernel, no-map): unmapped, never malformed.
          ASSERT_EQ(walked.error().kind, ErrorKind::Hole) << walked.error().message();
          ++unmapped;
          continue;
        }
        ASSERT_EQ(walked->paddr, pa) << fmt::format("linear {:#x}", va);
        ++agree;
      }
    }
    EXPECT_GT(agree, pages * 3 / 4) << agree << " of " << pages << " pages";
    RecordProperty(file + "_linear_pages_agree", static_cast<int>(agree));
    RecordProperty(file + "_linear_pages_unmapped", static_cast<int>(unmapped));

    // The image: the part the symbols bound, and on kdump vmcores the whole of it as
    // kexec-tools states it (p_vaddr = _text, to _end).
    std::vector<Arm64Range> image = {l.image};
    for (const auto& m : o.dump->virtual_mappings())
      if (!l.in_linear_map(m.vaddr) && m.vaddr >= l.kernel_va_start())
        image.push_back({m.vaddr, m.vaddr + m.size});
    uint64_t image_pages = 0, image_unmapped = 0;
    for (const auto& range : image) {
      for (uint64_t va = range.start; va != range.end; va += page) {
        auto walked = o.vm->walk(va);
        if (!walked) {
          // free_initmem() unmaps __init_begin..__init_end from the image after boot.
          ASSERT_EQ(walked.error().kind, ErrorKind::Hole) << walked.error().message();
          ++image_unmapped;
          continue;
        }
        ASSERT_EQ(walked->paddr, l.image_to_phys(va)) << fmt::format("image {:#x}", va);
        auto fast = o.vm->translate(va);
        ASSERT_TRUE(fast);
        ASSERT_EQ(fast->paddr, walked->paddr);
        ++image_pages;
      }
    }
    // The init section is a fifth to a quarter of what the symbols bound.
    EXPECT_GT(image_pages, image_unmapped * 2);
    EXPECT_GT(image_pages * page, 16u << 20);
    RecordProperty(file + "_image_pages_agree", static_cast<int>(image_pages));
    RecordProperty(file + "_image_pages_unmapped", static_cast<int>(image_unmapped));

    // Every mapping the dump states, as the translation finds it. kexec-tools states the
    // image from _text, which 6.1 leaves unmapped below _stext (kallsyms has no _text
    // there; the fixture gives kexec-tools _stext - 64K): the walk says so.
    uint64_t stated_agree = 0;
    for (const auto& m : o.dump->virtual_mappings()) {
      for (uint64_t off = 0; off < m.size; off += std::max<uint64_t>(page, m.size / 64)) {
        auto walked = o.vm->walk(m.vaddr + off);
        if (!walked) {
          ASSERT_EQ(walked.error().kind, ErrorKind::Hole) << walked.error().message();
          continue;
        }
        EXPECT_EQ(walked->paddr, m.paddr + off) << fmt::format("stated {:#x}", m.vaddr + off);
        auto t = o.vm->translate(m.vaddr + off);
        ASSERT_TRUE(t) << t.error().message();
        EXPECT_EQ(t->paddr, m.paddr + off) << fmt::format("stated {:#x}", m.vaddr + off);
        ++stated_agree;
      }
    }
    if (!o.dump->virtual_mappings().empty()) EXPECT_GT(stated_agree, 64u);

    // struct page of the first RAM pfn, through vmemmap (outside both fast paths).
    ASSERT_TRUE(l.vmemmap);
    const uint64_t first_pfn = o.dump->memory().ranges().front().start >> l.page_shift;
    const uint64_t struct_page = *l.vmemmap + first_pfn * l.struct_page_size;
    EXPECT_FALSE(l.in_linear_map(struct_page) || l.in_image(struct_page));
    std::byte flags[8];
    auto r = o.vm->read(struct_page, flags);
    EXPECT_TRUE(r) << r.error().message();
  }
}

TEST_P(Arm64RealVmcore, LayoutMatchesTheGuestReport) {
  const auto& [file, kmsg_file] = present_.front();
  Opened o;
  open(file, o);
  if (HasFatalFailure()) return;
  const Arm64Layout& l = o.vm->layout();
  const fs::path report = dir_ / (file.starts_with("qemu") ? "qemu.report" : "kdump.report");
  auto kv = testing::read_report(report);
  EXPECT_EQ(kv["page_size"], std::to_string(l.page_size()));
  EXPECT_EQ(kv["kconfig_ARM64_VA_BITS"], std::to_string(l.va_bits));
  // kernel_code_range starts at __pa(_text) (6.12) or __pa(_stext) (5.10, 6.1).
  const uint64_t code = std::strtoull(kv["kernel_code_range"].c_str(), nullptr, 16);
  const uint64_t stext = std::strtoull(kv["stext_addr"].c_str(), nullptr, 16);
  const uint64_t text = std::strtoull(kv["text_addr"].c_str(), nullptr, 16);
  EXPECT_TRUE(code == l.image_to_phys(stext) || code == l.image_to_phys(text))
      << fmt::format("code {:#x} stext {:#x} text {:#x}", code, stext, text);
  // Folded 6.12 runs one level fewer than it was built for.
  const unsigned built = std::stoul(kv["kconfig_PGTABLE_LEVELS"]);
  EXPECT_EQ(l.levels, l.runtime_va_bits < l.va_bits && l.page_shift != 16 ? built - 1 : built);
  RecordProperty("levels", static_cast<int>(l.levels));
  RecordProperty("runtime_va_bits", static_cast<int>(l.runtime_va_bits));
}

INSTANTIATE_TEST_SUITE_P(Kernels, Arm64RealVmcore, ::testing::ValuesIn(testing::test_vmcore_tags()),
                         testing::TagName());

}  // namespace
}  // namespace vmcap
