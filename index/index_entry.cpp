#include "index/index_entry.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace vmcap::index {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr size_t kMaxTailLine = 512;

bool is_core(const run::ManifestArtifact& a) { return a.name.starts_with("vmcore") && a.destination != "fallback"; }

Error bad(const std::string& why) { return make_error(ErrorKind::Format, "index entry", std::nullopt, why); }

// A string member, "" when absent; a member of another type makes the entry bad.
bool text(const json& j, const char* name, std::string& out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool texts(const json& j, const char* name, std::vector<std::string>& out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_array()) return false;
  for (const auto& v : *it) {
    if (!v.is_string()) return false;
    out.push_back(v.get<std::string>());
  }
  return true;
}

}  // namespace

std::vector<std::string> log_tail_of(std::string_view t) {
  std::vector<std::string> lines;
  size_t bytes = 0;
  while (!t.empty() && lines.size() < kLogTailLines) {
    if (t.back() == '\n') t.remove_suffix(1);
    const size_t nl = t.rfind('\n');
    std::string_view line = nl == std::string_view::npos ? t : t.substr(nl + 1);
    t = nl == std::string_view::npos ? std::string_view() : t.substr(0, nl + 1);
    std::string kept(line.substr(0, kMaxTailLine));
    if (bytes + kept.size() > kLogTailBytes) break;
    bytes += kept.size();
    lines.push_back(std::move(kept));
  }
  return {lines.rbegin(), lines.rend()};
}

IndexEntry entry_from_manifest(const run::Manifest& m, const std::string& destination, std::string_view log_text) {
  IndexEntry e;
  e.directory = m.directory;
  e.destination = destination;
  e.source = m.source;
  e.complete = m.complete;
  e.crash_time = m.crash_time;
  e.started = m.started;
  e.host = m.host;
  e.vmcap_version = m.vmcap_version;
  e.kernel_release = m.kernel_release;
  e.build_id = m.build_id;
  e.machine = m.machine;
  if (m.crash) {
    e.hash = m.crash->hash;
    e.reason = m.crash->reason;
    e.symbol = m.crash->symbol;
    e.frames = m.crash->frames;
  }
  for (const auto& a : m.artifacts) {
    if (a.destination == "fallback") continue;
    if (std::find(e.artifacts.begin(), e.artifacts.end(), a.name) == e.artifacts.end()) e.artifacts.push_back(a.name);
    if (is_core(a) && !e.core_kept) {
      e.core_kept = true;
      e.core_name = a.name;
      e.core_size = a.size;
    }
  }
  if (!m.pstore) e.core_format = m.core_format;
  if (m.core_dedup && m.core_dedup->core_skipped) {
    e.core_note = "skipped: " + m.core_dedup->why;
    e.core_holders = m.core_dedup->holders;
  } else if (!e.core_kept) {
    e.core_note = m.pstore ? "pstore keeps no core" : "not saved (the manifest's problems say why)";
  }
  e.vmcore = m.pstore ? "" : m.vmcore;
  if (m.pstore) e.pstore_backend = m.pstore->backend;
  e.log_tail = log_tail_of(log_text);
  return e;
}

std::string render_index_entry(const IndexEntry& e) {
  ordered_json j;
  j["schema"] = kIndexEntrySchema;
  j["directory"] = e.directory;
  j["destination"] = e.destination;
  j["source"] = e.source;
  j["complete"] = e.complete;
  j["crash_time_unix"] = e.crash_time ? ordered_json(*e.crash_time) : ordered_json();
  j["started"] = e.started;
  j["host"] = e.host;
  j["vmcap_version"] = e.vmcap_version;
  j["kernel"] = {{"release", e.kernel_release}, {"build_id", e.build_id}, {"machine", e.machine}};
  if (!e.hash.empty() || !e.reason.empty() || !e.symbol.empty() || !e.frames.empty())
    j["crash"] = {{"hash", e.hash}, {"reason", e.reason}, {"symbol", e.symbol}, {"frames", e.frames}};
  else
    j["crash"] = nullptr;
  ordered_json core;
  core["kept"] = e.core_kept;
  core["name"] = e.core_name;
  core["size"] = e.core_size;
  core["format"] = e.core_format;
  core["note"] = e.core_note;
  core["holders"] = e.core_holders;
  j["core"] = core;
  j["artifacts"] = e.artifacts;
  j["vmcore"] = e.vmcore;
  j["pstore_backend"] = e.pstore_backend;
  j["log_tail"] = e.log_tail;
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<IndexEntry> parse_index_entry(std::string_view bytes) {
  if (bytes.size() > kMaxEntryBytes)
    return make_error(ErrorKind::Limit, "index entry", std::nullopt,
                      std::to_string(bytes.size()) + " bytes, more than " + std::to_string(kMaxEntryBytes));
  json j = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_string() || *schema != kIndexEntrySchema) return bad("not schema vmcap-index/1");
  IndexEntry e;
  if (!text(j, "directory", e.directory) || e.directory.empty()) return bad("no directory");
  if (!text(j, "destination", e.destination) || !text(j, "source", e.source) || !text(j, "started", e.started) ||
      !text(j, "host", e.host) || !text(j, "vmcap_version", e.vmcap_version) || !text(j, "vmcore", e.vmcore) ||
      !text(j, "pstore_backend", e.pstore_backend) || !texts(j, "artifacts", e.artifacts) ||
      !texts(j, "log_tail", e.log_tail))
    return bad("a field of the wrong type");
  if (auto c = j.find("complete"); c != j.end() && c->is_boolean()) e.complete = c->get<bool>();
  if (auto t = j.find("crash_time_unix"); t != j.end() && !t->is_null()) {
    if (!t->is_number_integer()) return bad("crash_time_unix is not an integer");
    e.crash_time = t->get<int64_t>();
  }
  if (auto k = j.find("kernel"); k != j.end() && !k->is_null()) {
    if (!k->is_object() || !text(*k, "release", e.kernel_release) || !text(*k, "build_id", e.build_id) ||
        !text(*k, "machine", e.machine))
      return bad("kernel is not an object of strings");
  }
  if (auto c = j.find("crash"); c != j.end() && !c->is_null()) {
    if (!c->is_object() || !text(*c, "hash", e.hash) || !text(*c, "reason", e.reason) ||
        !text(*c, "symbol", e.symbol) || !texts(*c, "frames", e.frames))
      return bad("crash is not a signature");
  }
  auto core = j.find("core");
  if (core == j.end() || !core->is_object()) return bad("no core object");
  auto kept = core->find("kept");
  if (kept == core->end() || !kept->is_boolean()) return bad("core.kept is not true or false");
  e.core_kept = kept->get<bool>();
  if (!text(*core, "name", e.core_name) || !text(*core, "format", e.core_format) ||
      !text(*core, "note", e.core_note) || !texts(*core, "holders", e.core_holders))
    return bad("a core field of the wrong type");
  if (auto s = core->find("size"); s != core->end() && s->is_number_unsigned()) e.core_size = s->get<uint64_t>();
  return e;
}

}  // namespace vmcap::index
