// Fuzz target: the crash index as other machines leave it (docs/index.md). The input is
// an entry's bytes: parse_index_entry must refuse it or give an entry that renders and
// parses back to the same fields, and never trust more than kMaxEntryBytes. The same
// bytes as a key: parse_index_key must refuse it or give a signature and capture
// directory that index_key() puts back together into exactly that key.
#include <cstdint>
#include <string>
#include <string_view>

#include "index/index_entry.h"
#include "index/index_layout.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::index;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto entry = parse_index_entry(bytes);
  if (entry) {
    if (size > kMaxEntryBytes) __builtin_trap();
    auto back = parse_index_entry(render_index_entry(*entry));
    if (!back) __builtin_trap();
    if (back->directory != entry->directory || back->hash != entry->hash || back->build_id != entry->build_id ||
        back->core_kept != entry->core_kept || back->core_holders != entry->core_holders ||
        back->frames != entry->frames || back->log_tail != entry->log_tail || back->crash_time != entry->crash_time ||
        back->reason != entry->reason || back->destination != entry->destination || back->core_size != entry->core_size)
      __builtin_trap();
  }

  if (auto key = parse_index_key(bytes)) {
    if (index_key(key->signature, key->directory) != bytes) __builtin_trap();
    if (!is_capture_directory(key->directory)) __builtin_trap();
    (void)capture_directory_time(key->directory);
  }
  return 0;
}
