// Each limit of docs/limits.md that had no test at its edge: exactly at the limit the input
// is not refused for it, one past it is refused with the reason (issue 7). The inputs are
// built the way the fuzz targets build theirs (tests/fuzz: kernel memory as regions).
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "capture/kernel/kallsyms.h"
#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/log_decoder.h"
#include "capture/printk/printk_log_decoder.h"
#include "capture/printk/ringbuffer_decoder.h"
#include "capture/translate/x86_64_virtual_memory.h"
#include "elf/elf_dump.h"
#include "elf/kdump/kdump.h"
#include "tests/fuzz/fuzz_memory.h"
#include "tests/fuzz/kallsyms_image.h"
#include "tests/fuzz/printk_images.h"
#include "tests/kdump/kdump_writer.h"
#include "tests/printk/synthetic_ringbuffer.h"
#include "tests/support/synthetic_vmcore.h"
#include "tests/support/temp_dir.h"

namespace vmcap {
namespace {

using fuzz::RegionMemory;

std::vector<std::byte> le(uint64_t v, unsigned width) {
  std::vector<std::byte> b(width);
  for (unsigned i = 0; i < width; ++i) b[i] = std::byte(v >> (8 * i));
  return b;
}

// --- VMCOREINFO: 65,536 lines -----------------------------------------------------------

std::string lines(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += "K=v\n";
  s.pop_back();  // the last line without its newline: n lines exactly
  return s;
}

TEST(Limits, VmcoreinfoLines) {
  EXPECT_TRUE(VmcoreInfo::parse(lines(65536))) << "65,536 lines is the limit itself";
  auto over = VmcoreInfo::parse(lines(65537));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::Limit);
  EXPECT_NE(over.error().reason.find("more than 65536 lines"), std::string::npos) << over.error().message();
}

// --- printk_ringbuffer: size_bits <= 31, count_bits <= 26 -------------------------------

struct NullSink final : LogSink {
  void record(const LogRecord&) override {}
  void warning(const std::string&) override {}
};

// Physical memory that counts the reads made through it: the work a decoder does over holes.
class CountingMemory final : public PhysicalMemory {
 public:
  explicit CountingMemory(const PhysicalMemory& m) : m_(m) {}
  const std::vector<PhysRange>& ranges() const override { return m_.ranges(); }
  Result<void> read(uint64_t paddr, std::span<std::byte> out) const override {
    ++reads;
    return m_.read(paddr, out);
  }
  mutable uint64_t reads = 0;

