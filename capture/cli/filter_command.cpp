// `vmcap filter [-d LEVEL] [--compress zstd|zlib|none] [--level N] [--threads N]
//  [--format kdump|flat|flat-zstd|elf] VMCORE OUT`: a filtered core that crash, makedumpfile
// and drgn-style tools open (flat-zstd: vmcap itself, or converted with --format kdump).
// OUT is written under a temporary name and renamed when complete; `-` (with --format flat
// or flat-zstd) streams to stdout.
#include <cstdio>
#include <map>
#include <memory>

#include "capture/cli/commands.h"
#include "capture/cli/exit_status.h"
#include "capture/core/filtered_core.h"
#include "capture/core/progress_meter.h"
#include "capture/writer/appending_stream_sink.h"
#include "capture/writer/fd_stream_sink.h"
#include "capture/writer/file_sink.h"
#include "capture/writer/flattened_sink.h"
#include "capture/writer/zstd_seekable_sink.h"
#include "elf/open_dump.h"

namespace vmcap {
namespace {

int fail(const Error& e, int status) {
  std::fprintf(stderr, "vmcap: %s\n", e.message().c_str());
  return status;
}

}  // namespace

int run_filter(const FilterOptions& o) {
  const bool flat_zstd = o.format == "flat-zstd";
  if (o.output == "-" && o.format != "flat" && !flat_zstd) {
    std::fprintf(stderr, "vmcap: OUT '-' needs --format flat or flat-zstd (the other formats are written out of order)\n");
    return kExitUsage;
  }
  if (flat_zstd && o.compress != "zstd") {
    std::fprintf(stderr, "vmcap: --format flat-zstd stores pages raw in zstd frames: --compress %s does not apply\n",
                 o.compress.c_str());
    return kExitUsage;
  }
  auto dump = open_dump(o.input);
  if (!dump) return fail(dump.error(), exit_status_for(dump.error()));
  std::optional<KernelView> kernel;
  if (auto view = open_kernel_view(**dump)) {
    kernel = std::move(*view);
  } else if (o.dump_level != 0) {
    return fail(view.error(), exit_status_for(view.error()));
  }

  static const std::map<std::string, Compression> kCompress = {
      {"zstd", Compression::Zstd}, {"zlib", Compression::Zlib}, {"none", Compression::None}};
  static const std::map<std::string, CoreFormat> kFormat = {
      {"kdump", CoreFormat::Kdump}, {"flat", CoreFormat::Flattened}, {"elf", CoreFormat::Elf},
      {"flat-zstd", CoreFormat::Flattened}};
  CoreOptions options;
  options.dump_level = o.dump_level;
  options.format = kFormat.at(o.format);
  options.write.compression = kCompress.at(o.compress);
  options.write.level = o.level;
  if (flat_zstd) {
    // Raw pages; --level is the frames' zstd level.
    options.write.compression = Compression::None;
    options.write.level = 0;
  }
  options.write.threads = o.threads;
  std::unique_ptr<ProgressMeter> meter;
  if (!o.quiet) {
    options.write.progress = [&meter](const WriteProgress& p) {
      if (!meter) meter = std::make_unique<ProgressMeter>("writing pages", p.pages_total);
      meter->update(p.pages_done, p.pages_done * 4096);
    };
  }

  // Every format goes through a sink with a temporary name; flat may go to stdout.
  std::unique_ptr<ByteSink> file;
  std::unique_ptr<StreamSink> stream;
  std::unique_ptr<FlattenedSink> flattened;
  std::unique_ptr<ZstdSeekableSink> frames;
  if (o.output != "-") {
    auto f = FileSink::create(o.output);
    if (!f) return fail(f.error(), kExitOutputFailed);
    file = std::move(*f);
  }
  ByteSink* sink = file.get();
  if (options.format == CoreFormat::Flattened) {
    if (file) stream = std::make_unique<AppendingStreamSink>(*file);
    else stream = std::make_unique<FdStreamSink>(1, "stdout");
    if (flat_zstd) {
      frames = std::make_unique<ZstdSeekableSink>(
          *stream, SeekableOptions{.level = o.level, .threads = effective_threads(o.threads)});
    }
    flattened = std::make_unique<FlattenedSink>(frames ? static_cast<StreamSink&>(*frames) : *stream);
    sink = flattened.get();
  }
  auto result = write_filtered_core(**dump, kernel ? &*kernel : nullptr, options, *sink);
  if (!result) return fail(result.error(), kExitOutputFailed);
  if (meter) meter->finish(result->stats.bytes_in);

  const auto& s = result->stats;
  // The bytes OUT received: for flat, the stream with its record headers and end marker,
  // which is longer than the kdump file the records describe (s.file_bytes).
  // For flat-zstd, the compressed frames and seek table.
  const uint64_t written = frames      ? frames->compressed_bytes()
                           : flattened ? flattened->stream_bytes()
                                       : s.file_bytes;
  std::fprintf(stderr, "vmcap: %s\n", result->filter_summary.c_str());
  std::fprintf(stderr,
               "vmcap: wrote %s: %llu pages (%llu compressed, %llu raw, %llu zero), %llu bytes "
               "from %llu (%.1fx)\n",
               o.output == "-" ? "stdout" : o.output.c_str(), (unsigned long long)s.pages,
               (unsigned long long)s.compressed_pages, (unsigned long long)s.raw_pages,
               (unsigned long long)s.zero_pages, (unsigned long long)written,
               (unsigned long long)s.bytes_in, written ? double(s.bytes_in) / double(written) : 0.0);
  for (const auto& w : result->warnings) std::fprintf(stderr, "vmcap: warning: %s\n", w.c_str());
  if (s.lost_pages) {
    std::fprintf(stderr, "vmcap: %llu pages could not be read from %s: the core is incomplete\n",
                 (unsigned long long)s.lost_pages, o.input.c_str());
    return kExitPartial;
  }
  return result->warnings.empty() ? kExitOk : kExitPartial;
}

}  // namespace vmcap
