// Generation-2 kernel log (3.5 to 5.9, struct printk_log / struct log): the decoder against
// a kernel-like writer, and against kexec-tools' vmcore-dmesg on the same memory as an ELF
// vmcore.
#include "capture/printk/printk_log_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "capture/printk/text_formatter.h"
#include "tests/printk/printk_log_fixture.h"

namespace vmcap::testing {
namespace {

struct Msg {
  uint64_t ts_nsec = 0;
  std::string text;
  std::string dict;  // "KEY=value\0KEY=value"
  uint8_t facility = 0;
  uint8_t level = 6;
  uint8_t flags = 2;  // LOG_NEWLINE
  uint32_t caller_id = 0;
};

// Writes records the way log_store() of 3.5-5.9 does (x86_64: packed header, LOG_ALIGN 4),
// dropping the oldest records to make room and leaving a zero header where it wraps.
class PrintkLogWriter {
 public:
  PrintkLogWriter(SyntheticKernel& k, uint32_t buf_len, bool caller_id, bool old_name)
      : k_(k), buf_len_(buf_len), caller_(caller_id), old_name_(old_name) {
    hdr_ = caller_ ? 20 : 16;
    log_buf_ = k.add_variable(8);
    log_buf_len_ = k.add_variable(4);
    first_idx_var_ = k.add_variable(4);
    clear_idx_var_ = k.add_variable(4);
    next_idx_var_ = k.add_variable(4);
    first_seq_var_ = k.add_variable(8);
    buf_ = k.add_buffer(buf_len);
    k.put_u64(log_buf_, buf_);
    k.put_u32(log_buf_len_, buf_len);
    sync();
  }

  void store(const Msg& m) {
    uint32_t size = hdr_ + static_cast<uint32_t>(m.text.size() + m.dict.size());
    size += (-size) & 3u;
    while (first_seq_ < next_seq_) {
      uint32_t free_space = next_idx_ > first_idx_
                                ? std::max(buf_len_ - next_idx_, first_idx_)
                                : first_idx_ - next_idx_;
      if (free_space > size + hdr_) break;
      drop_oldest();
    }
    if (next_idx_ + size + hdr_ >= buf_len_) {
      auto z = k_.bytes(buf_ + next_idx_, hdr_);
      std::fill(z.begin(), z.end(), std::byte{0});
      next_idx_ = 0;
    }
    const uint64_t at = buf_ + next_idx_;
    k_.put_u64(at + 0, m.ts_nsec);
    k_.put_u16(at + 8, static_cast<uint16_t>(size));
    k_.put_u16(at + 10, static_cast<uint16_t>(m.text.size()));
    k_.put_u16(at + 12, static_cast<uint16_t>(m.dict.size()));
    k_.bytes(at + 14, 1)[0] = std::byte{m.facility};
    k_.bytes(at + 15, 1)[0] = std::byte(static_cast<uint8_t>((m.flags & 0x1f) | (m.level << 5)));
    if (caller_) k_.put_u32(at + 16, m.caller_id);
    auto body = k_.bytes(at + hdr_, size - hdr_);
    std::fill(body.begin(), body.end(), std::byte{0});
    std::memcpy(body.data(), m.text.data(), m.text.size());
    std::memcpy(body.data() + m.text.size(), m.dict.data(), m.dict.size());
    live_.push_back({next_idx_, m});
    next_idx_ += size;
    ++next_seq_;
    sync();
  }

  void sync() {
    k_.put_u32(first_idx_var_, first_idx_);
    k_.put_u32(clear_idx_var_, first_idx_);
    k_.put_u32(next_idx_var_, next_idx_);
    k_.put_u64(first_seq_var_, first_seq_);
  }

