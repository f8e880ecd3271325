#include "capture/upload/destination_reader.h"

#include <algorithm>

#include "capture/upload/file_reader.h"
#include "capture/upload/s3_reader.h"
#include "capture/upload/sftp_reader.h"

namespace vmcap::upload {

ListPage first_keys_page(std::vector<std::string> keys, size_t max_keys) {
  std::sort(keys.begin(), keys.end());
  ListPage page;
  if (keys.size() > max_keys) {
    keys.resize(max_keys);
    page.next = keys.back();
  }
  page.keys = std::move(keys);
  return page;
}

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
