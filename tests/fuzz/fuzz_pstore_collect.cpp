// `vmcap pstore`'s own parsers of bytes a crashing machine or an earlier run left: a dump's
// text turned into log records (pstore/collect/pstore_log.h), and the --keep list of sent
// records (sent_records.h), and the fields of a capture's manifest the vmcore link reads
// (vmcore_link.h). Neither may crash, hang or read past its input; every record's
// text comes from the input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pstore/collect/pstore_log.h"
#include "pstore/collect/sent_records.h"
#include "pstore/collect/vmcore_link.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto log = vmcap::pstore::records_from_pstore_text(input);
  size_t total = 0;
  for (const auto& r : log.records) {
    total += r.text.size();
    if (r.level > 7) __builtin_trap();
  }
  if (total > input.size()) __builtin_trap();
  if (log.unprefixed_lines > log.records.size()) __builtin_trap();
  auto sent = vmcap::pstore::parse_sent_records(input, "fuzz.json");
  if (sent) {
    if (sent->keys.size() > vmcap::pstore::kMaxSentRecords) __builtin_trap();
    auto again = vmcap::pstore::parse_sent_records(vmcap::pstore::render_sent_records(*sent), "again.json");
    if (!again || again->keys != sent->keys) __builtin_trap();
  }
  // A capture's manifest, as the vmcore link reads it from a local folder.
  (void)vmcap::pstore::parse_link_fields(input);
  return 0;
}
