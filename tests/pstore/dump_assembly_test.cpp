// Grouping and joining dmesg parts, per backend, over records made here the way the kernel
// makes them (made_records.h), with the failures seen on real machines: parts missing or
// twice, a part stored plain and cut (6.1), payloads the kernel could not inflate.
#include "pstore/records/dump_assembly.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "tests/pstore/made_records.h"

namespace vmcap::pstore {
namespace {

using testing::at_seconds;
using testing::efi_name;
using testing::erst_name;
using testing::join;
using testing::kernel_parts;
using testing::make_log_lines;
using testing::ramoops_name;
using testing::record;

// Every well-named dmesg record is in exactly one dump; text_files and kept records are
// among record_files; breaks are in order and inside the text.
void expect_consistent(const std::vector<RecordFile>& in, const DmesgAssembly& a) {
  std::map<std::string, int> seen;
  for (const DmesgDump& d : a.dumps) {
    EXPECT_FALSE(d.record_files.empty());
    EXPECT_TRUE(std::is_sorted(d.record_files.begin(), d.record_files.end()));
    for (const std::string& f : d.record_files) ++seen[f];
    const std::set<std::string> files(d.record_files.begin(), d.record_files.end());
    for (const std::string& f : d.text_files) EXPECT_TRUE(files.count(f)) << f;
    for (const KeptRecord& k : d.kept) EXPECT_TRUE(files.count(k.file)) << k.file;
    for (const DuplicatePart& p : d.duplicates) EXPECT_TRUE(files.count(p.file)) << p.file;
    EXPECT_EQ(d.text_files.size() + d.kept.size() + d.duplicates.size(), d.record_files.size());
    size_t last = 0;
    for (const TextBreak& b : d.breaks) {
      EXPECT_GE(b.offset, last);
      EXPECT_LE(b.offset, d.text.size());
      last = b.offset;
    }
  }
  for (const RecordFile& f : in) {
    auto n = parse_record_name(f.name);
    if (n && n->type_kind == RecordType::Dmesg) EXPECT_EQ(seen[f.name], 1) << f.name;
    if (!n || n->type_kind != RecordType::Dmesg) EXPECT_EQ(seen.count(f.name), 0u) << f.name;
  }
}

// The text between breaks is each a contiguous piece of the original log, in its order.
void expect_pieces_in_order(const DmesgDump& d, const std::string& log) {
  std::vector<size_t> cuts{0};
  for (const TextBreak& b : d.breaks) cuts.push_back(b.offset);
  cuts.push_back(d.text.size());
  size_t from = 0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    const std::string piece = d.text.substr(cuts[i], cuts[i + 1] - cuts[i]);
    if (piece.empty()) continue;
    const size_t at = log.find(piece, from);
    ASSERT_NE(at, std::string::npos) << "piece " << i << " is not in the log after offset " << from << ":\n" << piece;
    from = at + piece.size();
  }
}

std::string text_of(const std::string& part) { return part.substr(part.find('\n') + 1); }

// The original text the parts cover: the newest lines, PartN's first to Part1's last.
std::string covered(const std::vector<std::string>& parts) {
  std::string s;
  for (size_t i = parts.size(); i-- > 0;) s += text_of(parts[i]);
  return s;
}

TEST(DumpAssembly, RamoopsOnePartPerSlotEachItsOwnDump) {
  const auto lines = make_log_lines(400);
  const std::string log = join(lines);
  // One deflated Part1 held a whole 30 KB log: ramoops' record is as large as its zone.
  const auto slot0 = kernel_parts(lines, "Oops", 1, 0x22000);
  ASSERT_EQ(slot0.size(), 1u);
  const auto later = make_log_lines(50, 80, 1000);
  const auto slot1 = kernel_parts(later, "Panic", 1, 0x22000);  // the next boot: counter 1 again
  const std::vector<RecordFile> in{record(ramoops_name(1), slot1[0], 1700000500),
                                   record(ramoops_name(0), slot0[0], 1700000100),
                                   record("console-ramoops-0", "console text\n", 1700000500),
                                   record("pmsg-ramoops-0", "", 1700000500)};
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), 2u);
  const DmesgDump& oops = a.dumps[0];  // the older
  EXPECT_EQ(oops.backend, "ramoops");
  EXPECT_EQ(oops.backend_kind, Backend::Ramoops);
  ASSERT_TRUE(oops.cause);
  EXPECT_EQ(oops.cause->reason, DumpReason::Oops);
  EXPECT_EQ(oops.cause->counter, 1);
  EXPECT_EQ(oops.text, log);
  EXPECT_EQ(oops.record_files, std::vector<std::string>{"dmesg-ramoops-0"});
  EXPECT_EQ(oops.text_files, std::vector<std::string>{"dmesg-ramoops-0"});
  EXPECT_EQ(oops.highest_part, 1u);
  EXPECT_TRUE(oops.gaps.empty());
  EXPECT_TRUE(oops.breaks.empty());
  EXPECT_TRUE(oops.kept.empty());
  EXPECT_EQ(oops.time, at_seconds(1700000100));
  const DmesgDump& panic = a.dumps[1];
  ASSERT_TRUE(panic.cause);
  EXPECT_EQ(panic.cause->reason, DumpReason::Panic);
  EXPECT_EQ(panic.text, join(later));
  EXPECT_EQ(panic.time, at_seconds(1700000500));
  EXPECT_EQ(a.other_records, (std::vector<std::string>{"console-ramoops-0", "pmsg-ramoops-0"}));
  EXPECT_TRUE(a.bad_names.empty());
}

