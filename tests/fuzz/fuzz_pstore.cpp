// Fuzz target: pstore records (pstore/records). Every input goes to every parser: as a file
// name, as a dmesg record's header, as a .enc.z payload, as a dump's text, and as a set of
// records for the assembly, encoded as
//   [name length: 1 byte][name][mtime: 1 byte][how: 1 byte][data length: 2 bytes LE][data]...
// where a name length of 0 makes a well-formed name from the next 9 bytes (type and backend
// from one byte, the id from 8), so the fuzzer reaches the EFI and ERST grouping, and `how`
// bit 0 deflates the data raw, bit 1 with a zlib header (the record is then named .enc.z),
// so it reaches inflated headers. Invariants: what parses rebuilds to the same fields, and an
// assembly accounts for every dmesg record exactly once.
//
// Seeds: scripts/fuzz.sh passes build/fuzz/seeds/pstore, which fuzz_seeds does not make; when
// that folder is missing, LLVMFuzzerInitialize writes record sets made as the kernel makes
// them (tests/pstore/made_records.cpp) into it.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pstore/records/dmesg_header.h"
#include "pstore/records/dump_assembly.h"
#include "pstore/records/inflate.h"
#include "pstore/records/log_facts.h"
#include "pstore/records/log_line.h"
#include "pstore/records/record_name.h"
#include "tests/pstore/made_records.h"

namespace {

using namespace vmcap::pstore;

constexpr size_t kMaxRecords = 64;
constexpr size_t kPayloadCap = 1u << 20;  // a smaller inflate cap: the fuzzer finds bombs fast

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool done() const { return at_ >= in_.size(); }
  uint8_t byte() { return at_ < in_.size() ? static_cast<uint8_t>(in_[at_++]) : 0; }
  std::string_view take(size_t n) {
    n = std::min(n, in_.size() - std::min(at_, in_.size()));
    const std::string_view s = in_.substr(at_, n);
    at_ += n;
    return s;
  }

 private:
  std::string_view in_;
  size_t at_ = 0;
};

std::string made_name(Reader& r) {
  static constexpr const char* kTypes[] = {"dmesg", "dmesg", "dmesg", "console", "pmsg", "ftrace", "mce", "powerpc-ofw"};
  static constexpr const char* kBackends[] = {"ramoops", "efi", "efi_pstore", "erst", "blkoops", "efi", "erst", "efi"};
  const uint8_t pick = r.byte();
  uint64_t id = 0;
  for (int i = 0; i < 8; ++i) id = id << 8 | r.byte();
  if (pick & 0x40) id %= 1000;                       // small ids: slots, ERST neighbours
  if (pick & 0x80) id = (1700000000 + id % 64) * 100000 + (id >> 8) % 100 * 1000 + (id >> 16) % 4;  // EFI-shaped
  return std::string(kTypes[pick & 7]) + "-" + kBackends[(pick >> 3) & 7] + "-" + std::to_string(id);
}

std::vector<RecordFile> record_set(std::string_view in) {
  Reader r(in);
  std::vector<RecordFile> records;
  while (!r.done() && records.size() < kMaxRecords) {
    const uint8_t name_len = r.byte();
    std::string name = name_len == 0 ? made_name(r) : std::string(r.take(name_len));
    const uint8_t mtime = r.byte();
    const uint8_t how = r.byte();
    const size_t len = r.byte() | size_t{r.byte()} << 8;
    std::string data(r.take(len));
    if (how & 3) {
      data = (how & 1) ? testing::deflate_raw(data) : testing::deflate_zlib(data);
      if (!name.ends_with(".enc.z")) name += ".enc.z";
    }
    records.push_back(RecordFile{std::move(name), testing::at_seconds(1700000000 + mtime), std::move(data)});
  }
  return records;
}

void check_name(std::string_view in) {
  auto n = parse_record_name(in);
  if (!n) {
    if (n.error().reason.empty()) __builtin_trap();
    return;
  }
  const std::string rebuilt = n->type + "-" + n->backend + "-" + std::to_string(n->id) + (n->compressed ? ".enc.z" : "");
  auto again = parse_record_name(rebuilt);
  if (!again || again->type != n->type || again->backend != n->backend || again->id != n->id ||
      again->compressed != n->compressed || again->type_kind != n->type_kind || again->backend_kind != n->backend_kind)
    __builtin_trap();
  if ((n->backend_kind == Backend::Efi) != n->efi.has_value()) __builtin_trap();
  if (n->efi && (n->efi->seconds * 100000 + n->efi->part * 1000 + n->efi->count != n->id)) __builtin_trap();
}

void check_header(std::string_view in) {
  auto h = parse_dmesg_header(in);
  if (!h) {
    if (h.error().reason.empty()) __builtin_trap();
    return;
  }
  if (h->text_offset == 0 || h->text_offset > in.size() || in[h->text_offset - 1] != '\n') __builtin_trap();
  if (h->reason_text.empty() || h->reason_text.size() > kMaxReasonBytes) __builtin_trap();
  const std::string rebuilt =
      h->reason_text + "#" + std::to_string(h->counter) + " Part" + std::to_string(h->part) + "\n";
  auto again = parse_dmesg_header(rebuilt);
  if (!again || again->reason != h->reason || again->counter != h->counter || again->part != h->part ||
      again->text_offset != rebuilt.size())
    __builtin_trap();
}

