#include "capture/upload/s3_uploader.h"

#include <curl/curl.h>

#include <vector>

#include "capture/upload/capture_layout.h"
#include "capture/upload/curl_transfer.h"
#include "capture/upload/s3_xml.h"
#include "capture/upload/sha256.h"

namespace vmcap::upload {

std::string S3Uploader::object_key(const Artifact& a) const {
  return join_path(d_.prefix, join_path(a.dir, a.name));
}

std::string S3Uploader::object_url(const std::string& key, const std::string& query) const {
  std::string path;
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    std::string seg = key.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    path += "/" + uri_escape(seg);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string url;
  if (d_.path_style) {
    url = d_.endpoint + "/" + d_.bucket + path;
  } else {
    auto host_start = d_.endpoint.find("://") + 3;
    url = d_.endpoint.substr(0, host_start) + d_.bucket + "." + d_.endpoint.substr(host_start) + path;
  }
  return query.empty() ? url : url + "?" + query;
}

Result<std::string> S3Uploader::request(const std::string& method, const std::string& url, std::string_view body,
                                        const Deadline& deadline, const std::string& what, std::string* etag) {
  CurlTransfer t;
  CURL* h = t.handle();
  t.set_url(url);
  t.set_tls(d_.tls);
  t.set_proxy(d_.proxy);
  std::string sigv4 = "aws:amz:" + d_.region + ":s3";
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(h, CURLOPT_USERNAME, d_.access_key.value.c_str());
  curl_easy_setopt(h, CURLOPT_PASSWORD, d_.secret_key.value.c_str());
  // Every header given here is signed by libcurl; so no "Expect:"-style removals here.
  for (const auto& [name, value] : d_.headers) t.add_header(name + ": " + value);
  // libcurl 7.88 hashes only POSTFIELDS bodies itself; S3 checks the body against this.
  t.add_header("x-amz-content-sha256: " + sha256_hex(body));
  MemorySource source(body);
  if (method == "PUT") {
    t.set_upload(source, body.size());
  } else if (method == "POST") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  auto r = t.perform(policy_, deadline, what);
  if (!r) return std::move(r).error();
  VMCAP_CHECK(check_http_status(*r, what));
  // CompleteMultipartUpload can answer 200 with an <Error> inside: retry it.
  if (auto code = xml_element(r->body, "Code"); code && r->body.find("<Error>") != std::string::npos)
    return make_error(ErrorKind::Io, what, std::nullopt, "S3 error " + *code);
  if (etag) *etag = r->header("etag");
  return std::move(r->body);
}

Result<void> S3Uploader::put(const Artifact& a, std::string_view bytes, const Deadline& deadline) {
  std::string key = object_key(a);
  std::string what = d_.name + ": " + key;
  return with_retries(policy_.retry, deadline, what, [&](int) -> Result<void> {
    VMCAP_CHECK(request("PUT", object_url(key, ""), bytes, deadline, what, nullptr));
    return ok();
  });
}

Result<void> S3Uploader::put_stream(const Artifact& a, ByteSource& source, const Deadline& deadline) {
  return multipart(a, source, deadline);
}

Result<void> S3Uploader::multipart(const Artifact& a, ByteSource& source, const Deadline& deadline) {
  const std::string key = object_key(a);
  const std::string what = d_.name + ": " + key;
  // "uploads=" rather than "uploads": libcurl 7.88 signs the query exactly as written,
  // and SigV4's canonical form of a bare key has the '='.
  std::string created;
  VMCAP_CHECK(with_retries(policy_.retry, deadline, what + " (create multipart)", [&](int) -> Result<void> {
    created = VMCAP_TRY(request("POST", object_url(key, "uploads="), "", deadline, what, nullptr));
    return ok();
  }));
  auto upload_id = xml_element(created, "UploadId");
  if (!upload_id || upload_id->empty())
    return make_error(ErrorKind::Format, what, std::nullopt, "CreateMultipartUpload answer has no UploadId");
  const std::string id_query = "uploadId=" + uri_escape(*upload_id);

  auto abort_upload = [&](Error e) -> Result<void> {
    // Best effort, briefly, even when the deadline has passed: parts cost storage.
    Deadline grace = Deadline::after(std::chrono::seconds(5));
    (void)request("DELETE", object_url(key, id_query), "", grace, what + " (abort)", nullptr);
    return e;
  };

  std::vector<std::string> etags;
  std::string part(d_.part_size, '\0');
  for (int number = 1;; ++number) {
    // Fill one part (the last may be short). A source error ends the upload.
    size_t filled = 0;
    while (filled < part.size()) {
      auto n = source.read(std::span<char>(part.data() + filled, part.size() - filled), deadline);
      if (!n) return abort_upload(std::move(n).error());
      if (*n == 0) break;
      filled += *n;
    }
    if (filled == 0 && number > 1) break;
    std::string_view body(part.data(), filled);
    std::string etag;
    std::string part_what = what + " (part " + std::to_string(number) + ")";
    // partNumber before uploadId: the canonical (sorted) order, signed as written.
    std::string query = "partNumber=" + std::to_string(number) + "&" + id_query;
    auto sent = with_retries(policy_.retry, deadline, part_what, [&](int) -> Result<void> {
      VMCAP_CHECK(request("PUT", object_url(key, query), body, deadline, part_what, &etag));
      if (etag.empty()) return make_error(ErrorKind::Io, part_what, std::nullopt, "no ETag in the answer");
      return ok();
    });
    if (!sent) return abort_upload(std::move(sent).error());
    etags.push_back(etag);
    if (filled < part.size()) break;
  }
  std::string xml = complete_multipart_xml(etags);
  auto done = with_retries(policy_.retry, deadline, what + " (complete)", [&](int) -> Result<void> {
    VMCAP_CHECK(request("POST", object_url(key, id_query), xml, deadline, what + " (complete)", nullptr));
    return ok();
  });
  if (!done) return abort_upload(std::move(done).error());
  return ok();
}

}  // namespace vmcap::upload
