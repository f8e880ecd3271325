// The page filter and the capture run on real vmcores whose kernel structures are damaged
// the way a crashed machine damages them (issue 7): mem_section entries with garbage,
// pointing at themselves, NULL for a present section, or into a hole; struct pages with
// garbage flags, compound orders and buddy orders. Each test derives a small dump from a
// real one (filter_slice.h), damages it, and checks that `vmcap filter` neither crashes nor
// hangs (ctest TIMEOUT), keeps what it cannot judge (libkdumpfile reads those pages back
// from the filtered core, byte for byte), says what it could not read, and writes a core
// that vmcap info, vmcap dmesg and libkdumpfile open; and that `vmcap capture` on such a
// dump still saves the log and the manifest and decides its final action.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "capture/filter/struct_page_layout.h"
#include "tests/cli/run_vmcap.h"
#include "tests/hardening/filter_slice.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"

namespace vmcap::testing {
namespace {

namespace fs = std::filesystem;


// The one capture directory a run left under `root`.
fs::path only_capture_dir(const fs::path& root) {
  std::vector<fs::path> dirs;
  if (fs::exists(root))
    for (const auto& e : fs::directory_iterator(root))
      if (e.is_directory() && e.path().filename() != "index") dirs.push_back(e.path());  // index/: the crash index
  EXPECT_EQ(dirs.size(), 1u) << "capture directories under " << root;
  return dirs.empty() ? root / "missing" : dirs[0];
}

struct Filtered {
  RunResult run;
  uint64_t kept = 0, total = 0;
  uint64_t free = 0;  // pages excluded as free (the summary's "free N")
};

class CorruptedFilter : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const char* root = std::getenv("VMCAP_TEST_VMCORES");
    if (!root || !*root) GTEST_SKIP() << "VMCAP_TEST_VMCORES not set (qemu fixture not run)";
    const std::string path = std::string(root) + "/" + GetParam() + "/kdump.vmcore";
    ASSERT_TRUE(fs::exists(path)) << path;
    auto s = FilterSlice::from(path);
    ASSERT_TRUE(s) << s.error().message();
    slice_ = std::make_unique<FilterSlice>(std::move(*s));
    ASSERT_TRUE(slice_->layout().usable);
    // The undamaged slice: filtered, the baseline every damaged one is compared with.
    base_ = filter(*slice_, "base");
    ASSERT_TRUE(base_.run.status == 0 || base_.run.status == 1) << base_.run.err;
    ASSERT_GT(base_.total, base_.kept) << "the slice must have pages to leave out\n" << base_.run.err;
    base_log_ = run_vmcap({"dmesg", dir_.file("base.vmcore")});
    ASSERT_EQ(base_log_.status, 0) << base_log_.err;
  }

  Filtered filter(const FilterSlice& s, const std::string& name) {
    const std::string in = dir_.file(name + ".vmcore"), out = dir_.file(name + ".kdump");
    auto w = s.write(in);
    EXPECT_TRUE(w) << (w ? "" : w.error().message());
    Filtered f;
    f.run = run_vmcap({"filter", "-d", "31", "--compress", "zlib", in, out});
    std::smatch m;
    static const std::regex kept(R"(kept (\d+) of (\d+) pages)");
    if (std::regex_search(f.run.err, m, kept)) f.kept = std::stoull(m[1]), f.total = std::stoull(m[2]);
    static const std::regex free(R"(excluded: .*\bfree (\d+))");
    if (std::regex_search(f.run.err, m, free)) f.free = std::stoull(m[1]);
    return f;
  }

  // What every damaged filter run must give: no crash, a summary, a core that vmcap and
  // libkdumpfile open, the log unchanged (the damage is not in the log's pages), and the
  // pages in `must_keep` in the core with their exact bytes.
  void expect_usable(const Filtered& f, const std::string& name, const std::vector<uint64_t>& must_keep) {
    ASSERT_NE(f.run.status, -1) << "killed by a signal\n" << f.run.err;
    ASSERT_TRUE(f.run.status == 0 || f.run.status == 1) << "status " << f.run.status << "\n" << f.run.err;
    EXPECT_EQ(f.total, base_.total) << f.run.err;
    const std::string core = dir_.file(name + ".kdump");
    auto info = run_vmcap({"info", core});
    EXPECT_EQ(info.status, 0) << info.err;
    auto log = run_vmcap({"dmesg", core});
    EXPECT_EQ(log.status, 0) << log.err;
    EXPECT_EQ(log.out, base_log_.out);
    expect_pages_in_core(core, must_keep);
  }