void check_payload(std::string_view in) {
  auto r = inflate_record(in, kPayloadCap);
  if (r) {
    if (r->bytes.size() > kPayloadCap || r->unused_bytes > in.size()) __builtin_trap();
  } else if (r.error().reason.empty()) {
    __builtin_trap();
  }
}

void check_facts(std::string_view in) {
  const LogFacts f = read_log_facts(in);
  if (f.kernel_release.has_value() != f.release_from.has_value()) __builtin_trap();
  if (f.kernel_release && (f.kernel_release->empty() || f.kernel_release->find(' ') != std::string::npos))
    __builtin_trap();
  if (f.panic_line && f.panic_line->find('\n') != std::string::npos) __builtin_trap();
  const std::string_view line = in.substr(0, in.find('\n'));
  const std::string_view message = printk_line_message(line);
  if (message.size() > line.size() || line.substr(line.size() - message.size()) != message) __builtin_trap();
}

void check_assembly(const std::vector<RecordFile>& records) {
  const DmesgAssembly a = assemble_dmesg_dumps(records);
  std::map<std::string, int> expected;  // well-named dmesg records, by name: how often given
  for (const RecordFile& f : records) {
    auto n = parse_record_name(f.name);
    if (n && n->type_kind == RecordType::Dmesg) ++expected[f.name];
  }
  std::map<std::string, int> seen;
  for (const DmesgDump& d : a.dumps) {
    if (d.record_files.empty()) __builtin_trap();
    if (d.text_files.size() + d.kept.size() + d.duplicates.size() != d.record_files.size()) __builtin_trap();
    for (const std::string& f : d.record_files) ++seen[f];
    size_t last = 0;
    for (const TextBreak& b : d.breaks) {
      if (b.offset < last || b.offset > d.text.size()) __builtin_trap();
      last = b.offset;
    }
    uint32_t next = 1;
    for (const PartRange& g : d.gaps) {
      if (g.first < next || g.last < g.first || g.last > d.highest_part) __builtin_trap();
      next = g.last + 1;
      if (g.last == UINT32_MAX) break;
    }
    if (d.cause.has_value() != !d.text_files.empty()) __builtin_trap();
    // The dump's time is its newest record's (names in a folder are unique; the fuzzer's not).
    for (const RecordFile& f : records)
      for (const std::string& name : d.record_files)
        if (f.name == name && expected[name] == 1 && f.mtime > d.time) __builtin_trap();
    (void)read_log_facts(d.text);
  }
  if (seen != expected) __builtin_trap();
}

// A record set in the input encoding above.
std::string encode(const std::vector<RecordFile>& records) {
  std::string out;
  for (const RecordFile& f : records) {
    const size_t len = std::min<size_t>(f.bytes.size(), 0xffff);
    out += static_cast<char>(std::min<size_t>(f.name.size(), 255));
    out += f.name.substr(0, 255);
    out += static_cast<char>(0);  // mtime
    out += static_cast<char>(0);  // stored as given
    out += static_cast<char>(len & 0xff);
    out += static_cast<char>(len >> 8);
    out += f.bytes.substr(0, len);
  }
  return out;
}

void write_seeds(const std::filesystem::path& dir) {
  using namespace vmcap::pstore::testing;
  std::filesystem::create_directories(dir);
  auto put = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
  };
  const auto lines = make_log_lines(40, 60);
  const auto parts = kernel_parts(lines, "Panic", 1, 512);
  std::vector<RecordFile> efi, erst;
  for (size_t i = 0; i < parts.size(); ++i) {
    efi.push_back(record(efi_name("efi", 1700000000 + (i > 2), static_cast<uint32_t>(i + 1), 1), parts[i]));
    erst.push_back(record(erst_name((uint64_t{1700000000} << 32) + 1 + i), parts[i]));
  }
  put("efi", encode(efi));
  put("erst", encode(erst));
  put("ramoops", encode({record(ramoops_name(0), kernel_parts(lines, "Oops", 2, 4096)[0]),
                         record(ramoops_name(1, true), deflate_raw(parts[0])), record("console-ramoops-0", "x\n")}));
  put("name", "dmesg-efi_pstore-170000000003001.enc.z");
  put("header", "Emergency#3 Part12\n<6>[    1.000000] x\n");
  put("raw", deflate_raw(parts[0]));
  put("zlib", deflate_zlib(parts[0]));
  put("facts",
      "<5>[    0.000000] Linux version 6.1.0-18-amd64 (x) #1 SMP\n"
      "<4>[    9.000000] CPU: 0 PID: 1 Comm: sh Tainted: G        W  OE      6.1.0-18-amd64 #1 Debian\n"
      "<0>[    9.000001] Kernel panic - not syncing: sysrq triggered crash\n"
      "<0>[    9.000002] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---\n");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  namespace fs = std::filesystem;
  for (int i = 1; i < *argc; ++i) {
    const fs::path p = (*argv)[i];
    if ((*argv)[i][0] == '-' || p.filename() != "pstore" || fs::exists(p) || !fs::is_directory(p.parent_path()))
      continue;
    write_seeds(p);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_name(in.substr(0, 300));
  check_header(in);
  check_payload(in);
  check_facts(in);
  check_assembly(record_set(in));
  return 0;
}
