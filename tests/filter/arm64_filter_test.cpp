// The page filter on real arm64 kernels (label qemu; fixtures test_vmcores_arm64 and
// makedumpfile_arm64): struct pages reached through vmemmap, which the arm64 walk translates.
//  - Every arm64 tag: -d 31 classifies every RAM page with no rule skipped, in the QEMU ELF
//    dump and the real kdump vmcore alike.
//  - Tags with the guest's /proc/kpageflags (-filter): the same agreement as x86_64 (> 99%).
//  - 4K pages with 48-bit VA (5.10, 6.1): vmcap's filtered core holds the pages makedumpfile
//    1.7.8 of arm64 writes (scripts/makedumpfile-arm64.sh, under qemu-user) at -d 31, 17 and
//    1, and that makedumpfile reads vmcap's core back to the same log.
//  - 52-bit VA (Debian's 6.12, LPA2 or not, 4K or 16K): makedumpfile 1.7.8 refuses the dump
//    ("VA Bits 52 not supported"): pinned, so the day it reads them this test says so.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "capture/core/filtered_core.h"
#include "capture/filter/classify_pages.h"
#include "capture/translate/kernel_view.h"
#include "capture/writer/file_sink.h"
#include "elf/machine.h"
#include "elf/open_dump.h"
#include "tests/filter/category_log.h"
#include "tests/filter/kpageflags_oracle.h"
#include "tests/filter/makedumpfile_oracle.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"

#ifndef VMCAP_ARM64_TAGS
#define VMCAP_ARM64_TAGS "6.1-arm64"
#endif
#ifndef VMCAP_MAKEDUMPFILE_ARM64_SCRIPT
#define VMCAP_MAKEDUMPFILE_ARM64_SCRIPT "scripts/makedumpfile-arm64.sh"
#endif
#ifndef VMCAP_MAKEDUMPFILE_ARM64_DIR
#define VMCAP_MAKEDUMPFILE_ARM64_DIR "makedumpfile-arm64"
#endif

namespace vmcap {
namespace {

using testing::CategoryLog;

std::vector<std::string> arm64_tags() {
  std::vector<std::string> out;
  std::istringstream in(VMCAP_ARM64_TAGS);
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

std::string hex(uint64_t v) {
  std::ostringstream o;
  o << "0x" << std::hex << v;
  return o.str();
}

// makedumpfile of arm64 under qemu-user, as the script prints its command line.
testing::Makedumpfile arm64_makedumpfile(const std::string& tmp_file) {
  const std::string cmd = std::string(VMCAP_MAKEDUMPFILE_ARM64_SCRIPT) + " command --dir " +
                          VMCAP_MAKEDUMPFILE_ARM64_DIR + " > " + tmp_file + " 2>&1";
  if (std::system(cmd.c_str()) != 0) return {"1.7.8-arm64", ""};
  std::string line = testing::read_whole_file(tmp_file);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return {"1.7.8-arm64", line};
}

// The dump's VMCOREINFO says 52-bit VA (configured): makedumpfile 1.7.8 refuses those.
bool va_52(const KernelView& k) { return k.info.number("VA_BITS").value_or(48) == 52; }

class Arm64FilterTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!testing::test_vmcores_configured()) GTEST_SKIP() << "VMCAP_TEST_VMCORES not set";
    dir_ = (testing::test_vmcores_dir() / GetParam()).string();
    ASSERT_TRUE(std::filesystem::exists(dir_ + "/kdump.vmcore")) << dir_ << "/kdump.vmcore missing";
  }

  void open(const std::string& file) {
    auto d = open_dump(dir_ + "/" + file);
    ASSERT_TRUE(d) << d.error().message();
    dump_ = std::move(*d);
    ASSERT_EQ(dump_->machine(), 183) << file << " is not an aarch64 dump";
    auto k = open_kernel_view(*dump_);
    ASSERT_TRUE(k) << k.error().message();
    kernel_ = std::make_unique<KernelView>(std::move(*k));
  }

