// Listing and reading an S3 destination (destination_reader.h): ListObjectsV2 pages
// (list-type=2, prefix, max-keys, continuation-token) and GETs of small objects, signed
// with SigV4 as the uploads are. Keys outside the destination's prefix are left out.
#pragma once

#include "capture/upload/destination_reader.h"
#include "capture/upload/s3_uploader.h"

namespace vmcap::upload {

// A ListObjectsV2 answer larger than this is refused (1000 keys of 1 KiB each fit).
inline constexpr size_t kMaxListingBytes = 2 << 20;

class S3Reader final : public DestinationReader {
 public:
  S3Reader(config::Destination destination, TransferPolicy policy)
      : d_(destination), policy_(policy), urls_(std::move(destination), std::move(policy)) {}
  std::string describe() const override { return urls_.describe(); }
  Result<ListPage> list(const std::string& folder, const std::string& next, size_t max_keys,
                        const Deadline& deadline) override;
  Result<std::string> get(const std::string& key, size_t max_bytes, const Deadline& deadline) override;

  // The bucket's URL with `query` (already in SigV4's canonical order and encoding).
  std::string bucket_url(const std::string& query) const;

 private:
  Result<std::string> signed_get(const std::string& url, size_t max_bytes, const Deadline& deadline,
                                 const std::string& what);

  config::Destination d_;
  TransferPolicy policy_;
  S3Uploader urls_;  // object URLs, built as the uploads build them
};

// ListObjectsV2's answer: the keys, and the continuation token when IsTruncated.
struct S3ListResult {
  std::vector<std::string> keys;
  std::string next_token;
  bool truncated = false;
};
Result<S3ListResult> parse_list_objects(const std::string& xml);

}  // namespace vmcap::upload
