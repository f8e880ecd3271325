// One destination's way of storing bytes (file, http(s), S3, sftp). Uploads know bytes
// and names, nothing about kernels: the capture decides what the artifacts are.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capture/config/config.h"
#include "capture/upload/byte_source.h"
#include "capture/upload/deadline.h"
#include "capture/upload/retry.h"
#include "elf/result.h"

namespace vmcap::upload {

// Where one artifact goes: `dir` is the capture's directory (capture_layout.h), `name`
// the artifact's file name in it; `fields` are sent as form fields by post-multipart
// destinations (ignored by the others).
struct Artifact {
  std::string dir;
  std::string name;
  std::string content_type = "application/octet-stream";
  std::vector<std::pair<std::string, std::string>> fields;
};

// What every transfer of a capture shares (from the global config keys).
struct TransferPolicy {
  RetryPolicy retry;
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  long low_speed_limit = 1024;  // bytes/s ...
  std::chrono::milliseconds low_speed_time = std::chrono::seconds(30);  // ... for this long = stalled
  // curl's CONNECT_TO entries ("HOST:PORT:CONNECT-HOST:CONNECT-PORT"): not a config key;
  // tests use it to send a request for a named host (AWS's example) to 127.0.0.1.
  std::vector<std::string> connect_to;
};

TransferPolicy transfer_policy_from(const config::Config& config);

class Uploader {
 public:
  virtual ~Uploader() = default;
  // "NAME (kind url)" without secrets, for logs.
  virtual std::string describe() const = 0;
  // A small artifact held in memory, retried whole.
  virtual Result<void> put(const Artifact& artifact, std::string_view bytes, const Deadline& deadline) = 0;
  // A large artifact pulled from `source` as it is produced. Retried whole only when the
  // source rewinds (S3 retries each part instead).
  virtual Result<void> put_stream(const Artifact& artifact, ByteSource& source, const Deadline& deadline) = 0;
};

std::unique_ptr<Uploader> make_uploader(const config::Destination& destination, const TransferPolicy& policy);

}  // namespace vmcap::upload