 private:
  const PhysicalMemory& m_;
};

struct RingbufferRun {
  Result<RingbufferStats> stats;
  uint64_t reads = 0;  // physical reads it took
};

// The decoder's work: descriptors it read one by one.
uint64_t work(const RingbufferRun& r) { return r.stats ? r.stats->descriptor_reads : ~uint64_t{0}; }

// The ring's bit counts as the dump claims them; the arrays stay small (reads past them
// are holes, reported per record, not a refusal of the ring). head_id - tail_id =
// `distance`; with `consistent` false, tail_id is garbage and the decoder scans every
// descriptor.
RingbufferRun decode_with_bits(uint32_t count_bits, uint32_t size_bits, uint64_t distance = 0,
                               bool consistent = true) {
  using testing::SyntheticRingbuffer;
  SyntheticRingbuffer ring(testing::PrbOffsets::v6_1(), 5, 11);
  const auto& o = ring.offsets();
  ring.set_u32(ring.prb(), o.desc_ring + o.count_bits, count_bits);
  ring.set_u32(ring.prb(), o.text_data_ring + o.size_bits, size_bits);
  // Tail at one finalized descriptor whose id is valid under any count; head `distance`
  // ids on, in descriptors that lie in holes.
  const uint64_t id = 1;
  ring.set_u64(ring.descs(), id * o.desc_size + o.state_var, uint64_t{2} << 62 | id);
  testing::PagedPhysicalMemory mem;
  ring.write(mem);  // writes the ring's own head and tail: replaced after
  const uint64_t prb = SyntheticRingbuffer::phys(SyntheticRingbuffer::kPrb);
  mem.write_u64(prb + o.desc_ring + o.head_id + o.atomic_counter, id + distance);
  mem.write_u64(prb + o.desc_ring + o.tail_id + o.atomic_counter, consistent ? id : uint64_t{3} << 62);
  if (distance > 0) {  // head's own descriptor holds it, as the kernel leaves it
    const uint64_t head = id + distance;
    const uint64_t idx = head & ((uint64_t{1} << count_bits) - 1);
    mem.write_u64(SyntheticRingbuffer::phys(SyntheticRingbuffer::kDescs) + idx * o.desc_size + o.state_var,
                  uint64_t{2} << 62 | head);
  }
  CountingMemory counted(mem);
  X86_64Params p;
  p.phys_base = 0;
  p.kernel_image_size = 1ull << 30;
  X86_64VirtualMemory vm(counted, p, {});
  auto info = VmcoreInfo::parse(ring.vmcoreinfo());
  NullSink sink;
  RingbufferRun run{decode_ringbuffer(*info, vm, sink, {}), 0};
  run.reads = counted.reads;
  return run;
}

bool refused_as_ring(const Result<RingbufferStats>& r) {
  return !r && r.error().reason.find("are not a ring the kernel makes") != std::string::npos;
}

TEST(Limits, RingbufferBits) {
  auto at = decode_with_bits(26, 31).stats;  // count_bits 26 and size_bits 31 are the limits
  EXPECT_TRUE(at) << at.error().message();
  auto size = decode_with_bits(26, 32).stats;
  EXPECT_TRUE(refused_as_ring(size)) << (size ? "accepted" : size.error().message());
  auto count = decode_with_bits(27, 31).stats;
  EXPECT_TRUE(refused_as_ring(count)) << (count ? "accepted" : count.error().message());
}

// 2^26 descriptors claimed over memory that is not there (1.5 GiB of holes): the work is
// bounded by pages, not descriptors. A page of 24-byte descriptors holds ~170: fewer than
// 2^26 / 16 descriptor and physical reads means the decoder skipped whole pages (it took
// one descriptor read each, 4.4 s, before).
TEST(Limits, RingbufferHolesCostReadsPerPageNotPerDescriptor) {
  constexpr uint64_t kCount = uint64_t{1} << 26;
  auto scanned = decode_with_bits(26, 31, 5, /*consistent=*/false);
  ASSERT_TRUE(scanned.stats) << scanned.stats.error().message();
  EXPECT_TRUE(scanned.stats->scanned);
  EXPECT_LT(scanned.reads, kCount / 16);
  EXPECT_LT(work(scanned), kCount / 16);
  // Head 2^21 ids on (48 MiB of descriptors, all in holes but its own): walked id by id.
  constexpr uint64_t kDistance = uint64_t{1} << 21;
  auto walked = decode_with_bits(26, 31, kDistance);
  ASSERT_TRUE(walked.stats) << walked.stats.error().message();
  EXPECT_FALSE(walked.stats->scanned);
  EXPECT_EQ(walked.stats->skipped + walked.stats->records, kDistance + 1);
  EXPECT_LT(walked.reads, kDistance / 16);
  EXPECT_LT(work(walked), kDistance / 16);
}

// --- printk_log and character ring: log_buf_len <= 32 MiB -------------------------------

Result<void> decode_log_buf(const std::string& info_text, uint64_t len) {
  using namespace fuzz;
  auto info = VmcoreInfo::parse(info_text);
  RegionMemory memory;
  std::vector<std::byte> vars(0x28);
  auto put = [&](uint64_t off, uint64_t v, unsigned w) {
    auto b = le(v, w);
    std::copy(b.begin(), b.end(), vars.begin() + static_cast<long>(off));
  };
  put(0x0, kLogBuf, 8);
  put(0x8, len, 4);   // log_buf_len
  put(0x20, 0, 4);    // log_end (character ring): nothing written yet
  memory.map(kLogBufVar, std::move(vars));
  memory.map(kLogBuf, std::vector<std::byte>(std::min<uint64_t>(len, 64u << 20)));
  NullSink sink;
  auto r = decode_kernel_log(*info, memory, sink);
  if (!r) return std::move(r).error();
  return ok();
}

TEST(Limits, PrintkLogBufLen) {
  const uint64_t limit = kMaxPrintkLogBufLen;
  ASSERT_EQ(limit, 32u << 20);
  auto at = decode_log_buf(fuzz::printk_log_info(), limit);
  EXPECT_TRUE(at || at.error().kind != ErrorKind::Limit) << at.error().message();
  auto over = decode_log_buf(fuzz::printk_log_info(), limit + 1);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::Limit) << over.error().message();
}

TEST(Limits, CharRingLogBufLen) {
  const uint64_t limit = kMaxPrintkLogBufLen;
  auto at = decode_log_buf(fuzz::char_ring_info(), limit);
  EXPECT_TRUE(at || at.error().kind != ErrorKind::Limit) << at.error().message();
  auto over = decode_log_buf(fuzz::char_ring_info(), limit + 1);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::Limit) << over.error().message();
}

// --- kallsyms: 1 to 2^21 symbols ----------------------------------------------------------

