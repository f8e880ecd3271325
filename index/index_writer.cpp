#include "index/index_writer.h"

#include "index/index_layout.h"

namespace vmcap::index {

upload::Artifact entry_artifact(const IndexEntry& entry) {
  return upload::Artifact{index_folder(entry.hash), entry.directory + kEntrySuffix, "application/json", {}};
}

Result<void> put_index_entry(upload::Uploader& uploader, const IndexEntry& entry, const upload::Deadline& deadline) {
  return uploader.put(entry_artifact(entry), render_index_entry(entry), deadline);
}

}  // namespace vmcap::index
