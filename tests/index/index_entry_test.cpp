// Index entries: made from a manifest, rendered, read back; and what the reader refuses
// (garbage, truncation, size, wrong types, another schema).
#include <gtest/gtest.h>

#include "index/index_entry.h"

namespace vmcap::index {
namespace {

run::Manifest sample_manifest() {
  run::Manifest m;
  m.directory = "web-1-20261207T060946Z-ee336ce3";
  m.complete = true;
  m.host = "web-1";
  m.started = "2026-12-07T06:10:00Z";
  m.vmcap_version = "0.1.0";
  m.kernel_release = "6.1.0-50-amd64";
  m.build_id = "06f8bde30046985060c60820f7a11515a33afb06";
  m.machine = "x86_64";
  m.crash_time = 1796623786;
  m.crash = run::ManifestCrash{"Kernel panic - not syncing: sysrq triggered crash", 0xffffffff81000000ull,
                               "__crash_kexec+0x11a/0x130", {"sysrq_handle_crash", "__handle_sysrq"},
                               "d3c3c3b6db57c97c", {}};
  m.vmcore = "/proc/vmcore";
  m.artifacts = {{"dmesg.txt", 10, "aa", "s3"}, {"dmesg.json", 20, "bb", "s3"}, {"vmcore.flat", 30000, "cc", "s3"}};
  return m;
}

TEST(IndexEntry, FromAManifestAndBack) {
  std::string log;
  for (int i = 0; i < 50; ++i) log += "line " + std::to_string(i) + "\n";
  IndexEntry e = entry_from_manifest(sample_manifest(), "s3", log);
  EXPECT_TRUE(e.core_kept);
  EXPECT_EQ(e.core_name, "vmcore.flat");
  EXPECT_EQ(e.core_size, 30000u);
  EXPECT_EQ(e.artifacts, (std::vector<std::string>{"dmesg.txt", "dmesg.json", "vmcore.flat"}));
  ASSERT_EQ(e.log_tail.size(), kLogTailLines);
  EXPECT_EQ(e.log_tail.front(), "line 30");
  EXPECT_EQ(e.log_tail.back(), "line 49");
  const std::string text = render_index_entry(e);
  EXPECT_LT(text.size(), 4096u);
  auto back = parse_index_entry(text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->directory, e.directory);
  EXPECT_EQ(back->hash, "d3c3c3b6db57c97c");
  EXPECT_EQ(back->build_id, e.build_id);
  EXPECT_EQ(back->frames, e.frames);
  EXPECT_EQ(back->crash_time, e.crash_time);
  EXPECT_EQ(back->log_tail, e.log_tail);
  EXPECT_TRUE(back->core_kept);
  EXPECT_EQ(back->core_size, 30000u);
}

TEST(IndexEntry, ASkippedCoreNamesItsHolders) {
  run::Manifest m = sample_manifest();
  m.artifacts.pop_back();
  m.core_dedup = run::ManifestCoreDedup{"signature", 1, "s3", true, {"web-2-20261201T000000Z-00000001"}, "1 capture", 12};
  auto back = parse_index_entry(render_index_entry(entry_from_manifest(m, "s3", "")));
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->core_kept);
  EXPECT_EQ(back->core_holders, std::vector<std::string>{"web-2-20261201T000000Z-00000001"});
  EXPECT_EQ(back->core_note, "skipped: 1 capture");
}

TEST(IndexEntry, ACoreOnlyInTheFallbackIsNotKept) {
  run::Manifest m = sample_manifest();
  m.artifacts.back().destination = "fallback";
  EXPECT_FALSE(entry_from_manifest(m, "s3", "").core_kept);
}

TEST(IndexEntry, LongLinesAndBigLogsStayBounded) {
  std::string log(100000, 'x');
  log += "\n" + std::string(100000, 'y') + "\n";
  auto tail = log_tail_of(log);
  size_t bytes = 0;
  for (const auto& l : tail) bytes += l.size();
  EXPECT_LE(bytes, kLogTailBytes);
  ASSERT_FALSE(tail.empty());
  EXPECT_EQ(tail.back(), std::string(512, 'y'));
  EXPECT_TRUE(log_tail_of("").empty());
}

TEST(IndexEntry, BadInputIsRefused) {
  const std::string good = render_index_entry(entry_from_manifest(sample_manifest(), "s3", "a\n"));
  ASSERT_TRUE(parse_index_entry(good));
  EXPECT_FALSE(parse_index_entry(""));
  EXPECT_FALSE(parse_index_entry("\x89PNG garbage"));
  for (size_t cut : {size_t(1), good.size() / 2, good.size() - 3}) EXPECT_FALSE(parse_index_entry(good.substr(0, cut))) << cut;
  EXPECT_FALSE(parse_index_entry("[1,2,3]"));
  EXPECT_FALSE(parse_index_entry(R"({"schema":"vmcap-manifest/1","directory":"x","core":{"kept":true}})"));
  EXPECT_FALSE(parse_index_entry(R"({"schema":"vmcap-index/1","directory":"x","core":{"kept":"yes"}})"));
  EXPECT_FALSE(parse_index_entry(R"({"schema":"vmcap-index/1","directory":"x"})"));
  EXPECT_FALSE(parse_index_entry(R"({"schema":"vmcap-index/1","directory":7,"core":{"kept":true}})"));
  EXPECT_FALSE(parse_index_entry(R"({"schema":"vmcap-index/1","directory":"x","core":{"kept":true},"crash":{"hash":5}})"));
  EXPECT_FALSE(parse_index_entry(R"({"schema":"vmcap-index/1","directory":"x","core":{"kept":true},"log_tail":[1]})"));
  EXPECT_TRUE(parse_index_entry(R"({"schema":"vmcap-index/1","directory":"x","core":{"kept":true}})"));
  // Larger than kMaxEntryBytes: refused before parsing, whatever it holds.
  std::string huge = good;
  huge.insert(huge.size() - 2, std::string(kMaxEntryBytes, ' '));
  auto r = parse_index_entry(huge);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Limit);
}

}  // namespace
}  // namespace vmcap::index
