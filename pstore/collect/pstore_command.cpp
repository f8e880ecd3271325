#include "pstore/collect/pstore_command.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "capture/config/capture_config.h"
#include "capture/upload/capture_layout.h"
#include "capture/upload/sha256.h"
#include "capture/upload/destination_reader.h"
#include "capture/upload/uploader.h"
#include "index/index_writer.h"
#include "pstore/collect/pstore_capture.h"
#include "pstore/collect/pstore_files.h"
#include "pstore/collect/sent_records.h"
#include "pstore/collect/vmcore_link.h"
#include "pstore/records/record_name.h"

namespace vmcap::pstore {
namespace {

// The whole run's uploads end by then: under vmcap-pstore.service's TimeoutStartSec (10 min),
// so systemd never stops a run between a capture saved and its records deleted.
constexpr auto kRunDeadline = std::chrono::minutes(8);
// An index entry's write, per destination (as a vmcore capture's).
constexpr auto kIndexWriteTime = std::chrono::seconds(10);

// The capture's entry in the crash index (docs/index.md): on the destination that took it
// when that one can be listed, and on index_destination. A failure is said, not fatal.
void write_index_entries(const PstoreCapture& c, const config::Config& config, const config::Destination& took,
                         upload::Uploader& uploader, const upload::Deadline& deadline, run::Progress& progress) {
  std::string_view log_text;
  for (const CaptureArtifact& a : c.artifacts)
    if (a.name == upload::kDmesgTextName) log_text = a.bytes;
  const index::IndexEntry entry = index::entry_from_manifest(c.manifest, took.name, log_text);
  auto put = [&](upload::Uploader& u) {
    auto r = index::put_index_entry(u, entry, deadline.capped(kIndexWriteTime));
    const auto a = index::entry_artifact(entry);
    if (r) progress.line("index", a.dir + "/" + a.name + " to " + u.describe());
    else progress.line("index", "the index entry did not reach " + u.describe() + ": " + r.error().reason);
  };
  if (upload::can_be_listed(took.kind)) put(uploader);
  if (config.index_destination && config.index_destination->name != took.name) {
    auto u = upload::make_uploader(*config.index_destination, upload::transfer_policy_from(config));
    put(*u);
  }
}

struct Shipped {
  bool saved = false;
  std::string where;  // the destination that took it
};

// Each destination in order until one takes the whole capture: the manifest marked
// incomplete, the artifacts, the manifest complete.
Shipped ship(PstoreCapture& c, const config::Config& config, const upload::Deadline& deadline,
             run::Progress& progress) {
  const auto policy = upload::transfer_policy_from(config);
  run::Manifest& m = c.manifest;
  for (const config::Destination& d : config.destinations) {
    auto uploader = upload::make_uploader(d, policy);
    m.destinations.push_back({d.name, config::to_string(d.kind), uploader->describe()});
    run::ManifestDestination& md = m.destinations.back();
    m.artifacts.clear();
    m.complete = false;
    auto put = [&](const std::string& name, const std::string& type, const std::string& bytes) {
      auto r = uploader->put(upload::Artifact{m.directory, name, type, {}}, bytes, deadline);
      if (!r) {
        md.errors.push_back(name + ": " + r.error().message());
        progress.line("upload", name + " to " + uploader->describe() + " failed: " + r.error().reason);
      }
      return static_cast<bool>(r);
    };
    bool ok = put(upload::kManifestName, "application/json", run::render_manifest(m));
    for (const CaptureArtifact& a : c.artifacts) {
      if (!ok) break;
      ok = put(a.name, a.content_type, a.bytes);
      if (ok) {
        md.artifacts.push_back(a.name);
        m.artifacts.push_back({a.name, a.bytes.size(), upload::sha256_hex(a.bytes), d.name});
      }
    }
    if (ok) {
      md.status = "ok";
      m.complete = true;
      ok = put(upload::kManifestName, "application/json", run::render_manifest(m));
    }
    if (ok) {
      write_index_entries(c, config, d, *uploader, deadline, progress);
      return {true, uploader->describe()};
    }
    md.status = "failed";
    m.complete = false;
    m.problems.push_back(d.name + " did not take the whole capture: the next destination is tried");
  }
  return {};
}

std::string host_name(const config::Config& config, std::string& source) {
  if (!config.hostname.empty()) {
    source = "config";
    return config.hostname;
  }
  struct utsname u {};
  source = "utsname";
  if (::uname(&u) == 0 && u.nodename[0] && std::string(u.nodename) != "(none)") return u.nodename;
  source = "unknown";
  return "";
}

std::string machine_name() {
  struct utsname u {};
  return ::uname(&u) == 0 ? u.machine : "";
}

std::string time_text(std::chrono::system_clock::time_point t) {
  return run::utc_iso8601(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

}  // namespace

int run_pstore(const PstoreOptions& o, run::Progress& progress) {
  // One run at a time (the unit, and an operator by hand): two would send every dump twice.
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(o.state_path).parent_path(), ec);
  const std::string lock_path = o.state_path + ".lock";
  int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock >= 0 && ::flock(lock, LOCK_EX | LOCK_NB) != 0) {
    progress.line("pstore", "another vmcap pstore is running (" + lock_path + "): waiting for it");
    ::flock(lock, LOCK_EX);
  }
  struct Unlock {
    int fd;
    ~Unlock() {
      if (fd >= 0) ::close(fd);
    }
  } unlock{lock};
  auto loaded = config::load_config_for_capture(o.config_path);
  for (const auto& p : loaded.problems) progress.line("config", p);
  const config::Config& config = loaded.config;

