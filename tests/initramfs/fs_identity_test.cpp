// The superblock reader (initramfs/fs_identity.h) on made-up superblocks of each family, on
// a real ext4 image made by e2fsprogs' mkfs.ext4 -U, and on what it must refuse: a
// partition table, a journal device, a truncated head, a FAT boot sector without a sane BPB.
#include "initramfs/fs_identity.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "tests/initramfs/archive_tools.h"
#include "tests/initramfs/superblocks.h"
#include "tests/support/temp_dir.h"

namespace vmcap::initramfs {
namespace {

using testing::kUuidText;

TEST(FsIdentity, ExtFamilyNamedByItsFeatures) {
  auto ext4 = identify_filesystem(testing::ext_image());
  ASSERT_TRUE(ext4) << ext4.error().message();
  EXPECT_EQ(ext4->family, FsFamily::Ext);
  EXPECT_EQ(ext4->type, "ext4");
  EXPECT_EQ(ext4->uuid, kUuidText);
  EXPECT_EQ(identify_filesystem(testing::ext_image(0x4, 0x2))->type, "ext3");  // has_journal, filetype
  EXPECT_EQ(identify_filesystem(testing::ext_image(0x0, 0x2))->type, "ext2");
}

TEST(FsIdentity, AnExternalJournalIsNoFilesystem) {
  auto journal = identify_filesystem(testing::ext_image(0x4, 0x8));
  ASSERT_FALSE(journal);
  EXPECT_EQ(journal.error().kind, ErrorKind::Format);
}

TEST(FsIdentity, XfsBtrfsAndVfat) {
  auto xfs = identify_filesystem(testing::xfs_image());
  ASSERT_TRUE(xfs);
  EXPECT_EQ(xfs->type, "xfs");
  EXPECT_EQ(xfs->uuid, kUuidText);
  auto btrfs = identify_filesystem(testing::btrfs_image());
  ASSERT_TRUE(btrfs);
  EXPECT_EQ(btrfs->type, "btrfs");
  EXPECT_EQ(btrfs->uuid, kUuidText);
  for (bool fat32 : {false, true}) {
    auto fat = identify_filesystem(testing::vfat_image(fat32));
    ASSERT_TRUE(fat) << fat32;
    EXPECT_EQ(fat->type, "vfat");
    EXPECT_EQ(fat->uuid, "A1B2-C3D4") << "blkid's form: the serial's bytes 3, 2, 1, 0";
  }
}

TEST(FsIdentity, AFatBootSectorWithoutASaneBpbIsRefused) {
  std::string fat = testing::vfat_image(true);
  fat[0x0B] = 0;
  fat[0x0C] = 3;  // 768-byte sectors
  EXPECT_FALSE(identify_filesystem(fat));
  fat = testing::vfat_image(false);
  fat[0x10] = 0;  // no FAT
  EXPECT_FALSE(identify_filesystem(fat));
  fat = testing::vfat_image(false);
  fat[0x15] = 0x12;  // media byte
  EXPECT_FALSE(identify_filesystem(fat));
}

TEST(FsIdentity, TruncatedAndUnknownHeadsAreSaidSo) {
  auto tiny = identify_filesystem(std::string(100, '\0'));
  ASSERT_FALSE(tiny);
  EXPECT_EQ(tiny.error().kind, ErrorKind::Truncated);
  EXPECT_NE(tiny.error().reason.find("100 bytes"), std::string::npos) << tiny.error().reason;
  // An ext superblock cut before its UUID: not an ext filesystem, and too short for btrfs.
  auto cut = identify_filesystem(testing::ext_image().substr(0, 1024 + 0x40));
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind, ErrorKind::Format);
  // btrfs' magic is at 64 KiB: a head that stops before it finds nothing.
  EXPECT_FALSE(identify_filesystem(testing::btrfs_image().substr(0, 0x10040)));
  // An MBR partition table (the whole disk of a partitioned drive).
  std::string mbr(64 << 10, '\0');
  mbr[0x1FE] = 0x55;
  mbr[0x1FF] = static_cast<char>(0xAA);
  auto table = identify_filesystem(mbr);
  ASSERT_FALSE(table);
  EXPECT_NE(table.error().reason.find("no ext2/3/4, xfs, btrfs or vfat superblock"), std::string::npos);
}

TEST(FsIdentity, AMissingDeviceIsAnIoErrorNamingIt) {
  auto r = read_filesystem_identity("/nonexistent/vmcap-disk");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Io);
  EXPECT_EQ(r.error().file, "/nonexistent/vmcap-disk");
}