  // vmcap's filtered core at a level (zstd, makedumpfile -z's compression).
  std::string ours(int level) {
    const std::string out = tmp_.file("vmcap-d" + std::to_string(level) + ".kdump");
    auto sink = FileSink::create(out);
    EXPECT_TRUE(sink) << sink.error().message();
    if (!sink) return "";
    CoreOptions o;
    o.dump_level = level;
    o.write.compression = Compression::Zstd;
    o.write.threads = 2;
    auto r = write_filtered_core(*dump_, kernel_.get(), o, **sink);
    EXPECT_TRUE(r) << r.error().message();
    if (!r) return "";
    std::printf("[ %s -d %d ] vmcap: %s\n", GetParam().c_str(), level, r->filter_summary.c_str());
    return out;
  }

  std::string dir_;
  std::unique_ptr<Dump> dump_;
  std::unique_ptr<KernelView> kernel_;
  testing::TempDir tmp_;
};

TEST_P(Arm64FilterTest, ClassifiesEveryPageWithNoRuleSkipped) {
  for (const char* file : {"qemu.elf", "kdump.vmcore"}) {
    if (!std::filesystem::exists(dir_ + "/" + file)) continue;  // kdump-only scenarios
    SCOPED_TRACE(file);
    open(file);
    if (HasFatalFailure()) return;
    auto r = classify_pages(kernel_->info, *kernel_->memory, dump_->memory(), FilterOptions{31, nullptr});
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_TRUE(r->skipped.empty()) << r->skipped[0].rule << ": " << r->skipped[0].key;
    EXPECT_TRUE(r->warnings.empty()) << r->warnings[0];
    const FilterCounts& n = r->counts;
    std::printf("[ %s %s ] %s\n", GetParam().c_str(), file, format_filter_summary(*r).c_str());
    // An idle guest: most of its RAM is free, and the kernel's own pages are kept.
    EXPECT_GT(n.of(PageCategory::Free), n.total / 2);
    EXPECT_GT(n.kept, 1000u);
    EXPECT_LT(n.kept, n.total / 4);
    // Every struct page was found: a vmemmap the walk cannot reach would show here.
    EXPECT_EQ(n.no_mem_map, 0u);
    EXPECT_EQ(n.unreadable_struct_page, 0u);
  }
}

// arm64 kernels before 5.13 (without the stable backport) state neither SECTION_SIZE_BITS
// nor MAX_PHYSMEM_BITS. With both lines taken out of the real VMCOREINFO, the computed
// values (capture/kernel/sparsemem_numbers.h) keep exactly the same pages, and the summary
// says they were computed; without the machine, the struct page rules are skipped.
TEST_P(Arm64FilterTest, SparsememNumbersComputedWhereVmcoreinfoLacksThem) {
  open("kdump.vmcore");
  if (HasFatalFailure()) return;
  auto stated = classify_pages(kernel_->info, *kernel_->memory, dump_->memory(),
                               FilterOptions{.dump_level = 31, .machine = kEmAarch64});
  ASSERT_TRUE(stated) << stated.error().message();
  std::string text, line;
  std::istringstream in(*dump_->vmcoreinfo_text());
  while (std::getline(in, line))
    if (!line.starts_with("NUMBER(SECTION_SIZE_BITS)=") && !line.starts_with("NUMBER(MAX_PHYSMEM_BITS)="))
      text += line + "\n";
  auto bare = VmcoreInfo::parse(text);
  ASSERT_TRUE(bare) << bare.error().message();
  ASSERT_FALSE(bare->number("SECTION_SIZE_BITS"));
  auto computed = classify_pages(*bare, *kernel_->memory, dump_->memory(),
                                 FilterOptions{.dump_level = 31, .machine = kEmAarch64});
  ASSERT_TRUE(computed) << computed.error().message();
  EXPECT_TRUE(computed->skipped.empty()) << computed->skipped[0].key;
  ASSERT_EQ(computed->warnings.size(), 2u);
  EXPECT_NE(computed->warnings[0].find("NUMBER(SECTION_SIZE_BITS) is not in VMCOREINFO: computed"),
            std::string::npos) << computed->warnings[0];
  EXPECT_EQ(computed->counts.kept, stated->counts.kept);
  EXPECT_TRUE(testing::pfns_only_in(computed->keep, stated->keep).empty() && testing::pfns_only_in(stated->keep, computed->keep).empty());
  auto unknown = classify_pages(*bare, *kernel_->memory, dump_->memory(), FilterOptions{.dump_level = 31});
  ASSERT_TRUE(unknown) << unknown.error().message();
  ASSERT_FALSE(unknown->skipped.empty());
  EXPECT_EQ(unknown->skipped[0].key, "NUMBER(SECTION_SIZE_BITS)");
  std::printf("[ %s ] computed sparsemem numbers keep the same %llu pages\n", GetParam().c_str(),
              static_cast<unsigned long long>(computed->counts.kept));
}

