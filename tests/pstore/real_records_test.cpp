// Records real kernels wrote in QEMU (scripts/make-pstore-records.sh: one folder per run in
// build/pstore-records, holding the files of /sys/fs/pstore with their mtimes and kmsg.txt,
// the guest's /dev/kmsg read just before the panic). Each dump's text, mapped to message
// lines, must be a run of kmsg.txt's messages between its breaks, in order; its newest lines
// may go past kmsg.txt's end (the panic itself came after kmsg.txt was read).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "pstore/records/dump_assembly.h"
#include "pstore/records/log_facts.h"
#include "pstore/records/log_line.h"

namespace vmcap::pstore {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

// /dev/kmsg escapes bytes below ' ', from 127, and '\' as \xNN (printk.c msg_add_ext_text).
std::string unescape_kmsg(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && hex(s[i + 2]) >= 0 && hex(s[i + 3]) >= 0) {
      out += static_cast<char>(hex(s[i + 2]) * 16 + hex(s[i + 3]));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// kmsg.txt's messages, one per line: "PRI,SEQ,USEC,FLAGS[,...];message" (continuation lines
// " KEY=VALUE" skipped, a message's own newlines making lines as pstore's text has them).
// A line in another form (dmesg -r: "<6>[ 1.0] msg") is mapped like pstore's.
std::vector<std::string> kmsg_messages(std::string_view kmsg) {
  std::vector<std::string> out;
  for (const std::string& line : split_lines(kmsg)) {
    if (line.empty() || line[0] == ' ') continue;
    const size_t semi = line.find(';');
    const size_t comma = line.find(',');
    if (semi != std::string::npos && comma != std::string::npos && comma < semi && line[0] >= '0' && line[0] <= '9') {
      for (std::string& m : split_lines(unescape_kmsg(std::string_view(line).substr(semi + 1)))) out.push_back(std::move(m));
      if (line.size() == semi + 1) out.emplace_back();  // an empty message
    } else {
      out.emplace_back(printk_line_message(line));
    }
  }
  return out;
}

// Matches `piece` (message lines; the first and last may be partial) against kmsg from `from`.
// Returns where the run ends in kmsg, or npos. Lines past kmsg's end are allowed when
// `may_run_past` (the newest piece).
size_t match_piece(const std::vector<std::string>& piece, bool first_partial, bool last_partial,
                   const std::vector<std::string>& kmsg, size_t from, bool may_run_past, std::string& why) {
  const size_t begin_full = first_partial ? 1 : 0;
  const size_t end_full = piece.size() - (last_partial && piece.size() > begin_full ? 1 : 0);
  if (begin_full >= end_full) return from;  // nothing whole to place
  for (size_t start = from; start < kmsg.size(); ++start) {
    if (kmsg[start] != piece[begin_full]) continue;
    size_t k = start, i = begin_full;
    while (i < end_full && k < kmsg.size() && kmsg[k] == piece[i]) ++i, ++k;
    const bool whole = i == end_full || (k == kmsg.size() && may_run_past);
    if (!whole) continue;
    if (first_partial && start > 0) {
      const std::string& p = piece[0];
      const std::string& m = kmsg[start - 1];
      if (!m.ends_with(p) && !p.ends_with(m)) {
        why = "the partial first line " + p + " is not the end of " + m;
        return std::string::npos;
      }
    }
    if (last_partial && k < kmsg.size() && i == end_full) {
      const std::string& p = piece.back();
      if (!kmsg[k].starts_with(p)) {
        why = "the partial last line " + p + " is not the start of " + kmsg[k];
        return std::string::npos;
      }
    }
    return k;
  }
  why = "no run of kmsg.txt from message " + std::to_string(from) + " holds the piece starting " + piece[begin_full];
  return std::string::npos;
}

void check_dump(const DmesgDump& d, const std::vector<std::string>& kmsg) {
  EXPECT_TRUE(d.kept.empty()) << d.kept.size() << " records not read, the first: " << d.kept.front().file << ": "
                              << d.kept.front().why;
  EXPECT_TRUE(d.gaps.empty()) << d.gaps.size() << " gaps, the first parts " << d.gaps.front().first << "-"
                              << d.gaps.front().last;
  EXPECT_TRUE(d.duplicates.empty());
  ASSERT_TRUE(d.cause);
  ASSERT_FALSE(d.text.empty());
  if (d.cause->reason == DumpReason::Panic) EXPECT_TRUE(read_log_facts(d.text).panic_line);

  std::vector<size_t> cuts{0};
  std::vector<TextBreak::Why> why_at{TextBreak::Why::MissingParts};  // the start: nothing partial
  for (const TextBreak& b : d.breaks) {
    cuts.push_back(b.offset);
    why_at.push_back(b.why);
  }
  cuts.push_back(d.text.size());
  size_t from = 0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    std::string_view piece_text = std::string_view(d.text).substr(cuts[i], cuts[i + 1] - cuts[i]);
    if (!piece_text.empty() && piece_text.front() == '\n' && why_at[i] == TextBreak::Why::EndsMidLine)
      piece_text.remove_prefix(1);  // the newline added after a part cut at its end
    std::vector<std::string> piece;
    for (const std::string& line : split_lines(piece_text)) piece.emplace_back(printk_line_message(line));
    if (piece.empty()) continue;
    const bool first_partial = why_at[i] == TextBreak::Why::StartsMidLine;
    const bool last_partial = i + 1 < why_at.size() && why_at[i + 1] == TextBreak::Why::EndsMidLine;
    std::string why;
    const size_t end = match_piece(piece, first_partial, last_partial, kmsg, from, i + 2 == cuts.size(), why);
    ASSERT_NE(end, std::string::npos) << "piece " << i << " of " << cuts.size() - 1 << ": " << why;
    from = end;
  }
}

std::vector<RecordFile> read_records(const fs::path& folder) {
  std::vector<RecordFile> records;
  for (const auto& e : fs::directory_iterator(folder)) {
    if (!e.is_regular_file() || e.path().filename() == "kmsg.txt") continue;
    const auto mtime = std::chrono::time_point_cast<std::chrono::system_clock::duration>(
        std::chrono::file_clock::to_sys(e.last_write_time()));
    records.push_back(RecordFile{e.path().filename().string(), mtime, read_file(e.path())});
  }
  return records;
}

std::string summary(const fs::path& folder, size_t files, const DmesgAssembly& a) {
  std::ostringstream s;
  s << folder.string() << ": " << files << " files, " << a.dumps.size() << " dumps";
  for (const DmesgDump& d : a.dumps)
    s << " [" << d.backend << " " << (d.cause ? d.cause->reason_text : "?") << " parts " << d.highest_part << " "
      << d.text.size() << " bytes, " << d.breaks.size() << " breaks, " << d.inflated_files.size()
      << " inflated by vmcap]";
  return s.str();
}

// Each run folder holds the records and kmsg.txt; a subfolder (nodecomp/: the same records
// read back by a kernel booted with pstore.compress=none, so the compressed ones are
// .enc.z) is checked against the same kmsg.txt, and its dumps must be the run's, byte for byte.
TEST(RealPstoreRecords, DumpsAreRunsOfTheKernelsOwnLog) {
  const fs::path root = VMCAP_PSTORE_RECORDS_DIR;
  if (!fs::is_directory(root))
    GTEST_SKIP() << root << " does not exist: scripts/make-pstore-records.sh makes it (records of real kernels in QEMU)";
  std::vector<fs::path> runs;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory() && fs::is_regular_file(e.path() / "kmsg.txt")) runs.push_back(e.path());
  std::sort(runs.begin(), runs.end());
  if (runs.empty()) GTEST_SKIP() << root << " holds no run folder with a kmsg.txt yet";

