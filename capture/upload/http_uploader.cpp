#include "capture/upload/http_uploader.h"

#include "capture/upload/capture_layout.h"
#include "capture/upload/curl_transfer.h"

namespace vmcap::upload {

std::string url_join(std::string base, const std::string& path) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return path.empty() ? base : base + "/" + path;
}

std::string HttpUploader::describe() const {
  return d_.name + " (" + config::to_string(d_.method) + " " + d_.url + ")";
}

void HttpUploader::configure(CurlTransfer& t) const {
  t.set_tls(d_.tls);
  t.set_proxy(d_.proxy);
  CURL* h = t.handle();
  if (!d_.bearer_token.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, d_.bearer_token.value.c_str());
  } else if (!d_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, d_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, d_.password.value.c_str());
  }
  for (const auto& [name, value] : d_.headers) t.add_header(name + ": " + value);
  t.add_header("Expect:");  // no 100-continue round trip per artifact
}

Result<void> HttpUploader::send(const Artifact& a, ByteSource& source, std::optional<uint64_t> size,
                                const Deadline& deadline, uint64_t& consumed) {
  CurlTransfer t;
  configure(t);
  std::string what = d_.name + ": " + join_path(a.dir, a.name);
  if (d_.method == config::HttpMethod::Put) {
    t.set_url(url_join(d_.url, join_path(a.dir, a.name)));
    t.add_header("Content-Type: " + a.content_type);
    t.set_upload(source, size);
  } else {
    t.set_url(d_.url);
    curl_mime* mime = t.mime();
    auto field = [&](const std::string& name, const std::string& value) {
      curl_mimepart* part = curl_mime_addpart(mime);
      curl_mime_name(part, name.c_str());
      curl_mime_data(part, value.data(), value.size());
    };
    for (const auto& [name, value] : a.fields) field(name, value);
    field("dir", a.dir);
    field("name", a.name);
    curl_mimepart* file = curl_mime_addpart(mime);
    curl_mime_name(file, "file");
    curl_mime_filename(file, a.name.c_str());
    curl_mime_type(file, a.content_type.c_str());
    t.stream_part(file, source);
  }
  auto r = t.perform(policy_, deadline, what);
  consumed = t.bytes_read();
  if (!r) return std::move(r).error();
  return check_http_status(*r, what);
}

Result<void> HttpUploader::put(const Artifact& a, std::string_view bytes, const Deadline& deadline) {
  MemorySource source(bytes);
  return with_stream_retries(policy_.retry, deadline, d_.name + ": " + join_path(a.dir, a.name), source,
                             [&](uint64_t& consumed) { return send(a, source, bytes.size(), deadline, consumed); });
}

Result<void> HttpUploader::put_stream(const Artifact& a, ByteSource& source, const Deadline& deadline) {
  return with_stream_retries(policy_.retry, deadline, d_.name + ": " + join_path(a.dir, a.name), source,
                             [&](uint64_t& consumed) { return send(a, source, std::nullopt, deadline, consumed); });
}

}  // namespace vmcap::upload
