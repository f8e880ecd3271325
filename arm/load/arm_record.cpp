#include "arm/load/arm_record.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace vmcap::arm {
namespace {

using nlohmann::json;

constexpr size_t kMaxRecordBytes = 1 << 20;
constexpr size_t kMaxParts = 4096;
constexpr size_t kMaxField = 8192;  // a command line is at most 2 KiB, paths 4 KiB

}  // namespace

std::string render_arm_record(const ArmRecord& r) {
  json parts = json::array();
  for (const auto& p : r.image.parts) parts.push_back({{"what", p.what}, {"path", p.path}, {"sha256", p.sha256}});
  json j = {{"schema", "vmcap-armed/1"}, {"kernel", r.kernel},       {"initrd", r.initrd},
            {"initrd_sha256", r.initrd_sha256}, {"cmdline", r.cmdline}, {"method", r.method},
            {"loaded_at", r.loaded_at},  {"vmcap_version", r.vmcap_version},
            {"image_key", r.image.key},  {"image_parts", parts}};
  return j.dump(2) + "\n";
}

Result<ArmRecord> parse_arm_record(const std::string& text, const std::string& file) {
  auto bad = [&](const std::string& why) { return make_error(ErrorKind::Format, file, std::nullopt, why); };
  if (text.size() > kMaxRecordBytes) return bad("larger than 1 MiB");
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (j.value("schema", json()) != "vmcap-armed/1") return bad("schema is not vmcap-armed/1");
  ArmRecord r;
  auto field = [&](const char* name, std::string& out) -> bool {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().size() > kMaxField) return false;
    out = it->get<std::string>();
    return true;
  };
  for (auto [name, out] : {std::pair{"kernel", &r.kernel}, {"initrd", &r.initrd}, {"initrd_sha256", &r.initrd_sha256},
                           {"cmdline", &r.cmdline}, {"method", &r.method}, {"loaded_at", &r.loaded_at},
                           {"vmcap_version", &r.vmcap_version}, {"image_key", &r.image.key}})
    if (!field(name, *out)) return bad(std::string("field ") + name + " is missing, not a string or too long");
  auto parts = j.find("image_parts");
  if (parts == j.end() || !parts->is_array()) return bad("image_parts is not an array");
  if (parts->size() > kMaxParts) return bad("image_parts has more than 4096 entries");
  for (const auto& p : *parts) {
    if (!p.is_object()) return bad("an image_parts entry is not an object");
    KeyPart k;
    for (auto [name, out] : {std::pair{"what", &k.what}, {"path", &k.path}, {"sha256", &k.sha256}}) {
      auto it = p.find(name);
      if (it == p.end() || !it->is_string() || it->get_ref<const std::string&>().size() > kMaxField)
        return bad(std::string("an image_parts entry's ") + name + " is missing, not a string or too long");
      *out = it->get<std::string>();
    }
    r.image.parts.push_back(std::move(k));
  }
  return r;
}

Result<ArmRecord> read_arm_record(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(errno == ENOENT ? ErrorKind::Missing : ErrorKind::Io, path, std::nullopt, std::strerror(errno));
  std::string text(kMaxRecordBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return parse_arm_record(text, path);
}

Result<void> write_arm_record(const std::string& path, const ArmRecord& r) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return make_error(ErrorKind::Io, std::filesystem::path(path).parent_path(), std::nullopt, ec.message());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << render_arm_record(r);
    out.flush();
    if (!out) {
      ::unlink(tmp.c_str());
      return make_error(ErrorKind::Io, tmp, std::nullopt, "write failed");
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return make_error(ErrorKind::Io, path, std::nullopt, std::string("rename: ") + std::strerror(e));
  }
  return ok();
}

}  // namespace vmcap::arm
