#include "pstore/collect/sent_records.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "capture/upload/sha256.h"

namespace vmcap::pstore {

std::string record_key(const RecordFile& record) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(record.mtime.time_since_epoch()).count();
  return record.name + "@" + std::to_string(secs) + ":" + std::to_string(record.bytes.size()) + ":" +
         upload::sha256_hex(record.bytes).substr(0, 16);
}

bool SentRecords::contains(const std::string& key) const {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

void SentRecords::add(const std::string& key) {
  if (contains(key)) return;
  keys.push_back(key);
  if (keys.size() > kMaxSentRecords) keys.erase(keys.begin(), keys.begin() + static_cast<long>(keys.size() - kMaxSentRecords));
}

Result<SentRecords> parse_sent_records(const std::string& text, const std::string& file) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorKind::Format, file, std::nullopt, "not JSON");
  if (!j.is_object()) return make_error(ErrorKind::Format, file, std::nullopt, "not a JSON object");
  auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_string() || *schema != kSentRecordsSchema)
    return make_error(ErrorKind::Format, file, std::nullopt, std::string("schema is not ") + kSentRecordsSchema);
  auto records = j.find("records");
  if (records == j.end() || !records->is_array())
    return make_error(ErrorKind::Format, file, std::nullopt, "no \"records\" array");
  SentRecords out;
  size_t n = 0;
  for (const auto& k : *records) {
    if (++n > 4 * kMaxSentRecords) break;  // bounded whatever the file says
    if (!k.is_string()) continue;
    const auto& s = k.get_ref<const std::string&>();
    if (s.empty() || s.size() > 512) continue;
    out.add(s);
  }
  return out;
}

std::string render_sent_records(const SentRecords& sent) {
  nlohmann::ordered_json j;
  j["schema"] = kSentRecordsSchema;
  j["records"] = sent.keys;
  return j.dump(1) + "\n";
}

Result<SentRecords> load_sent_records(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return SentRecords{};
    return make_error(ErrorKind::Io, path, std::nullopt, std::string("cannot read: ") + std::strerror(errno));
  }
  std::string text;
  text.resize(4u << 20);  // far more than kMaxSentRecords keys take
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return parse_sent_records(text, path);
}

Result<void> save_sent_records(const std::string& path, const SentRecords& sent) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << render_sent_records(sent);
    if (!out.flush()) return make_error(ErrorKind::Io, tmp, std::nullopt, std::string("cannot write: ") + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return make_error(ErrorKind::Io, path, std::nullopt, std::string("cannot replace: ") + std::strerror(errno));
  return {};
}

}  // namespace vmcap::pstore
