// Reading back from real destinations (destination_reader.h): the S3 test server
// (ListObjectsV2 pages with continuation tokens, every request's SigV4 checked) and
// OpenSSH's sftp: keys under a folder, page by page, only the destination's own prefix,
// bounded reads, a missing folder is empty, a wrong secret is a refusal.
#include <gtest/gtest.h>

#include <set>

#include "capture/upload/s3_reader.h"
#include "capture/upload/s3_uploader.h"
#include "capture/upload/sftp_reader.h"
#include "capture/upload/sftp_uploader.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"
#include "tests/upload/upload_test_support.h"

namespace vmcap::upload {
namespace {

constexpr char kAccessKey[] = "VMCAPREADERKEY";
constexpr char kSecretKey[] = "reader-secret-0a1b2c3d";
constexpr char kBucket[] = "crashes";

Deadline soon() { return Deadline::after(std::chrono::seconds(30)); }

config::Destination real_s3(const testing::S3Server& server, const std::string& prefix, const std::string& secret) {
  auto d = testing::destination(config::DestinationKind::S3, std::string("s3://") + kBucket + "/" + prefix);
  d.bucket = kBucket;
  d.prefix = prefix;
  d.endpoint = server.endpoint();
  d.region = "us-east-1";
  d.path_style = true;
  d.access_key = {"(test)", kAccessKey};
  d.secret_key = {"(test)", secret};
  return d;
}

// Every key of `folder`, `page_size` at a time; the number of pages in `pages`.
std::vector<std::string> list_all(DestinationReader& reader, const std::string& folder, size_t page_size, int& pages) {
  std::vector<std::string> all;
  std::string next;
  pages = 0;
  do {
    auto page = reader.list(folder, next, page_size, soon());
    EXPECT_TRUE(page) << page.error().message();
    if (!page) break;
    EXPECT_LE(page->keys.size(), page_size);
    all.insert(all.end(), page->keys.begin(), page->keys.end());
    next = page->next;
    ++pages;
  } while (!next.empty() && pages < 100);
  return all;
}

TEST(S3Reader, PagesThroughAFolderWithContinuationTokens) {
  testing::TempDir dir;
  testing::S3Server server(dir.path(), kAccessKey, kSecretKey, kBucket);
  S3Uploader up(real_s3(server, "fleet/dumps", kSecretKey), testing::fast_policy());
  std::set<std::string> want;
  for (int i = 0; i < 25; ++i) {
    std::string folder = "index/" + std::string(i % 2 ? "aaaa" : "bbbb");
    std::string name = "h" + std::to_string(100 + i) + ".json";
    ASSERT_TRUE(up.put({folder, name, "application/json", {}}, "{\"n\":" + std::to_string(i) + "}", soon()));
    want.insert(folder + "/" + name);
  }
  // Beside the folder: a capture, an object whose key only starts like it, another prefix.
  ASSERT_TRUE(up.put({"cap-1", "manifest.json", "application/json", {}}, "{}", soon()));
  ASSERT_TRUE(up.put({"", "index-old", "text/plain", {}}, "x", soon()));
  S3Uploader other(real_s3(server, "elsewhere", kSecretKey), testing::fast_policy());
  ASSERT_TRUE(other.put({"index/aaaa", "z.json", "application/json", {}}, "{}", soon()));

  S3Reader reader(real_s3(server, "fleet/dumps", kSecretKey), testing::fast_policy());
  int pages = 0;
  auto keys = list_all(reader, "index", 10, pages);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), want);
  EXPECT_EQ(keys.size(), want.size());
  auto one = list_all(reader, "index/aaaa", 1000, pages);
  EXPECT_EQ(one.size(), 12u);
  EXPECT_EQ(pages, 1);
  auto none = reader.list("index/none", "", 10, soon());
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_TRUE(none->keys.empty());
  EXPECT_TRUE(none->next.empty());