  std::string vmcoreinfo_extra(bool export_first_seq = false) const {
    const std::string s = old_name_ ? "log" : "printk_log";
    std::string v = fmt::format("SYMBOL(log_buf)={:x}\nSYMBOL(log_buf_len)={:x}\n"
                                "SYMBOL(log_first_idx)={:x}\n",
                                log_buf_, log_buf_len_, first_idx_var_);
    if (!old_name_) v += fmt::format("SYMBOL(clear_idx)={:x}\n", clear_idx_var_);
    v += fmt::format("SYMBOL(log_next_idx)={:x}\n", next_idx_var_);
    if (export_first_seq) v += fmt::format("SYMBOL(log_first_seq)={:x}\n", first_seq_var_);
    v += fmt::format("SIZE({0})={1}\nOFFSET({0}.ts_nsec)=0\nOFFSET({0}.len)=8\n"
                     "OFFSET({0}.text_len)=10\nOFFSET({0}.dict_len)=12\n",
                     s, hdr_);
    if (caller_) v += fmt::format("OFFSET({}.caller_id)=16\n", s);
    return v;
  }

  // What survives in the buffer, oldest first, with each record's index.
  const std::deque<std::pair<uint32_t, Msg>>& live() const { return live_; }
  uint64_t first_seq() const { return first_seq_; }
  uint32_t first_idx() const { return first_idx_; }
  uint32_t next_idx() const { return next_idx_; }
  uint64_t buf() const { return buf_; }
  uint64_t first_idx_var() const { return first_idx_var_; }
  uint64_t next_idx_var() const { return next_idx_var_; }
  uint32_t hdr() const { return hdr_; }

 private:
  void drop_oldest() {
    live_.pop_front();
    first_idx_ = live_.empty() ? next_idx_ : live_.front().first;
    ++first_seq_;
  }

  SyntheticKernel& k_;
  uint32_t buf_len_;
  bool caller_, old_name_;
  uint32_t hdr_;
  uint64_t log_buf_, log_buf_len_, first_idx_var_, clear_idx_var_, next_idx_var_,
      first_seq_var_, buf_;
  uint32_t first_idx_ = 0, next_idx_ = 0;
  uint64_t first_seq_ = 0, next_seq_ = 0;
  std::deque<std::pair<uint32_t, Msg>> live_;
};

// Messages like a boot log: some with dictionaries, odd bytes, embedded newlines.
Msg boot_message(unsigned i, bool caller) {
  Msg m;
  m.ts_nsec = 1000000ull * i * i + 123457ull * i;
  m.level = static_cast<uint8_t>(i % 8);
  m.facility = i % 13 == 0 ? 1 : 0;
  m.flags = i % 11 == 5 ? 8 : 2;
  m.caller_id = caller ? (i % 3 == 0 ? 0x80000000u | (i % 4) : 100 + i) : 0;
  switch (i % 6) {
    case 0: m.text = fmt::format("Booting step {} of the machine", i); break;
    case 1:
      m.text = fmt::format("pci 0000:00:{:02x}.0: [8086:1237] type 00 class 0x060000", i % 32);
      m.dict = std::string("SUBSYSTEM=pci") + '\0' +
               fmt::format("DEVICE=+pci:0000:00:{:02x}.0", i % 32);
      break;
    case 2: m.text = "tab\there, bell\a, esc\x1b, del\x7f, high \xc3\xa9 \xff end"; break;
    case 3: m.text = fmt::format("line one of {}\nline two\n  line three", i); break;
    case 4: m.text = ""; break;
    case 5:
      m.text = fmt::format("usb 1-{}: new high-speed USB device", i % 7);
      m.dict = std::string("SUBSYSTEM=usb") + '\0' + fmt::format("DEVICE=c189:{}", i % 128) +
               '\0' + "EXTRA=1";
      break;
  }
  return m;
}

void expect_records(const std::vector<LogRecord>& got,
                    const std::vector<std::pair<uint64_t, Msg>>& want, bool caller) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const auto& [seq, m] = want[i];
    SCOPED_TRACE(fmt::format("record {} (text {})", i, m.text));
    EXPECT_EQ(got[i].seq, seq);
    EXPECT_EQ(got[i].ts_nsec, m.ts_nsec);
    EXPECT_EQ(got[i].text, m.text);
    EXPECT_EQ(got[i].level, m.level);
    EXPECT_EQ(got[i].facility, m.facility);
    EXPECT_EQ(got[i].flags, m.flags);
    EXPECT_TRUE(got[i].level_known);
    if (caller) {
      ASSERT_TRUE(got[i].caller_id.has_value());
      EXPECT_EQ(*got[i].caller_id, m.caller_id);
    } else {
      EXPECT_FALSE(got[i].caller_id.has_value());
    }
    const bool has_sub = m.dict.find("SUBSYSTEM=") != std::string::npos;
    EXPECT_EQ(got[i].subsystem.empty(), !has_sub);
    if (m.dict.starts_with("SUBSYSTEM=pci")) {
      EXPECT_EQ(got[i].subsystem, "pci");
      EXPECT_TRUE(got[i].device.starts_with("+pci:0000:00:"));
    }
    if (m.dict.starts_with("SUBSYSTEM=usb")) {
      EXPECT_EQ(got[i].subsystem, "usb");
      EXPECT_TRUE(got[i].device.starts_with("c189:"));
    }
  }
}

