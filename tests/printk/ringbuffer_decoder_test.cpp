#include "capture/printk/ringbuffer_decoder.h"

#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "capture/printk/log_decoder.h"
#include "capture/printk/ringbuffer_layout.h"
#include "capture/translate/x86_64_virtual_memory.h"
#include "tests/printk/synthetic_ringbuffer.h"
#include "tests/translate/paged_physical_memory.h"

namespace vmcap {
namespace {

using testing::PagedPhysicalMemory;
using testing::PrbOffsets;
using testing::RecordState;
using testing::SyntheticRingbuffer;

// Collects what a decoder sends.
struct CollectingSink : LogSink {
  std::vector<LogRecord> records;
  std::vector<std::string> warnings;
  void record(const LogRecord& r) override { records.push_back(r); }
  void warning(const std::string& w) override { warnings.push_back(w); }
  std::string all_warnings() const {
    std::string s;
    for (const auto& w : warnings) s += w + "\n";
    return s;
  }
};

X86_64Params image_only() {
  X86_64Params p;
  p.phys_base = 0;
  p.kernel_image_size = 1ull << 30;
  return p;
}

LogRecord rec(std::string text, uint64_t ts = 0, uint8_t level = 6, uint8_t facility = 0) {
  LogRecord r;
  r.text = std::move(text);
  r.ts_nsec = ts;
  r.level = level;
  r.facility = facility;
  r.flags = 2;  // LOG_NEWLINE
  r.caller_id = 1;
  return r;
}

struct Decoded {
  Result<RingbufferStats> stats;
  CollectingSink sink;
};

Decoded decode(const SyntheticRingbuffer& ring, PagedPhysicalMemory* extra = nullptr,
               RingbufferOptions options = {}) {
  PagedPhysicalMemory mem;
  ring.write(mem);
  PagedPhysicalMemory& m = extra ? *extra : mem;
  if (extra) ring.write(*extra);
  X86_64VirtualMemory vm(m, image_only(), {});
  auto info = VmcoreInfo::parse(ring.vmcoreinfo());
  Decoded d{make_error(ErrorKind::Format, {}, std::nullopt, "not run"), {}};
  d.stats = decode_ringbuffer(*info, vm, d.sink, options);
  return d;
}

// The ring with head_id and tail_id in memory replaced (write() writes the builder's own):
// what a crashed kernel leaves when they are garbage.
Decoded decode_with_ids(const SyntheticRingbuffer& ring, std::optional<uint64_t> head,
                        std::optional<uint64_t> tail) {
  PagedPhysicalMemory mem;
  ring.write(mem);
  const auto& o = ring.offsets();
  const uint64_t desc_ring = SyntheticRingbuffer::phys(SyntheticRingbuffer::kPrb) + o.desc_ring;
  if (head) mem.write_u64(desc_ring + o.head_id, *head);
  if (tail) mem.write_u64(desc_ring + o.tail_id, *tail);
  X86_64VirtualMemory vm(mem, image_only(), {});
  auto info = VmcoreInfo::parse(ring.vmcoreinfo());
  Decoded d{make_error(ErrorKind::Format, {}, std::nullopt, "not run"), {}};
  d.stats = decode_ringbuffer(*info, vm, d.sink);
  return d;
}

void expect_same(const std::vector<LogRecord>& got, const std::vector<LogRecord>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(fmt::format("record {}", i));
    EXPECT_EQ(got[i].seq, want[i].seq);
    EXPECT_EQ(got[i].ts_nsec, want[i].ts_nsec);
    EXPECT_EQ(got[i].level, want[i].level);
    EXPECT_EQ(got[i].facility, want[i].facility);
    EXPECT_EQ(got[i].flags, want[i].flags);
    EXPECT_EQ(got[i].caller_id, want[i].caller_id);
    EXPECT_EQ(got[i].text, want[i].text);
    EXPECT_EQ(got[i].subsystem, want[i].subsystem);
    EXPECT_EQ(got[i].device, want[i].device);
  }
}

class Layouts : public ::testing::TestWithParam<int> {
 protected:
  PrbOffsets offsets() const {
    switch (GetParam()) {
      case 0: return PrbOffsets::v5_10();
      case 1: return PrbOffsets::v6_1();
      default: return PrbOffsets::odd();
    }
  }
};

TEST_P(Layouts, FreshRingAllFields) {
  SyntheticRingbuffer ring(offsets(), 5, 12);
  LogRecord a = rec("Linux version 6.1.0-test", 0, 5, 0);
  LogRecord b = rec("virtio_blk virtio1: [vda] 2048 512-byte logical blocks", 1500000, 3, 0);
  b.subsystem = "virtio";
  b.device = "+virtio:virtio1";
  b.caller_id = 0x80000001u;
  LogRecord c = rec("hello from userspace", 2500000, 4, 1);
  c.flags = 8 | 2;  // LOG_CONT | LOG_NEWLINE
  c.caller_id = 4242;
  ring.add(a);
  ring.add(b);
  ring.add(c, RecordState::Committed);  // the head, not yet finalized
  auto d = decode(ring);
  ASSERT_TRUE(d.stats) << d.stats.error().message();
  expect_same(d.sink.records, ring.live());
  EXPECT_EQ(d.sink.records[0].seq, 0u);
  EXPECT_EQ(d.sink.records[2].seq, 2u);
  EXPECT_EQ(d.sink.records[1].level, 3);
  EXPECT_EQ(d.sink.records[2].facility, 1);
  EXPECT_TRUE(d.sink.warnings.empty()) << d.sink.all_warnings();
  EXPECT_FALSE(d.stats->scanned);
  EXPECT_EQ(d.stats->records, 3u);
}

TEST_P(Layouts, WrappedRingsKeepEveryLiveRecordInOrder) {
  // 16 descriptors, 512 bytes of text: both rings wrap many times; blocks wrap too.
  SyntheticRingbuffer ring(offsets(), 4, 9);
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string text = fmt::format("line {} ", i) + std::string(rng() % 90, 'a' + i % 26);
    ring.add(rec(text, 1000ull * i, static_cast<uint8_t>(i % 8), static_cast<uint8_t>(i % 3)),
             RecordState::Finalized, static_cast<unsigned>(rng() % 3));
    if (i % 37 == 0) ring.add(rec(""));  // an empty line: a data-less record
    auto d = decode(ring);
    ASSERT_TRUE(d.stats) << d.stats.error().message();
    SCOPED_TRACE(fmt::format("after record {}", i));
    expect_same(d.sink.records, ring.live());
    ASSERT_TRUE(d.sink.warnings.empty()) << d.sink.all_warnings();
  }
}

