// open_flat_zstd: the file's seek table gives the flattened stream (decompressed frame by
// frame as reads need it), which gives the kdump-compressed file.
#include "elf/kdump/kdump.h"
#include "elf/kdump/zstd_seekable_source.h"

namespace vmcap {

bool is_zstd_frame_signature(std::span<const std::byte> head) {
  return ZstdSeekableByteSource::has_signature(head);
}

Result<std::unique_ptr<Dump>> open_flat_zstd(const std::string& path) {
  std::shared_ptr<const ByteSource> file = VMCAP_TRY(FileByteSource::open(path));
  std::shared_ptr<const ByteSource> content = VMCAP_TRY(ZstdSeekableByteSource::open(file));
  return open_flattened(std::move(content), "flat-zstd");
}

}  // namespace vmcap
