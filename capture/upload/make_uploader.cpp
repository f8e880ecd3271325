#include "capture/upload/file_uploader.h"
#include "capture/upload/http_uploader.h"
#include "capture/upload/s3_uploader.h"
#include "capture/upload/sftp_uploader.h"
#include "capture/upload/uploader.h"

namespace vmcap::upload {

TransferPolicy transfer_policy_from(const config::Config& c) {
  TransferPolicy p;
  p.retry.retries = c.retries;
  p.retry.initial_delay = c.retry_delay;
  p.connect_timeout = c.connect_timeout;
  p.low_speed_limit = static_cast<long>(c.low_speed_limit);
  p.low_speed_time = c.low_speed_time;
  return p;
}

std::unique_ptr<Uploader> make_uploader(const config::Destination& d, const TransferPolicy& policy) {
  switch (d.kind) {
    case config::DestinationKind::File: return std::make_unique<FileUploader>(d.name, d.path);
    case config::DestinationKind::Http: return std::make_unique<HttpUploader>(d, policy);
    case config::DestinationKind::S3: return std::make_unique<S3Uploader>(d, policy);
    case config::DestinationKind::Sftp: return std::make_unique<SftpUploader>(d, policy);
  }
  return nullptr;
}

}  // namespace vmcap::upload
