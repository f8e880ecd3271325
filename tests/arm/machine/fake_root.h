// A machine's /sys, /proc and /etc made in a test: files with given text, symlinks with
// relative targets as sysfs has them, all under a TempDir given as the readers' root.
#pragma once

#include <string>
#include <string_view>

#include "tests/support/temp_dir.h"

namespace vmcap::testing {

class FakeRoot {
 public:
  const std::string& root() const { return dir_.path(); }
  // ROOT/PATH with TEXT, its folders made.
  void put(const std::string& path, std::string_view text, unsigned mode = 0644) const;
  // ROOT/PATH -> TARGET (as written: relative targets resolve inside the tree).
  void link(const std::string& path, const std::string& target) const;
  void mkdir(const std::string& path) const;

 private:
  TempDir dir_;
};

}  // namespace vmcap::testing
