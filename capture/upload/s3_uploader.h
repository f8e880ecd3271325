// S3 and S3-compatible destinations (s3://BUCKET/PREFIX): requests signed with AWS
// Signature V4 by libcurl (CURLOPT_AWS_SIGV4), path-style (ENDPOINT/BUCKET/KEY) or
// virtual-host style (BUCKET.ENDPOINT-HOST/KEY). Small artifacts are one PUT; a stream
// is a multipart upload (CreateMultipartUpload, UploadPart of part_size bytes each,
// CompleteMultipartUpload) holding one part in memory, so a failed part is retried
// alone; a failed upload is aborted (AbortMultipartUpload) so no parts linger.
#pragma once

#include "capture/config/config.h"
#include "capture/upload/uploader.h"

namespace vmcap::upload {

class CurlTransfer;

class S3Uploader final : public Uploader {
 public:
  S3Uploader(config::Destination destination, TransferPolicy policy)
      : d_(std::move(destination)), policy_(std::move(policy)) {}
  std::string describe() const override { return d_.name + " (s3 " + d_.url + " at " + d_.endpoint + ")"; }
  Result<void> put(const Artifact& artifact, std::string_view bytes, const Deadline& deadline) override;
  Result<void> put_stream(const Artifact& artifact, ByteSource& source, const Deadline& deadline) override;

  // The object's URL (key segments escaped), `query` appended after '?' when not empty.
  std::string object_url(const std::string& key, const std::string& query) const;
  std::string object_key(const Artifact& artifact) const;

 private:
  struct Response;
  // One signed request; `body` is sent with its SHA-256 as x-amz-content-sha256.
  Result<std::string> request(const std::string& method, const std::string& url, std::string_view body,
                              const Deadline& deadline, const std::string& what, std::string* etag);
  Result<void> multipart(const Artifact& artifact, ByteSource& source, const Deadline& deadline);

  config::Destination d_;
  TransferPolicy policy_;
};

}  // namespace vmcap::upload