INSTANTIATE_TEST_SUITE_P(RingbufferDecoder, Layouts, ::testing::Values(0, 1, 2),
                         [](const auto& info) {
                           return std::string(info.param == 0   ? "v5_10"
                                              : info.param == 1 ? "v6_1"
                                                                : "odd");
                         });

SyntheticRingbuffer filled(int n, unsigned count_bits = 5, unsigned size_bits = 12) {
  SyntheticRingbuffer ring(PrbOffsets::v6_1(), count_bits, size_bits);
  for (int i = 0; i < n; ++i) ring.add(rec(fmt::format("record number {}", i), 1000ull * i));
  return ring;
}

TEST(RingbufferDecoder, ReservedHeadIsSkippedWithAWarning) {
  auto ring = filled(3);
  ring.add(rec("half written"), RecordState::Reserved);
  auto d = decode(ring);
  ASSERT_TRUE(d.stats);
  expect_same(d.sink.records, ring.live());
  ASSERT_EQ(d.sink.warnings.size(), 1u);
  EXPECT_NE(d.sink.warnings[0].find("reserved"), std::string::npos) << d.sink.warnings[0];
}

TEST(RingbufferDecoder, FailedTextAllocationGivesAnEmptyRecordAndAWarning) {
  auto ring = filled(2);
  ring.add_failed(rec("lost"));
  ring.add(rec("after"));
  auto d = decode(ring);
  ASSERT_TRUE(d.stats);
  expect_same(d.sink.records, ring.live());
  ASSERT_EQ(d.sink.records.size(), 4u);
  EXPECT_EQ(d.sink.records[2].text, "");
  ASSERT_EQ(d.sink.warnings.size(), 1u);
  EXPECT_NE(d.sink.warnings[0].find("record seq 2: its text was never stored"),
            std::string::npos);
}

