#include "pstore/records/inflate.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace vmcap::pstore {
namespace {

// One zlib inflate state, freed on every path out.
class InflateStream {
 public:
  explicit InflateStream(int window_bits) { ok_ = inflateInit2(&z_, window_bits) == Z_OK; }
  ~InflateStream() {
    if (ok_) inflateEnd(&z_);
  }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;
  bool ok() const { return ok_; }
  z_stream& z() { return z_; }

 private:
  z_stream z_{};
  bool ok_ = false;
};

struct Attempt {
  std::string bytes;
  size_t unused_bytes = 0;
  std::string failure;  // empty: the stream inflated to its end
  bool over_limit = false;
};

Attempt inflate_with(int window_bits, std::string_view payload, size_t max_bytes) {
  Attempt a;
  InflateStream s(window_bits);
  if (!s.ok()) {
    a.failure = "inflateInit2 failed";
    return a;
  }
  z_stream& z = s.z();
  z.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(payload.data()));
  z.avail_in = static_cast<uInt>(payload.size());
  // Grow the output in steps; one byte past the cap tells "more than max_bytes" from "exactly".
  const size_t limit = max_bytes + 1;
  size_t produced = 0;
  for (;;) {
    if (produced == a.bytes.size()) {
      const size_t grown = std::min(limit, std::max<size_t>(4096, a.bytes.size() * 2));
      if (grown == a.bytes.size()) {
        a.over_limit = true;
        a.failure = "inflates to more than " + std::to_string(max_bytes) + " bytes";
        a.bytes.clear();
        return a;
      }
      a.bytes.resize(grown);
    }
    z.next_out = reinterpret_cast<Bytef*>(a.bytes.data() + produced);
    z.avail_out = static_cast<uInt>(a.bytes.size() - produced);
    const int rc = inflate(&z, Z_NO_FLUSH);
    produced = a.bytes.size() - z.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_OK) continue;  // output full, or progress made: go round again
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      a.failure = "the stream ends early, after " + std::to_string(produced) + " bytes";
    } else {
      a.failure = z.msg ? z.msg : zError(rc);
    }
    a.bytes.clear();
    return a;
  }
  if (produced > max_bytes) {  // the stream ended in the spare byte
    a.over_limit = true;
    a.failure = "inflates to more than " + std::to_string(max_bytes) + " bytes";
    a.bytes.clear();
    return a;
  }
  a.bytes.resize(produced);
  a.unused_bytes = z.avail_in;
  return a;
}

}  // namespace

Result<Inflated> inflate_record(std::string_view payload, size_t max_bytes) {
  if (payload.size() > UINT_MAX)
    return make_error(ErrorKind::Limit, {}, std::nullopt, "compressed record larger than 4 GiB");
  Attempt raw = inflate_with(-MAX_WBITS, payload, max_bytes);
  if (raw.failure.empty()) return Inflated{std::move(raw.bytes), DeflateFormat::Raw, raw.unused_bytes};
  Attempt zlib = inflate_with(MAX_WBITS, payload, max_bytes);
  if (zlib.failure.empty()) return Inflated{std::move(zlib.bytes), DeflateFormat::Zlib, zlib.unused_bytes};
  const bool limit = raw.over_limit || zlib.over_limit;
  return make_error(limit ? ErrorKind::Limit : ErrorKind::Format, {}, std::nullopt,
                    "not inflated: raw deflate: " + raw.failure + "; zlib: " + zlib.failure);
}

}  // namespace vmcap::pstore
