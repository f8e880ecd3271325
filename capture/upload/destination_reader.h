// Reading back from a destination (file, sftp, S3): list the keys under a folder and get
// a small object, each bounded by a number of keys, a number of bytes and a deadline.
// What the crash index needs (index/): the dedup lookup before a core, `vmcap report`
// later. Like Uploader it knows bytes and names, nothing about kernels. http(s)
// destinations cannot be listed: make_reader gives them none.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "capture/config/config.h"
#include "capture/upload/deadline.h"
#include "capture/upload/uploader.h"
#include "elf/result.h"

namespace vmcap::upload {

// One page of a listing: keys relative to the destination's prefix ("index/ab12/x.json"),
// in ascending byte order. `next` is empty when the listing is done, else what list()
// takes to go on from here (an S3 continuation token, or the last key for file and sftp).
struct ListPage {
  std::vector<std::string> keys;
  std::string next;
};

// The most keys one page may ask for (S3's own cap).
inline constexpr size_t kMaxKeysPerPage = 1000;

// A page of the first `max_keys` of `keys` (sorted here), `next` the last key kept when
// more follow: the file and sftp listings, which walk the folder themselves.
ListPage first_keys_page(std::vector<std::string> keys, size_t max_keys);

class DestinationReader {
 public:
  virtual ~DestinationReader() = default;
  // "NAME (kind url)" without secrets, as Uploader::describe.
  virtual std::string describe() const = 0;
  // Up to `max_keys` (at most kMaxKeysPerPage) object keys below the folder `folder`
  // ("index/ab12"), at any depth, after the position `next` of an earlier page ("" first).
  // A missing folder is an empty listing.
  virtual Result<ListPage> list(const std::string& folder, const std::string& next, size_t max_keys,
                                const Deadline& deadline) = 0;
  // An object's bytes; one larger than `max_bytes` is an error (Limit), never read whole.
  virtual Result<std::string> get(const std::string& key, size_t max_bytes, const Deadline& deadline) = 0;
};

// nullptr for destinations that cannot be listed (http, https).
std::unique_ptr<DestinationReader> make_reader(const config::Destination& destination, const TransferPolicy& policy);

// Whether a destination's kind can be listed (file, sftp, s3).
bool can_be_listed(config::DestinationKind kind);

}  // namespace vmcap::upload
