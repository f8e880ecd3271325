#include "capture/run/capture_run.h"
#include "capture/run/memory_plan.h"
#include "capture/run/peak_memory.h"

#include "capture/signature/dump_signature.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "capture/config/capture_config.h"
#include "capture/kernel/utsname.h"
#include "capture/run/core_stream.h"
#include "capture/run/final_action.h"
#include "capture/run/log_products.h"
#include "capture/run/manifest.h"
#include "capture/run/watchdog.h"
#include "capture/writer/page_compressor.h"
#include "capture/writer/write_options.h"
#include "capture/writer/zstd_seekable_sink.h"
#include "capture/translate/kernel_view.h"
#include "capture/upload/capture_layout.h"
#include "capture/upload/file_uploader.h"
#include "capture/upload/sha256.h"
#include "capture/upload/uploader.h"
#include "elf/open_dump.h"
#include "index/core_dedup.h"
#include "index/index_entry.h"
#include "index/index_writer.h"

#ifndef VMCAP_VERSION
#define VMCAP_VERSION "unknown"
#endif

namespace vmcap::run {
namespace {

using upload::Deadline;

// Local writes after the deadline (the fallback log) get this long of their own.
constexpr auto kLocalGrace = std::chrono::seconds(10);
// An index entry's write, per destination: an index that does not answer costs no more.
constexpr auto kIndexWriteTime = std::chrono::seconds(10);

struct Target {
  std::string name;
  std::unique_ptr<upload::Uploader> uploader;
  config::DestinationKind kind = config::DestinationKind::File;
  size_t index = 0;             // into manifest.destinations
  bool failed = false;          // failed once: not tried again in this capture
  bool holds_manifest = false;  // an (incomplete) manifest is there
  std::string failure;          // its last error, short: "dmesg.txt: Connection refused"
};

class CaptureRun {
 public:
  CaptureRun(const CaptureOptions& options, Progress& progress) : options_(options), progress_(progress) {}
  int run();

 private:
  void load_config();
  void decide_final_action_mode();
  void open_vmcore();
  Compression core_compression() const;
  int core_level() const;  // the level the core is compressed with (0: none)
  bool flat_zstd() const { return config_.core_format == config::CoreFormat::FlatZstd; }
  const char* core_name() const { return flat_zstd() ? upload::kFlatZstdCoreName : upload::kCoreName; }
  bool put_small(const std::string& name, const std::string& bytes, const std::string& content_type);
  bool put_manifest_to(Target& t);
  void save_log_fallback(const Deadline& deadline);
  void print_log_on_console();
  bool core_skipped_by_index();
  void stream_core_somewhere();
  void write_index_entries();
  void core_not_saved();
  void finish_manifests();
  void record_problem(const std::string& p);
  upload::Artifact artifact(const std::string& name, const std::string& content_type) const;
  void on_deadline();
  int status_now() const;

  const CaptureOptions& options_;
  Progress& progress_;
  config::Config config_;
  std::optional<Deadline> deadline_;
  FinalActionMode final_mode_;
  std::unique_ptr<Dump> dump_;
  std::optional<KernelView> kernel_;
  std::optional<LogProducts> log_;
  std::vector<Target> targets_;

