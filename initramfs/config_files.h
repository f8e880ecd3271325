// The files a config names (CA bundles, client certificates and keys, token and secret
// files, SSH identity and known_hosts): the capture kernel reads them from the same
// absolute paths, so the image carries each of them there.
#pragma once

#include <string>
#include <vector>

#include "capture/config/config.h"

namespace vmcap::initramfs {

struct ConfigFile {
  std::string path;     // absolute, as the config writes it
  bool secret = false;  // kept mode 0600 in the image
  std::string why;      // "[destination web] ca_file", for messages
};

// Each path once, in config order. When a TLS destination relies on the system's CA
// store, `system_ca_bundle` (the path vmcap's static libcurl was built with) is added.
std::vector<ConfigFile> files_named_by(const config::Config& config,
                                       const std::string& system_ca_bundle = "/etc/ssl/certs/ca-certificates.crt");

}  // namespace vmcap::initramfs
