// Whole kernel logs from dmesg records: the parts of one dump grouped, put in order and
// joined (PartN, ..., Part1: Part1 holds the newest text), header lines removed, as
// crash_reporter and systemd-pstore do. Facts: ../shared/reference/pstore.md.
//
// How parts are grouped, per backend (fs/pstore/ram.c, drivers/firmware/efi/efi-pstore.c,
// drivers/acpi/apei/erst.c):
// - ramoops keeps Part1 only (ramoops_pstore_write refuses other parts): every slot is a
//   dump of its own.
// - EFI: by the header's reason and counter; a dump's parts are written one after the other,
//   their ids' seconds rising with the part number and able to cross a second boundary, so a
//   group is cut into dumps where the part numbers start again or the seconds jump by more
//   than kEfiDumpSeconds (the counter restarts at every boot).
// - ERST: ids come from one counter (cper_next_record_id) and every part takes the next,
//   so the parts of one dump share id - part; by reason, counter and that difference.
// - any other backend: by reason and counter.
// A record that cannot be read (not inflated, no header) is kept as bytes in the dump its
// name points to (EFI ids carry the part and counter, ERST ids the position), else in a dump
// of its own: nothing a record held is dropped.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pstore/records/dmesg_header.h"
#include "pstore/records/inflate.h"
#include "pstore/records/record_name.h"

namespace vmcap::pstore {

// One file of /sys/fs/pstore as the caller read it.
struct RecordFile {
  std::string name;  // the file name: "dmesg-efi_pstore-172947350601001.enc.z"
  std::chrono::system_clock::time_point mtime;  // the record's time (the kernel sets it)
  std::string bytes;
};

// A record of a dump whose text is not in the dump's text, kept as it was read.
struct KeptRecord {
  std::string file;
  std::string bytes;                // as read: still compressed when compressed is true
  bool compressed = false;          // a ".enc.z" record that could not be inflated
  std::optional<uint32_t> part;     // when the name tells it (EFI) or the header did
  std::string why;                  // "not inflated: raw deflate: ...", "no ... header ..."
};

// A second record of a part already in the text (the one with the longer text is used).
struct DuplicatePart {
  std::string file;
  uint32_t part = 0;
  std::string text;  // its text, header line removed
};

// Part numbers first..last (inclusive) that no record of the dump holds.
struct PartRange {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const PartRange&) const = default;
};

// A place in the text where the log is not continuous.
struct TextBreak {
  enum class Why {
    MissingParts,    // parts between here are missing (see gaps) or kept unread
    StartsMidLine,   // the part's text starts inside a line: the kernel could not compress
                     // it and kept the end of it (6.1's copy_kmsg_to_buffer)
    EndsMidLine,     // the part's text ends inside a line (6.6+ keeps the start); a newline
                     // is added so the next part starts a line
  };
  size_t offset = 0;  // in DmesgDump::text: the break is just before this byte
  uint32_t part = 0;  // the part that starts (StartsMidLine, MissingParts) or ends here
  Why why = Why::MissingParts;
};

struct DumpCause {
  DumpReason reason = DumpReason::Other;
  std::string reason_text;  // as the headers wrote it
  int32_t counter = 0;      // the boot's dump counter
};

struct DmesgDump {
  std::string backend;              // as in the file names: "ramoops", "efi_pstore", ...
  Backend backend_kind = Backend::Other;
  std::optional<DumpCause> cause;   // from the headers; none when no part could be read
  // Every file of this dump: the parts in the text, the duplicates and the kept records, by
  // name. All their content is in this dump, so these are the files to delete once it is
  // saved, and only these.
  std::vector<std::string> record_files;
  std::vector<std::string> text_files;  // the files whose text makes `text`, PartN first
  std::string text;                  // PartN..Part1, header lines removed
  uint32_t highest_part = 0;         // the highest part number read (0: none)
  std::vector<PartRange> gaps;       // parts below highest_part that no record holds
  std::vector<DuplicatePart> duplicates;
  std::vector<KeptRecord> kept;      // records not in the text (not inflated, no header)
  std::vector<TextBreak> breaks;     // in text order
  std::vector<std::string> inflated_files;  // ".enc.z" records vmcap inflated itself
  std::chrono::system_clock::time_point time;  // the newest mtime of its records
};

struct NameProblem {
  std::string file;
  std::string why;
};

struct DmesgAssembly {
  std::vector<DmesgDump> dumps;             // oldest first (time, then backend, then names)
  std::vector<std::string> other_records;   // well-named records of other types (console, ...)
  std::vector<NameProblem> bad_names;       // files whose name is no pstore record name
};

// EFI parts of one dump are written within this many seconds of each other.
inline constexpr uint64_t kEfiDumpSeconds = 10;
// All .enc.z records of one assembly inflate to at most this much; the rest are kept.
inline constexpr size_t kMaxInflatedTotalBytes = 64u << 20;
// Dmesg records beyond this many are kept unread, each in a dump of its own (the kernel's
// backends hold a few dozen; this bounds the grouping's work on garbage).
inline constexpr size_t kMaxDmesgRecords = 4096;

// Groups and joins the dmesg records among `records`. Never fails: every problem is in the
// result, and every well-named dmesg record is in exactly one dump's record_files.
DmesgAssembly assemble_dmesg_dumps(const std::vector<RecordFile>& records);

}  // namespace vmcap::pstore
