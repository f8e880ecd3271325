// The crash index read back from the SigV4-checking S3 test server (label upload): entries
// put as captures put them, garbage beside them, read in pages through ListObjectsV2
// continuation tokens.
#include <gtest/gtest.h>

#include <set>

#include "capture/upload/s3_reader.h"
#include "capture/upload/s3_uploader.h"
#include "index/index_scan.h"
#include "index/index_writer.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"
#include "tests/upload/upload_test_support.h"

namespace vmcap::index {
namespace {

constexpr char kAccessKey[] = "VMCAPSCANKEY";
constexpr char kSecretKey[] = "scan-secret-2b3c4d5e";

config::Destination s3(const testing::S3Server& server) {
  auto d = testing::destination(config::DestinationKind::S3, "s3://crashes/fleet");
  d.name = "s3";
  d.bucket = "crashes";
  d.prefix = "fleet";
  d.endpoint = server.endpoint();
  d.region = "us-east-1";
  d.path_style = true;
  d.access_key = {"(test)", kAccessKey};
  d.secret_key = {"(test)", kSecretKey};
  return d;
}

TEST(IndexScanS3, PagesThroughTheIndexOnS3) {
  testing::TempDir dir;
  testing::S3Server server(dir.path(), kAccessKey, kSecretKey, "crashes");
  upload::S3Uploader up(s3(server), testing::fast_policy());
  const auto soon = [] { return upload::Deadline::after(std::chrono::seconds(30)); };
  for (int i = 0; i < 23; ++i) {
    run::Manifest m;
    char d[64];
    std::snprintf(d, sizeof d, "web-%d-20261201T0000%02dZ-%08x", i % 3, i, i);
    m.directory = d;
    m.crash = run::ManifestCrash{"Oops", std::nullopt, "", {}, i % 2 ? "00000000000000aa" : "00000000000000bb", {}};
    ASSERT_TRUE(put_index_entry(up, entry_from_manifest(m, "s3", ""), soon()));
  }
  ASSERT_TRUE(up.put({"index/00000000000000aa", "x-20261201T000000Z-0000ffff.json", "application/json", {}}, "garbage", soon()));
  ASSERT_TRUE(up.put({"index", "README", "text/plain", {}}, "not ours", soon()));
  upload::S3Reader reader(s3(server), testing::fast_policy());
  IndexScan scan(reader);
  std::set<std::string> seen;
  int pages = 0;
  while (!scan.done() && pages < 50) {
    auto page = scan.next(10, soon());
    ASSERT_TRUE(page) << page.error().message();
    for (const auto& e : *page) seen.insert(e.entry.directory);
    ++pages;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 23u);
  EXPECT_EQ(scan.counts().keys, 25u);
  EXPECT_EQ(scan.counts().bad, 1u);
  EXPECT_EQ(scan.counts().not_ours, 1u);
}

}  // namespace
}  // namespace vmcap::index
