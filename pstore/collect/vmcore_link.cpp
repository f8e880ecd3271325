#include "pstore/collect/vmcore_link.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace vmcap::pstore {

std::optional<LinkFields> parse_link_fields(const std::string& manifest_text) {
  auto j = nlohmann::json::parse(manifest_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_string() || *schema != "vmcap-manifest/1") return std::nullopt;
  LinkFields f;
  f.source = "vmcore";
  if (auto s = j.find("source"); s != j.end() && s->is_string()) f.source = s->get<std::string>();
  if (auto c = j.find("crash"); c != j.end() && c->is_object())
    if (auto h = c->find("hash"); h != c->end() && h->is_string()) f.hash = h->get<std::string>();
  if (auto t = j.find("crash_time_unix"); t != j.end() && t->is_number_integer()) f.crash_time = t->get<int64_t>();
  return f;
}

std::optional<std::string> find_vmcore_capture(const std::vector<std::string>& folders, const std::string& hash,
                                               int64_t crash_time) {
  if (hash.empty()) return std::nullopt;
  namespace fs = std::filesystem;
  std::optional<std::string> best;
  int64_t best_distance = 0;
  const int64_t window = std::chrono::duration_cast<std::chrono::seconds>(kLinkWindow).count();
  for (const auto& folder : folders) {
    std::error_code ec;
    std::vector<std::string> names;
    // Every name (cheap: no manifest read yet), bounded far above any real folder.
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
      if (names.size() >= kMaxNamesListed) break;
      std::error_code e2;
      if (it->is_directory(e2)) names.push_back(it->path().filename().string());
    }
    // Newest first: the names carry the UTC time after the host ("host-20261207T033220Z-id").
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
      auto tail = [](const std::string& s) { auto p = s.rfind('-', s.size() - 10); return p == std::string::npos ? s : s.substr(p); };
      return tail(a) > tail(b);
    });
    if (names.size() > kMaxCapturesScanned) names.resize(kMaxCapturesScanned);
    for (const auto& name : names) {
      std::ifstream in(folder + "/" + name + "/manifest.json", std::ios::binary);
      if (!in) continue;
      std::string text(kMaxManifestBytes, '\0');
      in.read(text.data(), static_cast<std::streamsize>(text.size()));
      text.resize(static_cast<size_t>(in.gcount()));
      auto f = parse_link_fields(text);
      if (!f || f->source != "vmcore" || f->hash != hash || !f->crash_time) continue;
      // Times from a manifest on disk may be anything: compare without overflow.
      const int64_t a = *f->crash_time, b = crash_time;
      if (a < 0 || b < 0 || (a > b && a - b > window) || (b >= a && b - a > window)) continue;
      const int64_t d = a > b ? a - b : b - a;
      if (!best || d < best_distance) {
        best = name;
        best_distance = d;
      }
    }
  }
  return best;
}

}  // namespace vmcap::pstore
