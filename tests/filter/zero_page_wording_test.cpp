// What the filter summary says about all-zero pages: excluded at a level with bit 1 (in
// the kdump format, as references to one shared zero page), kept without it, and in an
// ELF core written in full either way.
#include <gtest/gtest.h>

#include "capture/core/zero_page_wording.h"

namespace vmcap {
namespace {

TEST(ZeroPageWording, LevelWithBit1ExcludesThem) {
  for (int level : {1, 17, 31}) {
    SCOPED_TRACE(level);
    const std::string s = zero_page_wording(level, /*shared_zero_page=*/true, 5023);
    EXPECT_EQ(s, "the 5023 excluded zero pages are not stored: each reads back as zeros from one "
                 "shared zero page, as in makedumpfile's files");
    EXPECT_EQ(s.find("kept"), std::string::npos);
  }
}

TEST(ZeroPageWording, LevelWithoutBit1KeepsThem) {
  for (int level : {0, 16, 30}) {
    SCOPED_TRACE(level);
    const std::string s = zero_page_wording(level, /*shared_zero_page=*/true, 42);
    EXPECT_EQ(s, "zero pages kept (dump level " + std::to_string(level) +
                     " has no bit 1): 42, stored as one shared zero page");
    EXPECT_EQ(s.find("exclude"), std::string::npos);
  }
}

TEST(ZeroPageWording, ElfHasNoSharedZeroPage) {
  EXPECT_EQ(zero_page_wording(31, false, 0),
            "zero pages not excluded: an ELF core has no shared zero page, so they are written "
            "in full (--format kdump excludes them)");
  EXPECT_EQ(zero_page_wording(16, false, 0), "zero pages kept (dump level 16 has no bit 1), written in full");
}

}  // namespace
}  // namespace vmcap
