// Fuzz target: manifest.json round trip. The input fills a Manifest's text fields (host
// names, panic lines, artifact and destination names: any bytes, as a corrupt dump or
// config gives them) and numbers; render_manifest must always give one JSON document that
// nlohmann-json parses back to the same values. Bytes that are not UTF-8 come back as
// U+FFFD (docs/manifest.md); valid UTF-8 comes back exactly.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture/run/manifest.h"
#include "tests/fuzz/fuzz_memory.h"

namespace {

using nlohmann::json;

// Strings are cut at 0xff bytes: the input is field, 0xff, field, ...
class Fields {
 public:
  explicit Fields(vmcap::fuzz::InputReader& in) : in_(in) {}
  std::string next() {
    std::string s;
    while (in_.left()) {
      const uint8_t c = in_.byte();
      if (c == 0xff) break;
      s.push_back(static_cast<char>(c));
    }
    return s;
  }
  uint64_t number() { return in_.u(8); }

 private:
  vmcap::fuzz::InputReader& in_;
};

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) n = 1, cp = c & 0x1f, min = 0x80;
    else if ((c & 0xf0) == 0xe0) n = 2, cp = c & 0x0f, min = 0x800;
    else if ((c & 0xf8) == 0xf0) n = 3, cp = c & 0x07, min = 0x10000;
    else return false;
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

// What a string must read back as.
void expect(const json& got, const std::string& want) {
  if (!got.is_string()) __builtin_trap();
  const auto& s = got.get_ref<const std::string&>();
  if (!valid_utf8(s)) __builtin_trap();  // JSON text is UTF-8, always
  if (valid_utf8(want) ? s != want : s.size() < 3 || s.find("\xef\xbf\xbd") == std::string::npos)
    __builtin_trap();
}

void expect_list(const json& got, const std::vector<std::string>& want) {
  if (!got.is_array() || got.size() != want.size()) __builtin_trap();
  for (size_t i = 0; i < want.size(); ++i) expect(got[i], want[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::run;
  vmcap::fuzz::InputReader in(data, size);
  Fields f(in);
  Manifest m;
  const uint64_t bits = f.number();
  m.complete = bits & 1;
  m.capture_id = f.next();
  m.host = f.next();
  m.host_source = f.next();
  m.kernel_release = f.next();
  m.kernel_version = f.next();
  m.machine = f.next();
  m.build_id = f.next();
  m.vmcore = f.next();
  m.dump_level = static_cast<int>(bits >> 8 & 0xff);
  m.compression_level = static_cast<int>(static_cast<int8_t>(bits >> 16));
  if (bits & 2) m.crash_time = static_cast<int64_t>(f.number() % 253402300800ull);  // < year 10000
  if (bits & 4) {
    ManifestCrash c;
    c.reason = f.next();  // the panic line, any bytes
    if (bits & 8) c.pc = f.number();
    c.symbol = f.next();
    for (uint64_t n = bits >> 24 & 7; n--;) c.frames.push_back(f.next());
    c.hash = f.next();
    c.warnings.push_back(f.next());
    m.crash = c;
  }
  for (uint64_t n = bits >> 32 & 3; n--;) {
    ManifestArtifact a;
    a.name = f.next();
    a.size = f.number();
    a.sha256 = f.next();
    a.destination = f.next();
    m.artifacts.push_back(a);
  }
  for (uint64_t n = bits >> 34 & 3; n--;) {
    ManifestDestination d;
    d.name = f.next();
    d.kind = f.next();
    d.description = f.next();
    d.status = f.next();
    d.artifacts = {f.next(), f.next()};
    d.errors = {f.next()};
    m.destinations.push_back(d);
  }
  m.problems = {f.next(), f.next()};

  const std::string text = render_manifest(m);
  if (text.empty() || text.back() != '\n') __builtin_trap();
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) __builtin_trap();
  if (j["schema"] != kManifestSchema || j["complete"] != m.complete) __builtin_trap();
  expect(j["capture_id"], m.capture_id);
  expect(j["host"], m.host);
  expect(j["host_source"], m.host_source);
  expect(j["kernel"]["release"], m.kernel_release);
  expect(j["kernel"]["version"], m.kernel_version);
  expect(j["kernel"]["machine"], m.machine);
  expect(j["kernel"]["build_id"], m.build_id);
  expect(j["dump"]["vmcore"], m.vmcore);
  if (j["dump"]["dump_level"] != m.dump_level) __builtin_trap();
  if (j["dump"]["compression_level"] != m.compression_level) __builtin_trap();
  if (m.crash_time ? j["crash_time_unix"] != *m.crash_time : !j["crash_time"].is_null())
    __builtin_trap();
  if (m.crash) {
    json& c = j["crash"];
    expect(c["reason"], m.crash->reason);
    expect(c["symbol"], m.crash->symbol);
    expect(c["hash"], m.crash->hash);
    expect_list(c["frames"], m.crash->frames);
    expect_list(c["warnings"], m.crash->warnings);
    if (m.crash->pc ? std::stoull(c["pc"].get<std::string>(), nullptr, 16) != *m.crash->pc
                    : !c["pc"].is_null())
      __builtin_trap();
  } else if (!j["crash"].is_null()) {
    __builtin_trap();
  }
  if (j["artifacts"].size() != m.artifacts.size()) __builtin_trap();
  for (size_t i = 0; i < m.artifacts.size(); ++i) {
    json& a = j["artifacts"][i];
    expect(a["name"], m.artifacts[i].name);
    expect(a["sha256"], m.artifacts[i].sha256);
    expect(a["destination"], m.artifacts[i].destination);
    if (a["size"] != m.artifacts[i].size) __builtin_trap();
  }
  if (j["destinations"].size() != m.destinations.size()) __builtin_trap();
  for (size_t i = 0; i < m.destinations.size(); ++i) {
    json& d = j["destinations"][i];
    expect(d["name"], m.destinations[i].name);
    expect(d["kind"], m.destinations[i].kind);
    expect(d["description"], m.destinations[i].description);
    expect(d["status"], m.destinations[i].status);
    expect_list(d["artifacts"], m.destinations[i].artifacts);
    expect_list(d["errors"], m.destinations[i].errors);
  }
  expect_list(j["problems"], m.problems);
  return 0;
}
