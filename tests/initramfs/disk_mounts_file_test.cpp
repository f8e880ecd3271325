// /etc/vmcap-mounts (initramfs/disk_mounts_file.h): written by the image builder, read by
// /init. Round trips (spaces and backslashes in paths), and every kind of bad line said with
// its number while the good lines are kept.
#include "initramfs/disk_mounts_file.h"

#include <gtest/gtest.h>

namespace vmcap::initramfs {
namespace {

TEST(DiskMountsFile, RoundTrip) {
  std::vector<DiskMount> mounts = {
      {"5d1c0a9e-3b7f-4e21-9c55-0123456789ab", "ext4", "/var/crash", "/var/crash"},
      {"5d1c0a9e-3b7f-4e21-9c55-0123456789ab", "ext4", "/srv/my crash\\dir", "/srv/my crash\\dir"},
      {"A1B2-C3D4", "vfat", "/", "/boot/efi/crash"},
      {"00112233-4455-6677-8899-aabbccddeeff", "btrfs", "/@/var/tab\there", "/var/nl\nhere"},
  };
  const std::string text = format_disk_mounts(mounts);
  EXPECT_NE(text.find("/srv/my\\040crash\\134dir"), std::string::npos) << text;
  EXPECT_EQ(text.find("my crash"), std::string::npos) << text;
  auto parsed = parse_disk_mounts(text);
  EXPECT_TRUE(parsed.problems.empty()) << parsed.problems.front();
  EXPECT_EQ(parsed.mounts, mounts);
  EXPECT_TRUE(parse_disk_mounts(format_disk_mounts({})).mounts.empty());
}

TEST(DiskMountsFile, BadLinesAreSaidAndLeftOut) {
  auto parsed = parse_disk_mounts(
      "# comment\n"
      "\n"
      "abcd ext4 /var/crash\n"                        // 3: three fields
      "abcd ext4 /a /b /c\n"                          // 4: five
      "xyz! ext4 /a /b\n"                             // 5: UUID
      "abcd zfs /a /b\n"                              // 6: TYPE
      "abcd ext4 relative /b\n"                       // 7: PATH
      "abcd ext4 /a/../etc /b\n"                      // 8: PATH with ..
      "abcd ext4 /a /\n"                              // 9: TARGET the root
      "abcd ext4 /a /proc/x\n"                        // 10: TARGET under /proc
      "abcd ext4 /a /run\n"                           // 11: TARGET /run
      "abcd xfs /crash /var/crash\n");                // 12: good
  ASSERT_EQ(parsed.mounts.size(), 1u);
  EXPECT_EQ(parsed.mounts[0].type, "xfs");
  ASSERT_EQ(parsed.problems.size(), 9u);
  EXPECT_EQ(parsed.problems[0], "line 3: want 4 fields (UUID TYPE PATH TARGET), got 3");
  EXPECT_EQ(parsed.problems[1], "line 4: want 4 fields (UUID TYPE PATH TARGET), got more");
  EXPECT_EQ(parsed.problems[2], "line 5: UUID 'xyz!' is not hex digits and dashes");
  EXPECT_EQ(parsed.problems[3], "line 6: TYPE 'zfs' is not ext2, ext3, ext4, xfs, btrfs or vfat");
  EXPECT_EQ(parsed.problems[4], "line 7: PATH is not absolute");
  EXPECT_EQ(parsed.problems[5], "line 8: PATH has a '..' component");
  EXPECT_EQ(parsed.problems[6], "line 9: TARGET is the capture kernel's root");
  EXPECT_EQ(parsed.problems[7], "line 10: TARGET is /proc or below it (mounted by /init itself)");
  EXPECT_EQ(parsed.problems[8], "line 11: TARGET is /run or below it (mounted by /init itself)");
}

TEST(DiskMountsFile, Limits) {
  std::string many;
  for (size_t i = 0; i < kMaxDiskMounts + 3; ++i) many += "abcd ext4 /a /t" + std::to_string(i) + "\n";
  auto parsed = parse_disk_mounts(many);
  EXPECT_EQ(parsed.mounts.size(), kMaxDiskMounts);
  ASSERT_EQ(parsed.problems.size(), 1u);
  EXPECT_NE(parsed.problems[0].find("more than 64 mounts"), std::string::npos);
  auto big = parse_disk_mounts(std::string(kMaxDiskMountsBytes + 10, '#'));
  ASSERT_FALSE(big.problems.empty());
  EXPECT_NE(big.problems[0].find("larger than"), std::string::npos);
  EXPECT_EQ(bad_mount_target("/var/crash"), "");
  EXPECT_EQ(bad_mount_target("/var//crash"), "has an empty component ('//')");
  EXPECT_EQ(bad_mount_target("/devices"), "") << "/dev is a component, not a prefix";
}

}  // namespace
}  // namespace vmcap::initramfs
