#include "capture/upload/curl_transfer.h"

#include <algorithm>
#include <cctype>
#include <mutex>

namespace vmcap::upload {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Refusals: the same request would be refused again.
bool permanent(CURLcode c) {
  switch (c) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_LOGIN_DENIED:
    case CURLE_REMOTE_ACCESS_DENIED:
    case CURLE_REMOTE_FILE_NOT_FOUND:
    case CURLE_QUOTE_ERROR:
      return true;
    default:
      return false;
  }
}
}  // namespace

std::string CurlResponse::header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

CurlTransfer::CurlTransfer() {
  global_init();
  h_ = curl_easy_init();
  curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h_, CURLOPT_ERRORBUFFER, errbuf_);
  curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, &CurlTransfer::write_cb);
  curl_easy_setopt(h_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(h_, CURLOPT_HEADERFUNCTION, &CurlTransfer::header_cb);
  curl_easy_setopt(h_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(h_, CURLOPT_PROXY, "");  // no proxy from the environment unless configured
  curl_easy_setopt(h_, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h_, CURLOPT_PROTOCOLS_STR, "http,https,sftp");
}

CurlTransfer::~CurlTransfer() {
  curl_easy_cleanup(h_);
  curl_mime_free(mime_);
  curl_slist_free_all(headers_);
  curl_slist_free_all(postquote_);
  curl_slist_free_all(connect_to_);
}

void CurlTransfer::set_url(const std::string& url) { curl_easy_setopt(h_, CURLOPT_URL, url.c_str()); }

void CurlTransfer::add_header(const std::string& line) {
  headers_ = curl_slist_append(headers_, line.c_str());
  curl_easy_setopt(h_, CURLOPT_HTTPHEADER, headers_);
}

void CurlTransfer::add_postquote(const std::string& command) {
  postquote_ = curl_slist_append(postquote_, command.c_str());
  curl_easy_setopt(h_, CURLOPT_POSTQUOTE, postquote_);
}

void CurlTransfer::set_tls(const config::TlsOptions& tls) {
  if (!tls.ca_file.empty()) curl_easy_setopt(h_, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.client_cert.empty()) curl_easy_setopt(h_, CURLOPT_SSLCERT, tls.client_cert.c_str());
  if (!tls.client_key.empty()) curl_easy_setopt(h_, CURLOPT_SSLKEY, tls.client_key.c_str());
  // Off only when the operator wrote `insecure = yes`.
  curl_easy_setopt(h_, CURLOPT_SSL_VERIFYPEER, tls.insecure ? 0L : 1L);
  curl_easy_setopt(h_, CURLOPT_SSL_VERIFYHOST, tls.insecure ? 0L : 2L);
}

void CurlTransfer::set_proxy(const std::string& proxy) { curl_easy_setopt(h_, CURLOPT_PROXY, proxy.c_str()); }

void CurlTransfer::set_upload(ByteSource& source, std::optional<uint64_t> size) {
  source_ = &source;
  curl_easy_setopt(h_, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h_, CURLOPT_READFUNCTION, &CurlTransfer::read_cb);
  curl_easy_setopt(h_, CURLOPT_READDATA, this);
  if (size) curl_easy_setopt(h_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(*size));
}

curl_mime* CurlTransfer::mime() {
  if (!mime_) {
    mime_ = curl_mime_init(h_);
    curl_easy_setopt(h_, CURLOPT_MIMEPOST, mime_);
  }
  return mime_;
}

void CurlTransfer::stream_part(curl_mimepart* part, ByteSource& source) {
  source_ = &source;
  curl_mime_data_cb(part, -1, &CurlTransfer::read_cb, nullptr, nullptr, this);
}

size_t CurlTransfer::read_cb(char* buf, size_t size, size_t n, void* p) {
  auto* self = static_cast<CurlTransfer*>(p);
  auto r = self->source_->read(std::span<char>(buf, size * n), *self->deadline_);
  if (!r) {
    self->source_error_ = std::move(r).error();
    return CURL_READFUNC_ABORT;
  }
  self->bytes_read_ += *r;
  return *r;
}

void CurlTransfer::set_body_limit(size_t bytes) {
  max_body_ = bytes;
  refuse_longer_body_ = true;
  // Told before the first byte when the server says the size (HTTP Content-Length, SFTP).
  curl_easy_setopt(h_, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(bytes));
}

size_t CurlTransfer::write_cb(char* buf, size_t size, size_t n, void* p) {
  auto* self = static_cast<CurlTransfer*>(p);
  size_t len = size * n;
  if (self->refuse_longer_body_ && self->response_.body.size() + len > self->max_body_) {
    self->body_too_long_ = true;
    return 0;  // CURLE_WRITE_ERROR: the rest is never read
  }
  const size_t max = self->max_body_;
  size_t keep = std::min(len, max - std::min(max, self->response_.body.size()));
  self->response_.body.append(buf, keep);
  return len;
}

size_t CurlTransfer::header_cb(char* buf, size_t size, size_t n, void* p) {
  auto* self = static_cast<CurlTransfer*>(p);
  std::string line(buf, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(0, 1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    self->response_.headers.emplace_back(std::move(name), std::move(value));
  }
  return size * n;
}

Result<CurlResponse> CurlTransfer::perform(const TransferPolicy& policy, const Deadline& deadline,
                                           const std::string& what) {
  auto left = deadline.remaining();
  if (left.count() <= 0) return deadline_error(what);
  deadline_ = &deadline;
  source_error_.reset();
  body_too_long_ = false;
  response_ = {};
  bytes_read_ = 0;
  if (source_) source_->rewind();  // no-op for one-shot sources (their first attempt)
  curl_easy_setopt(h_, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
  curl_easy_setopt(h_, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<long long>(1, std::min(left, policy.connect_timeout).count())));
  curl_easy_setopt(h_, CURLOPT_LOW_SPEED_LIMIT, policy.low_speed_limit);
  curl_easy_setopt(h_, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::max<long long>(1, policy.low_speed_time.count() / 1000)));
  if (!policy.connect_to.empty() && !connect_to_) {
    for (const auto& c : policy.connect_to) connect_to_ = curl_slist_append(connect_to_, c.c_str());
    curl_easy_setopt(h_, CURLOPT_CONNECT_TO, connect_to_);
  }
  errbuf_[0] = 0;
  CURLcode rc = curl_easy_perform(h_);
  if (source_error_) {
    Error e = *source_error_;
    e.reason = what + ": " + e.reason;
    return e;
  }
  if (body_too_long_ || rc == CURLE_FILESIZE_EXCEEDED)
    return make_error(ErrorKind::Limit, what, std::nullopt,
                      "the answer is larger than " + std::to_string(max_body_) + " bytes: not read");
  if (rc != CURLE_OK) {
    // curl's detail ("Failed to connect to HOST port 80 after 3 ms: Connection refused") says
    // what its code's name says, and more: one of the two.
    std::string msg = errbuf_[0] ? std::string(errbuf_) : std::string(curl_easy_strerror(rc));
    if (rc == CURLE_OPERATION_TIMEDOUT && deadline.remaining() <= std::chrono::milliseconds(100))
      return make_error(ErrorKind::Limit, what, std::nullopt, "deadline passed: " + msg);
    return make_error(permanent(rc) ? ErrorKind::Usage : ErrorKind::Io, what, std::nullopt, msg);
  }
  curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &response_.status);
  return std::move(response_);
}

Result<void> check_http_status(const CurlResponse& r, const std::string& what) {
  if (r.status >= 200 && r.status < 300) return ok();
  std::string body = r.body.substr(0, 200);
  for (char& c : body)
    if (c == '\n' || c == '\r') c = ' ';
  std::string msg = "HTTP " + std::to_string(r.status) + (body.empty() ? "" : ": " + body);
  bool transient = r.status == 408 || r.status == 429 || r.status >= 500 || r.status == 0;
  return make_error(transient ? ErrorKind::Io : ErrorKind::Usage, what, std::nullopt, msg);
}

std::string uri_escape(const std::string& s) {
  char* e = curl_easy_escape(nullptr, s.c_str(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

}  // namespace vmcap::upload
