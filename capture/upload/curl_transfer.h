// One libcurl easy transfer with what every destination needs: the deadline as
// CURLOPT_TIMEOUT_MS, connect and low-speed limits, TLS and proxy options, a body pulled
// from a ByteSource, the response kept (small) for status, headers and XML.
#pragma once

#include <curl/curl.h>

#include <optional>
#include <string>
#include <vector>

#include "capture/config/config.h"
#include "capture/upload/byte_source.h"
#include "capture/upload/deadline.h"
#include "capture/upload/uploader.h"
#include "elf/result.h"

namespace vmcap::upload {

struct CurlResponse {
  long status = 0;   // HTTP status (0 for sftp)
  std::string body;  // first 64 KiB
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string header(const std::string& lower_name) const;
};

class CurlTransfer {
 public:
  CurlTransfer();
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  CURL* handle() { return h_; }
  void set_url(const std::string& url);
  void add_header(const std::string& line);
  void add_postquote(const std::string& command);
  void set_tls(const config::TlsOptions& tls);
  void set_proxy(const std::string& proxy);  // empty: no proxy, whatever the environment says
  // The request body, pulled from `source` (size unknown: chunked for HTTP).
  void set_upload(ByteSource& source, std::optional<uint64_t> size);
  // A multipart/form-data body; file parts can stream through stream_part().
  curl_mime* mime();
  void stream_part(curl_mimepart* part, ByteSource& source);

  // Performs the transfer within the deadline. Errors: Limit when the deadline passed,
  // Usage for refusals that retrying cannot fix (host key, certificate, login), Io else.
  // The HTTP status is the caller's to judge (see check_http_status).
  Result<CurlResponse> perform(const TransferPolicy& policy, const Deadline& deadline, const std::string& what);

  uint64_t bytes_read() const { return bytes_read_; }
  // An answer body longer than `bytes` fails the transfer (Limit) instead of being cut at
  // 64 KiB: what a reader of listings and objects sets, so nothing is trusted past its size.
  void set_body_limit(size_t bytes);

 private:
  static size_t read_cb(char* buf, size_t size, size_t n, void* self);
  static size_t write_cb(char* buf, size_t size, size_t n, void* self);
  static size_t header_cb(char* buf, size_t size, size_t n, void* self);

  CURL* h_ = nullptr;
  curl_slist* headers_ = nullptr;
  curl_slist* postquote_ = nullptr;
  curl_slist* connect_to_ = nullptr;
  curl_mime* mime_ = nullptr;
  ByteSource* source_ = nullptr;
  const Deadline* deadline_ = nullptr;
  std::optional<Error> source_error_;
  uint64_t bytes_read_ = 0;
  size_t max_body_ = 64 << 10;
  bool refuse_longer_body_ = false;
  bool body_too_long_ = false;
  CurlResponse response_;
  char errbuf_[CURL_ERROR_SIZE] = {};
};

// 2xx is success; 408, 429 and 5xx may pass (Io); any other status is a refusal (Usage).
Result<void> check_http_status(const CurlResponse& response, const std::string& what);

// A URL's path segment or query value percent-encoded: everything but A-Z a-z 0-9 - . _ ~
// escaped (what SigV4's canonical request needs too).
std::string uri_escape(const std::string& s);

}  // namespace vmcap::upload
