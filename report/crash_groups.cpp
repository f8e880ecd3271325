#include "report/crash_groups.h"

#include <algorithm>

#include "index/index_layout.h"

namespace vmcap::report {

void BoundedCounts::add(const std::string& name) {
  for (NamedCount& n : listed)
    if (n.name == name) {
      ++n.count;
      return;
    }
  if (listed.size() < kListed)
    listed.push_back({name, 1});
  else
    ++others;
}

std::vector<NamedCount> BoundedCounts::by_count() const {
  std::vector<NamedCount> out = listed;
  std::stable_sort(out.begin(), out.end(), [](const NamedCount& a, const NamedCount& b) { return a.count > b.count; });
  return out;
}

int64_t entry_time(const index::IndexEntry& e) {
  if (e.crash_time) return *e.crash_time;
  return index::capture_directory_time(e.directory).value_or(0);
}

namespace {

CaptureRef capture_of(const index::IndexEntry& e, int64_t time) {
  return {e.directory, e.host, time, e.kernel_release, e.destination, e.core_kept, e.core_name, e.core_size, e.core_note};
}

}  // namespace

void CrashGroups::add(const index::IndexEntry& e) {
  const int64_t time = entry_time(e);
  if (time < since_) {
    ++before_since_;
    return;
  }
  ++grouped_;
  const std::string signature = index::is_signature_hash(e.hash) ? e.hash : index::kUnknownSignature;
  auto [it, fresh] = groups_.try_emplace(signature);
  CrashGroup& g = it->second;
  if (fresh) {
    g.signature = signature;
    g.first_seen = g.last_seen = time;
  }
  // The signature's words from the latest entry (the same bug reads the same on every
  // machine; the latest kernel's symbol is the one an operator looks up).
  if (fresh || time >= g.last_seen) {
    g.reason = e.reason;
    g.symbol = e.symbol;
    g.frames = e.frames;
  }
  ++g.count;
  g.first_seen = std::min(g.first_seen, time);
  g.last_seen = std::max(g.last_seen, time);
  g.hosts.add(e.host);
  g.kernels.add(e.kernel_release);

  CaptureRef ref = capture_of(e, time);
  if (e.core_kept) {
    ++g.cores_kept;
    // The oldest kListed: the first captures of a bug are the ones that kept cores.
    auto at = std::find_if(g.core_captures.begin(), g.core_captures.end(),
                           [&](const CaptureRef& c) { return c.time > time; });
    if (g.core_captures.size() < kListed || at != g.core_captures.end()) {
      g.core_captures.insert(at, ref);
      if (g.core_captures.size() > kListed) g.core_captures.pop_back();
    }
  }
  auto at = std::find_if(g.latest_captures.begin(), g.latest_captures.end(),
                         [&](const CaptureRef& c) { return c.time < time; });
  if (g.latest_captures.size() < kListed || at != g.latest_captures.end()) {
    g.latest_captures.insert(at, std::move(ref));
    if (g.latest_captures.size() > kListed) g.latest_captures.pop_back();
  }
  if (!e.log_tail.empty() && (g.log_tail.empty() || time >= g.log_tail_time)) {
    g.log_tail_source = "index";
    g.log_tail_directory = e.directory;
    g.log_tail_time = time;
    g.log_tail = e.log_tail;
  }
}

std::vector<const CrashGroup*> CrashGroups::sorted() const {
  std::vector<const CrashGroup*> out;
  out.reserve(groups_.size());
  for (const auto& [_, g] : groups_) out.push_back(&g);
  std::sort(out.begin(), out.end(), [](const CrashGroup* a, const CrashGroup* b) {
    if (a->count != b->count) return a->count > b->count;
    if (a->last_seen != b->last_seen) return a->last_seen > b->last_seen;
    return a->signature < b->signature;
  });
  return out;
}

std::vector<CrashGroup*> CrashGroups::without_log_tail() {
  std::vector<CrashGroup*> out;
  for (auto& [_, g] : groups_)
    if (g.log_tail.empty()) out.push_back(&g);
  return out;
}

}  // namespace vmcap::report