TEST(DumpAssembly, RamoopsSlotsWithTheSameHeaderStayApart) {
  const auto lines = make_log_lines(20);
  const auto p = kernel_parts(lines, "Panic", 1, 0x22000);
  const std::vector<RecordFile> in{record(ramoops_name(0), p[0], 100), record(ramoops_name(1), p[0], 200)};
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), 2u);
  EXPECT_TRUE(a.dumps[0].duplicates.empty());
  EXPECT_EQ(a.dumps[0].text, join(lines));
  EXPECT_EQ(a.dumps[1].text, join(lines));
}

// EFI: 13 parts of about 1 KiB (efi_pstore.record_size), written across a second boundary,
// given in any order, next to an older dump of another boot with the same header.
TEST(DumpAssembly, EfiThirteenPartsAcrossTwoSeconds) {
  const auto lines = make_log_lines(300);
  const auto parts = kernel_parts(lines, "Panic", 1, 1024, 12500);
  ASSERT_EQ(parts.size(), 13u);
  const uint64_t t = 1700000000;
  std::vector<RecordFile> in;
  for (size_t i = 0; i < parts.size(); ++i) {
    const uint32_t part = static_cast<uint32_t>(i + 1);
    const uint64_t seconds = part <= 6 ? t : t + 1;
    in.push_back(record(efi_name("efi_pstore", seconds, part, 1), parts[i], static_cast<int64_t>(seconds)));
  }
  const auto old_lines = make_log_lines(30, 80, 5000);
  const auto old_parts = kernel_parts(old_lines, "Panic", 1, 1024);
  ASSERT_EQ(old_parts.size(), 3u);
  for (size_t i = 0; i < old_parts.size(); ++i)
    in.push_back(record(efi_name("efi_pstore", t - 3600, static_cast<uint32_t>(i + 1), 1), old_parts[i], t - 3600));
  std::shuffle(in.begin(), in.end(), std::mt19937(17));

  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), 2u);
  const DmesgDump& old = a.dumps[0];
  EXPECT_EQ(old.text, join(old_lines));
  EXPECT_EQ(old.record_files.size(), 3u);
  const DmesgDump& d = a.dumps[1];
  EXPECT_EQ(d.backend, "efi_pstore");
  EXPECT_EQ(d.backend_kind, Backend::Efi);
  ASSERT_TRUE(d.cause);
  EXPECT_EQ(d.cause->reason, DumpReason::Panic);
  EXPECT_EQ(d.cause->counter, 1);
  EXPECT_EQ(d.highest_part, 13u);
  EXPECT_EQ(d.record_files.size(), 13u);
  ASSERT_EQ(d.text_files.size(), 13u);
  EXPECT_EQ(d.text_files.front(), efi_name("efi_pstore", t + 1, 13, 1));
  EXPECT_EQ(d.text_files.back(), efi_name("efi_pstore", t, 1, 1));
  EXPECT_EQ(d.text, covered(parts));
  EXPECT_TRUE(join(lines).ends_with(d.text)) << "the newest text";
  EXPECT_TRUE(d.gaps.empty());
  EXPECT_TRUE(d.breaks.empty());
  EXPECT_TRUE(d.duplicates.empty());
  EXPECT_EQ(d.time, at_seconds(static_cast<int64_t>(t + 1)));
}

