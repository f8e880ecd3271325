#include "capture/config/check_config.h"

#include <chrono>

#include "capture/config/config_parser.h"

namespace vmcap::config {

namespace {
constexpr int kOk = 0;
constexpr int kBadInput = 2;  // capture/cli/exit_status.h: kExitBadInput

// "network: eth0 dhcp, timeout 30s, modules virtio_net" (what the initramfs will do).
void describe_network(const Config& c, std::ostream& out) {
  if (!c.network) {
    out << "network: no [network] section, vmcap sets no network up\n";
    return;
  }
  const Network& n = *c.network;
  out << "network: " << (n.interface.empty() ? "auto" : n.interface) << " ";
  if (n.dhcp) out << "dhcp";
  else out << n.address.to_string() << "/" << n.prefix_length;
  if (n.gateway) out << " via " << n.gateway->to_string();
  for (size_t i = 0; i < n.dns.size(); ++i) out << (i ? "," : ", dns ") << n.dns[i].to_string();
  out << ", timeout " << std::chrono::duration_cast<std::chrono::milliseconds>(n.timeout).count() / 1000.0 << "s";
  for (size_t i = 0; i < n.modules.size(); ++i) out << (i ? " " : ", modules ") << n.modules[i];
  out << "\n";
}

// Where the crash index is written and read (docs/index.md); http cannot be listed.
void describe_index(const Config& c, std::ostream& out) {
  std::string listable, unlisted;
  for (const Destination& d : c.destinations) {
    std::string& names = d.kind == DestinationKind::Http ? unlisted : listable;
    names += (names.empty() ? "" : ", ") + d.name;
  }
  if (c.index_destination) {
    out << "crash index: on " << c.index_destination->name << " (index_destination), for every capture";
    if (!listable.empty()) out << "; also on " << listable << " for their own captures";
    out << "\n";
  } else if (!listable.empty()) {
    out << "crash index: on " << listable << " for their own captures\n";
  }
  if (!unlisted.empty() && !c.index_destination)
    out << "crash index: none on " << unlisted
        << " (http cannot be listed; index_destination = NAME names a file, sftp or s3 destination to hold it)\n";
  if (c.cores_per_signature > 0) {
    const Destination* read = c.index_destination ? &*c.index_destination : nullptr;
    for (const Destination& d : c.destinations)
      if (!read && d.kind != DestinationKind::Http) read = &d;
    if (read)
      out << "cores_per_signature " << c.cores_per_signature << " (key " << to_string(c.core_dedup_key)
          << "): the index on " << read->name << " is read before each core\n";
    else
      out << "cores_per_signature " << c.cores_per_signature
          << ": no destination can be listed, so every core is kept\n";
  }
}

void describe(const Config& c, std::ostream& out) {
  out << "deadline " << std::chrono::duration_cast<std::chrono::seconds>(c.deadline).count()
      << "s, retries " << c.retries << ", dump_level " << c.dump_level << ", ";
  const std::string level = c.compression_level == 0 ? std::string("default") : std::to_string(c.compression_level);
  // flat-zstd's pages are raw: compression is not used, compression_level is the frames'.
  if (c.core_format == CoreFormat::FlatZstd)
    out << "core_format flat-zstd (vmcore.flat.zst: raw pages in zstd frames, level " << level
        << "; compression does not apply)";
  else
    out << "compression " << to_string(c.compression) << " " << level;
  out << ", final_action "
      << to_string(c.final_action) << ", failure_action " << to_string(c.failure_action) << "\n";
  if (c.pstore)
    out << "pstore yes: vmcap arm turns crash_kexec_post_notifiers on (the log also goes to pstore before kdump runs)\n";
  for (const Destination& d : c.destinations) {
    out << "destination " << d.name << ": " << to_string(d.kind) << " " << d.url;
    if (d.tls.insecure) out << " (TLS verification OFF)";
    out << "\n";
  }
  if (c.destinations.empty()) out << "no destinations: the log goes to fallback_path only\n";
  describe_index(c, out);
  describe_network(c, out);
  if (!c.arm.append.empty() || !c.arm.remove.empty()) {
    out << "arm: capture command line";
    if (!c.arm.append.empty()) out << " + '" << c.arm.append << "'";
    for (const auto& r : c.arm.remove) out << " - " << r;
    out << "\n";
  }
}
}  // namespace

int run_check_config(const std::string& path, std::ostream& out) {
  auto loaded = load_config(path);
  if (!loaded) {
    out << loaded.error().message() << "\n";
    return kBadInput;
  }
  for (const Problem& p : loaded->problems) out << format_problem(path, p) << "\n";
  if (!loaded->ok()) {
    out << path << ": " << loaded->problems.size() << " problem"
        << (loaded->problems.size() == 1 ? "" : "s")
        << "; a capture would run with the defaults and the destinations below\n";
  } else {
    out << path << ": ok\n";
  }
  describe(loaded->config, out);
  return loaded->ok() ? kOk : kBadInput;
}

}  // namespace vmcap::config
