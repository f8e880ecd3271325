#include "capture/printk/kmsg_formatter.h"

#include <sstream>

#include <gtest/gtest.h>

namespace vmcap {
namespace {

std::string render(const LogRecord& r, KmsgOptions o = {}) {
  std::string out;
  KmsgFormatter::render(r, o, out);
  return out;
}

TEST(KmsgFormatter, HeaderFields) {
  LogRecord r;
  r.seq = 42;
  r.ts_nsec = 1234567999;  // ts_usec truncates: 1234567
  r.facility = 0;
  r.level = 6;
  r.text = "Linux version";
  EXPECT_EQ(render(r), "6,42,1234567,-;Linux version\n");
  r.facility = 1;
  r.level = 3;
  r.flags = 8 | 2;  // LOG_CONT | LOG_NEWLINE
  EXPECT_EQ(render(r), "11,42,1234567,c;Linux version\n");
  r.facility = 31;
  r.level = 7;
  r.flags = 2;
  EXPECT_EQ(render(r), "255,42,1234567,-;Linux version\n");
}

TEST(KmsgFormatter, EscapingOfTextAndDict) {
  LogRecord r;
  r.seq = 1;
  r.level = 4;
  r.text = std::string("a\\b\nc\td\x1f~\x7f\x80\xc3\xa9", 13);
  r.subsystem = "pci";
  r.device = std::string("+pci:0000:00:01.0\\\n", 19);
  EXPECT_EQ(render(r),
            "4,1,0,-;a\\x5cb\\x0ac\\x09d\\x1f~\\x7f\\x80\\xc3\\xa9\n"
            " SUBSYSTEM=pci\n"
            " DEVICE=+pci:0000:00:01.0\\x5c\\x0a\n");
}

TEST(KmsgFormatter, EmptyDictValuesAreLeftOut) {
  LogRecord r;
  r.seq = 9;
  r.device = "c1:7";
  EXPECT_EQ(render(r), "6,9,0,-;\n DEVICE=c1:7\n");
}

TEST(KmsgFormatter, CallerWhenAsked) {
  LogRecord r;
  r.seq = 3;
  r.text = "x";
  r.caller_id = 1234;
  EXPECT_EQ(render(r), "6,3,0,-;x\n");
  EXPECT_EQ(render(r, {.caller = true}), "6,3,0,-,caller=T1234;x\n");
  r.caller_id = 0x80000000u | 3;
  EXPECT_EQ(render(r, {.caller = true}), "6,3,0,-,caller=C3;x\n");
  r.caller_id.reset();
  EXPECT_EQ(render(r, {.caller = true}), "6,3,0,-;x\n");
}

TEST(KmsgFormatter, Streams) {
  std::ostringstream out;
  KmsgFormatter f(out);
  LogRecord r;
  r.text = "a";
  f.record(r);
  r.seq = 1;
  r.text = "b";
  f.record(r);
  EXPECT_EQ(out.str(), "6,0,0,-;a\n6,1,0,-;b\n");
}

}  // namespace
}  // namespace vmcap
