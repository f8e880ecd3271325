#include "index/core_dedup.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <tuple>

#include "index/index_entry.h"
#include "index/index_layout.h"

namespace vmcap::index {

namespace {

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

std::string skipped_counts(const DedupDecision& d) {
  std::string s;
  if (d.not_ours) s += ", " + std::to_string(d.not_ours) + " key(s) not ours skipped";
  if (d.bad_entries) s += ", " + std::to_string(d.bad_entries) + " bad entr" + (d.bad_entries == 1 ? "y" : "ies") + " skipped";
  if (d.other_build) s += ", " + std::to_string(d.other_build) + " of other builds";
  return s;
}

}  // namespace

const char* to_string(DedupKey key) { return key == DedupKey::Signature ? "signature" : "signature+build-id"; }

DedupDecision decide_core(upload::DestinationReader& reader, const DedupRequest& request,
                          const upload::Deadline& deadline) {
  const auto start = std::chrono::steady_clock::now();
  DedupDecision d;
  auto finish = [&]() -> DedupDecision& {
    d.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return d;
  };
  auto keep_after_failure = [&](const std::string& what) -> DedupDecision& {
    d.lookup_failed = true;
    d.why = "the index lookup on " + reader.describe() + " " + what + ": the core is kept (when in doubt, keep)";
    return finish();
  };
  if (!is_signature_hash(request.hash)) {
    d.why = "no crash signature to look up: the core is kept";
    return finish();
  }
  const std::string folder = index_folder(request.hash);

  // Every key of the signature, page by page, bounded.
  struct Candidate {
    int64_t time;
    std::string key, directory;
  };
  std::vector<Candidate> candidates;
  std::string next;
  bool listing_cut = false;
  do {
    if (deadline.expired()) return keep_after_failure("ran out of its " + seconds_text(kLookupTime));
    auto page = reader.list(folder, next, upload::kMaxKeysPerPage, deadline);
    if (!page) {
      if (deadline.expired())
        return keep_after_failure("ran out of time (" + page.error().reason + ")");
      return keep_after_failure("failed: " + page.error().reason);
    }
    for (auto& key : page->keys) {
      ++d.listed;
      auto k = parse_index_key(key);
      if (!k || k->signature != request.hash) {
        ++d.not_ours;
        continue;
      }
      candidates.push_back({capture_directory_time(k->directory).value_or(INT64_MAX), std::move(key), k->directory});
    }
    next = page->next;
    if (!next.empty() && d.listed >= kMaxKeysListed) {
      listing_cut = true;
      break;
    }
  } while (!next.empty());

  // The oldest first: the first captures of a bug are the ones that kept its cores.
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return std::tie(a.time, a.key) < std::tie(b.time, b.key); });
  for (const Candidate& c : candidates) {
    if (d.holders.size() >= static_cast<size_t>(request.cores_per_signature)) break;
    if (d.read >= kMaxEntriesRead) break;
    if (deadline.expired()) return keep_after_failure("ran out of its " + seconds_text(kLookupTime));
    ++d.read;
    auto bytes = reader.get(c.key, kMaxEntryBytes, deadline);
    if (!bytes) {
      if (deadline.expired()) return keep_after_failure("ran out of time (" + bytes.error().reason + ")");
      ++d.bad_entries;
      continue;
    }
    auto entry = parse_index_entry(*bytes);
    // An entry counts only for the key it is under.
    if (!entry || entry->directory != c.directory || entry->hash != request.hash) {
      ++d.bad_entries;
      continue;
    }
    if (request.key == DedupKey::SignatureAndBuildId && entry->build_id != request.build_id) {
      ++d.other_build;
      continue;
    }
    if (entry->core_kept) d.holders.push_back(entry->directory);
  }

  const size_t n = static_cast<size_t>(request.cores_per_signature);
  const std::string key_text = request.key == DedupKey::Signature ? "crash signature " + request.hash
                                                                  : "crash signature " + request.hash + " and build-id";
  if (d.holders.size() >= n) {
    d.skip_core = true;
    std::string names;
    for (const auto& h : d.holders) names += (names.empty() ? "" : ", ") + h;
    d.why = std::to_string(d.holders.size()) + " capture(s) of " + key_text + " already hold a core (" + names +
            "): cores_per_signature = " + std::to_string(n);
  } else {
    d.why = std::to_string(d.holders.size()) + " of " + std::to_string(n) + " core(s) of " + key_text + " in the index (" +
            std::to_string(d.listed) + " key(s) listed, " + std::to_string(d.read) + " read" + skipped_counts(d) +
            (listing_cut ? ", the listing cut at " + std::to_string(kMaxKeysListed) + " keys" : "") + "): the core is kept";
  }
  if (d.skip_core && !skipped_counts(d).empty()) d.why += " (" + skipped_counts(d).substr(2) + ")";
  return finish();
}

}  // namespace vmcap::index
