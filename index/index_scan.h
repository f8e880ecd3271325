// Reading a whole crash index back, page by page (what `vmcap report` does): each page
// of keys listed is read and parsed into entries; keys that are not entries' and entries
// that do not parse, are too large or cannot be read are counted and skipped, never
// trusted for more than kMaxEntryBytes. Memory is one page of entries at a time.
#pragma once

#include <string>
#include <vector>

#include "capture/upload/deadline.h"
#include "capture/upload/destination_reader.h"
#include "index/index_entry.h"
#include "index/index_layout.h"

namespace vmcap::index {

struct ScannedEntry {
  IndexKey key;
  IndexEntry entry;
};

struct ScanCounts {
  size_t keys = 0;        // listed
  size_t entries = 0;     // read and parsed
  size_t not_ours = 0;    // keys of another form
  size_t bad = 0;         // garbage, truncated, too large, mistyped, or not the key they are under
  size_t unreadable = 0;  // the read failed (the store said no, or the time ran out)
};

class IndexScan {
 public:
  // `folder`: "index" for the whole index, index_folder(hash) for one signature's.
  explicit IndexScan(upload::DestinationReader& reader, std::string folder = kIndexFolder)
      : reader_(reader), folder_(std::move(folder)) {}

  // The entries of the next `page_keys` keys (at most upload::kMaxKeysPerPage). An error
  // only when the listing itself fails; then the scan can be tried again from here.
  Result<std::vector<ScannedEntry>> next(size_t page_keys, const upload::Deadline& deadline);
  bool done() const { return done_; }
  const ScanCounts& counts() const { return counts_; }

 private:
  upload::DestinationReader& reader_;
  std::string folder_;
  std::string position_;  // the listing's `next`
  bool done_ = false;
  ScanCounts counts_;
};

}  // namespace vmcap::index
