// Generation-3 kernel log (before 3.5, one character ring): the decoder against a
// kernel-like writer, and against kexec-tools' vmcore-dmesg on the same memory as an ELF
// vmcore.
#include "capture/printk/char_ring_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "capture/printk/printk_log_decoder.h"
#include "tests/printk/printk_log_fixture.h"

namespace vmcap::testing {
namespace {

// printk before 3.5: every character goes to log_buf[log_end & (len - 1)], log_end++.
class CharRingWriter {
 public:
  // log_end_width 8: unsigned long (2.6.24 and older); 4: unsigned (2.6.25 and later), with
  // a nonzero variable right after it so that an 8-byte read would see garbage.
  CharRingWriter(SyntheticKernel& k, uint32_t len, unsigned log_end_width)
      : k_(k), len_(len), width_(log_end_width) {
    log_buf_var_ = k.add_variable(8);
    log_buf_len_var_ = k.add_variable(4);
    log_end_var_ = k.add_variable(8);
    logged_chars_var_ = k.add_variable(8);
    buf_ = k.add_buffer(len);
    k.put_u64(log_buf_var_, buf_);
    k.put_u32(log_buf_len_var_, len);
    if (width_ == 4) k.put_u32(log_end_var_ + 4, 0xfffffff0u);  // con_start's neighbour
    sync();
  }

  void write(std::string_view s) {
    for (char c : s) {
      k_.bytes(buf_ + (log_end_ % len_), 1)[0] = std::byte(static_cast<uint8_t>(c));
      ++log_end_;
      written_.push_back(c);
    }
    sync();
  }
  // One printk line with CONFIG_PRINTK_TIME: "<N>[%5lu.%06lu] text\n".
  void line(unsigned level, uint64_t ts_nsec, std::string_view text) {
    write(fmt::format("<{}>[{:5}.{:06}] {}\n", level, ts_nsec / 1000000000u,
                      ts_nsec % 1000000000u / 1000u, text));
  }
  // Store log_end as the kernel's variable holds it (possibly with high bits set).
  void set_log_end_raw(uint64_t v) {
    if (width_ == 8)
      k_.put_u64(log_end_var_, v);
    else
      k_.put_u32(log_end_var_, static_cast<uint32_t>(v));
  }
  void sync() {
    set_log_end_raw(log_end_);
    k_.put_u32(logged_chars_var_, static_cast<uint32_t>(std::min<uint64_t>(log_end_, len_)));
  }

  std::string vmcoreinfo_extra() const {
    return fmt::format("SYMBOL(log_buf)={:x}\nSYMBOL(log_end)={:x}\nSYMBOL(log_buf_len)={:x}\n"
                       "SYMBOL(logged_chars)={:x}\n",
                       log_buf_var_, log_end_var_, log_buf_len_var_, logged_chars_var_);
  }
  // The characters the ring still holds, oldest first.
  std::string kept() const {
    const uint64_t n = std::min<uint64_t>(written_.size(), len_);
    return written_.substr(written_.size() - n);
  }
  uint64_t buf() const { return buf_; }
  uint64_t log_end() const { return log_end_; }
  uint64_t log_buf_len_var() const { return log_buf_len_var_; }