  auto dir = read_pstore_dir(o.dir, o.dir == kPstoreMountPoint && !o.dry_run, o.max_record_bytes);
  if (!dir) {
    progress.line("pstore", dir.error().message());
    return kPstoreUnreadable;
  }
  if (dir->mounted_here) progress.line("pstore", "mounted pstore on " + o.dir);
  for (const auto& p : dir->problems) progress.line("pstore", p);
  if (dir->records.empty()) {
    progress.line("pstore", "no records in " + o.dir + ": no crash was kept there");
    return kPstoreOk;
  }
  progress.line("pstore", std::to_string(dir->records.size()) + " record(s) in " + o.dir);

  DmesgAssembly assembly = assemble_dmesg_dumps(dir->records);
  for (const auto& b : assembly.bad_names) progress.line("pstore", b.file + ": " + b.why + " (left as it is)");
  // What every capture of this run reports in its manifest's problems: the config's, the
  // folder's (files skipped or cut) and the names that are no record's.
  std::vector<std::string> run_problems;
  for (const auto& p : loaded.problems) run_problems.push_back("config: " + p);
  for (const auto& p : dir->problems) run_problems.push_back("pstore: " + p);
  for (const auto& b : assembly.bad_names) run_problems.push_back("pstore: " + b.file + ": " + b.why + " (left as it is)");
  const std::set<std::string> cut(dir->cut.begin(), dir->cut.end());

  SentRecords sent;
  if (auto s = load_sent_records(o.state_path)) sent = std::move(*s);
  else progress.line("pstore", s.error().message() + ": starting a new list of sent records");

  std::map<std::string, const RecordFile*> by_name;
  for (const auto& r : dir->records) by_name[r.name] = &r;
  // Records that are not dmesg: the console (the previous boot's, ramoops) and the other
  // types (pmsg, ftrace, mce...) go with the newest dump, the console as console.txt, the
  // others as record-NAME; without a dump they make a capture of their own.
  std::vector<RecordFile> console, others;
  for (const auto& name : assembly.other_records) {
    if (!by_name.count(name)) continue;
    auto n = parse_record_name(name);
    (n && n->type_kind == RecordType::Console ? console : others).push_back(*by_name[name]);
  }
  std::vector<DmesgDump> dumps = std::move(assembly.dumps);
  if (dumps.empty() && (!console.empty() || !others.empty())) {
    DmesgDump none;
    none.backend = parse_record_name((console.empty() ? others : console).front().name)->backend;
    none.time = (console.empty() ? others : console).front().mtime;
    dumps.push_back(std::move(none));
    progress.line("pstore", "no crash log, " + std::to_string(console.size() + others.size()) +
                                " record(s) of other types: sent as a capture of their own");
  }

  CaptureContext context;
  context.host = host_name(config, context.host_source);
  context.machine = machine_name();
  if (config.destinations.empty())
    progress.line("pstore", "no destination in " + o.config_path + ": nothing can be sent; the records stay");

  // Where a vmcore capture of the same crash may be (vmcore_link.h): the local folders.
  std::vector<std::string> local_folders;
  for (const auto& d : config.destinations)
    if (d.kind == config::DestinationKind::File) local_folders.push_back(d.path);
  if (!config.fallback_path.empty()) local_folders.push_back(config.fallback_path);