// `count` symbols claimed; tables for `count` one-token symbols 16 bytes apart.
Result<Kallsyms> kallsyms_with(uint32_t count) {
  namespace img = fuzz::kallsyms_image;
  auto info = VmcoreInfo::parse(img::vmcoreinfo(0));
  RegionMemory memory;
  memory.map(img::kNumSyms, le(count, 4));
  memory.map(img::kRelativeBase, le(0xffffffff81000000ull, 8));
  std::vector<std::byte> index, table;
  for (int i = 0; i < 256; ++i) {
    auto b = le(2 * i, 2);
    index.insert(index.end(), b.begin(), b.end());
    table.push_back(std::byte(i));
    table.push_back(std::byte(0));
  }
  table.resize(table.size() + 256);
  memory.map(img::kTokenIndex, std::move(index));
  memory.map(img::kTokenTable, std::move(table));
  const uint64_t n = std::min<uint64_t>(count, kKallsymsMaxSymbols);  // what is really there
  std::vector<std::byte> names(2 * n), offsets(4 * n);
  for (uint64_t i = 0; i < n; ++i) {
    names[2 * i] = std::byte(1);
    names[2 * i + 1] = std::byte('T');
    auto b = le(16 * i, 4);
    std::copy(b.begin(), b.end(), offsets.begin() + static_cast<long>(4 * i));
  }
  memory.map(img::kNames, std::move(names));
  memory.map(img::kOffsets, std::move(offsets));
  return Kallsyms::load(*info, memory);
}

TEST(Limits, KallsymsSymbolCount) {
  auto at = kallsyms_with(kKallsymsMaxSymbols);
  ASSERT_TRUE(at) << at.error().message();
  EXPECT_EQ(at->size(), 1u << 21);
  auto over = kallsyms_with(kKallsymsMaxSymbols + 1);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::Limit);
  EXPECT_NE(over.error().reason.find("outside 1..2097152"), std::string::npos) << over.error().message();
  auto zero = kallsyms_with(0);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().kind, ErrorKind::Limit);
}

// --- ELF: 2^20 program headers ------------------------------------------------------------

// A sparse file announcing `count` PT_NULL program headers through PN_XNUM.
Result<std::unique_ptr<ElfDump>> elf_with_phdrs(uint32_t count, testing::TempDir& dir) {
  using testing::SyntheticVmcore;
  SyntheticVmcore b;
  b.set_no_notes(true).set_leading_section_headers(1).set_load_alignment(8);
  for (int i = 0; i < 0xffff; ++i) b.add_raw_phdr(testing::RawPhdr{0, 0, 0, 0, 0, 0, 0, 0});
  auto bytes = b.bytes();
  SyntheticVmcore::garble(bytes, 64 + 44, std::as_bytes(std::span(&count, 1)));  // sh_info
  const std::string path = dir.file("core" + std::to_string(count));
  VMCAP_CHECK(SyntheticVmcore::write_file(path, bytes));
  VMCAP_CHECK(SyntheticVmcore::truncate_file(path, 128 + uint64_t{count} * 56));
  return ElfDump::open(path);
}

TEST(Limits, ElfProgramHeaderCount) {
  testing::TempDir dir;
  auto at = elf_with_phdrs(1u << 20, dir);
  EXPECT_TRUE(at || at.error().kind != ErrorKind::Limit) << at.error().message();
  auto over = elf_with_phdrs((1u << 20) + 1, dir);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::Limit);
}

// --- kdump-compressed: block size a power of two, 512 B to 1 MiB ------------------------------

Result<std::unique_ptr<Dump>> kdump_with_block(uint32_t block, testing::TempDir& dir) {
  testing::KdumpWriter w;
  w.machine("aarch64", 64).block_size(block).page(3, testing::pattern_page(block, 3), testing::kZlib);
  const auto bytes = w.build();
  const std::string path = dir.file("kdump" + std::to_string(block));
  VMCAP_CHECK(testing::SyntheticVmcore::write_file(path, bytes));
  return open_kdump_compressed(path);
}

TEST(Limits, KdumpBlockSize) {
  testing::TempDir dir;
  for (uint32_t at : {512u, 1u << 20}) {
    auto d = kdump_with_block(at, dir);
    ASSERT_TRUE(d) << at << ": " << d.error().message();
    std::vector<std::byte> page(at);
    ASSERT_TRUE((*d)->memory().read(3ull * at, page)) << at;
    EXPECT_EQ(page, testing::pattern_page(at, 3)) << at;
  }
  for (uint32_t past : {256u, 2u << 20}) {
    auto d = kdump_with_block(past, dir);
    ASSERT_FALSE(d) << past << " bytes opened as a block size";
    EXPECT_NE(d.error().reason.find("block_size"), std::string::npos) << d.error().message();
  }
}

}  // namespace
}  // namespace vmcap