std::vector<std::pair<uint64_t, Msg>> expected_all(const PrintkLogWriter& w) {
  std::vector<std::pair<uint64_t, Msg>> out;
  uint64_t seq = 0;
  for (const auto& [idx, m] : w.live()) out.emplace_back(seq++, m);
  return out;
}

struct Decoded {
  Result<void> result = ok();
  CollectingSink sink;
};

Decoded decode(const SyntheticKernel& k, const std::string& info_text,
               const PrintkLogOptions& options = {}) {
  Decoded d;
  auto info = VmcoreInfo::parse(info_text);
  if (!info) {
    d.result = info.error();
    return d;
  }
  const PageMapMemory mem = k.memory();
  d.result = decode_printk_log(*info, mem, d.sink, options);
  return d;
}

// Decodes and checks our text rendering against vmcore-dmesg on the same memory.
// vmcore-dmesg prints the wrap marker (the zeroed header at the end of the older part of a
// wrapped buffer) as if it were a record: "[    0.000000] " and an empty text. The kernel
// never shows it; vmcap does not emit it. `marker_before` is the number of records before
// the wrap point, where the comparison expects that extra line.
void check_against_oracle(const SyntheticKernel& k, const std::string& info_text,
                          const std::vector<LogRecord>& ours,
                          std::optional<size_t> marker_before) {
  ASSERT_FALSE(vmcore_dmesg_path().empty())
      << "vmcore-dmesg (kexec-tools) was not found at configure time: install kexec-tools "
         "and reconfigure; the oracle comparison cannot be skipped";
  const std::string path = temp_path("printk_log");
  k.write_vmcore(path, info_text);
  // The same file through vmcap's ELF reader and x86_64 translation gives the same records.
  CollectingSink from_file;
  const auto r = decode_vmcore_file(path, &decode_printk_log, from_file);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(from_file.records.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(from_file.records[i].text, ours[i].text);
    EXPECT_EQ(from_file.records[i].ts_nsec, ours[i].ts_nsec);
    EXPECT_EQ(from_file.records[i].seq, ours[i].seq);
  }
  const OracleResult o = run_vmcore_dmesg(path);
  ASSERT_EQ(o.exit_code, 0) << "vmcore-dmesg failed on " << path;
  std::string mine;
  for (size_t i = 0; i <= ours.size(); ++i) {
    if (marker_before && *marker_before == i) mine += "[    0.000000] \n";
    if (i < ours.size()) TextFormatter::render(ours[i], mine);
  }
  EXPECT_EQ(mine, o.out);
  if (mine == o.out) std::remove(path.c_str());
}

struct Case {
  const char* name;
  const char* osrelease;
  bool caller;
  bool old_name;
  uint32_t buf_len;
  unsigned messages;
};

class PrintkLogOracle : public ::testing::TestWithParam<Case> {};

