// vmcap report's pieces (report/): grouping with memory bounded by the groups, --since,
// text made safe for terminals and pages, the three formats, and reading a real file
// destination whose index holds garbage, truncated, huge and misplaced entries and keys
// not ours, and readers whose listing never ends, repeats itself or fails once.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "capture/upload/file_reader.h"
#include "index/index_layout.h"
#include "report/crash_report.h"
#include "report/log_tail_fetch.h"
#include "report/report_formats.h"
#include "report/safe_text.h"
#include "report/since_time.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"

namespace vmcap::report {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int64_t kDec1 = 1796083200;  // 2026-12-01T00:00:00Z

std::string directory(const std::string& host, int64_t t, int n) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x", n);
  std::string iso = utc_iso(t);  // 2026-12-01T00:00:00Z
  std::string compact;
  for (char c : iso)
    if (c != '-' && c != ':') compact += c;
  return host + "-" + compact + "-" + hex;
}

index::IndexEntry entry(const std::string& hash, const std::string& host, int64_t t, int n, bool core = true) {
  index::IndexEntry e;
  e.directory = directory(host, t, n);
  e.destination = "out";
  e.source = "vmcore";
  e.complete = true;
  e.crash_time = t;
  e.host = host;
  e.kernel_release = "6.1.0-" + std::to_string(n % 3) + "-amd64";
  e.hash = hash;
  if (!hash.empty()) {
    e.reason = "Kernel panic - not syncing: bug " + hash.substr(0, 4);
    e.frames = {"sysrq_handle_crash", "__handle_sysrq"};
  }
  e.core_kept = core;
  e.core_name = core ? "vmcore.flat" : "";
  e.log_tail = {"[    1.0] line of " + e.directory};
  return e;
}

const std::string kHashA = "d3c3c3b6db57c97c", kHashB = "0123456789abcdef";

TEST(CrashGroups, MemoryIsBoundedByGroupsNotEntries) {
  CrashGroups groups;
  for (int i = 0; i < 5000; ++i) groups.add(entry(i % 2 ? kHashA : kHashB, "host-" + std::to_string(i % 100), kDec1 + i, i, i < 40));
  ASSERT_EQ(groups.size(), 2u);
  const CrashGroup& a = *groups.sorted()[0];
  EXPECT_EQ(a.count, 2500u);
  EXPECT_EQ(a.hosts.listed.size(), kListed);
  uint64_t listed = 0;
  for (const auto& h : a.hosts.listed) listed += h.count;
  EXPECT_EQ(listed + a.hosts.others, 2500u);
  EXPECT_EQ(a.kernels.listed.size(), 3u);
  EXPECT_EQ(a.kernels.others, 0u);
  EXPECT_EQ(a.cores_kept, 20u);
  ASSERT_EQ(a.core_captures.size(), kListed);
  EXPECT_LT(a.core_captures.front().time, a.core_captures.back().time);  // the oldest, oldest first
  ASSERT_EQ(a.latest_captures.size(), kListed);
  EXPECT_EQ(a.latest_captures.front().time, a.last_seen);  // the newest first
  EXPECT_EQ(a.last_seen - a.first_seen, 4998);
  EXPECT_EQ(a.log_tail_directory, a.latest_captures.front().directory);
}

TEST(CrashGroups, SinceCountsOlderEntriesWithoutGroupingThem) {
  CrashGroups groups(kDec1 + 10);
  for (int i = 0; i < 20; ++i) groups.add(entry(kHashA, "h", kDec1 + i, i));
  EXPECT_EQ(groups.grouped(), 10u);
  EXPECT_EQ(groups.before_since(), 10u);
  // Without a crash time, the time in the directory's name.
  auto e = entry(kHashB, "h", kDec1 + 100, 7);
  e.crash_time.reset();
  groups.add(e);
  EXPECT_EQ(groups.sorted().back()->first_seen, kDec1 + 100);
}