  void expect_pages_in_core(const std::string& core, const std::vector<uint64_t>& pfns) {
    if (std::system("/usr/bin/python3 -c 'import kdumpfile' >/dev/null 2>&1") != 0) {
      ADD_FAILURE() << "python3-libkdumpfile not installed (scripts/packages/qemu.txt)";
      return;
    }
    const std::string list = dir_.file("pfns.txt"), out = dir_.file("pages.bin");
    {
      std::ofstream f(list);
      f << std::hex;
      for (uint64_t p : pfns) f << p << "\n";
    }
    const std::string cmd = "/usr/bin/python3 " VMCAP_LIBKDUMPFILE_SCRIPT " " + core + " " + list + " " +
                            out + " > " + dir_.file("kdumpfile.log") + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << read_whole_file(dir_.file("kdumpfile.log"));
    const std::string got = read_whole_file(out);
    ASSERT_EQ(got.size(), pfns.size() * 4096);
    size_t differ = 0;
    for (size_t i = 0; i < pfns.size(); ++i) {
      const std::byte* want = slice_->page(pfns[i]);
      if (!want || std::memcmp(got.data() + i * 4096, want, 4096) != 0) ++differ;
    }
    EXPECT_EQ(differ, 0u) << "of " << pfns.size() << " pages that must be kept";
  }

  // Every pfn of window i.
  std::vector<uint64_t> window_pfns(size_t i) const {
    std::vector<uint64_t> out;
    const PfnWindow& w = slice_->windows()[i];
    for (uint64_t p = w.first; p < w.first + w.count; ++p) out.push_back(p);
    return out;
  }

  // Replaces the section_mem_map of window 0's section; returns the section number.
  uint64_t damage_section(const std::function<uint64_t(uint64_t entry, uint64_t first_offset)>& value_for_entry_at) {
    const PfnWindow& w = slice_->windows()[0];
    auto entry = slice_->section_entry(w.section);
    EXPECT_TRUE(entry);
    const uint64_t first_offset = w.section * slice_->pages_per_section() * slice_->layout().size;
    EXPECT_NE(slice_->at(*entry, 8), nullptr) << "mem_section entry not copied";
    slice_->put_u64(*entry, value_for_entry_at(*entry, first_offset));
    return w.section;
  }

  // The damaged section: its pages all kept, a warning naming it.
  void expect_section_kept(const std::string& name, uint64_t section, const char* why) {
    Filtered f = filter(*slice_, name);
    expect_usable(f, name, window_pfns(0));
    EXPECT_GT(f.kept, base_.kept) << f.run.err;
    EXPECT_EQ(f.run.status, 1) << "a warning makes the status partial\n" << f.run.err;
    EXPECT_NE(f.run.err.find("section " + std::to_string(section) + " "), std::string::npos) << f.run.err;
    EXPECT_NE(f.run.err.find(why), std::string::npos) << f.run.err;
  }

  // Struct pages of every window pfn for which `pick` says yes; `damage` changes them.
  template <typename Pick, typename Damage>
  std::vector<uint64_t> damage_struct_pages(Pick pick, Damage damage) {
    std::vector<uint64_t> done;
    const uint64_t size = slice_->layout().size;
    for (size_t i = 0; i < slice_->windows().size(); ++i)
      for (uint64_t pfn : window_pfns(i)) {
        auto sp = slice_->struct_page(pfn);
        if (!sp) continue;
        std::byte* page = slice_->at(*sp, size);
        std::byte* next = slice_->at(*sp + size, size);
        if (page && pick(pfn, page, next)) {
          damage(pfn, page, next);
          done.push_back(pfn);
        }
      }
    return done;
  }