TEST_P(PrintkLogOracle, MatchesWriterAndVmcoreDmesg) {
  const Case c = GetParam();
  SyntheticKernel k;
  PrintkLogWriter w(k, c.buf_len, c.caller, c.old_name);
  for (unsigned i = 0; i < c.messages; ++i) w.store(boot_message(i, c.caller));
  const std::string info = k.vmcoreinfo(c.osrelease, w.vmcoreinfo_extra());
  Decoded d = decode(k, info);
  ASSERT_TRUE(d.result) << d.result.error().message();
  EXPECT_TRUE(d.sink.warnings.empty()) << d.sink.warnings.front();
  expect_records(d.sink.records, expected_all(w), c.caller);
  std::optional<size_t> marker;
  if (w.first_idx() > w.next_idx()) {
    marker = w.live().size();
    for (size_t i = 0; i < w.live().size(); ++i)
      if (w.live()[i].first < w.first_idx()) {
        marker = i;
        break;
      }
  }
  check_against_oracle(k, info, d.sink.records, marker);
}

INSTANTIATE_TEST_SUITE_P(
    Kernels, PrintkLogOracle,
    ::testing::Values(
        Case{"empty", "4.19.0-6-amd64", false, false, 4096, 0},
        Case{"not_wrapped", "4.19.0-6-amd64", false, false, 16384, 40},
        Case{"wrapped_once", "4.19.0-6-amd64", false, false, 4096, 70},
        Case{"wrapped_many", "4.19.0-6-amd64", false, false, 4096, 1000},
        Case{"caller_id", "5.4.0-42-generic", true, false, 8192, 300},
        Case{"old_name_log", "3.10.0-123.el7.x86_64", false, true, 4096, 200},
        Case{"large_buffer", "4.9.0-8-amd64", false, false, 1u << 20, 20000}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PrintkLogDecoder, WrapMarkerIsFollowed) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 4096, false, false);
  unsigned i = 0;
  while (w.first_idx() <= w.next_idx() || w.live().size() < 5) w.store(boot_message(i++, false));
  ASSERT_GT(w.first_idx(), w.next_idx());  // wrapped: records run to a zero header, then 0
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  expect_records(d.sink.records, expected_all(w), false);
}

TEST(PrintkLogDecoder, FirstSeqFromVmcoreinfoWhenExported) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 4096, false, false);
  for (unsigned i = 0; i < 300; ++i) w.store(boot_message(i, false));
  ASSERT_GT(w.first_seq(), 0u);
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra(true)));
  ASSERT_TRUE(d.result);
  ASSERT_FALSE(d.sink.records.empty());
  EXPECT_EQ(d.sink.records.front().seq, w.first_seq());
  EXPECT_EQ(d.sink.records.back().seq, w.first_seq() + d.sink.records.size() - 1);
}

// --- damaged buffers -----------------------------------------------------------------

// Expected records with the ones at the given positions (index into live()) removed.
std::vector<std::pair<uint64_t, Msg>> expected_without(const PrintkLogWriter& w,
                                                       std::vector<size_t> drop) {
  std::vector<std::pair<uint64_t, Msg>> out;
  uint64_t seq = 0;
  for (size_t i = 0; i < w.live().size(); ++i) {
    if (std::find(drop.begin(), drop.end(), i) != drop.end()) continue;
    out.emplace_back(seq++, w.live()[i].second);
  }
  return out;
}

std::vector<std::string> texts(const std::vector<LogRecord>& rs) {
  std::vector<std::string> t;
  for (const auto& r : rs) t.push_back(r.text);
  return t;
}
std::vector<std::string> texts(const std::vector<std::pair<uint64_t, Msg>>& ms) {
  std::vector<std::string> t;
  for (const auto& [s, m] : ms) t.push_back(m.text);
  return t;
}

TEST(PrintkLogDecoder, LenTooBigButTextIntactIsKept) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 16384, false, false);
  for (unsigned i = 0; i < 40; ++i) w.store(boot_message(i, false));
  k.put_u16(w.buf() + w.live()[10].first + 8, 0xfff0);  // len beyond the buffer
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  EXPECT_EQ(texts(d.sink.records), texts(expected_all(w)));
  ASSERT_EQ(d.sink.warnings.size(), 1u);
  EXPECT_NE(d.sink.warnings[0].find("bad len"), std::string::npos) << d.sink.warnings[0];
}

