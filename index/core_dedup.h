// One core per bug (docs/config.md: cores_per_signature, core_dedup_key): before the core
// is streamed, the crash index of its signature on one listable destination says how many
// captures of the same bug already hold a core. N or more: the core is skipped. Anything
// else, a lookup that fails, runs out of time or reads garbage included: the core is kept
// (when in doubt, keep). Only entries that prove a core count; the lookup is bounded in
// keys listed, entries read, bytes per entry and time.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "capture/upload/deadline.h"
#include "capture/upload/destination_reader.h"

namespace vmcap::index {

// The most entry keys listed, and entries read, in one lookup.
inline constexpr size_t kMaxKeysListed = 10'000;
inline constexpr size_t kMaxEntriesRead = 64;
// How long a lookup may take, inside the capture's deadline.
inline constexpr std::chrono::seconds kLookupTime{5};

enum class DedupKey { Signature, SignatureAndBuildId };
const char* to_string(DedupKey key);  // "signature", "signature+build-id"

struct DedupRequest {
  std::string hash;      // this crash's signature hash
  std::string build_id;  // this kernel's, for SignatureAndBuildId
  DedupKey key = DedupKey::Signature;
  int cores_per_signature = 0;  // N > 0
};

struct DedupDecision {
  bool skip_core = false;
  std::vector<std::string> holders;  // capture directories whose entries say they kept a core
  std::string why;                   // one line for the console and the manifest
  // What the lookup saw: keys listed, entries read, and what was skipped and why.
  size_t listed = 0;
  size_t read = 0;
  size_t not_ours = 0;      // keys of another form
  size_t bad_entries = 0;   // unreadable, too large, garbage, or not the key they are under
  size_t other_build = 0;   // SignatureAndBuildId: another kernel's
  bool lookup_failed = false;
  std::chrono::milliseconds took{0};
};

// Reads the index of `request.hash` through `reader` until `deadline` (the caller gives
// kLookupTime capped by the capture's own deadline). Never fails: a failure is a decision
// to keep, with why.
DedupDecision decide_core(upload::DestinationReader& reader, const DedupRequest& request,
                          const upload::Deadline& deadline);

}  // namespace vmcap::index