// The -filter scenarios: the guest saved /proc/kpageflags just before the crash.
class Arm64KpageflagsTest : public Arm64FilterTest {};

TEST_P(Arm64KpageflagsTest, AgreesWithTheGuestsKpageflags) {
  ASSERT_TRUE(std::filesystem::exists(dir_ + "/kdump.kpageflags")) << dir_ << "/kdump.kpageflags missing";
  open("kdump.vmcore");
  if (HasFatalFailure()) return;
  auto kpf = testing::read_kpageflags(dir_ + "/kdump.kpageflags");
  ASSERT_TRUE(kpf) << kpf.error().message();
  testing::KpageflagsComparison cmp(std::move(*kpf));
  auto r = classify_pages(kernel_->info, *kernel_->memory, dump_->memory(), FilterOptions{30, &cmp});
  ASSERT_TRUE(r) << r.error().message();
  std::printf("[ %s ] %s\n[ %s ] kpageflags: %s\n", GetParam().c_str(),
              format_filter_summary(*r).c_str(), GetParam().c_str(), cmp.report().c_str());
  EXPECT_GT(cmp.compared(), 100000u);
  EXPECT_GT(cmp.percent(), 99.0) << cmp.report();
}

TEST_P(Arm64FilterTest, SamePagesAsMakedumpfile178OfArm64) {
  open("kdump.vmcore");
  if (HasFatalFailure()) return;
  const testing::Makedumpfile m = arm64_makedumpfile(tmp_.file("command"));
  ASSERT_FALSE(m.command.empty()) << "no arm64 makedumpfile (fixture make_makedumpfile_arm64: "
                                  << VMCAP_MAKEDUMPFILE_ARM64_SCRIPT << " setup)";
  const std::string vmcore = dir_ + "/kdump.vmcore", log = tmp_.file("makedumpfile.log");

  if (va_52(*kernel_)) {
    // Pinned: 1.7.8 has no 4K/16K 52-bit layout; vmcap reads these (the other tests).
    EXPECT_FALSE(testing::run_makedumpfile(m, "-z -d 31 " + vmcore + " " + tmp_.file("m.kdump"), log));
    const std::string said = testing::read_whole_file(log);
    EXPECT_NE(said.find("VA Bits 52 not supported"), std::string::npos) << said;
    std::printf("[ %s ] makedumpfile 1.7.8 refuses it: %s\n", GetParam().c_str(),
                said.substr(0, said.find('\n')).c_str());
    return;
  }
  const uint64_t page = kernel_->info.page_size().value_or(4096);
  for (int level : {31, 17, 1}) {
    SCOPED_TRACE("dump level " + std::to_string(level));
    const std::string mine = ours(level), theirs = tmp_.file("m-d" + std::to_string(level) + ".kdump");
    ASSERT_FALSE(mine.empty());
    ASSERT_TRUE(testing::run_makedumpfile(m, "-z -d " + std::to_string(level) + " " + vmcore + " " + theirs, log))
        << testing::read_whole_file(log);
    auto a = testing::read_kdump_bitmaps(mine);
    ASSERT_TRUE(a) << a.error().message();
    auto b = testing::read_kdump_bitmaps(theirs);
    ASSERT_TRUE(b) << b.error().message();
    EXPECT_EQ(a->info.block_size, b->info.block_size);
    EXPECT_EQ(a->info.max_mapnr, b->info.max_mapnr);
    EXPECT_EQ(a->info.machine, "aarch64");
    const auto kept_ours = testing::pfns_only_in(a->dumped, b->dumped), kept_theirs = testing::pfns_only_in(b->dumped, a->dumped);
    std::printf("[ %s -d %d ] %llu pages written by vmcap; only vmcap %zu, only makedumpfile %zu\n",
                GetParam().c_str(), level, static_cast<unsigned long long>(a->dumped.count()),
                kept_ours.size(), kept_theirs.size());
    EXPECT_TRUE(kept_ours.empty()) << kept_ours.size() << " pages only vmcap keeps, first pfn "
                                   << (kept_ours.empty() ? "" : hex(kept_ours[0]));
    EXPECT_TRUE(kept_theirs.empty()) << kept_theirs.size() << " pages only makedumpfile keeps, first pfn "
                                     << (kept_theirs.empty() ? "" : hex(kept_theirs[0]));
    // The page bytes of both read back the same (at -d 31: the smallest set).
    if (level == 31) {
      auto da = open_dump(mine), db = open_dump(theirs);
      ASSERT_TRUE(da && db);
      std::vector<std::byte> pa(page), pb(page);
      uint64_t compared = 0, differ = 0;
      for (uint64_t p = 0; p < a->dumped.end_pfn(); ++p) {
        if (!a->dumped.test(p) || !b->dumped.test(p)) continue;
        ASSERT_TRUE((*da)->memory().read(p * page, pa)) << hex(p);
        ASSERT_TRUE((*db)->memory().read(p * page, pb)) << hex(p);
        ++compared;
        if (pa != pb) ++differ;
      }
      EXPECT_GT(compared, 5000u);
      EXPECT_EQ(differ, 0u) << "of " << compared << " pages";
      // makedumpfile of arm64 reads vmcap's core: the same log as from the vmcore.
      const std::string from_core = tmp_.file("core.dmesg"), from_vmcore = tmp_.file("vmcore.dmesg");
      ASSERT_TRUE(testing::run_makedumpfile(m, "--dump-dmesg " + mine + " " + from_core, log))
          << testing::read_whole_file(log);
      ASSERT_TRUE(testing::run_makedumpfile(m, "--dump-dmesg " + vmcore + " " + from_vmcore, log))
          << testing::read_whole_file(log);
      const std::string x = testing::read_whole_file(from_core), y = testing::read_whole_file(from_vmcore);
      EXPECT_GT(y.size(), 10000u);
      EXPECT_EQ(x, y) << "makedumpfile's log from vmcap's core differs from the vmcore's";
    }
    std::filesystem::remove(mine);
    std::filesystem::remove(theirs);
  }
}

std::vector<std::string> kpageflags_tags() {
  std::vector<std::string> out;
  for (const std::string& t : arm64_tags())
    if (t.ends_with("-filter")) out.push_back(t);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Kernels, Arm64FilterTest, ::testing::ValuesIn(arm64_tags()), testing::TagName());
INSTANTIATE_TEST_SUITE_P(Kernels, Arm64KpageflagsTest, ::testing::ValuesIn(kpageflags_tags()),
                         testing::TagName());

}  // namespace
}  // namespace vmcap