TEST(PrintkLogDecoder, WholeHeaderGarbageIsSkippedAndTheRestKept) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 16384, false, false);
  for (unsigned i = 0; i < 40; ++i) w.store(boot_message(i, false));
  auto hdr = k.bytes(w.buf() + w.live()[17].first, 16);
  for (size_t b = 0; b < hdr.size(); ++b) hdr[b] = std::byte(0xa5 ^ b);
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  EXPECT_EQ(texts(d.sink.records), texts(expected_without(w, {17})));
  EXPECT_FALSE(d.sink.warnings.empty());
}

TEST(PrintkLogDecoder, LenTooSmallInWrappedBufferIsSkipped) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 4096, false, false);
  for (unsigned i = 0; i < 500; ++i) w.store(boot_message(i, false));
  ASSERT_GT(w.first_idx(), w.next_idx());
  // Damage one record before the wrap point and one after it.
  const size_t before = 1, after = w.live().size() - 2;
  ASSERT_GT(w.live()[before].first, w.next_idx());
  ASSERT_LT(w.live()[after].first, w.next_idx());
  k.put_u16(w.buf() + w.live()[before].first + 8, 4);       // len smaller than a header
  k.put_u16(w.buf() + w.live()[before].first + 10, 0x7777);  // and text_len nonsense
  k.put_u16(w.buf() + w.live()[after].first + 8, 6);
  k.put_u16(w.buf() + w.live()[after].first + 12, 0x5555);
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  EXPECT_EQ(texts(d.sink.records), texts(expected_without(w, {before, after})));
  EXPECT_GE(d.sink.warnings.size(), 2u);
}

TEST(PrintkLogDecoder, ZeroLengthRecordAtStartDoesNotLoop) {
  // A len == 0 header at index 0 while log_next_idx != 0: following the wrap marker rule
  // blindly jumps to 0 forever (vmcore-dmesg does exactly that).
  SyntheticKernel k;
  PrintkLogWriter w(k, 4096, false, false);
  for (unsigned i = 0; i < 500; ++i) w.store(boot_message(i, false));
  ASSERT_GT(w.first_idx(), w.next_idx());
  size_t at0 = 0;
  while (w.live()[at0].first != 0) ++at0;
  k.put_u16(w.buf() + 8, 0);
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  // The record at 0 lost its len; its text_len is intact, so it is kept.
  EXPECT_EQ(texts(d.sink.records), texts(expected_all(w)));
  EXPECT_FALSE(d.sink.warnings.empty());
}

TEST(PrintkLogDecoder, ZeroHeaderEverywhereTerminates) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 4096, false, false);
  k.put_u32(w.first_idx_var(), 100);  // first != next, buffer all zeros
  k.put_u32(w.next_idx_var(), 40);
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  EXPECT_TRUE(d.sink.records.empty());
  EXPECT_FALSE(d.sink.warnings.empty());
}

TEST(PrintkLogDecoder, FirstIdxPointingAtGarbage) {
  for (uint32_t bad : {0x12345u, 4096u * 4u + 2u, 7u}) {
    SCOPED_TRACE(bad);
    SyntheticKernel k;
    PrintkLogWriter w(k, 16384, false, false);
    for (unsigned i = 0; i < 40; ++i) w.store(boot_message(i, false));
    k.put_u32(w.first_idx_var(), bad);
    Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
    ASSERT_TRUE(d.result);
    // Not a record position: the oldest intact record is searched for after log_next_idx
    // (nothing there but the never-written zeros), then from 0: everything comes out.
    EXPECT_EQ(texts(d.sink.records), texts(expected_all(w)));
    EXPECT_FALSE(d.sink.warnings.empty());
  }
}

TEST(PrintkLogDecoder, FirstIdxInsideTextOfWrappedBuffer) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 4096, false, false);
  for (unsigned i = 0; i < 500; ++i) w.store(boot_message(i, false));
  ASSERT_GT(w.first_idx(), w.next_idx());
  k.put_u32(w.first_idx_var(), w.first_idx() + 4);  // inside the oldest record's header
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);

  EXPECT_EQ(texts(d.sink.records), texts(expected_without(w, {0})));
}

