// /etc/resolv.conf as the bring-up writes it (c-ares in the static vmcap reads it).
#include "initramfs/network/address_config.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace vmcap::network {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ResolvConf, MakesTheFolderAndKeepsThreeServers) {
  testing::TempDir dir;
  const std::string path = dir.file("etc") + "/resolv.conf";  // no etc/ yet, as in a bare initramfs
  auto r = write_resolv_conf(path, {Ipv4Address{{10, 0, 2, 3}}, Ipv4Address{{1, 1, 1, 1}}, Ipv4Address{{9, 9, 9, 9}},
                                    Ipv4Address{{8, 8, 8, 8}}});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read(path),
            "# written by vmcap (network bring-up)\nnameserver 10.0.2.3\nnameserver 1.1.1.1\nnameserver 9.9.9.9\n");
  ASSERT_TRUE(write_resolv_conf(path, {Ipv4Address{{10, 0, 2, 3}}}));  // replaced, not appended
  EXPECT_EQ(read(path), "# written by vmcap (network bring-up)\nnameserver 10.0.2.3\n");
}

TEST(ResolvConf, ErrorNamesThePath) {
  testing::TempDir dir;
  std::ofstream(dir.file("file")) << "x";
  auto r = write_resolv_conf(dir.file("file") + "/sub/resolv.conf", {Ipv4Address{{10, 0, 2, 3}}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find(dir.file("file") + "/sub"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace vmcap::network
