#include "capture/upload/sftp_uploader.h"

#include "capture/upload/capture_layout.h"
#include "capture/upload/curl_transfer.h"
#include "capture/upload/http_uploader.h"

namespace vmcap::upload {

namespace {

// Accept the server only when known_hosts holds its very key. (libcurl's default without
// this callback is the same; saying it here keeps the rule in one visible place.)
int known_host_only(CURL*, const curl_khkey*, const curl_khkey*, curl_khmatch match, void*) {
  return match == CURLKHMATCH_OK ? CURLKHSTAT_FINE : CURLKHSTAT_REJECT;
}

// The server-side path of a URL's path part: "/srv/crash" for sftp://u@h/srv/crash.
std::string remote_path(const std::string& prefix, const std::string& rel) {
  return "/" + join_path(prefix, rel);
}

}  // namespace

Result<void> SftpUploader::send(const Artifact& a, ByteSource& source, std::optional<uint64_t> size,
                                const Deadline& deadline, uint64_t& consumed) {
  CurlTransfer t;
  CURL* h = t.handle();
  std::string rel = join_path(a.dir, a.name);
  std::string what = d_.name + ": " + rel;
  // The URL's authority and path as configured; the file goes to PATH/<dir>/<name>.part.
  auto scheme_end = d_.url.find("://");
  auto path_start = d_.url.find('/', scheme_end + 3);
  std::string base = d_.url.substr(0, path_start);
  t.set_url(url_join(base, join_path(d_.prefix, rel + ".part")));
  t.set_proxy(d_.proxy);
  curl_easy_setopt(h, CURLOPT_SSH_AUTH_TYPES, static_cast<long>(CURLSSH_AUTH_PUBLICKEY));
  curl_easy_setopt(h, CURLOPT_SSH_PRIVATE_KEYFILE, d_.identity_file.c_str());
  curl_easy_setopt(h, CURLOPT_SSH_PUBLIC_KEYFILE, "");  // libssh2 derives it from the private key
  curl_easy_setopt(h, CURLOPT_SSH_KNOWNHOSTS, d_.known_hosts.c_str());
  curl_easy_setopt(h, CURLOPT_SSH_KEYFUNCTION, &known_host_only);
  curl_easy_setopt(h, CURLOPT_FTP_CREATE_MISSING_DIRS, static_cast<long>(CURLFTP_CREATE_DIR_RETRY));
  curl_easy_setopt(h, CURLOPT_NEW_FILE_PERMS, 0600L);
  curl_easy_setopt(h, CURLOPT_NEW_DIRECTORY_PERMS, 0750L);
  // OpenSSH's rename refuses an existing target (the manifest is written twice): remove
  // it first, ignoring failure ("*"), then rename.
  std::string final_path = remote_path(d_.prefix, rel);
  t.add_postquote("*rm \"" + final_path + "\"");
  t.add_postquote("rename \"" + final_path + ".part\" \"" + final_path + "\"");
  t.set_upload(source, size);
  auto r = t.perform(policy_, deadline, what);
  consumed = t.bytes_read();
  if (!r) return std::move(r).error();
  return ok();
}

Result<void> SftpUploader::put(const Artifact& a, std::string_view bytes, const Deadline& deadline) {
  MemorySource source(bytes);
  return with_stream_retries(policy_.retry, deadline, d_.name + ": " + join_path(a.dir, a.name), source,
                             [&](uint64_t& consumed) { return send(a, source, bytes.size(), deadline, consumed); });
}

Result<void> SftpUploader::put_stream(const Artifact& a, ByteSource& source, const Deadline& deadline) {
  return with_stream_retries(policy_.retry, deadline, d_.name + ": " + join_path(a.dir, a.name), source,
                             [&](uint64_t& consumed) { return send(a, source, std::nullopt, deadline, consumed); });
}

}  // namespace vmcap::upload