TEST(PrintkLogDecoder, NextIdxGarbageStillDecodes) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 16384, false, false);
  for (unsigned i = 0; i < 40; ++i) w.store(boot_message(i, false));
  k.put_u32(w.next_idx_var(), 0xdeadbeef);
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  EXPECT_EQ(texts(d.sink.records), texts(expected_all(w)));
  EXPECT_FALSE(d.sink.warnings.empty());
}

TEST(PrintkLogDecoder, NextIdxGarbageInWrappedBufferWrapsOnce) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 4096, false, false);
  for (unsigned i = 0; i < 500; ++i) w.store(boot_message(i, false));
  ASSERT_GT(w.first_idx(), w.next_idx());
  k.put_u32(w.next_idx_var(), 4097);
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  // Everything comes out; the stale records between next_idx and first_idx may follow.
  auto want = texts(expected_all(w));
  auto got = texts(d.sink.records);
  ASSERT_GE(got.size(), want.size());
  got.resize(want.size());
  EXPECT_EQ(got, want);
}

TEST(PrintkLogDecoder, RandomBuffersTerminate) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SyntheticKernel k;
    PrintkLogWriter w(k, 8192, seed % 2 == 0, false);
    for (unsigned i = 0; i < seed * 10; ++i) w.store(boot_message(i, seed % 2 == 0));
    auto noise = SyntheticVmcore::random_bytes(8192, seed);
    auto buf = k.bytes(w.buf(), 8192);
    // Damage a random stretch of the buffer, and in some runs the indices too.
    const size_t from = (seed * 997) % 8000, n = 50 + seed * 37;
    for (size_t b = from; b < std::min<size_t>(8192, from + n); ++b) buf[b] = noise[b];
    if (seed % 5 == 0) k.put_u32(w.first_idx_var(), static_cast<uint32_t>(seed * 12345));
    if (seed % 7 == 0) k.put_u32(w.next_idx_var(), static_cast<uint32_t>(seed * 54321));
    Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
    ASSERT_TRUE(d.result);
    EXPECT_LE(d.sink.records.size(), 8192u / 16u + 1u);
  }
}

TEST(PrintkLogDecoder, LargeGarbageBufferIsBoundedAndFast) {
  // 8 MiB of noise with indices in the middle: the walk and the resync tables stay linear.
  constexpr uint32_t kLen = 8u << 20;
  SyntheticKernel k;
  PrintkLogWriter w(k, kLen, false, false);
  auto noise = SyntheticVmcore::random_bytes(kLen, 7);
  auto buf = k.bytes(w.buf(), kLen);
  std::copy(noise.begin(), noise.end(), buf.begin());
  k.put_u32(w.first_idx_var(), kLen / 2);
  k.put_u32(w.next_idx_var(), kLen / 4);
  const auto t0 = std::chrono::steady_clock::now();
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(d.result);
  EXPECT_LT(ms, 5000);
  EXPECT_FALSE(d.sink.warnings.empty());
}

TEST(PrintkLogDecoder, PageMissingFromDumpLosesOnlyItsRecords) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 16384, false, false);
  for (unsigned i = 0; i < 150; ++i) w.store(boot_message(i, false));
  k.drop_page(w.buf() + 4096);
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  std::vector<size_t> lost;
  for (size_t i = 0; i < w.live().size(); ++i) {
    const uint64_t b = w.live()[i].first;
    const uint64_t e = i + 1 < w.live().size() ? w.live()[i + 1].first : w.next_idx();
    if (b < 8192 && e > 4096) lost.push_back(i);
  }
  ASSERT_FALSE(lost.empty());
  EXPECT_EQ(texts(d.sink.records), texts(expected_without(w, lost)));
  EXPECT_FALSE(d.sink.warnings.empty());
}

// --- warning cap -----------------------------------------------------------------------

// A buffer where every fifth record is damaged (four intact ones between, so resync and
// the bad-len check still trust the chain after each): on odd damaged records the whole
// header is garbage (skipped), on even ones only len is wrong (text kept). One per-record
// warning each. Returns the positions of the skipped records.
struct ManyDamaged {
  SyntheticKernel k;
  PrintkLogWriter w{k, 1u << 16, false, false};
  std::vector<size_t> skipped;
  uint64_t damaged = 0;

