#include "capture/printk/text_formatter.h"

#include <sstream>

#include <gtest/gtest.h>

namespace vmcap {
namespace {

LogRecord make(uint64_t ts, std::string text) {
  LogRecord r;
  r.ts_nsec = ts;
  r.text = std::move(text);
  return r;
}

TEST(TextFormatter, TimestampLikeVmcoreDmesg) {
  std::string out;
  TextFormatter::render(make(0, "Linux version 6.1.0"), out);
  EXPECT_EQ(out, "[    0.000000] Linux version 6.1.0\n");
  out.clear();
  TextFormatter::render(make(1234567891234ull, "x"), out);  // 1234.567891 s
  EXPECT_EQ(out, "[ 1234.567891] x\n");
  out.clear();
  TextFormatter::render(make(123456789012345678ull, "big"), out);  // wider than %5
  EXPECT_EQ(out, "[123456789.012345] big\n");
}

TEST(TextFormatter, EscapesLikeVmcoreDmesg) {
  std::string out;
  // Printable ASCII and the six C-locale spaces stay; everything else becomes \xNN.
  TextFormatter::render(make(5000, std::string("a\tb\nc\vd\fe\rf \\g\x01\x7f\xc3\xa9", 18)),
                        out);
  EXPECT_EQ(out, "[    0.000005] a\tb\nc\vd\fe\rf \\g\\x01\\x7f\\xc3\\xa9\n");
  out.clear();
  TextFormatter::render(make(0, std::string("nul\0end", 7)), out);
  EXPECT_EQ(out, "[    0.000000] nul\\x00end\n");
}

TEST(TextFormatter, MultiLineRecordAndEmptyText) {
  std::string out;
  TextFormatter::render(make(2000000000, "first\nsecond"), out);
  EXPECT_EQ(out, "[    2.000000] first\nsecond\n");
  out.clear();
  TextFormatter::render(make(2000000000, ""), out);
  EXPECT_EQ(out, "[    2.000000] \n");
}

TEST(TextFormatter, StreamsRecordsAndWarnings) {
  std::ostringstream out, warn;
  TextFormatter f(out, &warn);
  f.record(make(1000, "one"));
  f.warning("record 7 lost");
  f.record(make(2000, "two"));
  EXPECT_EQ(out.str(), "[    0.000001] one\n[    0.000002] two\n");
  EXPECT_EQ(warn.str(), "vmcap: warning: record 7 lost\n");
  EXPECT_EQ(f.records(), 2u);
  EXPECT_EQ(f.warnings(), 1u);
}

}  // namespace
}  // namespace vmcap
