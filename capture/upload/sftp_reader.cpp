#include "capture/upload/sftp_reader.h"

#include <algorithm>
#include <sstream>

#include "capture/upload/capture_layout.h"
#include "capture/upload/curl_transfer.h"
#include "capture/upload/file_reader.h"
#include "capture/upload/http_uploader.h"

namespace vmcap::upload {

namespace {

int known_host_only(CURL*, const curl_khkey*, const curl_khkey*, curl_khmatch match, void*) {
  return match == CURLKHMATCH_OK ? CURLKHSTAT_FINE : CURLKHSTAT_REJECT;
}

}  // namespace

std::optional<SftpListingEntry> parse_sftp_listing_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.size() < 10 || (line[0] != 'd' && line[0] != '-')) return std::nullopt;
  // Eight fields (mode, links, owner, group, size, month, day, time or year), then the name.
  size_t pos = 0;
  for (int field = 0; field < 8; ++field) {
    while (pos < line.size() && line[pos] == ' ') ++pos;
    while (pos < line.size() && line[pos] != ' ') ++pos;
  }
  if (pos >= line.size() || line[pos] != ' ') return std::nullopt;
  std::string name(line.substr(pos + 1));
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) return std::nullopt;
  return SftpListingEntry{name, line[0] == 'd'};
}

SftpReader::SftpReader(config::Destination destination, TransferPolicy policy)
    : d_(std::move(destination)), policy_(std::move(policy)) {
  auto scheme_end = d_.url.find("://");
  base_ = d_.url.substr(0, d_.url.find('/', scheme_end + 3));
}

SftpReader::~SftpReader() = default;

Result<std::string> SftpReader::fetch(const std::string& rel, size_t max_bytes, const Deadline& deadline,
                                      const std::string& what) {
  std::string body;
  VMCAP_CHECK(with_retries(policy_.retry, deadline, what, [&](int) -> Result<void> {
    CurlTransfer t;
    CURL* h = t.handle();
    t.set_url(url_join(base_, join_path(d_.prefix, rel)));
    t.set_proxy(d_.proxy);
    t.set_body_limit(max_bytes);
    curl_easy_setopt(h, CURLOPT_SSH_AUTH_TYPES, static_cast<long>(CURLSSH_AUTH_PUBLICKEY));
    curl_easy_setopt(h, CURLOPT_SSH_PRIVATE_KEYFILE, d_.identity_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSH_PUBLIC_KEYFILE, "");
    curl_easy_setopt(h, CURLOPT_SSH_KNOWNHOSTS, d_.known_hosts.c_str());
    curl_easy_setopt(h, CURLOPT_SSH_KEYFUNCTION, &known_host_only);
    auto r = t.perform(policy_, deadline, what);
    if (!r) return std::move(r).error();
    body = std::move(r->body);
    return ok();
  }));
  return body;
}

Result<ListPage> SftpReader::list(const std::string& folder, const std::string& next, size_t max_keys,
                                  const Deadline& deadline) {
  const std::string what = d_.name + ": list " + folder;
  if (!safe_key(folder)) return make_error(ErrorKind::Usage, what, std::nullopt, "not a folder below the destination");
  max_keys = std::clamp<size_t>(max_keys, 1, kMaxKeysPerPage);
  std::vector<std::string> keys, folders{folder};
  size_t walked = 0;
  while (!folders.empty()) {
    const std::string dir = folders.back();
    folders.pop_back();
    auto text = fetch(dir + "/", kMaxSftpListingBytes, deadline, what);
    if (!text) {
      // A folder that is not there is an empty listing (the first capture of a signature).
      if (text.error().reason.find("No such file") != std::string::npos ||
          text.error().reason.find("not found") != std::string::npos)
        continue;
      return std::move(text).error();
    }
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
      if (++walked > kMaxNamesWalked)
        return make_error(ErrorKind::Limit, what, std::nullopt,
                          "more than " + std::to_string(kMaxNamesWalked) + " names: the listing stopped");
      auto e = parse_sftp_listing_line(line);
      if (!e || e->name.starts_with(".")) continue;  // the uploader's .part files
      std::string key = join_path(dir, e->name);
      if (e->folder) {
        // Below `next` only when `next` starts with it: skipped otherwise.
        if (next.empty() || key + "/" > next || next.starts_with(key + "/")) folders.push_back(key);
        continue;
      }
      if (!next.empty() && key <= next) continue;
      keys.push_back(std::move(key));
    }
  }
  return first_keys_page(std::move(keys), max_keys);
}

Result<std::string> SftpReader::get(const std::string& key, size_t max_bytes, const Deadline& deadline) {
  const std::string what = d_.name + ": " + key;
  if (!safe_key(key)) return make_error(ErrorKind::Usage, what, std::nullopt, "not a key below the destination");
  return fetch(key, max_bytes, deadline, what);
}

}  // namespace vmcap::upload
