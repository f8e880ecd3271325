// What `vmcap pstore --keep` has sent: the records stay in the backend (the operator keeps
// them for another tool), so the next run must know not to send them again. One key per
// record file (its name, time, size and a hash of its bytes: a name alone comes back when
// the backend reuses a slot), in /var/lib/vmcap/pstore-sent.json.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "elf/result.h"
#include "pstore/records/dump_assembly.h"

namespace vmcap::pstore {

inline constexpr const char* kSentRecordsSchema = "vmcap-pstore-sent/1";
inline constexpr size_t kMaxSentRecords = 10000;  // the oldest keys are forgotten beyond this

std::string record_key(const RecordFile& record);

struct SentRecords {
  std::vector<std::string> keys;  // oldest first
  bool contains(const std::string& key) const;
  void add(const std::string& key);  // at the end; the oldest dropped past kMaxSentRecords
};

// The keys in TEXT (the file's bytes). Anything that is not the schema's object is an error
// naming FILE and what was wrong; keys that are not strings of sane length are skipped.
Result<SentRecords> parse_sent_records(const std::string& text, const std::string& file);
std::string render_sent_records(const SentRecords& sent);

// A missing file is an empty set; a broken one an error (the caller says it and starts anew).
Result<SentRecords> load_sent_records(const std::string& path);
// Written to PATH.tmp, then renamed (a crash mid-write leaves the old file).
Result<void> save_sent_records(const std::string& path, const SentRecords& sent);

}  // namespace vmcap::pstore