  mutable std::mutex mu_;  // the manifest, between the work and the watchdog
  Manifest manifest_;
  std::atomic<bool> core_skipped_{false};  // one core per bug: the index has enough of them
  std::atomic<bool> log_saved_{false};
  std::atomic<bool> log_in_fallback_{false};  // the fallback path holds the log and a manifest
  std::atomic<bool> destination_failed_{false};
  std::atomic<bool> finishing_{false};  // the final action is taken once, by whoever gets here first
  std::timed_mutex fallback_mu_;
};

void CaptureRun::record_problem(const std::string& p) {
  std::lock_guard lock(mu_);
  manifest_.problems.push_back(p);
}

upload::Artifact CaptureRun::artifact(const std::string& name, const std::string& content_type) const {
  std::lock_guard lock(mu_);
  upload::Artifact a{manifest_.directory, name, content_type, {}};
  a.fields = {{"host", manifest_.host},
              {"kernel_release", manifest_.kernel_release},
              {"build_id", manifest_.build_id},
              {"capture_id", manifest_.capture_id}};
  return a;
}

void CaptureRun::load_config() {
  auto loaded = config::load_config_for_capture(options_.config_path);
  config_ = std::move(loaded.config);
  for (const auto& p : loaded.problems) {
    progress_.line("config", p);
    record_problem("config: " + p);
  }
  if (loaded.degraded())
    progress_.line("config", "falling back: " + std::to_string(config_.destinations.size()) +
                                 " destination(s) without problems kept, bad global keys at their defaults");
  std::string names;
  for (const auto& d : config_.destinations) names += (names.empty() ? "" : ", ") + d.name;
  progress_.line("config", options_.config_path + ": destinations [" + names + "], deadline " +
                               std::to_string(config_.deadline.count() / 1000) + " s, final_action " +
                               config::to_string(config_.final_action) + ", failure_action " +
                               config::to_string(config_.failure_action));
}

// Decided before any work, and said at once: a user who ran the capture by hand on a saved
// dump learns from the first lines that the machine will not be rebooted.
void CaptureRun::decide_final_action_mode() {
  final_mode_.dry_run = options_.dry_run;
  final_mode_.before_reboot = options_.before_final_action;
  if (options_.dry_run) return;
  auto why = not_a_capture_kernel(options_.vmcore);
  if (!why) return;
  if (options_.force_final_action) {
    progress_.line("final action", *why + "; --force-final-action: it will be done all the same");
    return;
  }
  final_mode_.skip_reason = *why;
  progress_.line("final action", "will not be done: " + *why + " (--force-final-action does it anyway)");
}

Compression CaptureRun::core_compression() const {
  return config_.compression == config::Compression::Zstd   ? Compression::Zstd
         : config_.compression == config::Compression::Zlib ? Compression::Zlib
                                                            : Compression::None;
}

int CaptureRun::core_level() const {
  // flat-zstd: the frames' level (the parser allows it only beside compression = zstd).
  if (flat_zstd()) return config_.compression_level != 0 ? config_.compression_level : SeekableOptions::kDefaultLevel;
  if (config_.compression == config::Compression::None) return 0;
  return config_.compression_level != 0 ? config_.compression_level : default_compression_level(core_compression());
}

void CaptureRun::open_vmcore() {
  std::lock_guard lock(mu_);
  Manifest& m = manifest_;
  m.vmcap_version = VMCAP_VERSION;
  m.vmcore = options_.vmcore;
  m.dump_level = config_.dump_level;
  m.compression = config::to_string(config_.compression);
  m.compression_level = core_level();
  if (flat_zstd()) {
    m.compression = "zstd";  // the frames'; the pages in them are raw
    m.core_format = "flat-zstd";
  }
  m.started = utc_iso8601(std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
  auto dump = open_dump(options_.vmcore);
  if (!dump) {
    m.problems.push_back("vmcore: " + dump.error().message());
    progress_.line("vmcore", dump.error().message());
  } else {
    dump_ = std::move(*dump);
    for (const auto& w : open_warnings(*dump_)) m.problems.push_back("vmcore: " + w);
    auto kernel = open_kernel_view(*dump_);
    if (!kernel) {
      m.problems.push_back("kernel: " + kernel.error().message());
      progress_.line("kernel", kernel.error().message());
    } else {
      kernel_ = std::move(*kernel);
    }
  }
  if (kernel_) {
    const VmcoreInfo& info = kernel_->info;
    m.kernel_release = info.value("OSRELEASE").value_or("");
    m.build_id = info.value("BUILD-ID").value_or("");
    m.crash_time = info.crash_time();
    if (auto uts = read_utsname(info, *kernel_->memory)) {
      // "(none)" is the kernel's name for a machine nobody named (no hostname set at boot).
      if (!uts->nodename.empty() && uts->nodename != "(none)") {
        m.host = uts->nodename;
        m.host_source = "utsname";
      }
      m.kernel_version = uts->version;
      m.machine = uts->machine;
      if (m.kernel_release.empty()) m.kernel_release = uts->release;
    } else {
      m.problems.push_back("utsname: " + uts.error().message());
    }
  }
  if (!config_.hostname.empty()) {
    m.host = config_.hostname;
    m.host_source = "config";
  } else if (m.host.empty()) {
    m.host = "unknown";
    m.host_source = "unknown";
    progress_.line("vmcore", "the crashed kernel had no host name: captures are named unknown-...; "
                             "set hostname = in " + options_.config_path + " to name them");
  }
  uint32_t id = upload::random_capture_id();
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", id);
  m.capture_id = hex;
  auto when = m.crash_time ? std::chrono::system_clock::time_point(std::chrono::seconds(*m.crash_time))
                           : std::chrono::system_clock::now();
  m.directory = upload::capture_directory(m.host, when, id);
}

bool CaptureRun::put_manifest_to(Target& t) {
  std::string text;
  {
    std::lock_guard lock(mu_);
    text = render_manifest(manifest_);
  }
  auto r = t.uploader->put(artifact(upload::kManifestName, "application/json"), text, *deadline_);
  if (!r) {
    std::lock_guard lock(mu_);
    manifest_.destinations[t.index].errors.push_back(std::string(upload::kManifestName) + ": " + r.error().message());
    t.failure = std::string(upload::kManifestName) + ": " + r.error().reason;
    return false;
  }
  t.holds_manifest = true;
  return true;
}

// Tries the destinations in order until one takes the artifact; the first artifact a
// destination gets is preceded by the manifest, marked incomplete.
bool CaptureRun::put_small(const std::string& name, const std::string& bytes, const std::string& content_type) {
  for (Target& t : targets_) {
    if (t.failed) continue;
    if (deadline_->expired()) return false;
    auto start = std::chrono::steady_clock::now();
    bool ok = t.holds_manifest || put_manifest_to(t);
    Result<void> r = ok ? t.uploader->put(artifact(name, content_type), bytes, *deadline_) : Result<void>();
    std::lock_guard lock(mu_);
    ManifestDestination& md = manifest_.destinations[t.index];
    if (ok && r) {
      md.status = "ok";
      md.artifacts.push_back(name);
      manifest_.artifacts.push_back({name, bytes.size(), upload::sha256_hex(bytes), t.name});
      progress_.line("upload", name + " to " + t.uploader->describe() + ": " + progress_.rate(bytes.size(), start));
      return true;
    }
    if (!r) {
      md.errors.push_back(name + ": " + r.error().message());
      t.failure = name + ": " + r.error().reason;
    }
    md.status = "failed";
    t.failed = true;
    destination_failed_ = true;
    if (t.failure.starts_with(name + ": "))
      progress_.line("upload", name + " to " + t.uploader->describe() + " failed: " + t.failure.substr(name.size() + 2));
    else
      progress_.line("upload", name + " not sent to " + t.uploader->describe() + ": it failed on " + t.failure);
  }
  return false;
}

void CaptureRun::save_log_fallback(const Deadline& deadline) {
  std::unique_lock lock(fallback_mu_, std::defer_lock);
  if (!lock.try_lock_for(std::chrono::seconds(2))) return;
  if (log_saved_ || !log_ || config_.fallback_path.empty()) return;
  upload::FileUploader local("fallback", config_.fallback_path);
  std::string manifest_text;
  {
    std::lock_guard g(mu_);
    manifest_.problems.push_back("no destination took the log: saved to the fallback path " + config_.fallback_path);
    for (const auto& [name, bytes] : {std::pair{upload::kDmesgTextName, &log_->text},
                                      std::pair{upload::kDmesgJsonName, &log_->json}})
      manifest_.artifacts.push_back({name, bytes->size(), upload::sha256_hex(*bytes), "fallback"});
    manifest_text = render_manifest(manifest_);
  }
  auto a = [&](const char* name, const char* type) { return artifact(name, type); };
  auto r = local.put(a(upload::kDmesgTextName, "text/plain"), log_->text, deadline);
  if (r) r = local.put(a(upload::kDmesgJsonName, "application/x-ndjson"), log_->json, deadline);
  if (r) r = local.put(a(upload::kManifestName, "application/json"), manifest_text, deadline);
  if (!r) {
    progress_.line("fallback", "saving the log to " + config_.fallback_path + " failed: " + r.error().message());
    std::lock_guard g(mu_);
    std::erase_if(manifest_.artifacts, [](const ManifestArtifact& x) { return x.destination == "fallback"; });
    return;
  }
  log_saved_ = true;
  log_in_fallback_ = true;
  progress_.line("fallback", "the log is in " + upload::join_path(config_.fallback_path, artifact("", "").dir));
}

void CaptureRun::print_log_on_console() {
  if (!log_) return;
  progress_.line("console", "no destination and no fallback took the log: here it is whole");
  progress_.raw(log_->text);
  progress_.line("console", "end of the kernel log");
}

// One core per bug (index/core_dedup.h): the crash index of index_destination, else of the
// first destination that can be listed, is read for a few seconds; the core is skipped only
// when it shows cores_per_signature captures of this bug holding one.
bool CaptureRun::core_skipped_by_index() {
  if (config_.cores_per_signature <= 0 || !kernel_) return false;
  ManifestCoreDedup md;
  md.key = config::to_string(config_.core_dedup_key);
  md.cores_per_signature = config_.cores_per_signature;
  index::DedupRequest request;
  request.key = config_.core_dedup_key == config::CoreDedupKey::Signature ? index::DedupKey::Signature
                                                                          : index::DedupKey::SignatureAndBuildId;
  request.cores_per_signature = config_.cores_per_signature;
  {
    std::lock_guard lock(mu_);
    if (manifest_.crash) request.hash = manifest_.crash->hash;
    request.build_id = manifest_.build_id;
  }
  const config::Destination* where = config_.index_destination ? &*config_.index_destination : nullptr;
  for (const auto& d : config_.destinations)
    if (!where && upload::can_be_listed(d.kind)) where = &d;
  auto policy = upload::transfer_policy_from(config_);
  policy.retry.retries = std::min(policy.retry.retries, 1);  // a few seconds in all
  auto reader = where ? upload::make_reader(*where, policy) : nullptr;
  if (!reader) {
    md.why = "no destination can be listed: the core is kept";
  } else {
    md.index = where->name;
    progress_.line("index", "cores of this crash (key " + md.key + ") on " + reader->describe() + "?");
    auto d = index::decide_core(*reader, request, deadline_->capped(index::kLookupTime));
    md.core_skipped = d.skip_core;
    md.holders = d.holders;
    md.why = d.why;
    md.lookup_ms = d.took.count();
  }
  progress_.line("index", md.why + " (" + std::to_string(md.lookup_ms) + " ms)");
  core_skipped_ = md.core_skipped;
  std::lock_guard lock(mu_);
  manifest_.core_dedup = std::move(md);
  return core_skipped_;
}

void CaptureRun::stream_core_somewhere() {
  if (!dump_) {
    record_problem("core: not written (the vmcore cannot be read)");
    progress_.line("core", "not written: the vmcore cannot be read");
    return;
  }
  if (core_skipped_by_index()) {
    progress_.line("core", "not uploaded: enough captures of this bug hold one (the manifest names them)");
    return;
  }
  CoreOptions options;
  options.dump_level = config_.dump_level;
  if (!kernel_ && config_.dump_level != 0) {
    // No kernel structures, so no rule can tell a page apart: keep them all (when in doubt,
    // keep the page). Without VMCOREINFO there is no log either: the core is all there is.
    options.dump_level = 0;
    const std::string why = "dump_level " + std::to_string(config_.dump_level) +
                            " needs the kernel's structures, which cannot be read: every page kept (dump level 0)";
    record_problem("core: " + why);
    progress_.line("core", why);
  }
  options.format = CoreFormat::Flattened;
  options.write.compression = core_compression();
  options.write.level = core_level();
  options.write.threads = static_cast<unsigned>(config_.threads);
  const CoreMemoryPlan memory =
      flat_zstd() ? plan_flat_zstd_memory(mem_available_bytes(), effective_threads(options.write.threads))
                  : plan_core_memory(mem_available_bytes());
  std::optional<SeekableOptions> frames;
  if (flat_zstd()) {
    // Raw pages into the frames: the frames' workers compress, the page batches only read.
    options.write.compression = Compression::None;
    options.write.level = 0;
    frames = SeekableOptions{.frame_bytes = memory.frame_bytes, .level = core_level(), .threads = memory.frame_threads};
  }
  options.write.memory_budget = memory.pipeline_bytes;
  progress_.line("memory", memory.describe());
  for (Target& t : targets_) {
    if (t.failed) continue;
    if (deadline_->expired()) break;
    if (!t.holds_manifest && !put_manifest_to(t)) {
      std::lock_guard lock(mu_);
      manifest_.destinations[t.index].status = "failed";
      t.failed = true;
      destination_failed_ = true;
      continue;
    }
    progress_.line("core", "streaming " + std::string(core_name()) + " to " + t.uploader->describe());
    auto r = stream_core(*dump_, kernel_ ? &*kernel_ : nullptr, options, *t.uploader,
                         artifact(core_name(), flat_zstd() ? "application/zstd" : "application/octet-stream"),
                         *deadline_, progress_, memory.queue_bytes, frames);
    std::lock_guard lock(mu_);
    ManifestDestination& md = manifest_.destinations[t.index];
    if (r) {
      md.status = "ok";
      md.artifacts.push_back(core_name());
      manifest_.artifacts.push_back({core_name(), r->size, r->sha256, t.name});
      progress_.line("core", r->filter_summary);
      for (const auto& w : r->warnings) manifest_.problems.push_back("core: " + w);
      if (r->stats.lost_pages)
        manifest_.problems.push_back("core: " + std::to_string(r->stats.lost_pages) +
                                     " pages could not be read from the vmcore");
      return;
    }
    md.errors.push_back(std::string(core_name()) + ": " + r.error().message());
    md.status = "failed";
    t.failed = true;
    t.failure = std::string(core_name()) + ": " + r.error().reason;
    destination_failed_ = true;
    progress_.line("core", std::string("to ") + t.uploader->describe() + " failed: " + r.error().reason);
  }
  core_not_saved();
}

// No destination holds the core: said on the console and in the manifest, with each
// destination's last error (a destination that failed on the log was not tried again).
void CaptureRun::core_not_saved() {
  std::string why;
  for (const Target& t : targets_)
    why += (why.empty() ? "" : "; ") + t.name + " " +
           (t.failure.empty() ? std::string("not tried") : "failed on " + t.failure);
  if (why.empty()) why = "no destination is configured";
  if (deadline_->expired()) why = "the deadline passed; " + why;
  record_problem("core: not saved: " + why);
  progress_.line("core", "NOT SAVED: " + why);
}

// The final manifest goes to every destination holding part of the capture; when none holds
// anything (nothing could be read), to the first that takes it: the capture still says why.
void CaptureRun::finish_manifests() {
  if (std::none_of(targets_.begin(), targets_.end(), [](const Target& t) { return t.holds_manifest; }))
    for (Target& t : targets_) {
      if (t.failed) continue;
      if (put_manifest_to(t)) return;
      std::lock_guard lock(mu_);
      manifest_.destinations[t.index].status = "failed";
      t.failed = true;
      destination_failed_ = true;
    }
  for (Target& t : targets_) {
    if (!t.holds_manifest) continue;
    if (!put_manifest_to(t)) {
      destination_failed_ = true;
      progress_.line("manifest", "the final manifest did not reach " + t.uploader->describe());
    }
  }
  // The fallback's manifest was written with the log, before the core was tried: the final
  // one says what became of the core too.
  if (log_in_fallback_) {
    upload::FileUploader local("fallback", config_.fallback_path);
    std::string text;
    {
      std::lock_guard lock(mu_);
      text = render_manifest(manifest_);
    }
    auto r = local.put(artifact(upload::kManifestName, "application/json"), text, Deadline::after(kLocalGrace));
    if (!r) progress_.line("manifest", "the final manifest did not reach the fallback path: " + r.error().reason);
  }
}

// After the final manifest: the capture's entry in the crash index (docs/index.md) of every
// destination that holds the capture and can be listed, and of index_destination. Each
// write is bounded; a failure is said, never retried past kIndexWriteTime.
void CaptureRun::write_index_entries() {
  if (deadline_->expired()) return;  // the watchdog takes over
  Manifest m;
  {
    std::lock_guard lock(mu_);
    m = manifest_;
  }
  std::string holder = log_in_fallback_ ? "fallback" : "";
  for (const auto& a : m.artifacts)
    if (a.name.starts_with("vmcore") || holder.empty()) holder = a.destination;
  const std::string_view log_text = log_ ? std::string_view(log_->text) : std::string_view();
  // `holds`: the destination written to when it holds (part of) the capture, else "".
  auto put = [&](upload::Uploader& uploader, const std::string& holds) {
    index::IndexEntry entry = index::entry_from_manifest(m, holder.empty() ? holds : holder, log_text);
    auto r = index::put_index_entry(uploader, entry, deadline_->capped(kIndexWriteTime));
    const auto a = index::entry_artifact(entry);
    if (r) progress_.line("index", a.dir + "/" + a.name + " to " + uploader.describe());
    else progress_.line("index", "the index entry did not reach " + uploader.describe() + ": " + r.error().reason);
  };
  bool on_index_destination = false, written = false;
  for (Target& t : targets_) {
    if (!t.holds_manifest || !upload::can_be_listed(t.kind)) continue;
    put(*t.uploader, t.name);
    written = true;
    on_index_destination |= config_.index_destination && config_.index_destination->name == t.name;
  }
  if (config_.index_destination && !on_index_destination) {
    auto uploader = upload::make_uploader(*config_.index_destination, upload::transfer_policy_from(config_));
    put(*uploader, "");
    written = true;
  }
  if (!written)
    progress_.line("index", "no file, sftp or s3 destination holds this capture: no index entry "
                            "(http cannot be listed; index_destination = NAME names one to hold the index)");
}

int CaptureRun::status_now() const {
  if (!log_saved_) return kCaptureNothingSaved;
  std::lock_guard lock(mu_);
  if (manifest_.complete && !destination_failed_) return kCaptureComplete;
  return kCapturePartial;
}

// The deadline passed with the work still running: save the log locally if nothing
// took it, then the failure action; the work is abandoned where it stands.
void CaptureRun::on_deadline() {
  if (finishing_.exchange(true)) return;
  progress_.line("deadline", "the global deadline passed: abandoning the capture");
  if (!log_saved_) save_log_fallback(Deadline::after(kLocalGrace));
  if (!log_saved_) print_log_on_console();
  int status = status_now();
  progress_.line("decision", std::string("failure_action = ") + config::to_string(config_.failure_action) +
                                 " (the deadline passed: the capture is incomplete)");
  perform_final_action(config_.failure_action, final_mode_, progress_);
  progress_.line("done", "incomplete (deadline), exit status " + std::to_string(status));
  std::fflush(nullptr);
  std::_Exit(status);
}

int CaptureRun::run() {
  load_config();
  decide_final_action_mode();
  deadline_ = Deadline::after(config_.deadline);
  Watchdog watchdog(*deadline_, [this] { on_deadline(); });

  open_vmcore();
  {
    std::lock_guard lock(mu_);
    progress_.line("vmcore", options_.vmcore + ": host " + manifest_.host + " (" + manifest_.host_source +
                                 "), kernel " + manifest_.kernel_release + ", capture " + manifest_.directory);
  }

  auto policy = upload::transfer_policy_from(config_);
  policy.retry.on_retry = [this](const std::string& what, int attempt, const Error& e, std::chrono::milliseconds d) {
    // `what` names the request; the error's own copy of it would say it twice.
    progress_.line("retry", what + ": attempt " + std::to_string(attempt) + " after " + e.reason + ", waiting " +
                                std::to_string(d.count()) + " ms");
  };
  for (const auto& d : config_.destinations) {
    Target t{d.name, upload::make_uploader(d, policy), d.kind, targets_.size()};
    std::lock_guard lock(mu_);
    manifest_.destinations.push_back({d.name, config::to_string(d.kind), t.uploader->describe()});
    targets_.push_back(std::move(t));
  }

  if (kernel_) {
    // One pass over the log ring: dmesg.txt, dmesg.json and the crash signature's tail.
    auto start = std::chrono::steady_clock::now();
    LogTail tail;
    auto log = decode_log_products(*kernel_, &tail);
    {
      // What the signature lacks (kallsyms on kernels before 6.0) is said in it, not
      // counted among the capture's problems.
      std::optional<std::string> log_error;
      if (!log) log_error = log.error().message();
      CrashSignature sig = signature_from_log_tail(*dump_, *kernel_, tail, log_error);
      std::lock_guard lock(mu_);
      manifest_.crash = ManifestCrash{sig.reason, sig.pc, sig.symbol, sig.frames, sig.hash, sig.warnings};
    }
    if (log) {
      for (const auto& p : log->problems) record_problem(p);
      progress_.line("log", std::to_string(log->records) + " records decoded, " +
                                progress_.rate(log->text.size(), start));
      // What the damaged ring lost, on the console too: the manifest may never land.
      if (!log->problems.empty()) {
        std::string_view first = log->problems.front();
        if (first.starts_with("log: ")) first.remove_prefix(5);
        progress_.line("log", std::to_string(log->problems.size()) + " problem(s), the first: " + std::string(first));
      }
      std::lock_guard lock(mu_);
      log_ = std::move(*log);
    } else {
      record_problem("log: " + log.error().message());
      progress_.line("log", log.error().message());
    }
  }

  if (log_) {
    bool text = put_small(upload::kDmesgTextName, log_->text, "text/plain");
    bool json = put_small(upload::kDmesgJsonName, log_->json, "application/x-ndjson");
    if (text || json) log_saved_ = true;
    if (!text || !json) record_problem("log: no destination took " + std::string(text ? "dmesg.json" : "dmesg.txt"));
    if (!log_saved_) save_log_fallback(deadline_->expired() ? Deadline::after(kLocalGrace) : *deadline_);
    if (!log_saved_) print_log_on_console();
  }

  stream_core_somewhere();

  {
    std::lock_guard lock(mu_);
    bool have_core = false, have_text = false, have_json = false;
    for (const auto& a : manifest_.artifacts) {
      if (a.destination == "fallback") continue;
      have_core |= a.name == core_name();
      have_text |= a.name == upload::kDmesgTextName;
      have_json |= a.name == upload::kDmesgJsonName;
    }
    manifest_.complete = (have_core || core_skipped_) && have_text && have_json && !deadline_->expired();
  }
  finish_manifests();
  write_index_entries();

  if (finishing_.exchange(true)) {
    // The watchdog got here first and is taking the final action.
    watchdog.disarm();
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  }
  watchdog.disarm();
  bool complete;
  {
    std::lock_guard lock(mu_);
    complete = manifest_.complete;
  }
  int status = status_now();
  progress_.line("done", std::string(complete ? "complete" : "incomplete") + ", exit status " + std::to_string(status));
  if (auto kib = peak_rss_kib()) progress_.line("memory", "peak resident VmHWM: " + std::to_string(*kib) + " kB");
  auto action = decide_final_action(config_, complete);
  progress_.line("decision", std::string(complete ? "final_action = " : "failure_action = ") +
                                 config::to_string(action) +
                                 (complete ? " (the capture is complete)" : " (the capture is incomplete)"));
  perform_final_action(action, final_mode_, progress_);
  return status;
}

}  // namespace

int run_capture(const CaptureOptions& options, Progress& progress) {
  CaptureRun run(options, progress);
  return run.run();
}

}  // namespace vmcap::run
