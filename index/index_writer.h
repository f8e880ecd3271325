// Writing a capture's index entry to a destination, at index_key() under its prefix.
#pragma once

#include "capture/upload/uploader.h"
#include "index/index_entry.h"

namespace vmcap::index {

// The artifact an entry is put as: folder index/<hash>, name <directory>.json.
upload::Artifact entry_artifact(const IndexEntry& entry);

Result<void> put_index_entry(upload::Uploader& uploader, const IndexEntry& entry, const upload::Deadline& deadline);

}  // namespace vmcap::index