TEST(DumpAssembly, EfiDumpsOfOneBootByCounter) {
  const auto oops_lines = make_log_lines(15);
  const auto panic_lines = make_log_lines(30, 80, 15);
  const auto oops = kernel_parts(oops_lines, "Oops", 1, 1024);
  const auto panic = kernel_parts(panic_lines, "Panic", 2, 1024);
  std::vector<RecordFile> in;
  for (size_t i = 0; i < oops.size(); ++i) in.push_back(record(efi_name("efi", 1000, i + 1, 1), oops[i], 1000));
  for (size_t i = 0; i < panic.size(); ++i) in.push_back(record(efi_name("efi", 1002, i + 1, 2), panic[i], 1002));
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), 2u);
  EXPECT_EQ(a.dumps[0].cause->reason, DumpReason::Oops);
  EXPECT_EQ(a.dumps[0].text, covered(oops));
  EXPECT_EQ(a.dumps[1].cause->reason, DumpReason::Panic);
  EXPECT_EQ(a.dumps[1].cause->counter, 2);
  EXPECT_EQ(a.dumps[1].text, covered(panic));
}

// ERST: every part takes the next id of one counter seeded from the boot's time.
TEST(DumpAssembly, ErstConsecutiveIds) {
  const auto lines = make_log_lines(60);
  const auto parts = kernel_parts(lines, "Panic", 1, 1024);
  ASSERT_EQ(parts.size(), 5u);
  const uint64_t boot1 = uint64_t{1700000000} << 32, boot2 = uint64_t{1700090000} << 32;
  std::vector<RecordFile> in;
  for (size_t i = 0; i < parts.size(); ++i) in.push_back(record(erst_name(boot1 + 7 + i), parts[i], 2000));
  const auto other = kernel_parts(make_log_lines(20, 80, 900), "Panic", 1, 1024);
  for (size_t i = 0; i < other.size(); ++i) in.push_back(record(erst_name(boot2 + 1 + i), other[i], 3000));
  std::reverse(in.begin(), in.end());
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), 2u);
  EXPECT_EQ(a.dumps[0].backend_kind, Backend::Erst);
  EXPECT_EQ(a.dumps[0].text, covered(parts));
  EXPECT_EQ(a.dumps[0].record_files.size(), 5u);
  EXPECT_TRUE(a.dumps[0].gaps.empty());
  EXPECT_EQ(a.dumps[1].text, covered(other));
}

TEST(DumpAssembly, AMissingMiddlePartIsAGapAndABreak) {
  const auto lines = make_log_lines(80);
  const std::string log = join(lines);
  const auto parts = kernel_parts(lines, "Panic", 1, 1024);
  ASSERT_GE(parts.size(), 5u);
  std::vector<RecordFile> in;
  for (size_t i = 0; i < 5; ++i)
    if (i != 2) in.push_back(record(efi_name("efi", 5000, i + 1, 1), parts[i], 5000));
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), 1u);
  const DmesgDump& d = a.dumps[0];
  EXPECT_EQ(d.highest_part, 5u);
  EXPECT_EQ(d.gaps, (std::vector<PartRange>{PartRange{3, 3}}));
  EXPECT_EQ(d.text, text_of(parts[4]) + text_of(parts[3]) + text_of(parts[1]) + text_of(parts[0]));
  ASSERT_EQ(d.breaks.size(), 1u);
  EXPECT_EQ(d.breaks[0].why, TextBreak::Why::MissingParts);
  EXPECT_EQ(d.breaks[0].part, 2u);
  EXPECT_EQ(d.breaks[0].offset, text_of(parts[4]).size() + text_of(parts[3]).size());
  expect_pieces_in_order(d, log);

  // Part1 and the highest parts missing too: gaps below the highest part read only.
  std::vector<RecordFile> sparse{record(efi_name("efi", 5000, 4, 1), parts[3], 5000),
                                 record(efi_name("efi", 5000, 2, 1), parts[1], 5000)};
  const DmesgAssembly b = assemble_dmesg_dumps(sparse);
  ASSERT_EQ(b.dumps.size(), 1u);
  EXPECT_EQ(b.dumps[0].gaps, (std::vector<PartRange>{PartRange{1, 1}, PartRange{3, 3}}));
}