  size_t dumps = 0, inflated = 0;
  for (const fs::path& run : runs) {
    SCOPED_TRACE(run.string());
    const std::vector<std::string> kmsg = kmsg_messages(read_file(run / "kmsg.txt"));
    const std::vector<RecordFile> records = read_records(run);
    const DmesgAssembly a = assemble_dmesg_dumps(records);
    std::cout << summary(run.filename(), records.size(), a) << "\n";
    for (const DmesgDump& d : a.dumps) {
      SCOPED_TRACE(d.record_files.front());
      check_dump(d, kmsg);
      ++dumps;
    }
    for (const auto& e : fs::directory_iterator(run)) {
      if (!e.is_directory()) continue;
      SCOPED_TRACE(e.path().string());
      const std::vector<RecordFile> sub_records = read_records(e.path());
      const DmesgAssembly sub = assemble_dmesg_dumps(sub_records);
      if (sub.dumps.empty()) continue;
      std::cout << summary(run.filename() / e.path().filename(), sub_records.size(), sub) << "\n";
      ASSERT_EQ(sub.dumps.size(), a.dumps.size());
      for (size_t i = 0; i < sub.dumps.size(); ++i) {
        check_dump(sub.dumps[i], kmsg);
        EXPECT_EQ(sub.dumps[i].text, a.dumps[i].text) << "dump " << i;
        inflated += sub.dumps[i].inflated_files.size();
        ++dumps;
      }
    }
  }
  EXPECT_GT(dumps, 0u) << "no dump in any run of " << root;
  std::cout << dumps << " dumps checked, " << inflated << " .enc.z records inflated by vmcap\n";
}

}  // namespace
}  // namespace vmcap::pstore
