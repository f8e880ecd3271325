// sftp://USER@HOST[:PORT]/PATH destinations through libcurl's SFTP (libssh2): key
// authentication only, the server's host key checked against the configured known_hosts
// (unknown or different keys are refused), each artifact written as NAME.part and
// renamed into place (CURLOPT_POSTQUOTE) once complete.
#pragma once

#include "capture/config/config.h"
#include "capture/upload/uploader.h"

namespace vmcap::upload {

class SftpUploader final : public Uploader {
 public:
  SftpUploader(config::Destination destination, TransferPolicy policy)
      : d_(std::move(destination)), policy_(std::move(policy)) {}
  std::string describe() const override { return d_.name + " (sftp " + d_.url + ")"; }
  Result<void> put(const Artifact& artifact, std::string_view bytes, const Deadline& deadline) override;
  Result<void> put_stream(const Artifact& artifact, ByteSource& source, const Deadline& deadline) override;

 private:
  Result<void> send(const Artifact& artifact, ByteSource& source, std::optional<uint64_t> size,
                    const Deadline& deadline, uint64_t& consumed);

  config::Destination d_;
  TransferPolicy policy_;
};

}  // namespace vmcap::upload