 private:
  SyntheticKernel& k_;
  uint32_t len_;
  unsigned width_;
  uint64_t log_buf_var_, log_buf_len_var_, log_end_var_, logged_chars_var_, buf_;
  uint64_t log_end_ = 0;
  std::string written_;
};

std::string joined(const std::vector<LogRecord>& rs) {
  std::string s;
  for (const auto& r : rs) s += char_ring_line(r);
  return s;
}

struct Decoded {
  Result<void> result = ok();
  CollectingSink sink;
};

Decoded decode(const SyntheticKernel& k, const std::string& info_text,
               const CharRingOptions& options = {}) {
  Decoded d;
  auto info = VmcoreInfo::parse(info_text);
  if (!info) {
    d.result = info.error();
    return d;
  }
  const PageMapMemory mem = k.memory();
  d.result = decode_char_ring(*info, mem, d.sink, options);
  return d;
}

void check_against_oracle(const SyntheticKernel& k, const std::string& info_text,
                          const std::vector<LogRecord>& ours) {
  ASSERT_FALSE(vmcore_dmesg_path().empty())
      << "vmcore-dmesg (kexec-tools) was not found at configure time: install kexec-tools "
         "and reconfigure; the oracle comparison cannot be skipped";
  const std::string path = temp_path("char_ring");
  k.write_vmcore(path, info_text);
  // The same file through vmcap's ELF reader and x86_64 translation gives the same records.
  CollectingSink from_file;
  const auto r = decode_vmcore_file(path, &decode_char_ring, from_file);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(from_file.records.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(from_file.records[i].text, ours[i].text);
    EXPECT_EQ(from_file.records[i].ts_nsec, ours[i].ts_nsec);
    EXPECT_EQ(from_file.records[i].seq, ours[i].seq);
  }
  const OracleResult o = run_vmcore_dmesg(path);
  ASSERT_EQ(o.exit_code, 0) << "vmcore-dmesg failed on " << path;
  EXPECT_EQ(joined(ours), o.out);
  if (joined(ours) == o.out) std::remove(path.c_str());
}

std::string boot_text(unsigned i) {
  switch (i % 5) {
    case 0: return fmt::format("Linux version 2.6.32-5-amd64 step {}", i);
    case 1: return fmt::format("ACPI: RSDP 00000000000f{:04x} 00014 (v00 BOCHS )", i);
    case 2: return "odd bytes: tab\t bell\a esc\x1b del\x7f high \xc3\xa9";
    case 3: return fmt::format("eth{}: link up, 1000Mbps, full-duplex", i % 4);
    default: return "";
  }
}

TEST(CharRingDecoder, NotWrapped) {
  SyntheticKernel k;
  CharRingWriter w(k, 16384, 4);
  for (unsigned i = 0; i < 60; ++i) w.line(i % 8, 1000000ull * i + 1500ull * i * i, boot_text(i));
  const std::string info = k.vmcoreinfo("2.6.32-5-amd64", w.vmcoreinfo_extra());
  Decoded d = decode(k, info);
  ASSERT_TRUE(d.result) << d.result.error().message();
  EXPECT_TRUE(d.sink.warnings.empty());
  ASSERT_EQ(d.sink.records.size(), 60u);
  for (unsigned i = 0; i < 60; ++i) {
    const LogRecord& r = d.sink.records[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(r.seq, i);
    EXPECT_TRUE(r.level_known);
    EXPECT_EQ(r.level, i % 8);
    EXPECT_EQ(r.ts_nsec, (1000000ull * i + 1500ull * i * i) / 1000 * 1000);
    EXPECT_TRUE(r.text.starts_with("["));
    EXPECT_TRUE(r.text.ends_with("] " + boot_text(i)));
    EXPECT_EQ(r.flags, 2);  // LOG_NEWLINE
  }
  EXPECT_EQ(joined(d.sink.records), w.kept());
  check_against_oracle(k, info, d.sink.records);
}

TEST(CharRingDecoder, WrappedManyTimes) {
  SyntheticKernel k;
  CharRingWriter w(k, 4096, 4);
  for (unsigned i = 0; i < 700; ++i) w.line(6, 1000000ull * i, boot_text(i));
  const std::string info = k.vmcoreinfo("3.2.0-4-amd64", w.vmcoreinfo_extra());
  Decoded d = decode(k, info);
  ASSERT_TRUE(d.result);
  EXPECT_EQ(joined(d.sink.records), w.kept());
  ASSERT_GT(d.sink.records.size(), 10u);
  // The newest lines are complete.
  EXPECT_TRUE(d.sink.records.back().level_known);
  EXPECT_EQ(d.sink.records.back().ts_nsec, 699000000u);
  ASSERT_EQ(d.sink.warnings.size(), 1u);  // the oldest line may be cut
  check_against_oracle(k, info, d.sink.records);
}

TEST(CharRingDecoder, LogEndUnsignedLong2624) {
  SyntheticKernel k;
  CharRingWriter w(k, 8192, 8);
  for (unsigned i = 0; i < 300; ++i) w.line(i % 8, 2000000ull * i, boot_text(i));
  const std::string info = k.vmcoreinfo("2.6.24-1-amd64", w.vmcoreinfo_extra());
  Decoded d = decode(k, info);
  ASSERT_TRUE(d.result);
  EXPECT_EQ(joined(d.sink.records), w.kept());
  check_against_oracle(k, info, d.sink.records);
}

TEST(CharRingDecoder, LogEndUnsignedLongAbove4GiB) {
  // After 4 GiB of text a 2.6.24 log_end needs all 8 bytes: the low half alone says almost
  // nothing was logged (vmcore-dmesg, which reads 4 bytes, prints only that little).
  SyntheticKernel k;
  CharRingWriter w(k, 4096, 8);
  for (unsigned i = 0; i < 200; ++i) w.line(5, 1000000ull * i, boot_text(i));
  const std::string kept = w.kept();
  ASSERT_GT(w.log_end(), 4096u);
  w.set_log_end_raw((1ull << 32) + 2u * 4096u + (w.log_end() % 4096));
  // Same ring position as the true log_end (the length divides 2^32), but more than a ring
  // of text: the whole ring is kept.
  Decoded d = decode(k, k.vmcoreinfo("2.6.24", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  EXPECT_EQ(joined(d.sink.records), kept);
}

TEST(CharRingDecoder, LogEndUnsignedWithGarbageNeighbour) {
  SyntheticKernel k;
  CharRingWriter w(k, 8192, 4);
  for (unsigned i = 0; i < 40; ++i) w.line(4, 3000000ull * i, boot_text(i));
  const std::string info = k.vmcoreinfo("2.6.32-431.el6.x86_64", w.vmcoreinfo_extra());
  Decoded d = decode(k, info);
  ASSERT_TRUE(d.result);
  EXPECT_EQ(joined(d.sink.records), w.kept());
  EXPECT_EQ(d.sink.records.size(), 40u);
  check_against_oracle(k, info, d.sink.records);
}

TEST(CharRingDecoder, PartialLastLineLinesWithoutPrefixAndNulBytes) {
  SyntheticKernel k;
  CharRingWriter w(k, 4096, 4);
  w.line(6, 1000, "first");
  w.write("no prefix on this line\n");
  w.write(std::string("<3>with a NUL \0 inside\n", 23));
  w.write("<7>[    1.000000] unfinished");
  const std::string info = k.vmcoreinfo("3.4.0", w.vmcoreinfo_extra());
  Decoded d = decode(k, info);
  ASSERT_TRUE(d.result);
  ASSERT_EQ(d.sink.records.size(), 4u);
  EXPECT_FALSE(d.sink.records[1].level_known);
  EXPECT_EQ(d.sink.records[1].text, "no prefix on this line");
  EXPECT_EQ(d.sink.records[2].level, 3);
  EXPECT_EQ(d.sink.records[2].text, std::string("with a NUL \0 inside", 19));
  EXPECT_EQ(d.sink.records[3].flags, 0);  // no newline yet
  EXPECT_EQ(d.sink.records[3].ts_nsec, 1000000000u);
  EXPECT_EQ(joined(d.sink.records), w.kept());
  check_against_oracle(k, info, d.sink.records);
}

TEST(CharRingDecoder, LengthNotAPowerOfTwoUsesModulo) {
  SyntheticKernel k;
  CharRingWriter w(k, 5000, 4);
  for (unsigned i = 0; i < 300; ++i) w.line(6, 1000000ull * i, boot_text(i));
  const std::string info = k.vmcoreinfo("3.0.0", w.vmcoreinfo_extra());
  Decoded d = decode(k, info);
  ASSERT_TRUE(d.result);
  EXPECT_EQ(joined(d.sink.records), w.kept());
  EXPECT_GE(d.sink.warnings.size(), 1u);
  check_against_oracle(k, info, d.sink.records);
}

TEST(CharRingDecoder, PageMissingFromDump) {
  SyntheticKernel k;
  CharRingWriter w(k, 16384, 4);
  for (unsigned i = 0; i < 400; ++i) w.line(6, 1000000ull * i, boot_text(i));
  k.drop_page(w.buf() + 8192);
  Decoded d = decode(k, k.vmcoreinfo("3.0.0", w.vmcoreinfo_extra()));
  ASSERT_TRUE(d.result);
  EXPECT_FALSE(d.sink.warnings.empty());
  // Every line that came out is a line that was written, and lines from both sides of the
  // hole survive.
  const std::string kept = w.kept();
  ASSERT_GT(d.sink.records.size(), 100u);
  for (const auto& r : d.sink.records)
    EXPECT_NE(kept.find(char_ring_line(r)), std::string::npos) << r.text;
  EXPECT_LT(joined(d.sink.records).size(), kept.size());
}

// A ring of `len` bytes (not wrapped, almost full) with every other page after the first
// missing from the dump: each hole (read as zeros, so no newline in it) costs the one line
// around it.
struct HoleyRing {
  SyntheticKernel k;
  CharRingWriter w;
  std::string intact;      // the lines that lie wholly in pages the dump has, joined
  uint64_t holes = 0, lines = 0, lost_lines = 0;

  explicit HoleyRing(uint32_t len) : w(k, len, 4) {
    for (unsigned i = 0; w.log_end() + 120 < len; ++i) w.line(6, 1000000ull * i, boot_text(i));
    for (uint64_t page = 1; page < len / 4096; page += 2, ++holes)
      k.drop_page(w.buf() + page * 4096);
    // The ring as the dump shows it (not wrapped: ring offset = text offset), holes zeroed.
    std::string seen = w.kept();
    for (size_t b = 4096; b < seen.size(); b += 2 * 4096)
      std::fill_n(seen.begin() + static_cast<std::ptrdiff_t>(b),
                  std::min<size_t>(4096, seen.size() - b), '\0');
    for (size_t p = 0; p < seen.size();) {
      const size_t nl = seen.find('\n', p);
      const size_t end = nl == std::string::npos ? seen.size() : nl + 1;
      ++lines;
      if ((p / 4096) % 2 == 1 || ((end - 1) / 4096) % 2 == 1 || end / 4096 > p / 4096 + 1)
        ++lost_lines;
      else
        intact += seen.substr(p, end - p);
      p = end;
    }
  }
  std::string info() const { return k.vmcoreinfo("3.0.0", w.vmcoreinfo_extra()); }
};

bool hole_warning(const std::string& w) {
  return w.find("is not in the dump; lines there are lost") != std::string::npos;
}
bool line_warning(const std::string& w) {
  return w == "a line of the ring lies partly in a page the dump lacks; skipped";
}

TEST(CharRingDecoder, ManyLinesInHolesWarnAtMostCapThenOneSummary) {
  HoleyRing r(1u << 20);  // 128 holes
  ASSERT_EQ(r.holes, 128u);
  ASSERT_EQ(r.lost_lines, 128u);  // one line around each hole
  Decoded d = decode(r.k, r.info());  // default options: a cap of 100
  ASSERT_TRUE(d.result);
  // The cap only drops warnings: every line in the pages the dump has comes out.
  EXPECT_EQ(joined(d.sink.records), r.intact);
  ASSERT_FALSE(d.sink.records.empty());
  EXPECT_EQ(d.sink.records.size(), r.lines - r.lost_lines);
  // The holes themselves (the buffer as a whole) are all reported; lines lost, 100 of them.
  ASSERT_EQ(d.sink.warnings.size(), r.holes + 100 + 1);
  for (size_t i = 0; i < r.holes; ++i) EXPECT_TRUE(hole_warning(d.sink.warnings[i])) << i;
  for (size_t i = r.holes; i < r.holes + 100; ++i)
    EXPECT_TRUE(line_warning(d.sink.warnings[i])) << d.sink.warnings[i];
  EXPECT_EQ(d.sink.warnings.back(),
            fmt::format("printk character ring: {} more warnings not shown",
                        r.lost_lines - 100));
}

TEST(CharRingDecoder, LineWarningCapIsConfigurable) {
  HoleyRing r(1u << 16);  // 8 holes
  ASSERT_EQ(r.lost_lines, 8u);
  for (uint64_t cap : {uint64_t{0}, uint64_t{5}, uint64_t{8}, uint64_t{UINT64_MAX}}) {
    SCOPED_TRACE(cap);
    Decoded d = decode(r.k, r.info(), {.max_record_warnings = cap});
    ASSERT_TRUE(d.result);
    EXPECT_EQ(joined(d.sink.records), r.intact);
    const uint64_t shown = std::min<uint64_t>(cap, r.lost_lines);
    const bool summary = cap < r.lost_lines;
    ASSERT_EQ(d.sink.warnings.size(), r.holes + shown + (summary ? 1 : 0));
    EXPECT_EQ(static_cast<uint64_t>(std::count_if(d.sink.warnings.begin(),
                                                  d.sink.warnings.end(), line_warning)),
              shown);
    if (summary)
      EXPECT_EQ(d.sink.warnings.back(),
                fmt::format("printk character ring: {} more warnings not shown",
                            r.lost_lines - cap));
  }
}

TEST(CharRingDecoder, BadLengths) {
  for (int32_t bad : {0, -4096, 0x7fffffff}) {
    SCOPED_TRACE(bad);
    SyntheticKernel k;
    CharRingWriter w(k, 4096, 4);
    w.line(6, 0, "x");
    k.put_u32(w.log_buf_len_var(), static_cast<uint32_t>(bad));
    Decoded d = decode(k, k.vmcoreinfo("3.0.0", w.vmcoreinfo_extra()));
    ASSERT_FALSE(d.result);
    EXPECT_EQ(d.result.error().kind, bad > 0 ? ErrorKind::Limit : ErrorKind::Format);
  }
}

TEST(CharRingDecoder, LogEndWidthFromOsrelease) {
  auto width = [](const char* text) {
    auto info = VmcoreInfo::parse(text);
    EXPECT_TRUE(info);
    return char_ring_log_end_width(*info);
  };
  EXPECT_EQ(width("OSRELEASE=2.6.24\n"), 8u);
  EXPECT_EQ(width("OSRELEASE=2.6.24.7-desktop-1mnb\n"), 8u);
  EXPECT_EQ(width("OSRELEASE=2.6.18-8.el5\n"), 8u);
  EXPECT_EQ(width("OSRELEASE=2.6.25\n"), 4u);
  EXPECT_EQ(width("OSRELEASE=2.6.32-5-amd64\n"), 4u);
  EXPECT_EQ(width("OSRELEASE=3.4.0\n"), 4u);
  EXPECT_EQ(width("PAGESIZE=4096\n"), 4u);
}

TEST(CharRingDecoder, MissingLogEndIsMissing) {
  SyntheticKernel k;
  CharRingWriter w(k, 4096, 4);
  std::string extra = w.vmcoreinfo_extra();
  const auto cut = extra.find("SYMBOL(log_end)");
  extra.erase(cut, extra.find('\n', cut) - cut + 1);
  Decoded d = decode(k, k.vmcoreinfo("3.0.0", extra));
  ASSERT_FALSE(d.result);
  EXPECT_EQ(d.result.error().kind, ErrorKind::Missing);
}

}  // namespace
}  // namespace vmcap::testing
