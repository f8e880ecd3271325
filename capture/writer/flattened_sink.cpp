#include "capture/writer/flattened_sink.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace vmcap {

namespace {

void put_be64(std::byte* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = std::byte(v >> (56 - 8 * i));
}

}  // namespace

Result<void> FlattenedSink::put(std::span<const std::byte> bytes) {
  VMCAP_CHECK(out_.write(bytes));
  stream_bytes_ += bytes.size();
  return ok();
}

Result<void> FlattenedSink::emit_record(uint64_t offset, std::span<const std::byte> bytes) {
  if (!header_written_) {
    std::vector<std::byte> header(kHeaderBytes);
    std::memcpy(header.data(), "makedumpfile", 12);
    put_be64(header.data() + 16, 1);  // type: flattened
    put_be64(header.data() + 24, 1);  // version
    VMCAP_CHECK(put(header));
    header_written_ = true;
  }
  if (bytes.empty()) return ok();
  std::array<std::byte, 16> rec;
  put_be64(rec.data(), offset);
  put_be64(rec.data() + 8, bytes.size());
  VMCAP_CHECK(put(rec));
  VMCAP_CHECK(put(bytes));
  ++records_;
  return ok();
}

Result<void> FlattenedSink::flush() {
  if (pending_.empty()) return ok();
  VMCAP_CHECK(emit_record(pending_offset_, pending_));
  pending_.clear();
  return ok();
}

Result<void> FlattenedSink::write_at(uint64_t offset, std::span<const std::byte> bytes) {
  if (committed_) return make_error(ErrorKind::Usage, "", offset, "write after commit");
  if (offset > uint64_t(INT64_MAX) || bytes.size() > uint64_t(INT64_MAX) - offset)
    return make_error(ErrorKind::Limit, "", offset, "record beyond the largest flattened offset");
  while (!bytes.empty()) {
    // Continue the pending record when this piece follows it directly.
    if (!pending_.empty() && (pending_offset_ + pending_.size() != offset ||
                              pending_.size() >= kMaxRecordBytes))
      VMCAP_CHECK(flush());
    if (pending_.empty()) pending_offset_ = offset;
    const size_t room = kMaxRecordBytes - pending_.size();
    if (pending_.empty() && bytes.size() >= kMaxRecordBytes) {
      // Large pieces go straight out, no copy.
      VMCAP_CHECK(emit_record(offset, bytes.first(kMaxRecordBytes)));
      offset += kMaxRecordBytes;
      bytes = bytes.subspan(kMaxRecordBytes);
      continue;
    }
    const size_t n = std::min(room, bytes.size());
    pending_.insert(pending_.end(), bytes.begin(), bytes.begin() + n);
    offset += n;
    bytes = bytes.subspan(n);
  }
  return ok();
}

Result<void> FlattenedSink::commit() {
  if (committed_) return ok();
  VMCAP_CHECK(flush());
  VMCAP_CHECK(emit_record(0, {}));  // the header, if nothing was written at all
  std::array<std::byte, 16> end;
  put_be64(end.data(), UINT64_MAX);
  put_be64(end.data() + 8, UINT64_MAX);
  VMCAP_CHECK(put(end));
  VMCAP_CHECK(out_.finish());
  committed_ = true;
  return ok();
}

}  // namespace vmcap
