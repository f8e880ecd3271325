#include "capture/upload/destination_reader.h"
#include "capture/upload/file_reader.h"
#include "capture/upload/s3_reader.h"
#include "capture/upload/sftp_reader.h"

namespace vmcap::upload {

bool can_be_listed(config::DestinationKind kind) { return kind != config::DestinationKind::Http; }

std::unique_ptr<DestinationReader> make_reader(const config::Destination& d, const TransferPolicy& policy) {
  switch (d.kind) {
    case config::DestinationKind::File: return std::make_unique<FileReader>(d.name, d.path);
    case config::DestinationKind::S3: return std::make_unique<S3Reader>(d, policy);
    case config::DestinationKind::Sftp: return std::make_unique<SftpReader>(d, policy);
    case config::DestinationKind::Http: return nullptr;
  }
  return nullptr;
}

}  // namespace vmcap::upload
