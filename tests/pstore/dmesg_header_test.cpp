// The "%s#%d Part%u\n" line that starts every dmesg part (fs/pstore/platform.c).
#include "pstore/records/dmesg_header.h"

#include <gtest/gtest.h>

namespace vmcap::pstore {
namespace {

TEST(DmesgHeader, EveryReasonOfEveryKernel) {
  struct Case {
    const char* word;
    DumpReason reason;
  };
  for (const Case& c : {Case{"Panic", DumpReason::Panic}, Case{"Oops", DumpReason::Oops},
                        Case{"Emergency", DumpReason::Emergency}, Case{"Shutdown", DumpReason::Shutdown},
                        Case{"Unknown", DumpReason::Unknown}, Case{"Restart", DumpReason::Restart},
                        Case{"Halt", DumpReason::Halt}, Case{"Poweroff", DumpReason::Poweroff}}) {
    SCOPED_TRACE(c.word);
    const std::string record = std::string(c.word) + "#2 Part7\n<6>[    1.000000] text\n";
    auto h = parse_dmesg_header(record);
    ASSERT_TRUE(h) << h.error().reason;
    EXPECT_EQ(h->reason, c.reason);
    EXPECT_EQ(h->reason_text, c.word);
    EXPECT_EQ(dump_reason_name(h->reason), c.word);
    EXPECT_EQ(h->counter, 2);
    EXPECT_EQ(h->part, 7u);
    EXPECT_EQ(record.substr(h->text_offset), "<6>[    1.000000] text\n");
  }
}

TEST(DmesgHeader, OtherWordsAreKeptAsWritten) {
  auto h = parse_dmesg_header("Watchdog_2#1 Part1\n");
  ASSERT_TRUE(h) << h.error().reason;
  EXPECT_EQ(h->reason, DumpReason::Other);
  EXPECT_EQ(h->reason_text, "Watchdog_2");
  EXPECT_EQ(h->text_offset, 19u);  // a header with no text after it
}

TEST(DmesgHeader, NumbersAtTheirLimits) {
  auto h = parse_dmesg_header("Oops#2147483647 Part4294967295\nx");
  ASSERT_TRUE(h) << h.error().reason;
  EXPECT_EQ(h->counter, 2147483647);
  EXPECT_EQ(h->part, 4294967295u);
  auto negative = parse_dmesg_header("Oops#-1 Part1\n");  // %d of a wrapped counter
  ASSERT_TRUE(negative) << negative.error().reason;
  EXPECT_EQ(negative->counter, -1);
}

TEST(DmesgHeader, GarbageHeadersAreErrorsThatSayWhatWasFound) {
  struct Case {
    std::string record;
    const char* says;
  };
  for (const Case& c : {
           Case{"", "no reason word"},
           Case{"<6>[    1.000000] text\n", "no reason word"},
           Case{"#1 Part1\n", "no reason word"},
           Case{"Panic 1 Part1\n", "no '#'"},
           Case{"Panic", "no '#'"},
           Case{"Panic#", "no dump counter"},
           Case{"Panic#x Part1\n", "no dump counter"},
           Case{"Panic#- Part1\n", "no dump counter"},
           Case{"Panic#1\n", "no \" Part\""},
           Case{"Panic#1 part1\n", "no \" Part\""},
           Case{"Panic#1 Part\n", "no part number"},
           Case{"Panic#1 Part-1\n", "no part number"},
           Case{"Panic#1 Part1", "does not end"},
           Case{"Panic#1 Part1 \n", "does not end"},
           Case{"Panic#1 Part1\r\n", "does not end"},
           Case{"Panic#2147483648 Part1\n", "no dump counter"},
           Case{"Panic#1 Part4294967296\n", "no part number"},
           Case{"Panic#1 Part99999999999999999999\n", "no part number"},
           Case{std::string(40, 'A') + "#1 Part1\n", "too long"},
           Case{std::string("\x78\x9c\x01\x02", 4), "no '#'"},  // 'x', then zlib's bytes
           Case{std::string("Pan\0ic#1 Part1\n", 15), "no '#'"},
       }) {
    SCOPED_TRACE(c.record);
    auto h = parse_dmesg_header(c.record);
    ASSERT_FALSE(h) << "parsed: " << h->reason_text << " " << h->counter << " " << h->part;
    EXPECT_EQ(h.error().kind, ErrorKind::Format);
    EXPECT_NE(h.error().reason.find(c.says), std::string::npos) << h.error().reason;
    EXPECT_NE(h.error().reason.find("the record starts"), std::string::npos) << h.error().reason;
  }
  auto h = parse_dmesg_header(std::string("\x78\x9c\x01\x02", 4));
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().reason.find("\"x\\x9c\\x01\\x02\""), std::string::npos) << h.error().reason;
}

}  // namespace
}  // namespace vmcap::pstore
