#include "capture/run/core_stream.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "capture/run/sha256_stream.h"
#include "capture/upload/byte_queue.h"
#include "capture/writer/flattened_sink.h"

namespace vmcap::run {
namespace {

// The flattened stream's bytes: hashed, counted, then queued for the upload.
class QueueStreamSink final : public StreamSink {
 public:
  explicit QueueStreamSink(upload::ByteQueue& queue) : queue_(queue) {}
  Result<void> write(std::span<const std::byte> bytes) override {
    hash_.update(bytes);
    return queue_.write(bytes);
  }
  Result<void> finish() override { return queue_.finish(); }
  Sha256Stream& hash() { return hash_; }

 private:
  upload::ByteQueue& queue_;
  Sha256Stream hash_;
};

}  // namespace

Result<CoreUpload> stream_core(const Dump& dump, const KernelView* kernel, CoreOptions options,
                               upload::Uploader& uploader, const upload::Artifact& artifact,
                               const upload::Deadline& deadline, Progress& progress, uint64_t queue_bytes,
                               std::optional<SeekableOptions> frames) {
  options.format = CoreFormat::Flattened;
  upload::ByteQueue queue(queue_bytes);
  QueueStreamSink stream(queue);
  std::optional<ZstdSeekableSink> zstd_frames;
  if (frames) zstd_frames.emplace(stream, *frames);
  FlattenedSink flattened(zstd_frames ? static_cast<StreamSink&>(*zstd_frames) : stream);

  const auto start = std::chrono::steady_clock::now();
  options.write.progress = [&](const WriteProgress& p) {
    progress.meter("core", p.pages_done, p.pages_total, p.bytes_out, start);
  };

  Result<CoreResult> written = make_error(ErrorKind::Io, "core", std::nullopt, "not written");
  std::thread producer([&] {
    written = write_filtered_core(dump, kernel, options, flattened);
    if (!written) queue.fail(written.error().message());
  });
  auto sent = uploader.put_stream(artifact, queue, deadline);
  if (!sent) queue.abandon(sent.error().message());
  producer.join();

  if (!sent) return std::move(sent).error();
  if (!written) return std::move(written).error();
  CoreUpload out;
  out.size = stream.hash().bytes();
  out.sha256 = stream.hash().hex();
  out.content_bytes = flattened.stream_bytes();
  out.filter_summary = written->filter_summary;
  out.warnings = written->warnings;
  out.stats = written->stats;
  std::string frames_said;
  if (zstd_frames) {
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.2fx", out.size ? double(out.content_bytes) / double(out.size) : 0.0);
    frames_said = " (" + std::to_string(zstd_frames->frames()) + " zstd frames holding " +
                  std::to_string(out.content_bytes) + " bytes of the flattened core, " + ratio + ")";
  }
  progress.line("core", "sent to " + uploader.describe() + ": " + progress.rate(out.size, start) + frames_said);
  return out;
}

}  // namespace vmcap::run