  TempDir dir_;
  std::unique_ptr<FilterSlice> slice_;
  Filtered base_;
  RunResult base_log_;
};

uint64_t word(const std::byte* p, uint64_t off) {
  uint64_t v;
  std::memcpy(&v, p + off, 8);
  return v;
}
uint32_t word32(const std::byte* p, uint64_t off) {
  uint32_t v;
  std::memcpy(&v, p + off, 4);
  return v;
}

TEST_P(CorruptedFilter, GarbageSectionPointer) {
  const uint64_t s = damage_section([](uint64_t, uint64_t) { return uint64_t{0x5a5a5a5a5a5a5a43}; });
  expect_section_kept("garbage", s, "its pages are kept");
}

TEST_P(CorruptedFilter, SectionPointerAtItself) {
  // The entry decodes to a mem_map at the entry's own address: struct pages read from the
  // mem_section table are garbage.
  const uint64_t s = damage_section(
      [](uint64_t entry, uint64_t first) { return ((entry & ~uint64_t{0x3f}) - first) | 3; });
  expect_section_kept("itself", s, "its pages are kept");
}

TEST_P(CorruptedFilter, NullMemMapForPresentSection) {
  const uint64_t s = damage_section([](uint64_t, uint64_t first) { return (0 - first) | 3; });
  expect_section_kept("null", s, "unreadable");
}

TEST_P(CorruptedFilter, MemMapPointerIntoHole) {
  // 8 GiB of pfns further on: struct pages of memory the guest never had.
  const uint64_t s = damage_section([&](uint64_t entry, uint64_t) {
    return slice_->u64(entry) + (8ull << 30) / 4096 * slice_->layout().size;
  });
  expect_section_kept("hole", s, "unreadable");
}

TEST_P(CorruptedFilter, SectionEntryZeroed) {
  // A present section whose entry reads as absent: no struct pages, so no rule excludes.
  const uint64_t s = damage_section([](uint64_t, uint64_t) { return uint64_t{0}; });
  Filtered f = filter(*slice_, "absent");
  expect_usable(f, "absent", window_pfns(0));
  EXPECT_GT(f.kept, base_.kept) << f.run.err;
  (void)s;
}

TEST_P(CorruptedFilter, GarbageStructPageFlags) {
  std::mt19937_64 rng(20261122);
  const uint64_t flags = slice_->layout().flags;
  const auto damaged = damage_struct_pages([](uint64_t pfn, const std::byte*, const std::byte*) { return pfn % 3 == 0; },
                                           [&](uint64_t, std::byte* page, std::byte*) {
                                             const uint64_t g = rng();
                                             std::memcpy(page + flags, &g, 8);
                                           });
  ASSERT_GT(damaged.size(), 100u);
  Filtered f = filter(*slice_, "flags");
  expect_usable(f, "flags", {});
}

TEST_P(CorruptedFilter, GarbageCompoundOrders) {
  const StructPageLayout& l = slice_->layout();
  if (!l.compound_rule || !l.head_mask) GTEST_SKIP() << "no compound page rule for this kernel";
  int n = 0;
  const auto heads = damage_struct_pages(
      [&](uint64_t, const std::byte* page, const std::byte* next) {
        return next && (word(page, l.flags) & *l.head_mask);
      },
      [&](uint64_t, std::byte*, std::byte* next) {
        const uint8_t order = (n++ % 2) ? 0xff : 29;  // too large, or misaligned
        if (l.order_in_flags_1) next[l.flags] = std::byte(order);
        else next[*l.compound_order] = std::byte(order);
      });
  if (heads.empty()) GTEST_SKIP() << "no compound head in the windows";
  Filtered f = filter(*slice_, "compound");
  expect_usable(f, "compound", {});
  // A garbage order makes the head decide one page: nothing beyond it is excluded with it.
  EXPECT_GE(f.kept, base_.kept) << f.run.err;
}

