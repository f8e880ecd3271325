// One capture from one pstore dump, in the layout of every capture (docs/config.md,
// "Layout"; docs/manifest.md): dmesg.txt and dmesg.json made from the dump's text as a
// vmcore capture makes them from the log ring, console.txt when a console record is there,
// and a manifest with source "pstore", the records it came from and the crash signature
// computed from the text as for vmcore captures (no program counter: pstore keeps none).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "capture/run/manifest.h"
#include "pstore/records/dump_assembly.h"

namespace vmcap::pstore {

inline constexpr const char* kConsoleName = "console.txt";

struct CaptureArtifact {
  std::string name;
  std::string content_type;
  std::string bytes;
};

struct PstoreCapture {
  run::Manifest manifest;  // complete false, no artifacts or destinations yet
  std::vector<CaptureArtifact> artifacts;
};

struct CaptureContext {
  std::string host;                 // from the config's hostname, else this machine's name
  std::string host_source;          // "config" or "utsname"
  std::string machine;              // uname -m: pstore records keep no architecture
  std::vector<RecordFile> console;  // console-* records to attach (the previous boot's)
  std::vector<RecordFile> others;   // records of other types (pmsg, ftrace, mce...), attached as they are
};

PstoreCapture make_pstore_capture(const DmesgDump& dump, const std::vector<RecordFile>& dump_records,
                                  const CaptureContext& context);

}  // namespace vmcap::pstore
