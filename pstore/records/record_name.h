// The name of a file in /sys/fs/pstore: "<type>-<backend>-<id>[.enc.z]".
//
// Sources (Linux): fs/pstore/inode.c pstore_mkfile ("%s-%s-%llu%s": type name, backend
// name, id, ".enc.z" when the record is still compressed), fs/pstore/platform.c
// pstore_type_to_name (types; the powerpc ones hold a '-', "powerpc-ofw"), the backends'
// names (ram.c "ramoops", efi-pstore.c "efi" and, on 6.12, "efi_pstore", erst.c "erst"),
// efi-pstore.c generic_id (EFI ids: (seconds * 100 + part) * 1000 + count).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "elf/result.h"

namespace vmcap::pstore {

enum class RecordType { Dmesg, Console, Pmsg, Ftrace, Mce, Other };
enum class Backend { Ramoops, Efi, Erst, Other };  // Efi: both "efi" and "efi_pstore"

// What an EFI backend's id holds: the variable "dump-type<T>-<part>-<count>-<seconds>-<C|D>"
// it was read from. part and count are taken modulo the id's decimal fields (100, 1000).
struct EfiRecordId {
  uint64_t seconds = 0;  // the record's write time, seconds since the epoch
  uint32_t part = 0;     // the dmesg part number
  uint32_t count = 0;    // the dump counter of the boot that wrote it
};

struct RecordName {
  std::string type;          // as written: "dmesg", "console", "powerpc-ofw", ...
  RecordType type_kind = RecordType::Other;
  std::string backend;       // as written: "ramoops", "efi", "efi_pstore", "erst", ...
  Backend backend_kind = Backend::Other;
  uint64_t id = 0;
  bool compressed = false;   // ".enc.z": the kernel could not inflate it
  std::optional<EfiRecordId> efi;  // set when backend_kind is Efi
};

inline constexpr size_t kMaxRecordNameBytes = 255;  // NAME_MAX; the kernel's are under 64

// Parses a file name (not a path). A name that is not "<type>-<backend>-<id>[.enc.z]" with
// a decimal id that fits 64 bits is an error value that quotes it.
Result<RecordName> parse_record_name(std::string_view file_name);

}  // namespace vmcap::pstore
