// http:// and https:// destinations: PUT of one object per artifact at
// URL/<dir>/<name> (WebDAV servers, object stores with presigned-style paths), or POST of
// multipart/form-data to URL (crash collection servers): the artifact's fields, `dir`,
// `name`, then the bytes as the part "file". Extra headers, bearer token or basic auth.
#pragma once

#include "capture/config/config.h"
#include "capture/upload/uploader.h"

namespace vmcap::upload {

class CurlTransfer;

class HttpUploader final : public Uploader {
 public:
  HttpUploader(config::Destination destination, TransferPolicy policy)
      : d_(std::move(destination)), policy_(std::move(policy)) {}
  std::string describe() const override;
  Result<void> put(const Artifact& artifact, std::string_view bytes, const Deadline& deadline) override;
  Result<void> put_stream(const Artifact& artifact, ByteSource& source, const Deadline& deadline) override;

 private:
  // One attempt: the whole request, its body from `source`.
  Result<void> send(const Artifact& artifact, ByteSource& source, std::optional<uint64_t> size,
                    const Deadline& deadline, uint64_t& consumed);
  void configure(CurlTransfer& t) const;

  config::Destination d_;
  TransferPolicy policy_;
};

// URL + "/" + path, without doubling the slash.
std::string url_join(std::string base, const std::string& path);

}  // namespace vmcap::upload
