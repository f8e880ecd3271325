#include "capture/writer/zstd_seekable_sink.h"

#include <fmt/format.h>
#include <zstd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace vmcap {

namespace {

struct FrameJob {
  std::vector<std::byte> in;
  std::vector<std::byte> out;
  size_t out_size = 0;
  std::string error;  // zstd's, when compression failed
  bool done = false;
};

}  // namespace

// Compresses FrameJobs on its threads (one ZSTD_CCtx each); the sink retires them in order.
class ZstdSeekableSink::Workers {
 public:
  explicit Workers(const SeekableOptions& o) {
    for (unsigned t = 0; t < o.threads; ++t) threads_.emplace_back([this, o] { run(o); });
  }
  ~Workers() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void submit(FrameJob* job) {
    {
      std::lock_guard lock(mutex_);
      job->done = false;
      queue_.push_back(job);
    }
    work_cv_.notify_one();
  }
  void wait(FrameJob* job) {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [&] { return job->done; });
  }

  // In submission order; the front is the oldest.
  std::deque<std::unique_ptr<FrameJob>> alive;
  std::vector<std::unique_ptr<FrameJob>> spare;
  FrameJob* filling = nullptr;

 private:
  void run(const SeekableOptions& o) {
    std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
    if (cctx) {
      ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, o.level);
      ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
      ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 1);
    }
    for (;;) {
      FrameJob* job = nullptr;
      {
        std::unique_lock lock(mutex_);
        work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        job = queue_.front();
        queue_.pop_front();
      }
      job->error.clear();
      if (!cctx) {
        job->error = "out of memory for a zstd context";
      } else {
        job->out.resize(ZSTD_compressBound(job->in.size()));
        const size_t n = ZSTD_compress2(cctx.get(), job->out.data(), job->out.size(),
                                        job->in.data(), job->in.size());
        if (ZSTD_isError(n)) job->error = ZSTD_getErrorName(n);
        else job->out_size = n;
      }
      {
        std::lock_guard lock(mutex_);
        job->done = true;
      }
      done_cv_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<FrameJob*> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

ZstdSeekableSink::ZstdSeekableSink(StreamSink& out, SeekableOptions options)
    : out_(out), options_(options) {
  options_.threads = std::max(1u, options_.threads);
  options_.frame_bytes = std::clamp<uint32_t>(options_.frame_bytes, 4096,
                                              zstd_seekable::kMaxFrameContent);
  if (options_.level == 0) options_.level = SeekableOptions::kDefaultLevel;
  workers_ = std::make_unique<Workers>(options_);
}

// Workers (and their threads) go before the jobs they point at.
ZstdSeekableSink::~ZstdSeekableSink() = default;

Result<void> ZstdSeekableSink::retire_oldest() {
  Workers& w = *workers_;
  std::unique_ptr<FrameJob> job = std::move(w.alive.front());
  w.alive.pop_front();
  w.wait(job.get());
  if (!job->error.empty())
    return make_error(ErrorKind::Io, "", content_bytes_,
                      fmt::format("zstd frame {}: {}", sizes_.size(), job->error));
  if (sizes_.size() >= zstd_seekable::kMaxFrames)
    return make_error(ErrorKind::Limit, "", content_bytes_,
                      fmt::format("more than {} zstd frames", zstd_seekable::kMaxFrames));
  VMCAP_CHECK(out_.write(std::span(job->out).first(job->out_size)));
  sizes_.push_back({static_cast<uint32_t>(job->out_size), static_cast<uint32_t>(job->in.size())});
  compressed_bytes_ += job->out_size;
  content_bytes_ += job->in.size();
  job->in.clear();
  w.spare.push_back(std::move(job));
  return ok();
}

Result<void> ZstdSeekableSink::submit() {
  Workers& w = *workers_;
  FrameJob* job = w.filling;
  w.filling = nullptr;
  if (!job || job->in.empty()) return ok();
  auto it = std::find_if(w.spare.begin(), w.spare.end(), [&](auto& j) { return j.get() == job; });
  w.alive.push_back(std::move(*it));
  w.spare.erase(it);
  w.submit(job);
  while (w.alive.size() > options_.threads) VMCAP_CHECK(retire_oldest());
  return ok();
}

Result<void> ZstdSeekableSink::write(std::span<const std::byte> bytes) {
  if (finished_) return make_error(ErrorKind::Usage, "", {}, "write after finish");
  Workers& w = *workers_;
  while (!bytes.empty()) {
    if (!w.filling) {
      if (w.spare.empty()) w.spare.push_back(std::make_unique<FrameJob>());
      w.filling = w.spare.back().get();
      w.filling->in.reserve(options_.frame_bytes);
    }
    std::vector<std::byte>& in = w.filling->in;
    const size_t n = std::min<size_t>(options_.frame_bytes - in.size(), bytes.size());
    in.insert(in.end(), bytes.begin(), bytes.begin() + n);
    bytes = bytes.subspan(n);
    if (in.size() == options_.frame_bytes) VMCAP_CHECK(submit());
  }
  return ok();
}

Result<void> ZstdSeekableSink::finish() {
  if (finished_) return ok();
  VMCAP_CHECK(submit());
  while (!workers_->alive.empty()) VMCAP_CHECK(retire_oldest());
  const std::vector<std::byte> table = zstd_seekable::encode_seek_table(sizes_);
  VMCAP_CHECK(out_.write(table));
  compressed_bytes_ += table.size();
  VMCAP_CHECK(out_.finish());
  finished_ = true;
  return ok();
}

}  // namespace vmcap