TEST_P(CorruptedFilter, HugeBuddyOrders) {
  const StructPageLayout& l = slice_->layout();
  if (!l.free_rule || !l.mapcount || !l.private_) GTEST_SKIP() << "no free page rule for this kernel";
  const auto buddies = damage_struct_pages(
      [&](uint64_t, const std::byte* page, const std::byte*) { return l.buddy->matches(word32(page, *l.mapcount)); },
      [&](uint64_t pfn, std::byte* page, std::byte*) {
        const uint64_t order = 0xffff0000ull ^ pfn;
        std::memcpy(page + *l.private_, &order, 8);
      });
  ASSERT_FALSE(buddies.empty()) << "no free block in the windows";
  Filtered f = filter(*slice_, "buddy");
  expect_usable(f, "buddy", buddies);  // every page claiming a garbage order is kept
  // No longer excluded as free. (They may still go as zero pages: a free page is often all
  // zeros, and a zero page reads back the same whatever the order said.)
  EXPECT_LT(f.free, base_.free) << f.run.err << "\nbase:\n" << base_.run.err;
  EXPECT_GE(f.kept, base_.kept) << f.run.err;
  EXPECT_EQ(f.run.status, 1) << f.run.err;
  EXPECT_NE(f.run.err.find("buddy page with invalid order"), std::string::npos) << f.run.err;
}

// The capture run on a dump with a garbage section and garbage buddy orders: the log and
// the manifest are saved, the core too, and the final action is decided.
TEST_P(CorruptedFilter, CaptureStillSavesLogAndManifest) {
  damage_section([](uint64_t, uint64_t) { return uint64_t{0x5a5a5a5a5a5a5a43}; });
  const StructPageLayout& l = slice_->layout();
  if (l.free_rule && l.mapcount && l.private_)
    damage_struct_pages(
        [&](uint64_t, const std::byte* page, const std::byte*) { return l.buddy->matches(word32(page, *l.mapcount)); },
        [&](uint64_t, std::byte* page, std::byte*) {
          const uint64_t order = 77;
          std::memcpy(page + *l.private_, &order, 8);
        });
  const std::string in = dir_.file("capture.vmcore");
  ASSERT_TRUE(slice_->write(in));
  const std::string conf = dir_.file("vmcap.conf");
  std::ofstream(conf) << "final_action = none\nfailure_action = none\nfallback_path = none\n"
                         "[destination disk]\nurl = file://" + dir_.file("out") + "\n";
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", in, "--dry-run"});
  ASSERT_NE(r.status, -1) << r.err;
  EXPECT_TRUE(r.status == 0 || r.status == 1) << r.err;
  EXPECT_NE(r.err.find("final action: none"), std::string::npos) << r.err;
  const fs::path dir = only_capture_dir(dir_.file("out"));
  EXPECT_EQ(read_whole_file(dir / "dmesg.txt"), run_vmcap({"dmesg", in}).out);
  const auto m = nlohmann::json::parse(read_whole_file(dir / "manifest.json"), nullptr, false);
  ASSERT_FALSE(m.is_discarded()) << read_whole_file(dir / "manifest.json");
  EXPECT_EQ(m["schema"], "vmcap-manifest/1");
  EXPECT_EQ(m["complete"], true) << m.dump(2);
  // Every artifact listed is there with its size: the log first, then the core.
  std::vector<std::string> names;
  for (const auto& a : m["artifacts"]) {
    names.push_back(a["name"]);
    EXPECT_EQ(fs::file_size(dir / names.back()), a["size"].get<uint64_t>()) << names.back();
  }
  EXPECT_EQ(names, (std::vector<std::string>{"dmesg.txt", "dmesg.json", "vmcore.flat"}));
  // The core it streamed opens and gives the same log.
  auto from_core = run_vmcap({"dmesg", (dir / "vmcore.flat").string()});
  EXPECT_EQ(from_core.status, 0) << from_core.err;
  EXPECT_EQ(from_core.out, read_whole_file(dir / "dmesg.txt"));
}

INSTANTIATE_TEST_SUITE_P(RealKernels, CorruptedFilter, ::testing::ValuesIn(test_vmcore_tags(/*plain_only=*/true)),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

}  // namespace
}  // namespace vmcap::testing