TEST(RingbufferDecoder, DescriptorHoldingAnotherIdIsSkippedAndTheGapReported) {
  auto ring = filled(6);
  auto live = ring.live();
  // Descriptor of record seq 3 claims some other id.
  const auto& o = ring.offsets();
  ring.set_u64(ring.descs(), ring.index(ring.tail_id() + 4) * o.desc_size + o.state_var,
               (2ull << 62) | 0x1234);
  auto d = decode(ring);
  ASSERT_TRUE(d.stats);
  live.erase(live.begin() + 3);
  expect_same(d.sink.records, live);
  EXPECT_EQ(d.stats->missing_seqs, 1u);
  std::string w = d.sink.all_warnings();
  EXPECT_NE(w.find("holds id 0x1234 instead"), std::string::npos) << w;
  EXPECT_NE(w.find("record seq 3 is missing"), std::string::npos) << w;
}

TEST(RingbufferDecoder, DataBlockOfAnotherIdIsSkipped) {
  auto ring = filled(4);
  auto live = ring.live();
  const auto& o = ring.offsets();
  uint64_t id = ring.tail_id() + 2;  // seq 1
  uint64_t begin = ring.get_u64(ring.descs(), ring.index(id) * o.desc_size + o.text_blk_lpos);
  ring.set_u64(ring.data(), begin & 4095, 0xdead);
  auto d = decode(ring);
  ASSERT_TRUE(d.stats);
  live.erase(live.begin() + 1);
  expect_same(d.sink.records, live);
  EXPECT_NE(d.sink.all_warnings().find("data block belongs to id 0xdead"), std::string::npos);
}

TEST(RingbufferDecoder, HugeTextLenIsClampedToTheBlock) {
  auto ring = filled(3);
  const auto& o = ring.offsets();
  uint64_t id = ring.tail_id() + 2;  // seq 1: "record number 1", 15 bytes, block 24
  ring.set_u16(ring.infos(), ring.index(id) * o.info_size + o.text_len, 0xffff);
  auto d = decode(ring);
  ASSERT_TRUE(d.stats);
  ASSERT_EQ(d.sink.records.size(), 3u);
  // The whole 16 bytes of the block after the id: the text and one byte of padding.
  EXPECT_EQ(d.sink.records[1].text, std::string("record number 1\0", 16));
  EXPECT_NE(d.sink.all_warnings().find("text_len 65535 exceeds its 16-byte data block"),
            std::string::npos)
      << d.sink.all_warnings();
}

TEST(RingbufferDecoder, ImpossibleAndMisalignedBlocksAreSkipped) {
  auto ring = filled(4);
  auto live = ring.live();
  const auto& o = ring.offsets();
  uint64_t d1 = ring.index(ring.tail_id() + 2) * o.desc_size + o.text_blk_lpos;
  ring.set_u64(ring.descs(), d1 + o.lpos_next, ring.get_u64(ring.descs(), d1) + 5 * 4096);
  uint64_t d2 = ring.index(ring.tail_id() + 3) * o.desc_size + o.text_blk_lpos;
  ring.set_u64(ring.descs(), d2, ring.get_u64(ring.descs(), d2) + 4);
  auto d = decode(ring);
  ASSERT_TRUE(d.stats);
  live.erase(live.begin() + 1, live.begin() + 3);
  expect_same(d.sink.records, live);
  std::string w = d.sink.all_warnings();
  EXPECT_NE(w.find("is impossible"), std::string::npos) << w;
  EXPECT_NE(w.find("not aligned"), std::string::npos) << w;
  EXPECT_NE(w.find("records seq 1..2 are missing"), std::string::npos) << w;
}

