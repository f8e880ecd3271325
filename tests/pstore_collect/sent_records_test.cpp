// `vmcap pstore --keep`'s list of sent records: its round trip, its bounds and what a broken
// file gives.
#include <gtest/gtest.h>

#include "pstore/collect/sent_records.h"
#include "tests/support/temp_dir.h"

namespace vmcap::pstore {
namespace {

TEST(SentRecords, KeysNameTimeSizeAndContent) {
  RecordFile a{"dmesg-ramoops-0", std::chrono::system_clock::time_point(std::chrono::seconds(100)), "abc"};
  RecordFile b = a;
  b.bytes = "abd";  // a reused slot: same name, time and size
  EXPECT_NE(record_key(a), record_key(b));
  EXPECT_EQ(record_key(a).rfind("dmesg-ramoops-0@100:3:", 0), 0u) << record_key(a);
}

TEST(SentRecords, RoundTripAndTheOldestForgotten) {
  testing::TempDir dir;
  SentRecords s;
  for (size_t i = 0; i < kMaxSentRecords + 5; ++i) s.add("k" + std::to_string(i));
  EXPECT_EQ(s.keys.size(), kMaxSentRecords);
  EXPECT_FALSE(s.contains("k0"));
  EXPECT_TRUE(s.contains("k" + std::to_string(kMaxSentRecords + 4)));
  ASSERT_TRUE(save_sent_records(dir.file("state/sent.json"), s));
  auto back = load_sent_records(dir.file("state/sent.json"));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->keys, s.keys);
  auto none = load_sent_records(dir.file("absent.json"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->keys.empty());
}

TEST(SentRecords, ABrokenFileIsAnErrorNamingIt) {
  for (const char* text : {"", "{", "[]", "{\"schema\":\"other\",\"records\":[]}",
                           "{\"schema\":\"vmcap-pstore-sent/1\",\"records\":{}}"}) {
    auto r = parse_sent_records(text, "/var/lib/vmcap/pstore-sent.json");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().file, "/var/lib/vmcap/pstore-sent.json");
  }
  auto odd = parse_sent_records("{\"schema\":\"vmcap-pstore-sent/1\",\"records\":[1,\"\",\"ok\",null]}", "f");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->keys, std::vector<std::string>{"ok"});
}

}  // namespace
}  // namespace vmcap::pstore
