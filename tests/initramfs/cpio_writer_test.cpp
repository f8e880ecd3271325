// The newc writer read back by Debian's cpio: names, types, modes, symlink targets, file
// bytes and the device node, over names and sizes of every length modulo 4.
#include "initramfs/cpio_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/initramfs/archive_tools.h"
#include "tests/support/temp_dir.h"

namespace vmcap::initramfs {
namespace {

using testing::cpio_names;
using testing::read_whole_file;
using testing::run_command;
using testing::shell_quoted;
using testing::TempDir;

std::string bytes_of_length(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>((i * 37 + n) & 0xff));  // NULs included
  return s;
}

TEST(CpioWriter, DebianCpioReadsEveryEntryBack) {
  TempDir dir;
  CpioWriter w;
  ASSERT_TRUE(w.add_directory("d", 0755));
  ASSERT_TRUE(w.add_directory("d/sub", 0700));
  std::vector<std::string> files;
  // Names of 1..9 bytes (with the header's 110 bytes and the NUL, every padding 0..3)
  // and data of 0..9 bytes.
  for (size_t len = 1; len <= 9; ++len) {
    std::string name = "d/" + std::string(len, static_cast<char>('a' + len - 1));
    ASSERT_TRUE(w.add_file(name, len % 2 ? 0644 : 0600, bytes_of_length(len - 1 + (len % 3))));
    files.push_back(name);
  }
  ASSERT_TRUE(w.add_file("d/sub/exec", 0755, "#!/bin/true\n"));
  ASSERT_TRUE(w.add_symlink("d/link", "/d/sub/exec"));
  ASSERT_TRUE(w.add_char_device("console", 0600, 5, 1));
  std::string archive = w.finish();
  EXPECT_EQ(archive.size() % 4, 0u);
  EXPECT_NE(archive.find("TRAILER!!!"), std::string::npos);
  const std::string file = dir.file("a.cpio");
  testing::write_whole_file(file, archive);

  std::vector<std::string> expected = {"d", "d/sub"};
  expected.insert(expected.end(), files.begin(), files.end());
  for (const char* n : {"d/sub/exec", "d/link", "console"}) expected.push_back(n);
  EXPECT_EQ(cpio_names(file), expected);

  auto listing = run_command("cpio -tv --quiet < " + shell_quoted(file));
  ASSERT_EQ(listing.status, 0) << listing.output;
  EXPECT_NE(listing.output.find("crw-------"), std::string::npos) << listing.output;
  EXPECT_NE(listing.output.find("5,   1"), std::string::npos) << listing.output;
  EXPECT_NE(listing.output.find("d/link -> /d/sub/exec"), std::string::npos) << listing.output;

  // Extract all but the device nodes (mknod needs root).
  const std::string out = dir.file("x");
  ASSERT_EQ(mkdir(out.c_str(), 0755), 0);
  auto x = run_command("cd " + shell_quoted(out) + " && cpio -i -d --quiet --no-absolute-filenames -f console < " +
                       shell_quoted(file));
  ASSERT_EQ(x.status, 0) << x.output;
  for (size_t len = 1; len <= 9; ++len) {
    const std::string path = out + "/" + files[len - 1];
    EXPECT_EQ(read_whole_file(path), bytes_of_length(len - 1 + (len % 3))) << path;
    struct stat st {};
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, len % 2 ? 0644u : 0600u) << path;
  }
  struct stat st {};
  ASSERT_EQ(stat((out + "/d/sub").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(stat((out + "/d/sub/exec").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  char target[256] = {};
  ASSERT_GT(readlink((out + "/d/link").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "/d/sub/exec");
}

TEST(CpioWriter, HeaderFieldsAreNewcHex) {
  CpioWriter w;
  ASSERT_TRUE(w.add_file("abc", 0640, "12345"));
  std::string a = w.finish();
  ASSERT_GE(a.size(), 110u);
  EXPECT_EQ(a.substr(0, 6), "070701");
  EXPECT_EQ(a.substr(6 + 8, 8), "000081a0");        // S_IFREG | 0640
  EXPECT_EQ(a.substr(6 + 6 * 8, 8), "00000005");    // filesize
  EXPECT_EQ(a.substr(6 + 11 * 8, 8), "00000004");   // namesize with the NUL
  EXPECT_EQ(a.substr(110, 4), std::string("abc\0", 4));
  EXPECT_EQ(a.substr(116, 5), "12345");             // 110 + 4 = 114, padded to 116
  EXPECT_EQ(a.substr(124, 6), "070701");            // 121 padded to 124: the trailer
}

TEST(CpioWriter, RefusesAbsoluteAndEmptyNames) {
  CpioWriter w;
  EXPECT_FALSE(w.add_file("/etc/passwd", 0644, ""));
  EXPECT_FALSE(w.add_file("", 0644, ""));
  EXPECT_FALSE(w.add_symlink("l", ""));
  EXPECT_FALSE(w.add_file(std::string(5000, 'a'), 0644, ""));
}

}  // namespace
}  // namespace vmcap::initramfs