TEST(SinceTime, DatesTimesAndAges) {
  const int64_t now = kDec1 + 86400 * 6;
  EXPECT_EQ(*parse_since("2026-12-01", now), kDec1);
  EXPECT_EQ(*parse_since("2026-12-01T08:30:00Z", now), kDec1 + 8 * 3600 + 1800);
  EXPECT_EQ(*parse_since("2026-12-01 08:30", now), kDec1 + 8 * 3600 + 1800);
  EXPECT_EQ(*parse_since("7d", now), now - 7 * 86400);
  EXPECT_EQ(*parse_since("12h", now), now - 12 * 3600);
  EXPECT_EQ(*parse_since("2w", now), now - 14 * 86400);
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-12-01T25:00", "7", "d", "-3d", "2026-12-01X", "99999999999d"})
    EXPECT_FALSE(parse_since(bad, now)) << bad;
  EXPECT_EQ(utc_iso(kDec1), "2026-12-01T00:00:00Z");
}

TEST(SafeText, TerminalsPagesAndUtf8) {
  EXPECT_EQ(terminal_safe("a\x1b[31mred\r\n\x7f"), "a?[31mred???");
  EXPECT_EQ(terminal_safe("\xc2\x9b" "2J"), "?2J");  // C1 CSI
  EXPECT_EQ(valid_utf8("ok \xff\xc3"), "ok \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(html_escape("<a href='x'>\"&</a>"), "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&lt;/a&gt;");
}

CrashReport hostile_report() {
  CrashReport r(std::nullopt);
  r.destination = "out (file /tmp/<b>)";
  auto e = entry(kHashA, "web-01", kDec1, 1);
  e.reason = "<script>alert(1)</script>";
  e.symbol = "\"><img src=x onerror=alert(2)>";
  e.frames = {"</code><iframe src=//evil>"};
  e.destination = "<svg onload=alert(3)>";
  e.kernel_release = "6.1 \x1b]0;owned\x07";
  e.log_tail = {"</pre><script>alert(4)</script>", "\xff\xfe"};
  r.groups.add(e);
  return r;
}

