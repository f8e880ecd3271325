// The fixture of the suites that hold vmcap against the chroot's newer makedumpfile on one
// real test vmcore (the test's parameter is its tag): the vmcore, its dump, its kernel view,
// the chroot checked, and a temporary folder for the outputs.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "capture/translate/kernel_view.h"
#include "elf/open_dump.h"
#include "tests/filter/makedumpfile_oracle.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"

#ifndef VMCAP_MAKEDUMPFILE_CHROOT
#define VMCAP_MAKEDUMPFILE_CHROOT "makedumpfile-chroot"
#endif
#ifndef VMCAP_MAKEDUMPFILE_CHROOT_SCRIPT
#define VMCAP_MAKEDUMPFILE_CHROOT_SCRIPT "scripts/makedumpfile-chroot.sh"
#endif

namespace vmcap::testing {

class ChrootOracleTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!test_vmcores_configured()) GTEST_SKIP() << "VMCAP_TEST_VMCORES not set";
    vmcore_ = test_vmcore_file(GetParam());
    ASSERT_TRUE(std::filesystem::exists(vmcore_)) << vmcore_ << " missing";
    ASSERT_TRUE(chroot_is_made(VMCAP_MAKEDUMPFILE_CHROOT))
        << "no makedumpfile chroot at " VMCAP_MAKEDUMPFILE_CHROOT
           " (the fixture make_makedumpfile_chroot makes it: scripts/makedumpfile-chroot.sh setup)";
    auto d = open_dump(vmcore_);
    ASSERT_TRUE(d) << d.error().message();
    dump_ = std::move(*d);
    auto k = open_kernel_view(*dump_);
    ASSERT_TRUE(k) << k.error().message();
    kernel_ = std::make_unique<KernelView>(std::move(*k));
  }

  std::string vmcore_;
  std::unique_ptr<Dump> dump_;
  std::unique_ptr<KernelView> kernel_;
  TempDir tmp_;
};

}  // namespace vmcap::testing
