// core_format (docs/config.md): flat by default, flat-zstd when asked; compression does not
// apply to flat-zstd, so a compression other than zstd beside it is a problem and the pair
// falls back to flat; check-config says which core a capture uploads.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "capture/config/check_config.h"
#include "capture/config/config_parser.h"
#include "tests/config/config_problem.h"
#include "tests/support/temp_dir.h"

namespace vmcap::config {
namespace {

TEST(CoreFormatKey, DefaultIsFlat) {
  auto p = parse_config("", "t");
  EXPECT_EQ(p.config.core_format, CoreFormat::Flat);
  EXPECT_STREQ(to_string(p.config.core_format), "flat");
}

TEST(CoreFormatKey, Parse) {
  auto p = parse_config("core_format = flat-zstd\n", "t");
  EXPECT_TRUE(p.ok());
  EXPECT_EQ(p.config.core_format, CoreFormat::FlatZstd);
  EXPECT_STREQ(to_string(p.config.core_format), "flat-zstd");
  EXPECT_EQ(parse_config("core_format = flat\n", "t").config.core_format, CoreFormat::Flat);
}

TEST(CoreFormatKey, UnknownValueKeepsFlat) {
  auto p = parse_config("core_format = kdump\n", "t");
  EXPECT_TRUE(has_problem(p, 1, "core_format: unknown core_format 'kdump' (flat, flat-zstd)"));
  EXPECT_EQ(p.config.core_format, CoreFormat::Flat);
  auto typo = parse_config("core_fromat = flat-zstd\n", "t");
  EXPECT_TRUE(has_problem(typo, 1, "did you mean 'core_format'")) << typo.problems.at(0).message;
}

// The frames are zstd: compression = zstd (the default, or written) and its level go with
// flat-zstd, the level being the frames' own.
TEST(CoreFormatKey, ZstdCompressionAndItsLevelGoWithFlatZstd) {
  auto p = parse_config("compression = zstd\ncompression_level = 3\ncore_format = flat-zstd\n", "t");
  EXPECT_TRUE(p.ok()) << p.problems.at(0).message;
  EXPECT_EQ(p.config.core_format, CoreFormat::FlatZstd);
  EXPECT_EQ(p.config.compression_level, 3);
}

TEST(CoreFormatKey, OtherCompressionConflictsWherEverTheLinesAre) {
  auto p = parse_config("core_format = flat-zstd\ncompression = zlib\n", "t");
  EXPECT_TRUE(has_problem(p, 1, "core_format: flat-zstd stores raw pages in zstd frames, so compression = zlib "
                                "(line 2) does not apply: remove one of them (a capture uses core_format = flat)"));
  EXPECT_EQ(p.config.core_format, CoreFormat::Flat);
  EXPECT_EQ(p.config.compression, Compression::Zlib);
  auto none = parse_config("compression = none\ncore_format = flat-zstd\n", "t");
  EXPECT_TRUE(has_problem(none, 2, "compression = none (line 1) does not apply"));
  EXPECT_EQ(none.config.core_format, CoreFormat::Flat);
  // flat takes every compression
  EXPECT_TRUE(parse_config("core_format = flat\ncompression = zlib\n", "t").ok());
}

class CheckCoreFormat : public ::testing::Test {
 protected:
  std::pair<int, std::string> check(const std::string& text) {
    std::string path = dir_.file("vmcap.conf");
    std::ofstream(path) << text;
    std::ostringstream out;
    int status = run_check_config(path, out);
    return {status, out.str()};
  }
  testing::TempDir dir_;
};

TEST_F(CheckCoreFormat, SaysWhichCoreACaptureUploads) {
  auto [status, out] = check("core_format = flat-zstd\n");
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("core_format flat-zstd (vmcore.flat.zst: raw pages in zstd frames, level default; "
                     "compression does not apply)"),
            std::string::npos)
      << out;
  std::tie(status, out) = check("compression = zlib\n");
  EXPECT_NE(out.find("compression zlib default"), std::string::npos) << out;
  EXPECT_EQ(out.find("flat-zstd"), std::string::npos) << out;
}

TEST_F(CheckCoreFormat, ConflictIsAProblem) {
  auto [status, out] = check("compression = none\ncore_format = flat-zstd\n");
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("vmcap.conf:2: core_format: flat-zstd stores raw pages in zstd frames, so compression = none"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("compression none default"), std::string::npos) << out;  // what a capture runs with
}

}  // namespace
}  // namespace vmcap::config
