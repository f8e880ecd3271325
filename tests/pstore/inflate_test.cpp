// .enc.z payloads: raw deflate (pstore's) and zlib with a header (4.x), made with zlib here.
#include "pstore/records/inflate.h"

#include <gtest/gtest.h>

#include "tests/pstore/made_records.h"

namespace vmcap::pstore {
namespace {

const std::string kText = "Panic#1 Part1\n" + testing::join(testing::make_log_lines(300));

TEST(Inflate, RawDeflate) {
  auto r = inflate_record(testing::deflate_raw(kText));
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->bytes, kText);
  EXPECT_EQ(r->format, DeflateFormat::Raw);
  EXPECT_EQ(r->unused_bytes, 0u);
}

TEST(Inflate, ZlibWithHeader) {
  auto r = inflate_record(testing::deflate_zlib(kText));
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->bytes, kText);
  EXPECT_EQ(r->format, DeflateFormat::Zlib);
}

TEST(Inflate, BytesAfterTheStreamAreCounted) {
  // ramoops appends its ECC notice after the record's data.
  const std::string notice = "\nECC: 0 Corrected bytes, 0 unrecoverable blocks\n";
  auto r = inflate_record(testing::deflate_raw(kText) + notice);
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->bytes, kText);
  EXPECT_EQ(r->unused_bytes, notice.size());
}

TEST(Inflate, EmptyStream) {
  auto r = inflate_record(testing::deflate_raw(""));
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->bytes, "");
}

TEST(Inflate, GarbageIsAFormatErrorWithBothReasons) {
  for (const std::string& payload : {std::string(""), std::string("\xff\xff\xff\xff", 4), std::string(kText),
                                    std::string("\x78\x9c\xff\xff\xff", 5), std::string(100, '\0')}) {
    auto r = inflate_record(payload);
    ASSERT_FALSE(r) << "inflated " << r->bytes.size() << " bytes";
    EXPECT_EQ(r.error().kind, ErrorKind::Format);
    EXPECT_NE(r.error().reason.find("raw deflate: "), std::string::npos) << r.error().reason;
    EXPECT_NE(r.error().reason.find("; zlib: "), std::string::npos) << r.error().reason;
  }
}

TEST(Inflate, ACutStreamIsAnError) {
  const std::string whole = testing::deflate_raw(kText);
  auto r = inflate_record(std::string_view(whole).substr(0, whole.size() / 2));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("ends early"), std::string::npos) << r.error().reason;
  const std::string z = testing::deflate_zlib(kText);
  auto rz = inflate_record(std::string_view(z).substr(0, z.size() - 4));  // no adler32
  ASSERT_FALSE(rz);
}

TEST(Inflate, OutputIsCapped) {
  const std::string big(100000, 'a');
  const std::string payload = testing::deflate_raw(big);
  auto r = inflate_record(payload, 99999);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Limit);
  EXPECT_NE(r.error().reason.find("more than 99999 bytes"), std::string::npos) << r.error().reason;
  auto exact = inflate_record(payload, 100000);
  ASSERT_TRUE(exact) << exact.error().reason;
  EXPECT_EQ(exact->bytes.size(), 100000u);
  // The default cap: a 5 MiB stream of zeros is refused.
  auto huge = inflate_record(testing::deflate_zlib(std::string(5u << 20, '\0')));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().kind, ErrorKind::Limit);
  EXPECT_NE(huge.error().reason.find("more than 4194304 bytes"), std::string::npos) << huge.error().reason;
}

}  // namespace
}  // namespace vmcap::pstore