TEST(DumpAssembly, ADuplicatePartIsKeptAside) {
  const auto lines = make_log_lines(40);
  const auto parts = kernel_parts(lines, "Oops", 3, 1024);
  ASSERT_GE(parts.size(), 3u);
  // An unknown backend: grouped by reason and counter; the second Part2 is shorter.
  const std::string short_part2 = "Oops#3 Part2\n" + lines[lines.size() - 13];
  std::vector<RecordFile> in{record("dmesg-blkoops-1", parts[0], 10), record("dmesg-blkoops-2", parts[1], 10),
                             record("dmesg-blkoops-3", parts[2], 10), record("dmesg-blkoops-9", short_part2, 11)};
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), 1u);
  const DmesgDump& d = a.dumps[0];
  EXPECT_EQ(d.backend_kind, Backend::Other);
  EXPECT_EQ(d.text, text_of(parts[2]) + text_of(parts[1]) + text_of(parts[0]));
  ASSERT_EQ(d.duplicates.size(), 1u);
  EXPECT_EQ(d.duplicates[0].file, "dmesg-blkoops-9");
  EXPECT_EQ(d.duplicates[0].part, 2u);
  EXPECT_EQ(d.duplicates[0].text, lines[lines.size() - 13]);
  EXPECT_EQ(d.record_files.size(), 4u);
  EXPECT_TRUE(d.gaps.empty());
  EXPECT_EQ(d.time, at_seconds(11));

  // EFI: the same id twice, once as the kernel inflated it, once not.
  const std::string name = efi_name("efi", 7000, 1, 1);
  std::vector<RecordFile> efi{record(name, parts[0], 7000), record(name + ".enc.z", testing::deflate_raw(parts[0]), 7000)};
  const DmesgAssembly e = assemble_dmesg_dumps(efi);
  expect_consistent(efi, e);
  ASSERT_EQ(e.dumps.size(), 1u);
  EXPECT_EQ(e.dumps[0].text, text_of(parts[0]));
  ASSERT_EQ(e.dumps[0].duplicates.size(), 1u);
  EXPECT_EQ(e.dumps[0].inflated_files, std::vector<std::string>{name + ".enc.z"});
}

// 6.1: a part the kernel could not compress is stored plain with only its last bytes (the
// header kept): it starts mid-line, and the log between it and the next older part is lost.
TEST(DumpAssembly, APartStoredPlainMidLine) {
  const auto lines = make_log_lines(200);
  const std::string log = join(lines);
  auto parts = kernel_parts(lines, "Panic", 1, 2048);  // the compressed parts held ~2 KiB
  ASSERT_GE(parts.size(), 5u);
  const std::string header = "Panic#1 Part3\n";
  parts[2] = header + parts[2].substr(parts[2].size() - (1010 - header.size()));  // copy_kmsg_to_buffer
  std::vector<RecordFile> in;
  for (size_t i = 0; i < 5; ++i) in.push_back(record(efi_name("efi", 9000, i + 1, 1), parts[i], 9000));
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), 1u);
  const DmesgDump& d = a.dumps[0];
  EXPECT_TRUE(d.gaps.empty());
  ASSERT_EQ(d.breaks.size(), 1u);
  EXPECT_EQ(d.breaks[0].why, TextBreak::Why::StartsMidLine);
  EXPECT_EQ(d.breaks[0].part, 3u);
  EXPECT_EQ(d.breaks[0].offset, text_of(parts[4]).size() + text_of(parts[3]).size());
  EXPECT_EQ(d.text, text_of(parts[4]) + text_of(parts[3]) + text_of(parts[2]) + text_of(parts[1]) + text_of(parts[0]));
  expect_pieces_in_order(d, log);
  EXPECT_EQ(log.find(d.text), std::string::npos) << "the log is not whole";
}

// 6.6+: a part that does not compress keeps its first bytes: it ends mid-line, and a newline
// goes between it and the next part.
TEST(DumpAssembly, APartCutAtItsEnd) {
  const auto lines = make_log_lines(100);
  const std::string log = join(lines);
  auto parts = kernel_parts(lines, "Panic", 1, 2048);
  ASSERT_GE(parts.size(), 3u);
  parts[1] = parts[1].substr(0, 1000);
  std::vector<RecordFile> in;
  for (size_t i = 0; i < 3; ++i) in.push_back(record(efi_name("efi", 9000, i + 1, 1), parts[i], 9000));
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  ASSERT_EQ(a.dumps.size(), 1u);
  const DmesgDump& d = a.dumps[0];
  ASSERT_EQ(d.breaks.size(), 1u);
  EXPECT_EQ(d.breaks[0].why, TextBreak::Why::EndsMidLine);
  EXPECT_EQ(d.breaks[0].part, 2u);
  EXPECT_EQ(d.text, text_of(parts[2]) + text_of(parts[1]) + "\n" + text_of(parts[0]));
  EXPECT_EQ(d.breaks[0].offset, text_of(parts[2]).size() + text_of(parts[1]).size());
  expect_pieces_in_order(d, log);
}

