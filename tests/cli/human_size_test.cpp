// human_size(): the unit that fits, as progress lines and `vmcap info` print sizes (a
// 27 kB log upload once read "(0.0 MiB)").
#include <gtest/gtest.h>

#include <cstdio>

#include "capture/core/human_size.h"
#include "capture/run/progress.h"

namespace vmcap {
namespace {

TEST(HumanSize, UnitThatFits) {
  EXPECT_EQ(human_size(0), "0 bytes");
  EXPECT_EQ(human_size(1023), "1023 bytes");
  EXPECT_EQ(human_size(1024), "1.0 KiB");
  EXPECT_EQ(human_size(27133), "26.5 KiB");
  EXPECT_EQ(human_size(650240), "635.0 KiB");
  EXPECT_EQ(human_size(26522364), "25.3 MiB");
  EXPECT_EQ(human_size(871873536), "831.5 MiB");
  EXPECT_EQ(human_size(3ull << 30), "3.0 GiB");
  EXPECT_EQ(human_size(5ull << 40), "5.0 TiB");
  EXPECT_EQ(human_size(UINT64_MAX), "16.0 EiB");
}

TEST(HumanSize, NeverPrints1024OfAUnit) {
  EXPECT_EQ(human_size(1024 * 1024 - 1), "1.0 MiB");  // 1023.999 KiB
  EXPECT_EQ(human_size(1048524), "1023.9 KiB");
  EXPECT_EQ(human_size((1ull << 30) - 1), "1.0 GiB");
}

// The capture's upload lines: "27133 bytes (0.0 MiB)" before; under 1 KiB only the bytes.
TEST(HumanSize, ProgressRatesUseIt) {
  std::FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  run::Progress progress(sink);
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(progress.rate(27133, now).rfind("27133 bytes (26.5 KiB) in ", 0), 0u) << progress.rate(27133, now);
  EXPECT_EQ(progress.rate(512, now).rfind("512 bytes in ", 0), 0u) << progress.rate(512, now);
  EXPECT_EQ(progress.rate(29830498, now).rfind("29830498 bytes (28.4 MiB) in ", 0), 0u);
  std::fclose(sink);
}

}  // namespace
}  // namespace vmcap