TEST(RingbufferDecoder, SeqThatDoesNotBelongIsSkipped) {
  auto ring = filled(4);
  auto live = ring.live();
  const auto& o = ring.offsets();
  uint64_t id = ring.tail_id() + 3;  // seq 2
  ring.set_u64(ring.infos(), ring.index(id) * o.info_size + o.seq, 999);
  auto d = decode(ring);
  ASSERT_TRUE(d.stats);
  live.erase(live.begin() + 2);
  expect_same(d.sink.records, live);
  EXPECT_NE(d.sink.all_warnings().find("seq 999 does not belong"), std::string::npos);
}

// A damaged seq in the oldest record must not become the yardstick for the rest: the
// first record out has to share its (id - seq) with most records. The seq keeps its
// index bits (seq & mask == idx), so only the ordering against other records shows it.
TEST(RingbufferDecoder, DamagedSeqOfTheOldestRecordCostsOnlyThatRecord) {
  for (int bit : {5, 40, 61}) {  // a flipped bit above the index bits (count 32)
    SCOPED_TRACE(bit);
    auto ring = filled(8);
    auto live = ring.live();
    const auto& o = ring.offsets();
    const uint64_t oldest = ring.tail_id() + 1;  // tail_id is the freed bootstrap descriptor
    const uint64_t at = ring.index(oldest) * o.info_size + o.seq;
    ASSERT_EQ(ring.get_u64(ring.infos(), at), live[0].seq);
    ring.set_u64(ring.infos(), at, live[0].seq ^ uint64_t{1} << bit);
    auto d = decode(ring);
    ASSERT_TRUE(d.stats);
    live.erase(live.begin());
    expect_same(d.sink.records, live);
    EXPECT_NE(d.sink.all_warnings().find("does not fit the ids and seqs"), std::string::npos)
        << d.sink.all_warnings();
  }
}

// The same in a wrapped ring whose head and tail are garbage (the scan): a record whose seq
// went down a few wraps would sort first, and was the yardstick before.
TEST(RingbufferDecoder, ScanStartsAtTheOldestRecordWithTheCommonOffset) {
  auto ring = filled(100);  // 32 descriptors: wrapped three times
  auto live = ring.live();
  const auto& o = ring.offsets();
  const uint64_t damaged = ring.tail_id() + 10;  // seq of live[10], down two wraps
  const uint64_t at = ring.index(damaged) * o.info_size + o.seq;
  ring.set_u64(ring.infos(), at, ring.get_u64(ring.infos(), at) - 64);
  auto d = decode_with_ids(ring, std::nullopt, ~0ull);
  ASSERT_TRUE(d.stats);
  EXPECT_TRUE(d.stats->scanned);
  live.erase(live.begin() + 10);
  expect_same(d.sink.records, live);
}

// VMCOREINFO offsets are numbers from the crashed kernel's memory: one near 2^64 must not
// wrap a bounds check around into a pass.
TEST(RingbufferDecoder, HugeLayoutOffsetIsAFormatError) {
  auto ring = filled(1);
  std::string vi = ring.vmcoreinfo();
  for (std::string key : {"OFFSET(printk_info.seq)=", "LENGTH(printk_info_subsystem)="}) {
    SCOPED_TRACE(key);
    std::string bad = vi;
    const size_t at = bad.find(key);
    ASSERT_NE(at, std::string::npos);
    const size_t end = bad.find('\n', at);
    bad.replace(at + key.size(), end - at - key.size(), key[0] == 'O' ? "18446744073709551608" : "18446744073709551615");
    auto layout = RingbufferLayout::from_vmcoreinfo(*VmcoreInfo::parse(bad));
    ASSERT_FALSE(layout);
    EXPECT_EQ(layout.error().kind, ErrorKind::Format);
    EXPECT_NE(layout.error().reason.find("beyond any struct"), std::string::npos) << layout.error().reason;
  }
}

