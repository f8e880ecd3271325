// Listing and reading a file:///PATH destination (destination_reader.h): a walk of the
// folder (symbolic links not followed, the uploader's ".NAME.part" files left out), and
// bounded reads of regular files.
#pragma once

#include "capture/upload/destination_reader.h"

namespace vmcap::upload {

// A walk stops, with an error, past this many names: a folder that never ends.
inline constexpr size_t kMaxNamesWalked = 1'000'000;

class FileReader final : public DestinationReader {
 public:
  FileReader(std::string name, std::string root) : name_(std::move(name)), root_(std::move(root)) {}
  std::string describe() const override { return name_ + " (file " + root_ + ")"; }
  Result<ListPage> list(const std::string& folder, const std::string& next, size_t max_keys,
                        const Deadline& deadline) override;
  Result<std::string> get(const std::string& key, size_t max_bytes, const Deadline& deadline) override;

 private:
  std::string name_;
  std::string root_;
};

// A key names something below the destination's root: no empty, "." or ".." segment, no
// leading '/'. Keys from a listing always are; anything else is refused before any I/O.
bool safe_key(const std::string& key);

}  // namespace vmcap::upload