  explicit ManyDamaged(unsigned records) {
    for (unsigned i = 0; i < records; ++i) w.store(boot_message(i, false));
    if (w.first_seq() != 0) throw std::runtime_error("the test buffer wrapped");
    for (size_t r = 2; r < w.live().size(); r += 5, ++damaged) {
      const uint64_t at = w.buf() + w.live()[r].first;
      if (damaged % 2 == 0) {
        auto hdr = k.bytes(at, 16);
        for (size_t b = 0; b < hdr.size(); ++b) hdr[b] = std::byte(0xa5 ^ b);
        skipped.push_back(r);
      } else {
        k.put_u16(at + 8, 0xfff0);
      }
    }
  }
  std::string info(bool export_first_seq = false) const {
    return k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra(export_first_seq));
  }
};

bool per_record(const std::string& w) {
  return w.starts_with("damaged printk_log record at") ||
         (w.starts_with("printk_log record at") && w.find("bad len") != std::string::npos);
}

TEST(PrintkLogDecoder, EveryDamagedRecordWarnsOnceWithoutCap) {
  ManyDamaged b(600);
  ASSERT_GT(b.damaged, 100u);
  Decoded d = decode(b.k, b.info(), {.max_record_warnings = UINT64_MAX});
  ASSERT_TRUE(d.result);
  EXPECT_EQ(texts(d.sink.records), texts(expected_without(b.w, b.skipped)));
  ASSERT_EQ(d.sink.warnings.size(), b.damaged);
  for (const auto& w : d.sink.warnings) EXPECT_TRUE(per_record(w)) << w;
}

TEST(PrintkLogDecoder, ManyDamagedRecordsWarnAtMostCapThenOneSummary) {
  ManyDamaged b(600);
  ASSERT_GT(b.damaged, 100u);
  Decoded d = decode(b.k, b.info());  // default options: a cap of 100
  ASSERT_TRUE(d.result);
  // The cap only drops warnings: every intact record (and every bad-len one) comes out.
  EXPECT_EQ(texts(d.sink.records), texts(expected_without(b.w, b.skipped)));
  ASSERT_EQ(d.sink.warnings.size(), 101u);
  for (size_t i = 0; i < 100; ++i) EXPECT_TRUE(per_record(d.sink.warnings[i])) << i;
  EXPECT_EQ(d.sink.warnings.back(),
            fmt::format("printk_log: {} more warnings not shown", b.damaged - 100));
}

TEST(PrintkLogDecoder, WarningCapIsConfigurableAndSparesBufferWarnings) {
  ManyDamaged b(600);
  // log_first_idx garbage: a warning about the buffer as a whole, not counted by the cap.
  b.k.put_u32(b.w.first_idx_var(), 7);
  // Edges: exactly as many warnings as the cap shows them all, with no summary.
  for (uint64_t cap : {uint64_t{0}, uint64_t{3}, b.damaged - 1, b.damaged}) {
    SCOPED_TRACE(cap);
    Decoded d = decode(b.k, b.info(), {.max_record_warnings = cap});
    ASSERT_TRUE(d.result);
    EXPECT_EQ(texts(d.sink.records), texts(expected_without(b.w, b.skipped)));
    const bool summary = cap < b.damaged;
    ASSERT_EQ(d.sink.warnings.size(), 1 + cap + (summary ? 1 : 0));
    EXPECT_TRUE(d.sink.warnings.front().starts_with("log_first_idx 0x7 is not a record"))
        << d.sink.warnings.front();
    for (size_t i = 1; i <= cap; ++i) EXPECT_TRUE(per_record(d.sink.warnings[i])) << i;
    if (summary)
      EXPECT_EQ(d.sink.warnings.back(),
                fmt::format("printk_log: {} more warnings not shown", b.damaged - cap));
  }
}