TEST(RingbufferDecoder, BlockEndingExactlyAtTheRingEnd) {
  // Newer kernels keep a block that ends exactly at the ring's end in place
  // (next = start of the next wrap); build one by hand from a wrapped ring.
  SyntheticRingbuffer ring(PrbOffsets::v6_1(), 4, 9);
  for (int i = 0; i < 40; ++i) ring.add(rec(fmt::format("r{:02}", i)));  // 16-byte blocks
  auto live = ring.live();
  const auto& o = ring.offsets();
  uint64_t id = ring.head_id();
  uint64_t dpos = ring.index(id) * o.desc_size + o.text_blk_lpos;
  uint64_t begin = ring.get_u64(ring.descs(), dpos + o.lpos_begin);
  // Move the head record's block to the last 16 bytes of the ring.
  uint64_t new_begin = (begin | 511) - 15;
  if (new_begin < begin) new_begin += 512;
  ring.set_u64(ring.descs(), dpos + o.lpos_begin, new_begin);
  ring.set_u64(ring.descs(), dpos + o.lpos_next, new_begin + 16);
  ring.set_u64(ring.data(), 512 - 16, id);
  std::memcpy(ring.data().data() + 512 - 8, "r39", 3);
  auto d = decode(ring);
  ASSERT_TRUE(d.stats);
  expect_same(d.sink.records, live);
  EXPECT_TRUE(d.sink.warnings.empty()) << d.sink.all_warnings();
}

TEST(RingbufferDecoder, GarbageHeadAndTailFallBackToAScan) {
  auto ring = filled(10);
  auto live = ring.live();
  for (auto [head, tail] : {std::pair<uint64_t, uint64_t>{0x0123456789abcdefull, 0x42},
                            {ring.tail_id(), ring.tail_id() + 1000},
                            {~0ull, ~0ull}}) {
    auto d = decode_with_ids(ring, head, tail);
    ASSERT_TRUE(d.stats);
    EXPECT_TRUE(d.stats->scanned);
    expect_same(d.sink.records, live);
    EXPECT_NE(d.sink.all_warnings().find("scanning them all"), std::string::npos);
  }
}

TEST(RingbufferDecoder, RandomGarbageTerminatesAndWarnsWithinTheCap) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    auto ring = filled(100, 6, 11);
    std::mt19937_64 rng(seed);
    auto scribble = [&](std::vector<std::byte>& v, int n) {
      for (int i = 0; i < n; ++i) v[rng() % v.size()] = std::byte(rng() & 0xff);
    };
    scribble(ring.descs(), seed * 10);
    scribble(ring.infos(), seed * 10);
    scribble(ring.data(), seed * 10);
    if (seed % 4 == 0) {  // everything garbage
      for (auto& b : ring.descs()) b = std::byte(rng() & 0xff);
    }
    auto d = decode(ring, nullptr, {.max_record_warnings = 10});
    ASSERT_TRUE(d.stats);
    EXPECT_LE(d.sink.records.size(), 64u);
    EXPECT_LE(d.sink.warnings.size(), 13u);  // 10 + scan notice + summary (+ fail)
    for (size_t i = 1; i < d.sink.records.size(); ++i)
      EXPECT_GT(d.sink.records[i].seq, d.sink.records[i - 1].seq);
  }
}

