#include "capture/run/manifest.h"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace vmcap::run {

std::string utc_iso8601(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string render_manifest(const Manifest& m) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["schema"] = kManifestSchema;
  j["source"] = m.source;
  j["complete"] = m.complete;
  j["capture_id"] = m.capture_id;
  j["directory"] = m.directory;
  j["started"] = m.started;
  j["vmcap_version"] = m.vmcap_version;
  j["host"] = m.host;
  j["host_source"] = m.host_source;
  ordered_json kernel;
  kernel["release"] = m.kernel_release;
  kernel["version"] = m.kernel_version;
  kernel["machine"] = m.machine;
  kernel["build_id"] = m.build_id;
  j["kernel"] = kernel;
  if (m.crash_time) {
    j["crash_time"] = utc_iso8601(*m.crash_time);
    j["crash_time_unix"] = *m.crash_time;
  } else {
    j["crash_time"] = nullptr;
    j["crash_time_unix"] = nullptr;
  }
  if (m.crash) {
    ordered_json c;
    c["reason"] = m.crash->reason;
    if (m.crash->pc) {
      char pc[24];
      std::snprintf(pc, sizeof pc, "0x%llx", static_cast<unsigned long long>(*m.crash->pc));
      c["pc"] = pc;
    } else {
      c["pc"] = nullptr;
    }
    c["symbol"] = m.crash->symbol;
    c["frames"] = m.crash->frames;
    c["hash"] = m.crash->hash;
    c["warnings"] = m.crash->warnings;
    j["crash"] = c;
  } else {
    j["crash"] = nullptr;
  }
  if (m.pstore) {
    j["dump"] = nullptr;
    ordered_json p;
    p["backend"] = m.pstore->backend;
    p["reason"] = m.pstore->reason;
    p["dump_counter"] = m.pstore->dump_counter;
    p["parts"] = m.pstore->parts;
    p["records"] = ordered_json::array();
    for (const auto& r : m.pstore->records) p["records"].push_back({{"name", r.name}, {"time", r.time}, {"size", r.size}});
    p["missing_parts"] = m.pstore->missing_parts;
    p["notes"] = m.pstore->notes;
    p["vmcore_capture"] = m.pstore->vmcore_capture.empty() ? ordered_json() : ordered_json(m.pstore->vmcore_capture);
    j["pstore"] = p;
  } else {
    ordered_json dump;
    dump["vmcore"] = m.vmcore;
    dump["dump_level"] = m.dump_level;
    dump["compression"] = m.compression;
    dump["compression_level"] = m.compression_level;
    dump["core_format"] = m.core_format;
    j["dump"] = dump;
  }
  if (m.core_dedup) {
    const ManifestCoreDedup& d = *m.core_dedup;
    ordered_json x;
    x["key"] = d.key;
    x["cores_per_signature"] = d.cores_per_signature;
    x["index"] = d.index;
    x["core_skipped"] = d.core_skipped;
    x["holders"] = d.holders;
    x["why"] = d.why;
    x["lookup_ms"] = d.lookup_ms;
    j["core_dedup"] = x;
  } else {
    j["core_dedup"] = nullptr;
  }
  j["artifacts"] = ordered_json::array();
  for (const auto& a : m.artifacts) {
    ordered_json x;
    x["name"] = a.name;
    x["size"] = a.size;
    x["sha256"] = a.sha256;
    x["destination"] = a.destination;
    j["artifacts"].push_back(x);
  }
  j["destinations"] = ordered_json::array();
  for (const auto& d : m.destinations) {
    ordered_json x;
    x["name"] = d.name;
    x["kind"] = d.kind;
    x["description"] = d.description;
    x["status"] = d.status;
    x["artifacts"] = d.artifacts;
    x["errors"] = d.errors;
    j["destinations"].push_back(x);
  }
  j["problems"] = m.problems;
  // Bytes that are not UTF-8 (a host name from a corrupt dump) become U+FFFD.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace vmcap::run