TEST(ReportFormats, HostileEntriesAreEscapedInEveryFormat) {
  CrashReport r = hostile_report();
  const std::string html = render_html(r);
  for (const char* tag : {"<script", "<img", "<iframe", "<svg"}) EXPECT_EQ(html.find(tag), std::string::npos) << tag;
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(valid_utf8(html), html);
  const std::string text = render_text(r);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  json j = json::parse(render_json(r));  // valid JSON, the bytes replaced
  EXPECT_EQ(j["groups"][0]["reason"], "<script>alert(1)</script>");
  EXPECT_EQ(j["groups"][0]["log_tail"]["lines"][1], "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(ReportFormats, JsonSchemaAndSummary) {
  CrashReport r(kDec1 + 1);
  r.destination = "out";
  for (int i = 0; i < 6; ++i) r.groups.add(entry(i < 4 ? kHashA : "", "h" + std::to_string(i % 2), kDec1 + i, i, i == 1));
  r.counts.keys = 9;
  r.counts.entries = 6;
  r.counts.not_ours = 2;
  r.counts.bad = 1;
  json j = json::parse(render_json(r));
  EXPECT_EQ(j["schema"], "vmcap-report/1");
  EXPECT_EQ(j["summary"]["entries"], 5);
  EXPECT_EQ(j["summary"]["before_since"], 1);
  EXPECT_EQ(j["summary"]["groups"], 2);
  EXPECT_EQ(j["summary"]["not_ours"], 2);
  EXPECT_EQ(j["summary"]["complete"], true);
  EXPECT_EQ(j["summary"]["line"],
            "5 entries in 2 groups since 2026-12-01T00:00:01Z (1 older); skipped: 2 keys not ours, 1 bad entry, 0 unreadable");
  ASSERT_EQ(j["groups"].size(), 2u);
  EXPECT_EQ(j["groups"][0]["signature"], kHashA);
  EXPECT_EQ(j["groups"][0]["count"], 3);
  EXPECT_EQ(j["groups"][0]["cores_kept"], 1);
  EXPECT_EQ(j["groups"][0]["hosts"]["listed"].size(), 2u);
  EXPECT_EQ(j["groups"][0]["first_seen"]["utc"], "2026-12-01T00:00:01Z");
  EXPECT_EQ(j["groups"][1]["signature"], "unknown");
  EXPECT_EQ(j["groups"][1]["reason"], "");
  const std::string text = render_text(r);
  EXPECT_NE(text.find(kHashA + "  3 crashes"), std::string::npos) << text;
  EXPECT_NE(text.find("(no crash signature)"), std::string::npos) << text;
}

void raw(const testing::TempDir& d, const std::string& key, const std::string& bytes) {
  fs::create_directories(fs::path(d.file(key)).parent_path());
  testing::write_file(d.file(key), bytes);
}

TEST(ReadCrashReport, BadInputOnAFileDestinationIsCountedAndSkipped) {
  testing::TempDir d;
  for (int i = 0; i < 30; ++i) {
    auto e = entry(i % 3 == 0 ? "" : i % 3 == 1 ? kHashA : kHashB, "web-" + std::to_string(i % 4), kDec1 + i * 60, i, i < 10);
    raw(d, index::index_key(e.hash, e.directory), index::render_index_entry(e));
  }
  const std::string good = index::render_index_entry(entry(kHashA, "x", kDec1, 999));
  raw(d, "index/" + kHashA + "/" + directory("g", kDec1, 1001) + ".json", "\x00\x01garbage{{{");
  raw(d, "index/" + kHashA + "/" + directory("t", kDec1, 1002) + ".json", good.substr(0, good.size() / 2));
  raw(d, "index/" + kHashA + "/" + directory("h", kDec1, 1003) + ".json", "{\"pad\": \"" + std::string(200 << 10, 'x') + "\"}");
  raw(d, "index/" + kHashB + "/" + directory("x", kDec1, 999) + ".json", good);  // another signature's folder
  raw(d, "index/README", "not ours");
  raw(d, "index/" + kHashA + "/deeper/x.json", "{}");
  upload::FileReader reader("out", d.path());
  CrashReport r = read_crash_report(reader, {});
  EXPECT_TRUE(r.complete()) << r.stopped;
  EXPECT_EQ(r.counts.keys, 36u);
  EXPECT_EQ(r.counts.entries, 30u);
  EXPECT_EQ(r.counts.not_ours, 2u);
  EXPECT_EQ(r.counts.bad, 4u);
  ASSERT_EQ(r.groups.size(), 3u);
  for (const CrashGroup* g : r.groups.sorted()) EXPECT_EQ(g->count, 10u) << g->signature;
  EXPECT_EQ(summary_line(r), "30 entries in 3 groups; skipped: 2 keys not ours, 4 bad entries, 0 unreadable");
}

TEST(LogTailFetch, AGroupWithoutALogTailGetsItsLatestCapturesDmesg) {
  testing::TempDir d;
  auto put = [&](index::IndexEntry e, const std::string& dmesg) {
    e.log_tail.clear();
    raw(d, index::index_key(e.hash, e.directory), index::render_index_entry(e));
    if (!dmesg.empty()) raw(d, e.directory + "/dmesg.txt", dmesg);
  };
  std::string log;
  for (int i = 0; i < 30; ++i) log += "[    " + std::to_string(i) + ".0] line " + std::to_string(i) + "\n";
  put(entry(kHashA, "a", kDec1, 1), "old log\n");
  put(entry(kHashA, "a", kDec1 + 60, 2), log);       // the latest of A: its log is fetched
  put(entry(kHashB, "b", kDec1, 3), std::string(kMaxFetchedLog + 1, 'x'));  // too large: not read
  upload::FileReader reader("out", d.path());
  CrashReport r = read_crash_report(reader, {});
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(fetch_log_tails(reader, r.groups), 1u);
  for (const CrashGroup* g : r.groups.sorted()) {
    if (g->signature == kHashA) {
      EXPECT_EQ(g->log_tail_source, "dmesg.txt");
      EXPECT_EQ(g->log_tail_directory, directory("a", kDec1 + 60, 2));
      ASSERT_EQ(g->log_tail.size(), index::kLogTailLines);
      EXPECT_EQ(g->log_tail.back(), "[    29.0] line 29");
    } else {
      EXPECT_TRUE(g->log_tail.empty());
      EXPECT_EQ(g->log_tail_source, "");
    }
  }
  EXPECT_NE(render_html(r).find("(from dmesg.txt)"), std::string::npos);
}

// A store that answers what a test tells it to.
class ScriptedReader : public upload::DestinationReader {
 public:
  enum Mode { Endless, Repeating, FailsOnce } mode;
  explicit ScriptedReader(Mode m) : mode(m) {}
  int lists = 0;
  std::string describe() const override { return "scripted"; }
  Result<upload::ListPage> list(const std::string&, const std::string& next, size_t max_keys,
                                const upload::Deadline&) override {
    ++lists;
    if (mode == FailsOnce && lists == 2) return make_error(ErrorKind::Io, "scripted", std::nullopt, "connection reset");
    upload::ListPage page;
    const int at = next.empty() ? 0 : std::stoi(next);
    for (size_t i = 0; i < max_keys; ++i) page.keys.push_back(key(at + int(i)));
    page.next = mode == Repeating && at >= 2000 ? next : std::to_string(at + int(max_keys));
    if (mode == FailsOnce && at >= 3000) page.next.clear();
    return page;
  }
  Result<std::string> get(const std::string& k, size_t, const upload::Deadline&) override {
    auto parsed = index::parse_index_key(k);
    const int n = std::stoi(parsed->directory.substr(parsed->directory.size() - 8), nullptr, 16);
    return index::render_index_entry(entry(parsed->signature, "h" + std::to_string(n % 7), kDec1 + n, n));
  }
  static std::string key(int n) {
    static const std::string hashes[] = {kHashA, kHashB};
    return index::index_key(hashes[n % 2], directory("h" + std::to_string(n % 7), kDec1 + n, n));
  }
};

TEST(ReadCrashReport, AListingThatNeverEndsIsCut) {
  ScriptedReader reader(ScriptedReader::Endless);
  ReadOptions o;
  o.max_keys = 5000;
  CrashReport r = read_crash_report(reader, o);
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(r.counts.keys, 5000u);
  EXPECT_EQ(r.groups.grouped(), 5000u);
  EXPECT_NE(summary_line(r).find("incomplete: the listing ran past 5000 keys"), std::string::npos) << summary_line(r);
}

TEST(ReadCrashReport, AListingThatRepeatsItsPositionIsStopped) {
  ScriptedReader reader(ScriptedReader::Repeating);
  CrashReport r = read_crash_report(reader, {});
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(r.groups.grouped(), 2000u);  // pages 0 and 1000; the page at 2000 that names 2000 again is refused
  EXPECT_NE(r.stopped.find("same position"), std::string::npos) << r.stopped;
  EXPECT_EQ(reader.lists, 4);  // tried once more
}

TEST(ReadCrashReport, AListingThatFailsOnceGoesOn) {
  ScriptedReader reader(ScriptedReader::FailsOnce);
  CrashReport r = read_crash_report(reader, {});
  EXPECT_TRUE(r.complete()) << r.stopped;
  EXPECT_EQ(r.groups.grouped(), 4000u);
  EXPECT_EQ(r.groups.size(), 2u);
}

}  // namespace
}  // namespace vmcap::report
