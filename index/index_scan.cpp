#include "index/index_scan.h"

namespace vmcap::index {

Result<std::vector<ScannedEntry>> IndexScan::next(size_t page_keys, const upload::Deadline& deadline) {
  std::vector<ScannedEntry> out;
  if (done_) return out;
  auto page = VMCAP_TRY(reader_.list(folder_, position_, page_keys, deadline));
  // A store that hands back the position it was given would list forever.
  if (!page.next.empty() && page.next == position_)
    return make_error(ErrorKind::Format, reader_.describe(), std::nullopt,
                      "the listing gave the same position again: stopped");
  for (const std::string& k : page.keys) {
    ++counts_.keys;
    auto key = parse_index_key(k);
    if (!key) {
      ++counts_.not_ours;
      continue;
    }
    auto bytes = reader_.get(k, kMaxEntryBytes, deadline);
    if (!bytes) {
      (bytes.error().kind == ErrorKind::Limit && !deadline.expired() ? counts_.bad : counts_.unreadable)++;
      continue;
    }
    auto entry = parse_index_entry(*bytes);
    // An entry is trusted only under its own key: its directory, and its signature's folder.
    const std::string folder_hash = is_signature_hash(entry ? entry->hash : "") ? entry->hash : kUnknownSignature;
    if (!entry || entry->directory != key->directory || folder_hash != key->signature) {
      ++counts_.bad;
      continue;
    }
    ++counts_.entries;
    out.push_back({std::move(*key), std::move(*entry)});
  }
  position_ = page.next;
  done_ = position_.empty();
  return out;
}

}  // namespace vmcap::index
