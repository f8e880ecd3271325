// The kpageflags oracle itself, on kpageflags words built from the uapi bit numbers.
#include "tests/filter/kpageflags_oracle.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace vmcap::testing {
namespace {

constexpr uint64_t bit(unsigned b) { return uint64_t{1} << b; }

TEST(KpageflagsOracle, GuestViews) {
  EXPECT_EQ(guest_view(bit(kKpfNopage)), GuestView::NoPage);
  EXPECT_EQ(guest_view(0), GuestView::Unflagged);
  EXPECT_EQ(guest_view(bit(kKpfBuddy)), GuestView::Free);
  EXPECT_EQ(guest_view(bit(kKpfLru) | bit(kKpfPrivate)), GuestView::Cache);
  EXPECT_EQ(guest_view(bit(kKpfSwapcache) | bit(kKpfSwapbacked)), GuestView::Cache);
  EXPECT_EQ(guest_view(bit(kKpfSwapcache)), GuestView::Other);  // swapcache without swapbacked
  EXPECT_EQ(guest_view(bit(kKpfLru) | bit(kKpfAnon) | bit(kKpfSwapbacked)), GuestView::User);
  EXPECT_EQ(guest_view(bit(kKpfAnon) | bit(kKpfCompoundTail) | bit(kKpfThp)), GuestView::User);
  EXPECT_EQ(guest_view(bit(kKpfHuge) | bit(kKpfCompoundTail)), GuestView::User);
  EXPECT_EQ(guest_view(bit(kKpfSlab)), GuestView::Other);
  EXPECT_EQ(guest_view(bit(kKpfSlab) | bit(kKpfAnon)), GuestView::Other) << "6.12 slab pages";
  EXPECT_EQ(guest_view(bit(kKpfZeroPage)), GuestView::Other);
  EXPECT_EQ(guest_view(bit(kKpfHwpoison) | bit(kKpfLru)), GuestView::HwPoison);
  EXPECT_EQ(guest_view(bit(kKpfOffline)), GuestView::Offline);
}

TEST(KpageflagsOracle, ComparesEveryPfnAndNamesDisagreements) {
  // pfn: 0 slab, 1 buddy head (order 1), 2 its unflagged tail, 3 file cache, 4 anon,
  // 5 THP tail, 6 nopage, 7 file cache that we call kept (a disagreement).
  std::vector<uint64_t> kpf = {bit(kKpfSlab), bit(kKpfBuddy), 0, bit(kKpfLru),
                               bit(kKpfAnon) | bit(kKpfLru), bit(kKpfAnon) | bit(kKpfThp),
                               bit(kKpfNopage), bit(kKpfLru)};
  TempDir dir;
  {
    std::ofstream out(dir.file("kpageflags"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(kpf.data()), static_cast<long>(kpf.size() * 8));
  }
  auto read = read_kpageflags(dir.file("kpageflags"));
  ASSERT_TRUE(read) << read.error().message();
  ASSERT_EQ(*read, kpf);
  KpageflagsComparison cmp(*read);
  cmp.pages(0, 1, PageCategory::Kept);
  cmp.pages(1, 2, PageCategory::Free);
  cmp.pages(3, 1, PageCategory::Cache);
  cmp.pages(4, 2, PageCategory::User);
  cmp.pages(6, 2, PageCategory::Kept);
  cmp.pages(8, 5, PageCategory::Kept);  // beyond the file: not compared
  EXPECT_EQ(cmp.compared(), 7u);
  EXPECT_EQ(cmp.agreed(), 6u);
  ASSERT_EQ(cmp.disagreements().size(), 1u);
  EXPECT_EQ(cmp.disagreements().begin()->first,
            std::make_pair(PageCategory::Kept, GuestView::Cache));
  EXPECT_EQ(cmp.report(), "agree on 6 of 7 pages (85.714%); ours kept / guest lru/swapcache: 1");
}

TEST(KpageflagsOracle, RejectsATruncatedFile) {
  TempDir dir;
  std::ofstream(dir.file("k"), std::ios::binary) << "1234567";
  EXPECT_FALSE(read_kpageflags(dir.file("k")));
  EXPECT_FALSE(read_kpageflags(dir.file("absent")));
}

}  // namespace
}  // namespace vmcap::testing
