#include "capture/writer/page_pipeline.h"

#include <condition_variable>
#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "capture/writer/page_reader.h"

namespace vmcap {

bool all_zero(std::span<const std::byte> bytes) {
  const std::byte* p = bytes.data();
  size_t n = bytes.size();
  uint64_t acc = 0;
  for (; n >= 64; p += 64, n -= 64) {
    uint64_t w[8];
    std::memcpy(w, p, 64);
    acc |= w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7];
    if (acc) return false;
  }
  for (; n > 0; ++p, --n) acc |= static_cast<uint8_t>(*p);
  return acc == 0;
}

namespace {

struct Job {
  PageBatch batch;
  bool done = false;
};

void process(const PageReader& reader, PageCompressor& compressor, const PipelineOptions& o,
             PageBatch& b) {
  const size_t n = b.pfns.size(), bs = o.page_size;
  b.raw.resize(n * bs);
  b.lost.resize(n);
  b.data.resize(n * bs);
  b.pages.assign(n, {});
  // One read per run of consecutive pfns.
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && b.pfns[j] == b.pfns[j - 1] + 1) ++j;
    reader.read(b.pfns[i], j - i, std::span(b.raw).subspan(i * bs, (j - i) * bs),
                std::span(b.lost).subspan(i, j - i));
    i = j;
  }
  size_t pos = 0;
  const uint32_t flag = compression_flag(o.method);
  for (size_t i = 0; i < n; ++i) {
    std::span<const std::byte> page(b.raw.data() + i * bs, bs);
    PageOutcome& out = b.pages[i];
    if (b.lost[i]) {
      out.kind = PageOutcome::Kind::Lost;
    } else if (all_zero(page)) {
      out.kind = PageOutcome::Kind::Zero;
    } else {
      const size_t c = o.method == Compression::None
                           ? 0
                           : compressor.compress(page, std::span(b.data).subspan(pos, bs));
      if (c > 0) {
        out.flags = flag;
        out.size = static_cast<uint32_t>(c);
      } else {
        std::memcpy(b.data.data() + pos, page.data(), bs);
        out.flags = 0;
        out.size = static_cast<uint32_t>(bs);
      }
      pos += out.size;
    }
  }
  b.data_size = pos;
}

class WorkerPool {
 public:
  WorkerPool(const PhysicalMemory& memory, const PipelineOptions& o) : reader_(memory, o.page_size) {
    for (unsigned t = 0; t < o.threads; ++t)
      threads_.emplace_back([this, o] {
        PageCompressor compressor(o.method, o.level);
        for (;;) {
          Job* job = nullptr;
          {
            std::unique_lock lock(mutex_);
            work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
            if (stop_) return;
            job = queue_.front();
            queue_.pop_front();
          }
          process(reader_, compressor, o, job->batch);
          {
            std::lock_guard lock(mutex_);
            job->done = true;
          }
          done_cv_.notify_all();
        }
      });
  }
  ~WorkerPool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void submit(Job* job) {
    {
      std::lock_guard lock(mutex_);
      job->done = false;
      queue_.push_back(job);
    }
    work_cv_.notify_one();
  }
  void wait(Job* job) {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [&] { return job->done; });
  }

 private:
  PageReader reader_;
  std::mutex mutex_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<Job*> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

Result<void> compress_pages(const PhysicalMemory& memory, const PfnBitmap& pages,
                            const PipelineOptions& options,
                            const std::function<Result<void>(const PageBatch&)>& consume) {
  PipelineOptions o = options;
  o.threads = std::max(1u, o.threads);
  o.batch_pages = std::max(1u, o.batch_pages);
  if (o.page_size == 0) return make_error(ErrorKind::Usage, "", {}, "page size 0");
  const size_t max_alive = o.threads + 2;
  const uint64_t fit = o.memory_budget / (max_alive * 2 * uint64_t{o.page_size});
  o.batch_pages = static_cast<uint32_t>(std::min<uint64_t>(o.batch_pages, std::max<uint64_t>(16, fit)));

  std::deque<std::unique_ptr<Job>> alive;  // submitted, in order
  std::vector<std::unique_ptr<Job>> spare;
  // Jobs must outlive the pool's threads: declared before it, destroyed after it.
  WorkerPool pool(memory, o);
  Job* filling = nullptr;
  uint64_t index = 0;

  auto retire_oldest = [&]() -> Result<void> {
    std::unique_ptr<Job> job = std::move(alive.front());
    alive.pop_front();
    pool.wait(job.get());
    auto r = consume(job->batch);
    spare.push_back(std::move(job));
    return r;
  };
  auto submit = [&]() -> Result<void> {
    alive.push_back(std::move(spare.back()));
    spare.pop_back();
    pool.submit(alive.back().get());
    filling = nullptr;
    while (alive.size() >= max_alive) VMCAP_CHECK(retire_oldest());
    return ok();
  };

  const auto& words = pages.words();
  for (uint64_t w = 0; w < words.size(); ++w) {
    for (uint64_t bits = words[w]; bits != 0; bits &= bits - 1) {
      const uint64_t pfn = w * 64 + static_cast<uint64_t>(std::countr_zero(bits));
      if (!filling) {
        if (spare.empty()) spare.push_back(std::make_unique<Job>());
        filling = spare.back().get();
        filling->batch.first_index = index;
        filling->batch.pfns.clear();
      }
      filling->batch.pfns.push_back(pfn);
      ++index;
      if (filling->batch.pfns.size() == o.batch_pages) VMCAP_CHECK(submit());
    }
  }
  if (filling) VMCAP_CHECK(submit());
  while (!alive.empty()) VMCAP_CHECK(retire_oldest());
  return ok();
}

}  // namespace vmcap
