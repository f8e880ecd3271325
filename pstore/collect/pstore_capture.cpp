#include "pstore/collect/pstore_capture.h"

#include <cstdio>

#include "capture/printk/json_formatter.h"
#include "capture/printk/text_formatter.h"
#include "capture/signature/crash_signature.h"
#include "capture/upload/capture_layout.h"
#include "pstore/collect/pstore_log.h"
#include "pstore/records/log_facts.h"

namespace vmcap::pstore {
namespace {

int64_t seconds_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string range_text(const PartRange& r) {
  return r.first == r.last ? std::to_string(r.first) : std::to_string(r.first) + "-" + std::to_string(r.last);
}

const char* break_text(TextBreak::Why why) {
  switch (why) {
    case TextBreak::Why::MissingParts: return "parts are missing here";
    case TextBreak::Why::StartsMidLine: return "the part starts inside a line (the kernel kept only its end)";
    case TextBreak::Why::EndsMidLine: return "the part ends inside a line";
  }
  return "a break";
}

// As vmcore-dmesg prints a record; a line without the "<level>" prefix (a part cut inside a
// line) as it is, since it has no time either.
void render_text_line(const LogRecord& r, std::string& out) {
  if (r.level_known) {
    TextFormatter::render(r, out);
    return;
  }
  out += r.text;
  out += '\n';
}

// docs/dmesg-json.md's fields that the text holds: ts_nsec, level, facility, caller, text
// (and text_base64 when it is not UTF-8). No seq and no flags: pstore keeps neither.
void render_json_line(const LogRecord& r, std::string& out) {
  out += '{';
  if (r.level_known) {
    out += "\"ts_nsec\":" + std::to_string(r.ts_nsec) + ",\"level\":" + std::to_string(r.level) +
           ",\"facility\":" + std::to_string(r.facility) + ",";
    if (r.caller_id) {
      const bool cpu = (*r.caller_id & 0x80000000u) != 0;
      out += std::string("\"caller\":{\"") + (cpu ? "cpu" : "thread") + "\":" +
             std::to_string(*r.caller_id & 0x7fffffffu) + "},";
    }
  }
  out += "\"text\":";
  append_json_string(r.text, out);
  if (!is_valid_utf8(r.text)) {
    out += ",\"text_base64\":\"";
    append_base64(r.text, out);
    out += '"';
  }
  out += "}\n";
}

}  // namespace

PstoreCapture make_pstore_capture(const DmesgDump& dump, const std::vector<RecordFile>& dump_records,
                                  const CaptureContext& context) {
  PstoreCapture c;
  run::Manifest& m = c.manifest;
  m.source = "pstore";
  m.vmcap_version = VMCAP_VERSION;
  m.host = context.host.empty() ? "unknown" : context.host;
  m.host_source = context.host.empty() ? "unknown" : context.host_source;
  m.machine = context.machine;
  m.started = run::utc_iso8601(seconds_of(std::chrono::system_clock::now()));
  m.crash_time = seconds_of(dump.time);
  m.vmcore.clear();
  m.compression = "none";
  m.core_format.clear();

  // The log: the same two formats a vmcore capture writes.
  PstoreLog log = records_from_pstore_text(dump.text);
  std::string text, json;
  std::vector<std::string> lines;
  lines.reserve(log.records.size());
  for (const LogRecord& r : log.records) {
    render_text_line(r, text);
    render_json_line(r, json);
    lines.push_back(r.text);
  }
  c.artifacts.push_back({upload::kDmesgTextName, "text/plain", std::move(text)});
  c.artifacts.push_back({upload::kDmesgJsonName, "application/x-ndjson", std::move(json)});
  std::string console;
  for (const RecordFile& r : context.console) console += r.bytes;
  if (!console.empty()) c.artifacts.push_back({kConsoleName, "text/plain", std::move(console)});
  // Records whose text is not in dmesg.txt (not inflated, no header): their bytes as read;
  // a second record of a part: its text (the longer one is in dmesg.txt; nothing is lost);
  // records of other types: as they are.
  for (const KeptRecord& k : dump.kept) c.artifacts.push_back({"record-" + k.file, "application/octet-stream", k.bytes});
  for (const DuplicatePart& d : dump.duplicates) c.artifacts.push_back({"record-" + d.file, "text/plain", d.text});
  for (const RecordFile& r : context.others) c.artifacts.push_back({"record-" + r.name, "application/octet-stream", r.bytes});

  LogFacts facts = read_log_facts(dump.text);
  if (facts.kernel_release) m.kernel_release = *facts.kernel_release;
  CrashSignature sig = compute_crash_signature(lines, std::nullopt, nullptr);
  run::ManifestCrash crash;
  crash.reason = sig.reason;
  crash.frames = sig.frames;
  crash.hash = sig.hash;
  crash.warnings = sig.warnings;
  crash.warnings.push_back("pstore keeps no registers: no pc or symbol");
  m.crash = crash;

  run::ManifestPstore p;
  p.backend = dump.backend;
  if (dump.cause) {
    p.reason = dump.cause->reason_text;
    p.dump_counter = dump.cause->counter;
  }
  p.parts = dump.highest_part;
  for (const RecordFile& r : dump_records)
    p.records.push_back({r.name, run::utc_iso8601(seconds_of(r.mtime)), r.bytes.size()});
  for (const PartRange& g : dump.gaps) p.missing_parts.push_back(range_text(g));
  for (const TextBreak& b : dump.breaks)
    p.notes.push_back("dmesg.txt: at byte " + std::to_string(b.offset) + " of the text, part " + std::to_string(b.part) +
                      ": " + break_text(b.why));
  for (const KeptRecord& k : dump.kept)
    p.notes.push_back(k.file + ": kept unread (" + k.why + ")");
  for (const auto& d : dump.duplicates)
    p.notes.push_back(d.file + ": a second record of part " + std::to_string(d.part) +
                      " (the longer one is in dmesg.txt; this one is record-" + d.file + ")");
  for (const RecordFile& r : context.others) p.notes.push_back(r.name + ": a record of another type, as record-" + r.name);
  if (log.split_lines)
    p.notes.push_back(std::to_string(log.split_lines) + " line(s) longer than " + std::to_string(kMaxPstoreLineBytes) +
                      " bytes: split into several records");
  for (const auto& f : dump.inflated_files) p.notes.push_back(f + ": inflated by vmcap (the kernel could not)");
  if (log.unprefixed_lines)
    p.notes.push_back(std::to_string(log.unprefixed_lines) + " line(s) without the <level> prefix: level unknown");
  p.notes.push_back("pstore keeps only the end of the log as text: no sequence numbers, record flags, device "
                    "fields, or older records; no core");
  m.pstore = std::move(p);

  uint32_t id = upload::random_capture_id();
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", id);
  m.capture_id = hex;
  m.directory = upload::capture_directory(m.host, dump.time, id);
  return c;
}

}  // namespace vmcap::pstore