TEST(DumpAssembly, EncZRecordsAreInflatedRawOrZlib) {
  const auto lines = make_log_lines(120);
  const auto one = kernel_parts(lines, "Panic", 1, 0x22000);
  const auto parts = kernel_parts(lines, "Panic", 1, 1024);
  std::vector<RecordFile> in{record(ramoops_name(0, true), testing::deflate_raw(one[0]), 50)};
  for (size_t i = 0; i < 4; ++i) {
    const bool zlib = i % 2 == 1;
    in.push_back(record(efi_name("efi", 8000, i + 1, 1, true),
                        zlib ? testing::deflate_zlib(parts[i]) : testing::deflate_raw(parts[i]), 8000));
  }
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), 2u);
  EXPECT_EQ(a.dumps[0].text, join(lines));
  EXPECT_EQ(a.dumps[0].inflated_files, std::vector<std::string>{"dmesg-ramoops-0.enc.z"});
  std::vector<std::string> efi_parts(parts.begin(), parts.begin() + 4);
  EXPECT_EQ(a.dumps[1].text, covered(efi_parts));
  EXPECT_EQ(a.dumps[1].inflated_files.size(), 4u);
  EXPECT_TRUE(a.dumps[1].kept.empty());
}

TEST(DumpAssembly, GarbageEncZIsKeptAsBytesWhereItsNamePoints) {
  const auto lines = make_log_lines(80);
  const auto parts = kernel_parts(lines, "Panic", 1, 1024);
  ASSERT_GE(parts.size(), 4u);
  const std::string garbage("\x01\x02garbage\xff", 11);
  // EFI: the id says part 2 of count 1: kept in that dump, not a gap.
  std::vector<RecordFile> efi;
  for (size_t i = 0; i < 4; ++i) {
    const bool bad = i == 1;
    efi.push_back(record(efi_name("efi", 8000, i + 1, 1, bad), bad ? garbage : parts[i], 8000));
  }
  DmesgAssembly a = assemble_dmesg_dumps(efi);
  expect_consistent(efi, a);
  ASSERT_EQ(a.dumps.size(), 1u);
  const DmesgDump& d = a.dumps[0];
  ASSERT_EQ(d.kept.size(), 1u);
  EXPECT_EQ(d.kept[0].file, efi_name("efi", 8000, 2, 1, true));
  EXPECT_EQ(d.kept[0].bytes, garbage);
  EXPECT_TRUE(d.kept[0].compressed);
  EXPECT_EQ(d.kept[0].part, 2u);
  EXPECT_NE(d.kept[0].why.find("raw deflate"), std::string::npos) << d.kept[0].why;
  EXPECT_TRUE(d.gaps.empty());
  ASSERT_EQ(d.breaks.size(), 1u);
  EXPECT_EQ(d.breaks[0].why, TextBreak::Why::MissingParts);
  EXPECT_EQ(d.text, text_of(parts[3]) + text_of(parts[2]) + text_of(parts[0]));
  EXPECT_TRUE(d.inflated_files.empty());

  // ERST: the id's place in the run tells the part.
  const uint64_t base = uint64_t{1700000000} << 32;
  std::vector<RecordFile> erst;
  for (size_t i = 0; i < 4; ++i) {
    const bool bad = i == 2;
    erst.push_back(record(erst_name(base + 1 + i, bad), bad ? garbage : parts[i], 8000));
  }
  a = assemble_dmesg_dumps(erst);
  expect_consistent(erst, a);
  ASSERT_EQ(a.dumps.size(), 1u);
  ASSERT_EQ(a.dumps[0].kept.size(), 1u);
  EXPECT_EQ(a.dumps[0].kept[0].part, 3u);
  EXPECT_TRUE(a.dumps[0].gaps.empty());

  // ramoops: a slot is a dump; with nothing readable it has no cause.
  std::vector<RecordFile> ram{record(ramoops_name(0, true), garbage, 60)};
  a = assemble_dmesg_dumps(ram);
  expect_consistent(ram, a);
  ASSERT_EQ(a.dumps.size(), 1u);
  EXPECT_FALSE(a.dumps[0].cause);
  EXPECT_EQ(a.dumps[0].text, "");
  ASSERT_EQ(a.dumps[0].kept.size(), 1u);
  EXPECT_EQ(a.dumps[0].kept[0].bytes, garbage);
  EXPECT_EQ(a.dumps[0].time, at_seconds(60));

  // EFI with no dump to join (another counter): a dump of its own, its part from the id.
  std::vector<RecordFile> lone{record(efi_name("efi", 8000, 3, 7, true), garbage, 8000)};
  a = assemble_dmesg_dumps(lone);
  ASSERT_EQ(a.dumps.size(), 1u);
  EXPECT_FALSE(a.dumps[0].cause);
  EXPECT_EQ(a.dumps[0].highest_part, 3u);
  EXPECT_EQ(a.dumps[0].gaps, (std::vector<PartRange>{PartRange{1, 2}}));
}

