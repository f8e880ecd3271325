// A pstore dump's text as log records (pstore/collect/pstore_log.h): the "<PRI>[time][caller] "
// prefix the kmsg dumper writes on every line, and lines without one.
#include <gtest/gtest.h>

#include "pstore/collect/pstore_log.h"

namespace vmcap::pstore {
namespace {

TEST(PstoreLog, PrefixesGiveLevelFacilityTimeAndCaller) {
  auto log = records_from_pstore_text(
      "<6>[    2.319329] vmcap-fill 0183 payload\n"
      "<14>[   10.000001][  T123] from user space\n"
      "<0>[ 1234.500000][    C1] Kernel panic - not syncing: x\n"
      "<4> no time here\n");
  ASSERT_EQ(log.records.size(), 4u);
  EXPECT_EQ(log.unprefixed_lines, 0u);
  EXPECT_EQ(log.records[0].level, 6);
  EXPECT_EQ(log.records[0].facility, 0);
  EXPECT_EQ(log.records[0].ts_nsec, 2319329000ull);
  EXPECT_EQ(log.records[0].text, "vmcap-fill 0183 payload");
  EXPECT_EQ(log.records[1].level, 6);
  EXPECT_EQ(log.records[1].facility, 1);
  ASSERT_TRUE(log.records[1].caller_id.has_value());
  EXPECT_EQ(*log.records[1].caller_id, 123u);
  EXPECT_EQ(log.records[1].text, "from user space");
  ASSERT_TRUE(log.records[2].caller_id.has_value());
  EXPECT_EQ(*log.records[2].caller_id, 0x80000001u);
  EXPECT_EQ(log.records[2].ts_nsec, 1234500000000ull);
  EXPECT_EQ(log.records[3].text, " no time here") << "without a time no space is eaten";
}

TEST(PstoreLog, LinesWithoutAPrefixAreKeptAsTheyAre) {
  auto log = records_from_pstore_text("ne cut by the kernel\n<5>[    1.000000] whole\n<99999>[ 1.0] x\n<6\n");
  ASSERT_EQ(log.records.size(), 4u);
  EXPECT_EQ(log.unprefixed_lines, 3u);
  EXPECT_FALSE(log.records[0].level_known);
  EXPECT_EQ(log.records[0].text, "ne cut by the kernel");
  EXPECT_TRUE(log.records[1].level_known);
  EXPECT_EQ(log.records[2].text, "<99999>[ 1.0] x") << "a priority above 1023 is no prefix";
  EXPECT_EQ(log.records[3].text, "<6");
}

TEST(PstoreLog, ABadTimeIsLeftInTheText) {
  auto log = records_from_pstore_text("<6>[    1.23] short fraction\n<6>[99999999999999999999.000000] huge\n");
  ASSERT_EQ(log.records.size(), 2u);
  EXPECT_EQ(log.records[0].ts_nsec, 0u);
  EXPECT_EQ(log.records[0].text, "[    1.23] short fraction");
  EXPECT_EQ(log.records[1].text, "[99999999999999999999.000000] huge");
}

TEST(PstoreLog, ALongLineIsSplitAndNothingIsLost) {
  std::string line(2 * kMaxPstoreLineBytes + 100, 'a');
  line += "TAILMARK";
  auto log = records_from_pstore_text("<6>[    1.000000] " + line + "\n<0>[    2.000000] after\n");
  ASSERT_EQ(log.records.size(), 4u);
  EXPECT_EQ(log.split_lines, 1u);
  std::string joined;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_LE(log.records[i].text.size(), kMaxPstoreLineBytes);
    joined += log.records[i].text;
  }
  EXPECT_EQ(joined, line) << "the line's bytes, all of them, in order";
  EXPECT_EQ(log.records[3].text, "after");
  EXPECT_TRUE(records_from_pstore_text("").records.empty());
}

}  // namespace
}  // namespace vmcap::pstore
