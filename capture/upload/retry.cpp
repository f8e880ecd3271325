#include "capture/upload/retry.h"

#include <random>

#include "capture/upload/byte_source.h"
#include "capture/upload/early_random.h"
#include <thread>

namespace vmcap::upload {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt) {
  using std::chrono::milliseconds;
  long long base = policy.initial_delay.count();
  for (int i = 1; i < attempt && base < policy.max_delay.count(); ++i) base *= 2;
  base = std::min(base, static_cast<long long>(policy.max_delay.count()));
  if (base <= 1) return milliseconds(base);
  static thread_local std::mt19937_64 rng{early_random()};
  std::uniform_int_distribution<long long> half(0, base / 2);
  return milliseconds(base - half(rng));
}

bool is_retryable(const Error& error) { return error.kind == ErrorKind::Io; }

Error deadline_error(const std::string& what) {
  return make_error(ErrorKind::Limit, what, std::nullopt, "deadline passed");
}

Result<void> with_retries(const RetryPolicy& policy, const Deadline& deadline, const std::string& what,
                          const std::function<Result<void>(int)>& attempt_fn) {
  for (int attempt = 0;; ++attempt) {
    if (deadline.expired()) return deadline_error(what);
    Result<void> r = attempt_fn(attempt);
    if (r) return r;
    if (!is_retryable(r.error()) || attempt >= policy.retries) return r;
    // A wait that would outlast the deadline is no retry at all: stop now.
    auto delay = backoff_delay(policy, attempt + 1);
    if (delay >= deadline.remaining()) return deadline_error(what + " (last error: " + r.error().message() + ")");
    if (policy.on_retry) policy.on_retry(what, attempt + 1, r.error(), delay);
    std::this_thread::sleep_for(delay);
  }
}

Result<void> with_stream_retries(const RetryPolicy& policy, const Deadline& deadline, const std::string& what,
                                 ByteSource& source,
                                 const std::function<Result<void>(uint64_t& consumed)>& attempt_fn) {
  for (int attempt = 0;; ++attempt) {
    if (deadline.expired()) return deadline_error(what);
    uint64_t consumed = 0;
    Result<void> r = attempt_fn(consumed);
    if (r) return r;
    if (!is_retryable(r.error()) || attempt >= policy.retries) return r;
    if (consumed > 0 && !source.rewind()) {
      Error e = std::move(r).error();
      e.reason += " (after " + std::to_string(consumed) + " bytes of a stream that cannot start over)";
      return e;
    }
    // A wait that would outlast the deadline is no retry at all: stop now.
    auto delay = backoff_delay(policy, attempt + 1);
    if (delay >= deadline.remaining()) return deadline_error(what + " (last error: " + r.error().message() + ")");
    if (policy.on_retry) policy.on_retry(what, attempt + 1, r.error(), delay);
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace vmcap::upload