  auto got = reader.get("index/aaaa/h101.json", 100, soon());
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, "{\"n\":1}");
  auto small = reader.get("index/aaaa/h101.json", 3, soon());
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().kind, ErrorKind::Limit) << small.error().message();
  EXPECT_FALSE(reader.get("index/aaaa/missing.json", 100, soon()));
  // The list requests were signed and accepted: ListObjectsV2 with a continuation token.
  size_t continued = 0;
  for (const auto& line : server.requests())
    if (line.find("list-type=2") != std::string::npos) {
      EXPECT_EQ(line.substr(line.size() - 4), " 200") << line;
      continued += line.find("continuation-token=") != std::string::npos;
    }
  EXPECT_EQ(continued, 2u);
}

TEST(S3Reader, AWrongSecretIsARefusal) {
  testing::TempDir dir;
  testing::S3Server server(dir.path(), kAccessKey, kSecretKey, kBucket);
  S3Reader reader(real_s3(server, "dumps", "wrong-secret"), testing::fast_policy());
  auto r = reader.list("index", "", 10, soon());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Usage) << r.error().message();
  EXPECT_NE(r.error().message().find("403"), std::string::npos) << r.error().message();
}

TEST(S3Reader, ParsesListObjectsV2) {
  auto r = parse_list_objects(
      "<?xml version=\"1.0\"?><ListBucketResult><Name>b</Name><Contents><Key>a&amp;b</Key><Size>1</Size></Contents>"
      "<Contents><Key>c</Key></Contents><IsTruncated>true</IsTruncated><NextContinuationToken>t+/=</NextContinuationToken>"
      "</ListBucketResult>");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->keys, (std::vector<std::string>{"a&b", "c"}));
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->next_token, "t+/=");
  EXPECT_FALSE(parse_list_objects("<Error><Code>AccessDenied</Code></Error>"));
  EXPECT_FALSE(parse_list_objects("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"));
}

TEST(SftpReader, ListsAndReadsThroughSshd) {
  testing::TempDir dir, server_dir;
  testing::SshdServer sshd(server_dir.path());
  auto d = testing::destination(config::DestinationKind::Sftp, "sftp://" + sshd.user() + "@127.0.0.1:" +
                                                                   std::to_string(sshd.port()) + dir.path() + "/store");
  d.prefix = dir.path().substr(1) + "/store";
  d.identity_file = sshd.client_key();
  d.known_hosts = sshd.known_hosts(false);
  SftpUploader up(d, testing::fast_policy());
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(up.put({"index/" + std::string(i % 2 ? "aaaa" : "bbbb"), "e" + std::to_string(i) + ".json",
                        "application/json", {}},
                       "entry " + std::to_string(i), soon()));
  ASSERT_TRUE(up.put({"cap-1", "dmesg.txt", "text/plain", {}}, "log", soon()));
  SftpReader reader(d, testing::fast_policy());
  int pages = 0;
  auto keys = list_all(reader, "index", 3, pages);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(keys, (std::vector<std::string>{"index/aaaa/e1.json", "index/aaaa/e3.json", "index/aaaa/e5.json",
                                            "index/bbbb/e0.json", "index/bbbb/e2.json", "index/bbbb/e4.json",
                                            "index/bbbb/e6.json"}));
  auto none = reader.list("index/none", "", 10, soon());
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_TRUE(none->keys.empty());
  auto got = reader.get("index/aaaa/e3.json", 100, soon());
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, "entry 3");
  auto small = reader.get("index/aaaa/e3.json", 4, soon());
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().kind, ErrorKind::Limit) << small.error().message();
}

TEST(SftpReader, ReadsListingLines) {
  auto d = parse_sftp_listing_line("drwxr-x---    2 user     user         4096 Dec  7 06:00 aaaa");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "aaaa");
  EXPECT_TRUE(d->folder);
  auto f = parse_sftp_listing_line("-rw-------    1 user     user          120 Dec  7  2025 e1.json\r\n");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, "e1.json");
  EXPECT_FALSE(f->folder);
  EXPECT_FALSE(parse_sftp_listing_line("drwxr-x---    2 user     user         4096 Dec  7 06:00 .."));
  EXPECT_FALSE(parse_sftp_listing_line("lrwxrwxrwx    1 user     user            4 Dec  7 06:00 l -> x"));
  EXPECT_FALSE(parse_sftp_listing_line("garbage"));
  EXPECT_FALSE(parse_sftp_listing_line(""));
}

}  // namespace
}  // namespace vmcap::upload