TEST(RingbufferDecoder, HoleInTheDataRingCostsOnlyItsRecords) {
  SyntheticRingbuffer ring(PrbOffsets::v6_1(), 8, 14);  // 16 KiB of text: 4 pages
  for (int i = 0; i < 200; ++i) ring.add(rec(fmt::format("{:060}", i)));  // 72-byte blocks
  auto live = ring.live();
  PagedPhysicalMemory mem;
  ring.write(mem);
  mem.drop_page(SyntheticRingbuffer::phys(SyntheticRingbuffer::kData) + 4096);
  X86_64VirtualMemory vm(mem, image_only(), {});
  auto info = VmcoreInfo::parse(ring.vmcoreinfo());
  CollectingSink sink;
  auto stats = decode_ringbuffer(*info, vm, sink);
  ASSERT_TRUE(stats);
  // Records whose block touches [4096, 8192) are lost; every other one comes out.
  std::vector<LogRecord> want;
  const auto& o = ring.offsets();
  for (const auto& r : live) {
    uint64_t id = ring.tail_id();
    while (ring.get_u64(ring.infos(), ring.index(id) * o.info_size + o.seq) != r.seq) ++id;
    uint64_t begin = ring.get_u64(ring.descs(), ring.index(id) * o.desc_size + o.text_blk_lpos);
    uint64_t at = begin & 16383, end = at + 8 + r.text.size();
    if (end <= 4096 || at >= 8192) want.push_back(r);
  }
  EXPECT_LT(want.size(), live.size());
  expect_same(sink.records, want);
  EXPECT_NE(sink.all_warnings().find("text unreadable"), std::string::npos);
}

TEST(RingbufferDecoder, FailCounterIsReported) {
  auto ring = filled(2);
  ring.set_fail(5);
  auto d = decode(ring);
  ASSERT_TRUE(d.stats);
  EXPECT_NE(d.sink.all_warnings().find("failed to reserve 5 records"), std::string::npos);
}

TEST(RingbufferDecoder, ImplausibleRingIsAnError) {
  auto ring = filled(2);
  const auto& o = ring.offsets();
  ring.set_u32(ring.prb(), o.desc_ring + o.count_bits, 40);
  auto d = decode(ring);
  ASSERT_FALSE(d.stats);
  EXPECT_EQ(d.stats.error().kind, ErrorKind::Format);
  EXPECT_NE(d.stats.error().reason.find("count_bits 40"), std::string::npos);
}

TEST(RingbufferDecoder, UnreadablePrbIsAnErrorNamingTheAddress) {
  auto ring = filled(2);
  PagedPhysicalMemory mem;
  ring.write(mem);
  mem.drop_page(SyntheticRingbuffer::phys(SyntheticRingbuffer::kPrb));
  X86_64VirtualMemory vm(mem, image_only(), {});
  auto info = VmcoreInfo::parse(ring.vmcoreinfo());
  CollectingSink sink;
  auto stats = decode_ringbuffer(*info, vm, sink);
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().offset, SyntheticRingbuffer::kPrb);
}

TEST(RingbufferDecoder, MissingKeyIsNamed) {
  auto ring = filled(1);
  std::string vi = ring.vmcoreinfo();
  vi.erase(vi.find("OFFSET(prb_desc_ring.infos)"), std::string("OFFSET(prb_desc_ring.infos)=16\n").size());
  auto info = VmcoreInfo::parse(vi);
  PagedPhysicalMemory mem;
  X86_64VirtualMemory vm(mem, image_only(), {});
  CollectingSink sink;
  auto stats = decode_ringbuffer(*info, vm, sink);
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().kind, ErrorKind::Missing);
  EXPECT_NE(stats.error().reason.find("OFFSET(prb_desc_ring.infos)"), std::string::npos);
}

TEST(LogDecoder, ChoosesTheLocklessRing) {
  auto ring = filled(3);
  PagedPhysicalMemory mem;
  ring.write(mem);
  X86_64VirtualMemory vm(mem, image_only(), {});
  auto info = VmcoreInfo::parse(ring.vmcoreinfo());
  CollectingSink sink;
  auto g = decode_kernel_log(*info, vm, sink);
  ASSERT_TRUE(g) << g.error().message();
  EXPECT_EQ(*g, PrintkGeneration::Lockless);
  expect_same(sink.records, ring.live());
}

TEST(LogDecoder, NoLogBufferIsMissing) {
  auto info = VmcoreInfo::parse("OSRELEASE=6.1.0\n");
  PagedPhysicalMemory mem;
  X86_64VirtualMemory vm(mem, image_only(), {});
  CollectingSink sink;
  auto g = decode_kernel_log(*info, vm, sink);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().kind, ErrorKind::Missing);
}

}  // namespace
}  // namespace vmcap