// e2fsprogs' own ext4 (metadata_csum, 64bit, extents: Debian 12's defaults), read from the
// image file as the capture kernel reads /dev/vda.
TEST(FsIdentity, ARealExt4MadeByMkfs) {
  if (testing::run_command("command -v mkfs.ext4 || test -x /sbin/mkfs.ext4").status != 0)
    GTEST_SKIP() << "no mkfs.ext4 (e2fsprogs)";
  testing::TempDir dir;
  const std::string image = dir.file("disk.img");
  const std::string uuid = "5d1c0a9e-3b7f-4e21-9c55-0123456789ab";
  auto mk = testing::run_command("PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -q -F -U " + uuid + " " +
                                 testing::shell_quoted(image) + " 8M 2>&1");
  ASSERT_EQ(mk.status, 0) << mk.output;
  auto id = read_filesystem_identity(image);
  ASSERT_TRUE(id) << id.error().message();
  EXPECT_EQ(id->type, "ext4");
  EXPECT_EQ(id->uuid, uuid);
  EXPECT_TRUE(same_uuid(id->uuid, "5D1C0A9E-3B7F-4E21-9C55-0123456789AB"));
  EXPECT_FALSE(same_uuid(id->uuid, "5d1c0a9e"));
}

// Each family's own mkfs, when installed (dosfstools, xfsprogs, btrfs-progs), against
// util-linux's blkid on the same image: the same TYPE and UUID.
TEST(FsIdentity, RealFilesystemsAgreeWithBlkid) {
  struct Mkfs {
    const char* tool;
    const char* args;
    const char* size;
  };
  const Mkfs all[] = {{"mkfs.ext4", "-q -F", "8M"},       {"mkfs.ext3", "-q -F", "8M"},
                      {"mkfs.ext2", "-q -F", "8M"},       {"mkfs.xfs", "-q -f", "320M"},
                      {"mkfs.btrfs", "-q -f", "128M"},    {"mkfs.vfat", "-F 16", "32M"},
                      {"mkfs.vfat", "-F 32", "64M"}};
  if (testing::run_command("PATH=$PATH:/sbin:/usr/sbin command -v blkid").status != 0) GTEST_SKIP() << "no blkid";
  testing::TempDir dir;
  int made = 0;
  for (const Mkfs& m : all) {
    if (testing::run_command(std::string("PATH=$PATH:/sbin:/usr/sbin command -v ") + m.tool).status != 0) continue;
    const std::string image = dir.file("fs.img");
    std::remove(image.c_str());
    auto mk = testing::run_command("PATH=$PATH:/sbin:/usr/sbin; truncate -s " + std::string(m.size) + " " + image +
                                   " && " + m.tool + " " + m.args + " " + image + " >/dev/null 2>&1 && blkid -p -o "
                                   "value -s TYPE -s UUID " + image);
    ASSERT_EQ(mk.status, 0) << m.tool << " " << m.args << ": " << mk.output;
    std::istringstream lines(mk.output);
    std::string uuid, type;
    std::getline(lines, uuid);
    std::getline(lines, type);
    auto id = read_filesystem_identity(image);
    ASSERT_TRUE(id) << m.tool << " " << m.args << ": " << id.error().message();
    EXPECT_EQ(id->type, type) << m.tool << " " << m.args;
    EXPECT_EQ(id->uuid, uuid) << m.tool << " " << m.args;
    ++made;
  }
  if (made == 0) GTEST_SKIP() << "no mkfs of any family installed";
}

TEST(FsIdentity, MountTypesAndTheirFamilies) {
  EXPECT_EQ(family_of_type("ext3"), FsFamily::Ext);
  EXPECT_EQ(family_of_type("btrfs"), FsFamily::Btrfs);
  EXPECT_FALSE(family_of_type("tmpfs"));
  EXPECT_FALSE(family_of_type("msdos"));
  EXPECT_EQ(family_name(FsFamily::Ext), "ext2/3/4");
}

}  // namespace
}  // namespace vmcap::initramfs