  // One deadline for the whole run, inside vmcap-pstore.service's TimeoutStartSec.
  const auto deadline = upload::Deadline::after(kRunDeadline);
  bool sent_changed = false;
  int status = kPstoreOk;
  for (size_t i = 0; i < dumps.size(); ++i) {
    const DmesgDump& dump = dumps[i];
    const bool newest = i + 1 == dumps.size();
    std::vector<RecordFile> records;
    std::vector<std::string> dump_keys;  // whether it was sent: its own records only
    for (const auto& name : dump.record_files) {
      if (!by_name.count(name)) continue;
      records.push_back(*by_name[name]);
      dump_keys.push_back(record_key(records.back()));
    }
    std::vector<std::string> files = dump.record_files;
    std::vector<std::string> keys = dump_keys;
    context.console.clear();
    context.others.clear();
    if (newest) {
      context.console = console;
      context.others = others;
      for (const auto* set : {&console, &others})
        for (const auto& r : *set) {
          files.push_back(r.name);
          keys.push_back(record_key(r));
        }
    }
    const std::string cause = dump.cause ? dump.cause->reason_text + "#" + std::to_string(dump.cause->counter) : "unknown";
    const auto& check = dump_keys.empty() ? keys : dump_keys;  // a capture of other records only: theirs
    const bool already = !check.empty() && std::all_of(check.begin(), check.end(), [&](const auto& k) { return sent.contains(k); });
    PstoreCapture capture = make_pstore_capture(dump, records, context);
    const auto& pm = *capture.manifest.pstore;
    capture.manifest.problems = run_problems;
    for (const auto& g : pm.missing_parts) capture.manifest.problems.push_back("pstore: parts " + g + " are missing");
    for (const auto& k : dump.kept) capture.manifest.problems.push_back("pstore: " + k.file + ": " + k.why + " (sent as record-" + k.file + ")");
    // A record read only in part is sent as far as it was read, once, and kept.
    std::vector<std::string> cut_keys;
    std::erase_if(files, [&](const std::string& f) {
      if (!cut.count(f)) return false;
      capture.manifest.problems.push_back("pstore: " + f + " was read only in part: kept in " + o.dir);
      if (by_name.count(f)) cut_keys.push_back(record_key(*by_name[f]));
      return true;
    });
    progress.line("dump", dump.backend + " " + cause + ": " + std::to_string(records.size()) + " record(s), " +
                              std::to_string(pm.parts) + " part(s), " + std::to_string(dump.text.size()) +
                              " bytes of log, " + time_text(dump.time) +
                              (capture.manifest.kernel_release.empty() ? "" : ", kernel " + capture.manifest.kernel_release) +
                              (capture.manifest.crash->reason.empty() ? "" : ": " + capture.manifest.crash->reason));
    for (const auto& g : pm.missing_parts) progress.line("dump", "parts " + g + " are missing: the log has a gap there");
    auto remove = [&](const char* what) {
      auto failed = delete_records(o.dir, files);
      for (const auto& f : failed) progress.line("dump", "could not delete " + f + ": remembered as sent, not sent again");
      // A record the backend would not erase is remembered, so that it is not sent again.
      for (const auto& f : failed) {
        auto name = f.substr(0, f.find(':'));
        if (by_name.count(name)) {
          sent.add(record_key(*by_name[name]));
          sent_changed = true;
        }
      }
      if (failed.empty()) progress.line("dump", std::string(what) + std::to_string(files.size()) + " record(s) from " + o.dir);
    };
    if (already) {
      if (o.keep || o.dry_run) {
        progress.line("dump", "sent by an earlier run: not sent again");
        continue;
      }
      remove("sent by an earlier run: deleted its ");
      continue;
    }
    if (o.dry_run) {
      std::string names;
      for (const auto& a : capture.artifacts) names += (names.empty() ? "" : ", ") + a.name;
      progress.line("dump", "dry run: would send " + capture.manifest.directory + " (" + names + ") and " +
                                (o.keep ? "keep" : "delete") + " " + std::to_string(files.size()) + " record(s)");
      continue;
    }
    if (auto link = find_vmcore_capture(local_folders, capture.manifest.crash->hash, *capture.manifest.crash_time)) {
      capture.manifest.pstore->vmcore_capture = *link;
      progress.line("dump", "kdump saved this crash too: " + *link + " (same crash signature " +
                                capture.manifest.crash->hash + "); the manifest names it");
    }
    Shipped s = ship(capture, config, deadline, progress);
    if (!s.saved) {
      progress.line("dump", "NOT SAVED: no destination took " + capture.manifest.directory +
                                "; its records stay in " + o.dir + " for the next run");
      status = kPstoreNotAllSaved;
      continue;
    }
    progress.line("dump", "saved " + capture.manifest.directory + " to " + s.where);
    for (const auto& k : cut_keys) {
      sent.add(k);
      sent_changed = true;
    }
    if (o.keep) {
      for (const auto& k : keys) sent.add(k);
      sent_changed = true;
      continue;
    }
    remove("deleted its ");
  }
  if (sent_changed && !o.dry_run)
    if (auto w = save_sent_records(o.state_path, sent); !w)
      progress.line("pstore", w.error().message() + ": the next run may send these records again");
  return status;
}

}  // namespace vmcap::pstore
