// file:///PATH destinations (local disk, or an NFS mount the initramfs made): each
// artifact is written under a temporary name, fsync'd, then renamed into place, so a
// reader never sees half a file under its final name.
#pragma once

#include "capture/upload/uploader.h"

namespace vmcap::upload {

class FileUploader final : public Uploader {
 public:
  FileUploader(std::string name, std::string root) : name_(std::move(name)), root_(std::move(root)) {}
  std::string describe() const override { return name_ + " (file " + root_ + ")"; }
  Result<void> put(const Artifact& artifact, std::string_view bytes, const Deadline& deadline) override;
  Result<void> put_stream(const Artifact& artifact, ByteSource& source, const Deadline& deadline) override;

 private:
  std::string name_;
  std::string root_;
};

}  // namespace vmcap::upload
