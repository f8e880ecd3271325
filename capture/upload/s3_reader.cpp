#include "capture/upload/s3_reader.h"

#include <curl/curl.h>

#include <algorithm>

#include "capture/upload/capture_layout.h"
#include "capture/upload/curl_transfer.h"
#include "capture/upload/file_reader.h"
#include "capture/upload/s3_xml.h"
#include "capture/upload/sha256.h"

namespace vmcap::upload {

Result<S3ListResult> parse_list_objects(const std::string& xml) {
  if (xml.find("<ListBucketResult") == std::string::npos)
    return make_error(ErrorKind::Format, "ListObjectsV2", std::nullopt, "the answer is no ListBucketResult");
  S3ListResult r;
  // Keys sit inside <Contents>; CommonPrefixes (only with a delimiter, never asked) hold none.
  for (const std::string& contents : xml_elements(xml, "Contents"))
    if (auto key = xml_element(contents, "Key")) r.keys.push_back(*key);
  r.truncated = xml_element(xml, "IsTruncated").value_or("false") == "true";
  if (r.truncated) {
    r.next_token = xml_element(xml, "NextContinuationToken").value_or("");
    if (r.next_token.empty())
      return make_error(ErrorKind::Format, "ListObjectsV2", std::nullopt, "truncated, without a NextContinuationToken");
  }
  return r;
}

std::string S3Reader::bucket_url(const std::string& query) const {
  std::string url;
  if (d_.path_style) {
    url = d_.endpoint + "/" + d_.bucket;
  } else {
    auto host_start = d_.endpoint.find("://") + 3;
    url = d_.endpoint.substr(0, host_start) + d_.bucket + "." + d_.endpoint.substr(host_start) + "/";
  }
  return query.empty() ? url : url + "?" + query;
}

Result<std::string> S3Reader::signed_get(const std::string& url, size_t max_bytes, const Deadline& deadline,
                                         const std::string& what) {
  std::string body;
  VMCAP_CHECK(with_retries(policy_.retry, deadline, what, [&](int) -> Result<void> {
    CurlTransfer t;
    CURL* h = t.handle();
    t.set_url(url);
    t.set_tls(d_.tls);
    t.set_proxy(d_.proxy);
    t.set_body_limit(max_bytes);
    std::string sigv4 = "aws:amz:" + d_.region + ":s3";
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, d_.access_key.value.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, d_.secret_key.value.c_str());
    for (const auto& [name, value] : d_.headers) t.add_header(name + ": " + value);
    t.add_header("x-amz-content-sha256: " + sha256_hex(""));
    auto r = t.perform(policy_, deadline, what);
    if (!r) return std::move(r).error();
    VMCAP_CHECK(check_http_status(*r, what));
    body = std::move(r->body);
    return ok();
  }));
  return body;
}

Result<ListPage> S3Reader::list(const std::string& folder, const std::string& next, size_t max_keys,
                                const Deadline& deadline) {
  const std::string what = d_.name + ": list " + folder;
  if (!safe_key(folder)) return make_error(ErrorKind::Usage, what, std::nullopt, "not a folder below the destination");
  max_keys = std::clamp<size_t>(max_keys, 1, kMaxKeysPerPage);
  const std::string base = d_.prefix.empty() ? "" : d_.prefix + "/";
  const std::string prefix = base + folder + "/";
  // SigV4 signs the query as written: names in byte order, values escaped.
  std::string query;
  if (!next.empty()) query += "continuation-token=" + uri_escape(next) + "&";
  query += "list-type=2&max-keys=" + std::to_string(max_keys) + "&prefix=" + uri_escape(prefix);
  auto xml = VMCAP_TRY(signed_get(bucket_url(query), kMaxListingBytes, deadline, what));
  auto parsed = parse_list_objects(xml);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.reason = what + ": " + e.reason;
    return e;
  }
  ListPage page;
  for (auto& key : parsed->keys) {
    if (!key.starts_with(prefix) || page.keys.size() >= max_keys) continue;  // not what was asked
    std::string rel = key.substr(base.size());
    if (safe_key(rel)) page.keys.push_back(std::move(rel));
  }
  std::sort(page.keys.begin(), page.keys.end());
  if (parsed->truncated) {
    // A server that hands back the token it was given would list forever.
    if (parsed->next_token == next)
      return make_error(ErrorKind::Format, what, std::nullopt, "the same continuation token again: the listing stopped");
    page.next = parsed->next_token;
  }
  return page;
}

Result<std::string> S3Reader::get(const std::string& key, size_t max_bytes, const Deadline& deadline) {
  const std::string what = d_.name + ": " + key;
  if (!safe_key(key)) return make_error(ErrorKind::Usage, what, std::nullopt, "not a key below the destination");
  return signed_get(urls_.object_url(join_path(d_.prefix, key), ""), max_bytes, deadline, what);
}

}  // namespace vmcap::upload
