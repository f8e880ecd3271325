// Retries of one artifact (or one S3 part): exponential backoff with jitter, never past
// the deadline. Only failures that may pass are retried (ErrorKind::Io); a refusal
// (Usage: bad credentials, wrong host key, 403) or the deadline (Limit) ends at once.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "capture/upload/deadline.h"
#include "elf/result.h"

namespace vmcap::upload {

struct RetryPolicy {
  int retries = 3;  // attempts after the first
  std::chrono::milliseconds initial_delay = std::chrono::seconds(1);
  std::chrono::milliseconds max_delay = std::chrono::seconds(30);
  // Told before each wait (for the console log, and for tests).
  std::function<void(const std::string& what, int attempt, const Error& error,
                     std::chrono::milliseconds delay)>
      on_retry;
};

// The wait before retry `attempt` (1-based): initial * 2^(attempt-1), at most max_delay,
// then a uniformly random part of its upper half taken off ("equal jitter"), so hosts
// that crashed together do not retry in step.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt);

bool is_retryable(const Error& error);

Error deadline_error(const std::string& what);

// Runs `attempt_fn` until it succeeds, fails for good, retries run out or the deadline
// passes. `attempt_fn(n)` gets the attempt number (0 first).
Result<void> with_retries(const RetryPolicy& policy, const Deadline& deadline, const std::string& what,
                          const std::function<Result<void>(int)>& attempt_fn);

}  // namespace vmcap::upload

namespace vmcap::upload {

// with_retries for a body pulled from a stream: after a failed attempt that consumed
// bytes, it retries only if the stream rewinds. `attempt_fn` reports bytes consumed.
class ByteSource;
Result<void> with_stream_retries(const RetryPolicy& policy, const Deadline& deadline, const std::string& what,
                                 ByteSource& source,
                                 const std::function<Result<void>(uint64_t& consumed)>& attempt_fn);

}  // namespace vmcap::upload
