// Test helper: writes kdump-compressed files (makedumpfile's diskdump layout) and
// flattened streams byte by byte from the documented layout (diskdump_mod.h,
// /work/shared/reference/formats.md), sharing no code with the reader under test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmcap::testing {

// page_desc.flags values.
inline constexpr uint32_t kZlib = 0x1, kLzo = 0x2, kSnappy = 0x4, kZstd = 0x20, kRaw = 0;

struct KdumpNote {
  std::string name;
  uint32_t type = 0;
  std::vector<std::byte> desc;
};

// Where build() put things, for tests that damage files on purpose.
struct KdumpLayout {
  uint64_t sub_header = 0, notes = 0, vmcoreinfo = 0, eraseinfo = 0;
  uint64_t bitmap1 = 0, bitmap2 = 0, bitmap_bytes = 0, descs = 0, data = 0;
  std::map<uint64_t, uint64_t> desc_of_pfn;  // pfn -> file offset of its page_desc
  std::map<uint64_t, uint64_t> data_of_pfn;  // pfn -> file offset of its data
  uint64_t size = 0;
};

class KdumpWriter {
 public:
  KdumpWriter& header_version(int v) { version_ = v; return *this; }
  // Sets utsname.machine and the word size the header is laid out for ("x86_64": 64,
  // "i686": 32 with a packed sub-header, "armv7l": 32 with a padded one, ...).
  KdumpWriter& machine(std::string m, int word_size) { machine_ = std::move(m); ws_ = word_size; return *this; }
  KdumpWriter& big_endian(bool b) { be_ = b; return *this; }
  KdumpWriter& block_size(uint32_t bs) { bs_ = bs; return *this; }
  KdumpWriter& max_mapnr(uint64_t n) { max_mapnr_ = n; return *this; }
  KdumpWriter& release(std::string r) { release_ = std::move(r); return *this; }
  KdumpWriter& status(uint32_t s) { status_ = s; return *this; }
  KdumpWriter& phys_base(uint64_t p) { phys_base_ = p; return *this; }
  KdumpWriter& dump_level(int d) { dump_level_ = d; return *this; }
  KdumpWriter& split(uint64_t start_pfn, uint64_t end_pfn) { split_ = {start_pfn, end_pfn}; return *this; }
  // Marks pfns [first, first + count) as existing (1st bitmap) without dumping them.
  KdumpWriter& exists(uint64_t first, uint64_t count);
  // Adds a dumped page (also marked existing), compressed with `method` when that makes
  // it smaller (else stored raw, as makedumpfile does) unless force_method.
  KdumpWriter& page(uint64_t pfn, std::vector<std::byte> data, uint32_t method,
                    bool force_method = false);
  // All-zero pages share one descriptor target, written once (makedumpfile -d 0 style).
  KdumpWriter& share_zero_pages(bool b) { share_zero_ = b; return *this; }
  KdumpWriter& note(KdumpNote n) { notes_.push_back(std::move(n)); return *this; }
  KdumpWriter& vmcoreinfo(std::string text) { vmcoreinfo_ = std::move(text); return *this; }
  KdumpWriter& eraseinfo(std::string text) { eraseinfo_ = std::move(text); return *this; }

  std::vector<std::byte> build(KdumpLayout* layout = nullptr) const;

 private:
  struct Page {
    std::vector<std::byte> data;
    uint32_t method = 0;
    bool force = false;
  };
  int version_ = 6;
  std::string machine_ = "x86_64";
  int ws_ = 64;
  bool be_ = false;
  uint32_t bs_ = 4096;
  uint64_t max_mapnr_ = 0;  // 0: one past the highest pfn
  std::string release_ = "6.1.0-test";
  uint32_t status_ = 0;
  uint64_t phys_base_ = 0;
  int dump_level_ = 1;
  std::optional<std::pair<uint64_t, uint64_t>> split_;
  std::map<uint64_t, uint64_t> exists_;  // first -> count
  std::map<uint64_t, Page> pages_;
  bool share_zero_ = false;
  std::vector<KdumpNote> notes_;
  std::optional<std::string> vmcoreinfo_;
  std::optional<std::string> eraseinfo_;
};

// Compresses one page the way makedumpfile does (zlib level 1 / lzo1x_1 / snappy / zstd
// level 1); returns nullopt when the library fails.
std::optional<std::vector<std::byte>> compress_page(uint32_t method, const std::vector<std::byte>& in);

// A flattened record: `size` bytes of `file` starting at `offset`.
struct FlatRecord {
  uint64_t offset = 0;
  std::vector<std::byte> data;
};
// Splits a file into records of at most chunk bytes, in file order.
std::vector<FlatRecord> flat_records(const std::vector<std::byte>& file, size_t chunk);
// The flattened stream: 4096-byte header, records, and the {-1,-1} end marker.
std::vector<std::byte> flatten(const std::vector<FlatRecord>& records, bool end_marker = true,
                               const char* signature = "makedumpfile", int64_t type = 1,
                               int64_t version = 1);

// Deterministic page contents: compressible text-like data varying with seed.
std::vector<std::byte> pattern_page(uint32_t size, uint64_t seed);
// Incompressible pseudo-random page.
std::vector<std::byte> random_page(uint32_t size, uint64_t seed);

// Byte poking for damage tests.
void put_u32(std::vector<std::byte>& f, uint64_t off, uint32_t v, bool big_endian = false);
void put_u64(std::vector<std::byte>& f, uint64_t off, uint64_t v, bool big_endian = false);
void write_file(const std::string& path, const std::vector<std::byte>& bytes);
std::vector<std::byte> read_file(const std::string& path);
// A fresh directory under the test temp dir.
std::string make_temp_dir(const std::string& tag);

}  // namespace vmcap::testing
