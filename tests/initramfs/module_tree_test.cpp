// Module plans on Debian's real 6.1 (.ko) and 6.12 (.ko.xz) module trees against kmod's
// own answer, `modprobe -d ROOT -S KREL --show-depends`: the same files in the same order.
#include "initramfs/module_tree.h"

#include <algorithm>
#include <iterator>
#include <sstream>

#include <gtest/gtest.h>

#include "initramfs/module_files.h"
#include "tests/initramfs/kernel_trees.h"
#include "tests/support/temp_dir.h"

namespace vmcap::initramfs {
namespace {

using testing::run_command;
using testing::shell_quoted;

// modprobe's "insmod /ROOT/lib/modules/KREL/PATH " lines, as PATHs relative to the tree.
std::vector<std::string> modprobe_order(const ModuleTree& tree, const std::vector<std::string>& names) {
  std::vector<std::string> order;
  for (const auto& name : names) {
    auto r = run_command("modprobe -d " + shell_quoted(tree.root) + " -S " + shell_quoted(tree.release) +
                         " --show-depends " + shell_quoted(name));
    EXPECT_EQ(r.status, 0) << r.output;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::string verb, path;
      words >> verb >> path;
      if (verb != "insmod") continue;  // "builtin NAME"
      std::string rel = path.substr(tree.dir.size() + 1);
      if (std::find(order.begin(), order.end(), rel) == order.end()) order.push_back(rel);
    }
  }
  return order;
}

class RealModuleTree : public ::testing::TestWithParam<const char*> {};

TEST_P(RealModuleTree, PlansEqualModprobes) {
  auto tree = module_tree_in_root(testing::debian_kernel_root(GetParam()));
  ASSERT_TRUE(tree) << tree.error().message();
  for (const std::vector<std::string>& names :
       {std::vector<std::string>{"virtio_net"}, {"e1000"}, {"virtio-net", "e1000"}, {"virtio_blk", "virtio_net"}}) {
    auto plan = plan_modules(*tree, names);
    ASSERT_TRUE(plan) << plan.error().message();
    EXPECT_EQ(plan->load_order, modprobe_order(*tree, names)) << names[0] << " on " << tree->release;
    EXPECT_TRUE(plan->builtin.empty());
  }
}

TEST_P(RealModuleTree, VirtioNetNeedsItsFailoverModules) {
  auto tree = module_tree_in_root(testing::debian_kernel_root(GetParam()));
  ASSERT_TRUE(tree) << tree.error().message();
  auto plan = plan_modules(*tree, {"virtio_net"});
  ASSERT_TRUE(plan) << plan.error().message();
  ASSERT_GE(plan->load_order.size(), 3u);
  EXPECT_EQ(module_name_of_path(plan->load_order.back()), "virtio_net");
  std::vector<std::string> names;
  for (const auto& p : plan->load_order) names.push_back(module_name_of_path(p));
  EXPECT_LT(std::find(names.begin(), names.end(), "failover"), std::find(names.begin(), names.end(), "net_failover"));
}

TEST_P(RealModuleTree, UnknownModuleIsAnErrorNamingIt) {
  auto tree = module_tree_in_root(testing::debian_kernel_root(GetParam()));
  ASSERT_TRUE(tree) << tree.error().message();
  auto plan = plan_modules(*tree, {"virtio_net", "no_such_driver"});
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find("no_such_driver"), std::string::npos);
  EXPECT_NE(plan.error().message().find(tree->release), std::string::npos);
}

