// A capture's manifest.json, schema "vmcap-manifest/1" (docs/manifest.md): what was
// captured, from which kernel, which artifacts landed where with their sizes and
// sha256, and whether the capture is complete. Written first incomplete, rewritten at
// the end; a reader tells a complete capture from an interrupted one by it alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmcap::run {

inline constexpr const char* kManifestSchema = "vmcap-manifest/1";

struct ManifestArtifact {
  std::string name;
  uint64_t size = 0;
  std::string sha256;
  std::string destination;  // the destination's name (or "fallback")
};

struct ManifestDestination {
  std::string name;
  std::string kind;           // file, http, s3, sftp, fallback
  std::string description;    // Uploader::describe(): no secrets
  std::string status = "not tried";  // ok, failed, not tried
  std::vector<std::string> artifacts;  // names it took
  std::vector<std::string> errors;     // one per failed artifact
};

// What crashed, for deduplication across a fleet (capture/signature).
struct ManifestCrash {
  std::string reason;                // first panic/BUG/Oops line
  std::optional<uint64_t> pc;        // the crashing CPU's program counter
  std::string symbol;                // "func+0x16/0x20" via kallsyms, "" when unknown
  std::vector<std::string> frames;   // the call trace's functions
  std::string hash;                  // stable across boots, KASLR and kernels
  std::vector<std::string> warnings; // pieces that could not be had (no kallsyms before 6.0)
};

// A capture made from pstore records (the log the kernel's kmsg dumpers kept, read at the
// next boot) instead of a vmcore: what was read and what the records could not hold.
struct ManifestPstoreRecord {
  std::string name;   // the file in /sys/fs/pstore
  std::string time;   // its mtime, UTC ISO 8601
  uint64_t size = 0;  // bytes as read
};

struct ManifestPstore {
  std::string backend;        // ramoops, efi, efi_pstore, erst
  std::string reason;         // the part headers' reason: Panic, Oops, ...
  int32_t dump_counter = 0;   // the crashed boot's dump counter
  uint32_t parts = 0;         // the highest part number read
  std::vector<ManifestPstoreRecord> records;
  std::vector<std::string> missing_parts;  // "3-5"
  std::vector<std::string> notes;          // breaks in the text, records kept unread, what pstore loses
  std::string vmcore_capture;              // a vmcore capture of the same crash, when one was found
};

// One core per bug (index/core_dedup.h): what the crash index said before the core, when
// cores_per_signature is set.
struct ManifestCoreDedup {
  std::string key;          // "signature" or "signature+build-id"
  int cores_per_signature = 0;
  std::string index;        // the destination whose index was read
  bool core_skipped = false;
  std::vector<std::string> holders;  // captures already holding a core of this key
  std::string why;          // one line, as on the console
  int64_t lookup_ms = 0;
};

struct Manifest {
  std::string source = "vmcore";  // "vmcore" or "pstore"
  bool complete = false;
  std::string capture_id;       // 8 hex digits
  std::string directory;        // capture_directory()
  std::string started;          // UTC, ISO 8601
  std::string vmcap_version;
  std::string host;
  std::string host_source;      // "utsname", "config" or "unknown"
  std::string kernel_release;
  std::string kernel_version;   // utsname version ("#1 SMP ...")
  std::string machine;
  std::string build_id;
  std::optional<int64_t> crash_time;  // seconds since the epoch (VMCOREINFO CRASHTIME)
  std::optional<ManifestCrash> crash;
  std::string vmcore;           // the path read
  int dump_level = 31;
  std::string compression;
  int compression_level = 0;
  std::string core_format = "flattened-kdump";
  std::vector<ManifestArtifact> artifacts;
  std::vector<ManifestDestination> destinations;
  std::vector<std::string> problems;
  std::optional<ManifestPstore> pstore;  // source "pstore" only; then there is no dump
  std::optional<ManifestCoreDedup> core_dedup;  // cores_per_signature set, vmcore captures only
};

// Pretty JSON with a trailing newline.
std::string render_manifest(const Manifest& m);

// "2024-01-31T23:59:59Z".
std::string utc_iso8601(int64_t seconds_since_epoch);

}  // namespace vmcap::run
