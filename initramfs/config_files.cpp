#include "initramfs/config_files.h"

#include <algorithm>

namespace vmcap::initramfs {

std::vector<ConfigFile> files_named_by(const config::Config& config, const std::string& system_ca_bundle) {
  std::vector<ConfigFile> files;
  auto add = [&](const std::string& path, bool secret, const std::string& why) {
    if (path.empty()) return;
    auto same = std::find_if(files.begin(), files.end(), [&](const ConfigFile& f) { return f.path == path; });
    if (same != files.end()) {
      same->secret = same->secret || secret;
      return;
    }
    files.push_back({path, secret, why});
  };
  for (const auto& d : config.destinations) {
    const std::string in = "[destination " + d.name + "] ";
    add(d.tls.ca_file, false, in + "ca_file");
    add(d.tls.client_cert, false, in + "client_cert");
    add(d.tls.client_key, true, in + "client_key");
    add(d.bearer_token.file, true, in + "bearer_token_file");
    add(d.password.file, true, in + "password_file");
    add(d.access_key.file, true, in + "access_key_file");
    add(d.secret_key.file, true, in + "secret_key_file");
    add(d.identity_file, true, in + "identity_file");
    add(d.known_hosts, false, in + "known_hosts");
    const bool tls = (d.kind == config::DestinationKind::S3 && d.endpoint.rfind("http://", 0) != 0) ||
                     (d.kind == config::DestinationKind::Http && d.url.rfind("https://", 0) == 0);
    if (tls && d.tls.ca_file.empty() && !d.tls.insecure) add(system_ca_bundle, false, in + "the system's CA store");
  }
  return files;
}

}  // namespace vmcap::initramfs
