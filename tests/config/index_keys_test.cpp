// The crash index's config keys (docs/config.md, docs/index.md): cores_per_signature,
// core_dedup_key, index_destination; and what check-config says about where the index
// is, above all that http destinations get none.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "capture/config/check_config.h"
#include "capture/config/config_parser.h"
#include "tests/config/config_problem.h"
#include "tests/support/temp_dir.h"

namespace vmcap::config {
namespace {

TEST(IndexKeys, DefaultsKeepEveryCore) {
  auto p = parse_config("", "t");
  EXPECT_EQ(p.config.cores_per_signature, 0);
  EXPECT_EQ(p.config.core_dedup_key, CoreDedupKey::Signature);
  EXPECT_FALSE(p.config.index_destination);
}

TEST(IndexKeys, Parse) {
  auto p = parse_config("cores_per_signature = 2\ncore_dedup_key = signature+build-id\nindex_destination = idx\n"
                        "destinations = web\n[destination web]\nurl = http://h/up\n[destination idx]\nurl = file:///srv/index\n",
                        "t");
  EXPECT_TRUE(p.ok());
  EXPECT_EQ(p.config.cores_per_signature, 2);
  EXPECT_EQ(p.config.core_dedup_key, CoreDedupKey::SignatureAndBuildId);
  ASSERT_TRUE(p.config.index_destination);
  EXPECT_EQ(p.config.index_destination->name, "idx");
  EXPECT_EQ(p.config.index_destination->path, "/srv/index");
  ASSERT_EQ(p.config.destinations.size(), 1u);  // the index's destination holds the index only
}

TEST(IndexKeys, Problems) {
  auto p = parse_config("cores_per_signature = -1\ncore_dedup_key = hash\nindex_destination = nowhere\n", "t");
  EXPECT_TRUE(has_problem(p, 1, "cores_per_signature")) << p.problems.size();
  EXPECT_TRUE(has_problem(p, 2, "core_dedup_key: 'hash' is not signature or signature+build-id"));
  EXPECT_TRUE(has_problem(p, 3, "index_destination: 'nowhere' has no [destination nowhere] section"));
  auto http = parse_config("index_destination = web\n[destination web]\nurl = https://h/\n", "t");
  EXPECT_TRUE(has_problem(http, 1, "http destination, which cannot be listed"));
  EXPECT_FALSE(http.config.index_destination);
}

class CheckIndex : public ::testing::Test {
 protected:
  std::string check(const std::string& text) {
    std::string path = dir_.file("vmcap.conf");
    std::ofstream(path) << text;
    std::ostringstream out;
    run_check_config(path, out);
    return out.str();
  }
  testing::TempDir dir_;
};

TEST_F(CheckIndex, SaysWhereTheIndexIsAndThatHttpHasNone) {
  std::string out = check("cores_per_signature = 1\n[destination web]\nurl = https://h/\n[destination disk]\nurl = file:///var/crash\n");
  EXPECT_NE(out.find("crash index: on disk for their own captures"), std::string::npos) << out;
  EXPECT_NE(out.find("crash index: none on web (http cannot be listed; index_destination = NAME names a file, sftp or s3 destination to hold it)"),
            std::string::npos) << out;
  EXPECT_NE(out.find("cores_per_signature 1 (key signature): the index on disk is read before each core"), std::string::npos) << out;

  out = check("cores_per_signature = 1\n[destination web]\nurl = https://h/\n");
  EXPECT_NE(out.find("no destination can be listed, so every core is kept"), std::string::npos) << out;

  out = check("index_destination = idx\ndestinations = web\n[destination web]\nurl = https://h/\n[destination idx]\nurl = file:///srv/i\n");
  EXPECT_NE(out.find("crash index: on idx (index_destination), for every capture"), std::string::npos) << out;
  EXPECT_EQ(out.find("none on web"), std::string::npos) << out;
  EXPECT_NE(out.find(": ok"), std::string::npos) << out;
}

}  // namespace
}  // namespace vmcap::config
