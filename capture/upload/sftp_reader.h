// Listing and reading an sftp:// destination (destination_reader.h) through libcurl's
// SFTP, with the uploads' key authentication and known_hosts check: a folder's listing
// (its sub-folders walked, one request each), bounded downloads.
#pragma once

#include <memory>

#include "capture/upload/destination_reader.h"

namespace vmcap::upload {


// A listing of one remote folder larger than this is refused.
inline constexpr size_t kMaxSftpListingBytes = 16 << 20;

class SftpReader final : public DestinationReader {
 public:
  SftpReader(config::Destination destination, TransferPolicy policy);
  ~SftpReader() override;
  std::string describe() const override { return d_.name + " (sftp " + d_.url + ")"; }
  Result<ListPage> list(const std::string& folder, const std::string& next, size_t max_keys,
                        const Deadline& deadline) override;
  Result<std::string> get(const std::string& key, size_t max_bytes, const Deadline& deadline) override;

 private:
  Result<std::string> fetch(const std::string& rel, size_t max_bytes, const Deadline& deadline, const std::string& what);

  config::Destination d_;
  TransferPolicy policy_;
  std::string base_;  // sftp://USER@HOST[:PORT]
};

// One line of libcurl's SFTP listing ("drwxr-x--- 2 u g 4096 Dec  7 06:00 NAME"): the
// name and whether it is a folder; nothing for links, ".", ".." and lines it cannot read.
struct SftpListingEntry {
  std::string name;
  bool folder = false;
};
std::optional<SftpListingEntry> parse_sftp_listing_line(std::string_view line);

}  // namespace vmcap::upload
