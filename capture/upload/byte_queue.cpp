#include "capture/upload/byte_queue.h"

#include <algorithm>

namespace vmcap::upload {

ByteQueue::ByteQueue(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

Result<void> ByteQueue::write(std::span<const std::byte> bytes) {
  const char* p = reinterpret_cast<const char*>(bytes.data());
  size_t left = bytes.size();
  std::unique_lock lock(mu_);
  while (left > 0) {
    changed_.wait(lock, [&] { return consumer_gone_ || buf_.size() < capacity_; });
    if (consumer_gone_)
      return make_error(ErrorKind::Io, "upload", std::nullopt, "upload abandoned: " + *consumer_gone_);
    size_t n = std::min(left, capacity_ - buf_.size());
    buf_.insert(buf_.end(), p, p + n);
    p += n;
    left -= n;
    written_ += n;
    changed_.notify_all();
  }
  return ok();
}

Result<void> ByteQueue::finish() {
  std::lock_guard lock(mu_);
  finished_ = true;
  changed_.notify_all();
  if (consumer_gone_)
    return make_error(ErrorKind::Io, "upload", std::nullopt, "upload abandoned: " + *consumer_gone_);
  return ok();
}

void ByteQueue::fail(std::string reason) {
  std::lock_guard lock(mu_);
  producer_error_ = std::move(reason);
  changed_.notify_all();
}

void ByteQueue::abandon(std::string reason) {
  std::lock_guard lock(mu_);
  if (!consumer_gone_) consumer_gone_ = std::move(reason);
  changed_.notify_all();
}

Result<size_t> ByteQueue::read(std::span<char> out, const Deadline& deadline) {
  std::unique_lock lock(mu_);
  bool ready = changed_.wait_until(lock, deadline.end(), [&] {
    return !buf_.empty() || finished_ || producer_error_.has_value();
  });
  if (producer_error_) return make_error(ErrorKind::Io, "producer", std::nullopt, *producer_error_);
  if (!ready) return make_error(ErrorKind::Limit, "upload", std::nullopt, "deadline passed waiting for data");
  size_t n = std::min(out.size(), buf_.size());
  std::copy_n(buf_.begin(), n, out.begin());
  buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(n));
  changed_.notify_all();
  return n;
}

uint64_t ByteQueue::bytes_written() const {
  std::lock_guard lock(mu_);
  return written_;
}

}  // namespace vmcap::upload