TEST(PrintkLogDecoder, RecordsInMissingPagesAreCappedButHolesAreNot) {
  // Every other page of a 256 KiB buffer missing: one "not in the dump" warning per hole
  // (about the buffer, uncapped), and per-record warnings for what the holes cut (capped).
  SyntheticKernel k;
  PrintkLogWriter w(k, 1u << 18, false, false);
  unsigned i = 0;
  while (w.next_idx() < (1u << 18) - 256) w.store(boot_message(i++, false));
  ASSERT_EQ(w.first_seq(), 0u);
  for (uint64_t page = 1; page < 64; page += 2) k.drop_page(w.buf() + page * 4096);
  const std::string info = k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra());
  Decoded all = decode(k, info, {.max_record_warnings = UINT64_MAX});
  ASSERT_TRUE(all.result);
  const auto holes = std::count_if(all.sink.warnings.begin(), all.sink.warnings.end(),
                                   [](const std::string& s) {
                                     return s.find("is not in the dump") != std::string::npos;
                                   });
  ASSERT_EQ(holes, 32);
  const uint64_t per_rec = all.sink.warnings.size() - 32;
  ASSERT_GT(per_rec, 10u);

  Decoded d = decode(k, info, {.max_record_warnings = 10});
  ASSERT_TRUE(d.result);
  EXPECT_EQ(texts(d.sink.records), texts(all.sink.records));
  ASSERT_EQ(d.sink.warnings.size(), 32u + 10u + 1u);
  EXPECT_EQ(d.sink.warnings.back(),
            fmt::format("printk_log: {} more warnings not shown", per_rec - 10));
}

// --- keys and limits -----------------------------------------------------------------

TEST(PrintkLogDecoder, MissingKeysAreMissingErrors) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 4096, false, false);
  w.store(boot_message(1, false));
  std::string extra = w.vmcoreinfo_extra();
  const auto cut = extra.find("SYMBOL(log_next_idx)");
  extra.erase(cut, extra.find('\n', cut) - cut + 1);
  Decoded d = decode(k, k.vmcoreinfo("4.19.0", extra));
  ASSERT_FALSE(d.result);
  EXPECT_EQ(d.result.error().kind, ErrorKind::Missing);
  EXPECT_NE(d.result.error().reason.find("log_next_idx"), std::string::npos);
}

TEST(PrintkLogDecoder, HugeLogBufLenIsALimitError) {
  SyntheticKernel k;
  PrintkLogWriter w(k, 4096, false, false);
  w.store(boot_message(1, false));
  const std::string info = k.vmcoreinfo("4.19.0", w.vmcoreinfo_extra());
  // log_buf_len is the second variable of the writer.
  k.put_u32(SyntheticKernel::kImageVaddr + 0x108, 0x40000000u);
  Decoded d = decode(k, info);
  ASSERT_FALSE(d.result);
  EXPECT_EQ(d.result.error().kind, ErrorKind::Limit);
}

TEST(PrintkLogDecoder, LayoutWithoutDictLenOffsetFollowsTextLen) {
  auto info = VmcoreInfo::parse(
      "SIZE(printk_log)=16\nOFFSET(printk_log.ts_nsec)=0\nOFFSET(printk_log.len)=8\n"
      "OFFSET(printk_log.text_len)=10\n");
  ASSERT_TRUE(info);
  auto l = printk_log_layout(*info);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->dict_len, 12u);
  EXPECT_EQ(l->facility, 14u);
  EXPECT_EQ(l->flags_level, 15u);
  EXPECT_FALSE(l->caller_id);
  EXPECT_FALSE(l->old_name);
}

TEST(PrintkLogDecoder, LayoutOffsetsOutsideTheHeaderAreFormatErrors) {
  auto info = VmcoreInfo::parse(
      "SIZE(log)=16\nOFFSET(log.ts_nsec)=0\nOFFSET(log.len)=8\nOFFSET(log.text_len)=10\n"
      "OFFSET(log.caller_id)=16\n");
  ASSERT_TRUE(info);
  auto l = printk_log_layout(*info);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().kind, ErrorKind::Format);
}

}  // namespace
}  // namespace vmcap::testing
