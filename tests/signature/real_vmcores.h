// The real test vmcores (scripts/make-test-vmcore.sh) for the signature tests: the plain
// kernel tags only (5.10, 6.1, 6.12), opened with their kernel view.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/translate/kernel_view.h"
#include "elf/dump.h"
#include "tests/support/real_vmcores.h"

namespace vmcap::test {

// The plain tags among VMCAP_TEST_VMCORE_TAGS.
inline std::vector<std::string> plain_tags() { return testing::test_vmcore_tags(/*plain_only=*/true); }
// $VMCAP_TEST_VMCORES/TAG/FILE.
inline std::string vmcore_path(const std::string& tag, const std::string& file = "kdump.vmcore") {
  return testing::test_vmcore_file(tag, file);
}
using testing::report_value;

struct OpenedVmcore {
  std::unique_ptr<Dump> dump;
  KernelView view;
};
// Fails the calling test (ASSERT) through the returned error message when it cannot open.
std::optional<OpenedVmcore> open_vmcore(const std::string& path, std::string& error);

}  // namespace vmcap::test