TEST(DumpAssembly, RecordsWithoutAHeaderAreKept) {
  const auto lines = make_log_lines(10);
  const std::vector<RecordFile> in{
      record(ramoops_name(0), join(lines), 1),                           // plain, no header
      record(ramoops_name(1, true), testing::deflate_raw(join(lines)), 2),  // inflates, no header
      record(ramoops_name(2), "", 3)};
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), 3u);
  for (const DmesgDump& d : a.dumps) {
    EXPECT_FALSE(d.cause);
    ASSERT_EQ(d.kept.size(), 1u);
    EXPECT_FALSE(d.kept[0].compressed);
    EXPECT_NE(d.kept[0].why.find("no \"Reason#N PartM\" header"), std::string::npos) << d.kept[0].why;
  }
  EXPECT_EQ(a.dumps[0].kept[0].bytes, join(lines));
  EXPECT_EQ(a.dumps[1].kept[0].bytes, join(lines)) << "kept inflated";
  EXPECT_NE(a.dumps[1].kept[0].why.find("inflated (raw deflate), but"), std::string::npos) << a.dumps[1].kept[0].why;
  EXPECT_EQ(a.dumps[1].inflated_files, std::vector<std::string>{"dmesg-ramoops-1.enc.z"});
}

TEST(DumpAssembly, BadNamesAndOtherTypesAreListed) {
  const std::vector<RecordFile> in{record("dmesg-ramoops-x", "Panic#1 Part1\n"), record("lost+found", ""),
                                   record("console-efi-5", "x"), record("ftrace-ramoops-0", "y")};
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  EXPECT_TRUE(a.dumps.empty());
  ASSERT_EQ(a.bad_names.size(), 2u);
  EXPECT_EQ(a.bad_names[0].file, "dmesg-ramoops-x");
  EXPECT_NE(a.bad_names[0].why.find("not a decimal number"), std::string::npos) << a.bad_names[0].why;
  EXPECT_EQ(a.bad_names[1].file, "lost+found");
  EXPECT_EQ(a.other_records, (std::vector<std::string>{"console-efi-5", "ftrace-ramoops-0"}));
}

TEST(DumpAssembly, HugePartNumbersAreOneGap) {
  const std::vector<RecordFile> in{record(ramoops_name(0), "Panic#1 Part4294967295\n<6>[    1.0] x\n")};
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  ASSERT_EQ(a.dumps.size(), 1u);
  EXPECT_EQ(a.dumps[0].gaps, (std::vector<PartRange>{PartRange{1, 4294967294u}}));
}

TEST(DumpAssembly, InflatingHasATotalBudget) {
  const std::string payload = testing::deflate_raw("Panic#1 Part1\n" + std::string(kMaxInflatedBytes - 14, 'x'));
  std::vector<RecordFile> in;
  const size_t n = kMaxInflatedTotalBytes / kMaxInflatedBytes + 1;
  for (size_t i = 0; i < n; ++i) in.push_back(record(ramoops_name(i, true), payload, 100 + static_cast<int64_t>(i)));
  const DmesgAssembly a = assemble_dmesg_dumps(in);
  expect_consistent(in, a);
  ASSERT_EQ(a.dumps.size(), n);
  for (size_t i = 0; i + 1 < n; ++i) EXPECT_TRUE(a.dumps[i].kept.empty()) << i;
  ASSERT_EQ(a.dumps.back().kept.size(), 1u);
  EXPECT_EQ(a.dumps.back().kept[0].bytes, payload);
  EXPECT_NE(a.dumps.back().kept[0].why.find("the earlier ones took the rest"), std::string::npos)
      << a.dumps.back().kept[0].why;
}

}  // namespace
}  // namespace vmcap::pstore