// The filesystems a file:// destination may sit on, with their soft dependencies
// (modules.softdep: ext4, jbd2 and libcrc32c want crc32c, btrfs its hashes) resolved as the
// image builder does: the same modules as modprobe's, each soft one before what needs it.
// btrfs has four softdep lines (blake2b-256, sha256, xxhash64, crypto-crc32c) and kmod 30
// follows only the first a module has; vmcap follows them all, so sha256-ssse3 and
// xxhash_generic come in beside modprobe's set.
TEST_P(RealModuleTree, FilesystemsWithTheirSoftDependenciesEqualModprobes) {
  auto tree = module_tree_in_root(testing::debian_kernel_root(GetParam()));
  ASSERT_TRUE(tree) << tree.error().message();
  for (const char* fs : {"fs-ext4", "fs-xfs", "fs-btrfs", "fs-vfat"}) {
    auto hard = plan_modules(*tree, {fs});
    ASSERT_TRUE(hard) << hard.error().message();
    std::vector<std::string> loaded;
    for (const auto& p : hard->load_order) loaded.push_back(module_name_of_path(p));
    std::vector<std::string> names = soft_predependencies(*tree, loaded);
    names.push_back(fs);
    auto plan = plan_modules(*tree, names);
    ASSERT_TRUE(plan) << plan.error().message();
    auto want = modprobe_order(*tree, {fs});
    auto sorted = [](std::vector<std::string> v) {
      std::sort(v.begin(), v.end());
      return v;
    };
    const auto got_sorted = sorted(plan->load_order), want_sorted = sorted(want);
    std::vector<std::string> extra;
    std::set_difference(got_sorted.begin(), got_sorted.end(), want_sorted.begin(), want_sorted.end(),
                        std::back_inserter(extra));
    if (std::string(fs) == "fs-btrfs") {
      for (const auto& e : extra) {
        const std::string name = module_name_of_path(e);
        EXPECT_TRUE(name == "sha256_ssse3" || name == "xxhash_generic") << e;
      }
      std::vector<std::string> missing;
      std::set_difference(want_sorted.begin(), want_sorted.end(), got_sorted.begin(), got_sorted.end(),
                          std::back_inserter(missing));
      EXPECT_TRUE(missing.empty()) << missing.front();
    } else {
      EXPECT_EQ(got_sorted, want_sorted) << fs << " on " << tree->release;
    }
    for (const auto& soft : soft_predependencies(*tree, loaded)) {
      auto at = [&](const std::string& name) {
        return std::find_if(plan->load_order.begin(), plan->load_order.end(),
                            [&](const std::string& p) { return module_name_of_path(p) == name; });
      };
      EXPECT_LT(at(soft), at(loaded.back())) << soft << " before " << loaded.back();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Debian, RealModuleTree, ::testing::Values("6.1", "6.12"),
                         [](const auto& info) { return std::string(info.param) == "6.1" ? "K6_1" : "K6_12"; });

// 6.1: virtio_pci is a module; 6.12: built in (modules.builtin), so nothing to load.
TEST(RealModuleTreeBuiltin, VirtioPciIsAModuleOn61AndBuiltinOn612) {
  auto t61 = module_tree_in_root(testing::debian_kernel_root("6.1"));
  auto t612 = module_tree_in_root(testing::debian_kernel_root("6.12"));
  ASSERT_TRUE(t61 && t612);
  auto p61 = plan_modules(*t61, {"virtio_pci"});
  auto p612 = plan_modules(*t612, {"virtio_pci"});
  ASSERT_TRUE(p61 && p612);
  EXPECT_EQ(p61->load_order, modprobe_order(*t61, {"virtio_pci"}));
  EXPECT_TRUE(p61->builtin.empty());
  EXPECT_TRUE(p612->load_order.empty());
  EXPECT_EQ(p612->builtin, std::vector<std::string>{"virtio_pci"});
  auto r = run_command("modprobe -d " + shell_quoted(t612->root) + " -S " + shell_quoted(t612->release) +
                       " --show-depends virtio_pci");
  EXPECT_NE(r.output.find("builtin virtio_pci"), std::string::npos) << r.output;
}

// 6.12's .ko.xz go in as they are: its config has CONFIG_MODULE_DECOMPRESS and
// CONFIG_MODULE_COMPRESS_XZ. 6.1's .ko are plain.
TEST(RealModuleFiles, XzModulesKeptForAKernelThatDecompresses) {
  auto t612 = module_tree_in_root(testing::debian_kernel_root("6.12"));
  ASSERT_TRUE(t612);
  auto support = read_kernel_module_support(*t612);
  EXPECT_TRUE(support.decompress);
  EXPECT_TRUE(support.xz);
  auto plan = plan_modules(*t612, {"virtio_net"});
  ASSERT_TRUE(plan);
  for (const auto& p : plan->load_order) {
    auto m = prepare_module(*t612, p, support);
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_EQ(m->path, p);
    EXPECT_FALSE(m->decompressed_here);
    EXPECT_EQ(m->bytes.substr(0, 6), std::string("\xfd" "7zXZ\0", 6)) << p;
  }
  // The same tree for a kernel without in-kernel decompression: refused, naming why.
  KernelModuleSupport none;
  auto refused = prepare_module(*t612, plan->load_order.back(), none);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("cannot decompress"), std::string::npos) << refused.error().message();
}

// A kernel that cannot decompress modules gets .ko.zst decompressed at build time: a real
// 6.1 module compressed with Debian's zstd comes back byte for byte, as a .ko.
TEST(RealModuleFiles, ZstdModuleDecompressedForAKernelThatCannot) {
  auto t61 = module_tree_in_root(testing::debian_kernel_root("6.1"));
  ASSERT_TRUE(t61);
  testing::TempDir dir;
  ModuleTree packed{t61->release, dir.file("lib/modules/" + t61->release), dir.path()};
  const std::string rel = "kernel/drivers/net/virtio_net.ko";
  auto r = run_command("mkdir -p " + shell_quoted(packed.dir + "/kernel/drivers/net") + " && zstd -q -19 " +
                       shell_quoted(t61->dir + "/" + rel) + " -o " + shell_quoted(packed.dir + "/" + rel + ".zst"));
  ASSERT_EQ(r.status, 0) << r.output;
  auto m = prepare_module(packed, rel + ".zst", KernelModuleSupport{});
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_TRUE(m->decompressed_here);
  EXPECT_EQ(m->path, rel);
  EXPECT_EQ(m->bytes, testing::read_whole_file(t61->dir + "/" + rel));
}

}  // namespace
}  // namespace vmcap::initramfs
