#include "capture/printk/json_formatter.h"

#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace vmcap {
namespace {

std::string render(const LogRecord& r) {
  std::string out;
  JsonFormatter::render(r, out);
  return out;
}

TEST(JsonFormatter, AllFields) {
  LogRecord r;
  r.seq = 17;
  r.ts_nsec = 123456789;
  r.level = 3;
  r.facility = 0;
  r.flags = 2;
  r.caller_id = 812;
  r.text = "virtio_blk virtio1: [vda] 8 512-byte logical blocks";
  r.subsystem = "virtio";
  r.device = "+virtio:virtio1";
  EXPECT_EQ(render(r),
            "{\"seq\":17,\"ts_nsec\":123456789,\"level\":3,\"facility\":0,\"flags\":2,"
            "\"caller\":{\"thread\":812},"
            "\"text\":\"virtio_blk virtio1: [vda] 8 512-byte logical blocks\","
            "\"subsystem\":\"virtio\",\"device\":\"+virtio:virtio1\"}\n");
}

TEST(JsonFormatter, OptionalFieldsLeftOut) {
  LogRecord r;
  r.seq = 1;
  r.level_known = false;
  r.text = "old kernel";
  EXPECT_EQ(render(r),
            "{\"seq\":1,\"ts_nsec\":0,\"facility\":0,\"flags\":0,\"text\":\"old kernel\"}\n");
  r.level_known = true;
  r.caller_id = 0x80000000u | 1;
  EXPECT_EQ(render(r),
            "{\"seq\":1,\"ts_nsec\":0,\"level\":6,\"facility\":0,\"flags\":0,"
            "\"caller\":{\"cpu\":1},\"text\":\"old kernel\"}\n");
}

TEST(JsonFormatter, EscapesControlCharactersAndKeepsUtf8) {
  LogRecord r;
  r.text = std::string("q\"b\\n\nt\tc\x01\x7f\0 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", 27);
  std::string out = render(r);
  EXPECT_EQ(out,
            "{\"seq\":0,\"ts_nsec\":0,\"level\":6,\"facility\":0,\"flags\":0,"
            "\"text\":\"q\\\"b\\\\n\\nt\\tc\\u0001\\u007f\\u0000 caf\xc3\xa9 \xe2\x82\xac "
            "\xf0\x9f\x90\xa7\"}\n");
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["text"].get<std::string>(), r.text);
  EXPECT_FALSE(j.contains("text_base64"));
}

TEST(JsonFormatter, InvalidUtf8IsKeptLosslessly) {
  LogRecord r;
  // Stray continuation byte, overlong '/', a surrogate, a truncated sequence at the end.
  r.text = std::string("a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82", 12);
  std::string out = render(r);
  EXPECT_EQ(out,
            "{\"seq\":0,\"ts_nsec\":0,\"level\":6,\"facility\":0,\"flags\":0,"
            "\"text\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd"
            "\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\","
            "\"text_base64\":\"YYBiwK9j7aCAZOKC\"}\n");
  auto j = nlohmann::json::parse(out);  // valid JSON
  EXPECT_EQ(j["text_base64"].get<std::string>(), "YYBiwK9j7aCAZOKC");
}

TEST(JsonFormatter, Utf8Validator) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe0\x9f\xbf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

TEST(JsonFormatter, Base64Padding) {
  std::string s;
  append_base64("", s);
  EXPECT_EQ(s, "");
  s.clear();
  append_base64("f", s);
  EXPECT_EQ(s, "Zg==");
  s.clear();
  append_base64("fo", s);
  EXPECT_EQ(s, "Zm8=");
  s.clear();
  append_base64("foobar", s);
  EXPECT_EQ(s, "Zm9vYmFy");
}

TEST(JsonFormatter, InvalidDeviceGetsBase64Too) {
  LogRecord r;
  r.subsystem = "usb";
  r.device = "\xff";
  EXPECT_EQ(render(r),
            "{\"seq\":0,\"ts_nsec\":0,\"level\":6,\"facility\":0,\"flags\":0,\"text\":\"\","
            "\"subsystem\":\"usb\",\"device\":\"\xef\xbf\xbd\",\"device_base64\":\"/w==\"}\n");
}

}  // namespace
}  // namespace vmcap
