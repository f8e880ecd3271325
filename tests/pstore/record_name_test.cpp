// File names of /sys/fs/pstore (fs/pstore/inode.c pstore_mkfile: "%s-%s-%llu%s").
#include "pstore/records/record_name.h"

#include <gtest/gtest.h>

#include "tests/pstore/made_records.h"

namespace vmcap::pstore {
namespace {

TEST(RecordName, RamoopsRecordsOfEveryType) {
  struct Case {
    const char* name;
    RecordType kind;
    const char* type;
    uint64_t id;
  };
  for (const Case& c : {Case{"dmesg-ramoops-0", RecordType::Dmesg, "dmesg", 0},
                        Case{"dmesg-ramoops-3", RecordType::Dmesg, "dmesg", 3},
                        Case{"console-ramoops-0", RecordType::Console, "console", 0},
                        Case{"pmsg-ramoops-0", RecordType::Pmsg, "pmsg", 0},
                        Case{"ftrace-ramoops-1", RecordType::Ftrace, "ftrace", 1},
                        Case{"mce-erst-7", RecordType::Mce, "mce", 7}}) {
    SCOPED_TRACE(c.name);
    auto r = parse_record_name(c.name);
    ASSERT_TRUE(r) << r.error().reason;
    EXPECT_EQ(r->type_kind, c.kind);
    EXPECT_EQ(r->type, c.type);
    EXPECT_EQ(r->id, c.id);
    EXPECT_FALSE(r->compressed);
  }
  auto r = parse_record_name("dmesg-ramoops-0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->backend, "ramoops");
  EXPECT_EQ(r->backend_kind, Backend::Ramoops);
  EXPECT_FALSE(r->efi);
}

TEST(RecordName, EfiIdsAreDecoded) {
  // dump-type0-3-1-1700000123-C: part 3, count 1, seconds 1700000123.
  for (const char* backend : {"efi", "efi_pstore"}) {
    SCOPED_TRACE(backend);
    auto r = parse_record_name(testing::efi_name(backend, 1700000123, 3, 1));
    ASSERT_TRUE(r) << r.error().reason;
    EXPECT_EQ(r->backend, backend);
    EXPECT_EQ(r->backend_kind, Backend::Efi);
    EXPECT_EQ(r->id, 170000012303001u);
    ASSERT_TRUE(r->efi);
    EXPECT_EQ(r->efi->seconds, 1700000123u);
    EXPECT_EQ(r->efi->part, 3u);
    EXPECT_EQ(r->efi->count, 1u);
  }
  auto r = parse_record_name("dmesg-efi_pstore-170000012313002.enc.z");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->compressed);
  EXPECT_EQ(r->efi->part, 13u);
  EXPECT_EQ(r->efi->count, 2u);
}

TEST(RecordName, ErstAndCompressed) {
  auto r = parse_record_name("dmesg-erst-7318473822419550209.enc.z");
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->backend_kind, Backend::Erst);
  EXPECT_EQ(r->id, 7318473822419550209u);
  EXPECT_TRUE(r->compressed);
  EXPECT_FALSE(r->efi);
  auto max = parse_record_name("dmesg-erst-18446744073709551615");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->id, UINT64_MAX);
}

TEST(RecordName, UnknownTypesAndBackendsAreKept) {
  auto r = parse_record_name("powerpc-ofw-nvram-5");
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->type, "powerpc-ofw");
  EXPECT_EQ(r->type_kind, RecordType::Other);
  EXPECT_EQ(r->backend, "nvram");
  EXPECT_EQ(r->backend_kind, Backend::Other);
  EXPECT_EQ(r->id, 5u);
  auto b = parse_record_name("dmesg-blkoops-2");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->type_kind, RecordType::Dmesg);
  EXPECT_EQ(b->backend, "blkoops");
  EXPECT_EQ(b->backend_kind, Backend::Other);
}

TEST(RecordName, GarbageNamesAreErrorsThatQuoteThem) {
  for (const std::string& name :
       {std::string(""), std::string("dmesg"), std::string("dmesg-ramoops"), std::string("ftrace-ramoops"),
        std::string("dmesg-ramoops-"), std::string("dmesg-ramoops-x1"), std::string("dmesg-ramoops--1"),
        std::string("dmesg-ramoops-+1"), std::string("dmesg-ramoops-1 "), std::string("-ramoops-1"),
        std::string("dmesg--1"), std::string("dmesg--ramoops-1"), std::string("dm esg-ramoops-1"),
        std::string("dmesg-ram.oops-1"), std::string("dmesg-ramoops-18446744073709551616"),
        std::string("dmesg-ramoops-99999999999999999999999"), std::string(".enc.z"), std::string("dmesg-efi-1.enc"),
        std::string("dmesg-efi-1.enc.z.enc.z"), std::string("dir/dmesg-ramoops-0"), std::string("dmesg-ramoops-0\0", 16),
        std::string("\xff\xfe-\x01-1"), std::string(300, 'a') + "-ramoops-1", std::string("-1"), std::string("--1")}) {
    SCOPED_TRACE(name);
    auto r = parse_record_name(name);
    ASSERT_FALSE(r) << "parsed as type " << r->type << " backend " << r->backend;
    EXPECT_EQ(r.error().kind, ErrorKind::Format);
    EXPECT_NE(r.error().reason.find("pstore record name \""), std::string::npos) << r.error().reason;
  }
  auto r = parse_record_name("dmesg-ramoops-x1");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("\"x1\" is not a decimal number"), std::string::npos) << r.error().reason;
  auto bytes = parse_record_name("\xff\xfe-\x01-1");
  ASSERT_FALSE(bytes);
  EXPECT_NE(bytes.error().reason.find("\\xff\\xfe"), std::string::npos) << bytes.error().reason;
}

}  // namespace
}  // namespace vmcap::pstore
