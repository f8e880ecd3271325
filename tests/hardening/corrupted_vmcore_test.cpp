// Real vmcores damaged the way crashed machines damage them (issue 7). Each test derives a
// small dump from a real one (derived_dump.h), damages the printk ring or the file, runs
// the real `vmcap dmesg --format kmsg` on it and checks: no crash (status 0, 1 or 2), every
// record the damage did not touch comes out exactly as from the undamaged dump, stderr says
// what was lost, and status 1 when records were lost. Then `vmcap capture --dry-run` on the
// same damaged file (expect_capture_saves_what_dmesg_reads): it uploads every record dmesg
// recovers, a manifest that says what was lost, and decides and prints its final action.
// Hangs are caught by the ctest TIMEOUT.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_vmcap.h"
#include "tests/hardening/derived_dump.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"

namespace vmcap::testing {
namespace {

namespace fs = std::filesystem;

std::string vmcore_path(const std::string& tag, const std::string& file = "kdump.vmcore") {
  const char* root = std::getenv("VMCAP_TEST_VMCORES");
  return root ? std::string(root) + "/" + tag + "/" + file : std::string();
}

// kmsg output split into records (a header line plus its " KEY=value" lines), by seq.
std::map<uint64_t, std::string> records_by_seq(const std::string& kmsg) {
  std::map<uint64_t, std::string> out;
  std::istringstream s(kmsg);
  uint64_t seq = ~0ull;
  for (std::string line; std::getline(s, line);) {
    if (!line.empty() && line[0] == ' ') {
      if (seq != ~0ull) out[seq] += line + "\n";
      continue;
    }
    const auto c1 = line.find(',');
    seq = std::stoull(line.substr(c1 + 1, line.find(',', c1 + 1) - c1 - 1));
    out[seq] = line + "\n";
  }
  return out;
}

// What one `vmcap capture` run left: its output, its capture directory and manifest, the
// artifacts the manifest lists (manifest.json aside).
struct Capture {
  RunResult run;
  fs::path dir;
  nlohmann::json manifest;
  std::set<std::string> artifacts;
};

// True when one of the manifest's problems contains `what`.
bool mentions(const nlohmann::json& manifest, const std::string& what) {
  for (const auto& p : manifest.value("problems", nlohmann::json::array()))
    if (p.is_string() && p.get<std::string>().find(what) != std::string::npos) return true;
  return false;
}

// A record's text block in the data ring, as its descriptor says.
struct Block {
  uint64_t index = 0;            // descriptor index
  uint64_t begin = 0, end = 0;   // data ring offsets [begin, end), end <= data_size
  bool has_data = false;
};

class CorruptedVmcore : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string path = vmcore_path(GetParam());
    if (path.empty()) GTEST_SKIP() << "VMCAP_TEST_VMCORES not set (qemu fixture not run)";
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    real_ = path;
    auto d = DerivedDump::from(path);
    ASSERT_TRUE(d) << d.error().message();
    dump_ = std::make_unique<DerivedDump>(std::move(*d));
    ASSERT_EQ(dump_->info().symbol("prb").has_value(), true) << "a 5.10+ kernel";

    // The undamaged derived dump decodes exactly like the real file.
    auto real = run_vmcap({"dmesg", "--format", "kmsg", path});
    ASSERT_EQ(real.status, 0) << real.err;
    auto derived = run(*dump_);
    ASSERT_EQ(derived.status, 0) << derived.err;
    ASSERT_EQ(derived.out, real.out);
    baseline_ = records_by_seq(real.out);
    ASSERT_GT(baseline_.size(), 100u);
    blocks_ = read_blocks();
  }

  // The file run() writes the damaged dump to.
  std::string derived_file() const { return dir_.file("derived.vmcore"); }

  RunResult run(const DerivedDump& d, const WriteOptions& options = {},
                uint64_t cut_at = 0) {
    const std::string file = derived_file();
    auto w = d.write(file, options);
    EXPECT_TRUE(w) << (w ? "" : w.error().message());
    if (cut_at) std::filesystem::resize_file(file, cut_at);
    return run_vmcap({"dmesg", "--format", "kmsg", file});
  }

  // seq -> text block, from the undamaged descriptors (read before any damage).
  std::map<uint64_t, Block> read_blocks() {
    const RingAddresses& r = dump_->ring();
    const RingbufferLayout& L = r.layout;
    std::map<uint64_t, Block> out;
    for (uint64_t i = 0; i < r.count; ++i) {
      const uint64_t desc = r.descs + i * L.desc_size;
      const uint64_t state = dump_->u64(desc + L.state_var) >> 62;
      if (state != 1 && state != 2) continue;
      const uint64_t seq = dump_->u64(r.infos + i * L.info_size + L.seq);
      const uint64_t begin = dump_->u64(desc + L.text_blk_lpos + L.lpos_begin);
      const uint64_t next = dump_->u64(desc + L.text_blk_lpos + L.lpos_next);
      Block b{.index = i};
      if (!(begin & 1) && !(next & 1) && next > begin) {
        b.has_data = true;
        const bool wrapped = begin / r.data_size != next / r.data_size;
        b.begin = wrapped ? 0 : begin % r.data_size;
        b.end = wrapped ? next % r.data_size : b.begin + (next - begin);
        if (!wrapped && b.end > r.data_size) b.end = r.data_size;
      }
      out[seq] = b;
    }
    return out;
  }

  // Checks the common promises; `intact` are the seqs that must come out unchanged.
  void expect_survivors(const RunResult& got, const std::set<uint64_t>& intact, bool lost) {
    ASSERT_NE(got.status, -1) << "killed by a signal\n" << got.err;
    ASSERT_TRUE(got.status == 0 || got.status == 1 || got.status == 2)
        << "status " << got.status << "\n" << got.err;
    const auto out = records_by_seq(got.out);
    size_t missing = 0;
    for (uint64_t seq : intact) {
      auto it = out.find(seq);
      if (it == out.end() || it->second != baseline_.at(seq)) {
        if (++missing <= 5)
          ADD_FAILURE() << "intact record " << seq << " lost or changed:\n  want "
                        << baseline_.at(seq) << "  got "
                        << (it == out.end() ? std::string("nothing\n") : it->second);
      }
    }
    EXPECT_EQ(missing, 0u) << "of " << intact.size() << " intact records";
    if (lost) {
      EXPECT_EQ(got.status, out.empty() ? got.status : 1) << got.err;
      EXPECT_NE(got.status, 0) << "records were lost but the status says complete";
      EXPECT_FALSE(got.err.empty()) << "nothing said about the lost records";
    }
  }

  // `vmcap capture --dry-run` on `vmcore` (a file:// destination, reboot either way, no
  // fallback path, `extra_config` keys added), checked against `vmcap dmesg` on the same
  // file: no signal; the manifest there, its artifacts all there with their sizes and
  // nothing else; dmesg.txt whenever dmesg reads any record, equal to dmesg's output; each of
  // dmesg's warnings (and its error) among the manifest's problems; the exit status,
  // decision and final action docs/manifest.md gives for what the manifest says.
  Capture expect_capture_saves_what_dmesg_reads(const std::string& vmcore, const std::string& extra_config = "") {
    Capture c;
    const auto dmesg = run_vmcap({"dmesg", vmcore});
    const fs::path out = fs::path(dir_.path()) / ("capture-" + std::to_string(captures_++));
    const std::string conf = out.string() + ".conf";
    std::ofstream(conf) << "final_action = reboot\nfailure_action = reboot\nfallback_path = none\n"
                        << extra_config << "[destination disk]\nurl = file://" << out.string() << "\n";
    c.run = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore, "--dry-run"});
    const RunResult& got = c.run;
    EXPECT_NE(got.status, -1) << "capture killed by a signal\n" << got.err;
    if (got.status == -1) return c;
    EXPECT_NE(got.err.find("final action: reboot (dry run: not done)"), std::string::npos) << got.err;

    std::vector<fs::path> dirs;
    if (fs::exists(out))
      for (const auto& e : fs::directory_iterator(out))
        if (e.path().filename() != "index") dirs.push_back(e.path());  // index/: the crash index
    EXPECT_EQ(dirs.size(), 1u) << "capture directories under " << out << "\n" << got.err;
    if (dirs.size() != 1) return c;
    c.dir = dirs[0];
    c.manifest = nlohmann::json::parse(read_whole_file(c.dir / "manifest.json"), nullptr, false);
    const nlohmann::json& m = c.manifest;
    EXPECT_TRUE(m.is_object()) << c.dir / "manifest.json" << "\n" << got.err;
    if (!m.is_object()) return c;
    EXPECT_EQ(m.value("schema", ""), "vmcap-manifest/1");
    const bool complete = m.value("complete", false);
    const auto problems = m.value("problems", nlohmann::json::array());

    // The artifacts listed are there, whole; nothing else is in the directory.
    std::set<std::string> present;
    c.artifacts.insert("manifest.json");
    for (const auto& a : m.value("artifacts", nlohmann::json::array())) {
      const std::string name = a.value("name", "");
      c.artifacts.insert(name);
      EXPECT_EQ(a.value("destination", ""), "disk") << name;
      EXPECT_TRUE(fs::exists(c.dir / name)) << name << " listed but missing";
      if (fs::exists(c.dir / name)) {
        EXPECT_EQ(fs::file_size(c.dir / name), a.value("size", ~0ull)) << name;
      }
    }
    c.artifacts.erase("manifest.json");
    for (const auto& e : fs::directory_iterator(c.dir))
      if (e.path().filename() != "manifest.json") present.insert(e.path().filename().string());
    EXPECT_EQ(present, c.artifacts) << "files in " << c.dir << " vs the manifest's artifacts";
    // The capture's crash index entry (docs/index.md) is there whatever the damage: under
    // its signature's hash, or index/unknown without one; it says whether the core was kept.
    {
      const auto crash = m.value("crash", nlohmann::json());
      const std::string hash = crash.is_object() ? crash.value("hash", "") : "";
      const fs::path entry = out / "index" / (hash.empty() ? "unknown" : hash) / (c.dir.filename().string() + ".json");
      EXPECT_TRUE(fs::exists(entry)) << entry << "\n" << got.err;
      if (fs::exists(entry)) {
        const auto e = nlohmann::json::parse(read_whole_file(entry), nullptr, false);
        EXPECT_EQ(e.value("schema", ""), "vmcap-index/1") << entry;
        EXPECT_EQ(e.value("core", nlohmann::json::object()).value("kept", false), c.artifacts.contains("vmcore.flat")) << entry;
      }
    }
    const bool has_log = c.artifacts.contains("dmesg.txt");
    EXPECT_EQ(complete, has_log && c.artifacts.contains("dmesg.json") && c.artifacts.contains("vmcore.flat"))
        << "complete means every artifact reached a destination\n" << m.dump(2);

    // Every record dmesg recovers is uploaded.
    if (!dmesg.out.empty()) {
      EXPECT_TRUE(has_log && c.artifacts.contains("dmesg.json")) << got.err << m.dump(2);
    }
    if (has_log) {
      EXPECT_EQ(read_whole_file(c.dir / "dmesg.txt"), dmesg.out) << "dmesg.txt differs from vmcap dmesg's output";
    }
    if (c.artifacts.contains("dmesg.json")) {
      EXPECT_EQ(read_whole_file(c.dir / "dmesg.json"), run_vmcap({"dmesg", "--format", "json", vmcore}).out)
          << "dmesg.json differs from vmcap dmesg --format json";
    }
    // The core keeps the pages the log is read from: it gives the same log, lost records
    // alike. A page the file holds only part of is lost whole from the core (the writer
    // stores whole pages): then the core's log is the file's, less that page's records.
    if (c.artifacts.contains("vmcore.flat")) {
      const auto from_core = run_vmcap({"dmesg", (c.dir / "vmcore.flat").string()});
      if (!mentions(m, "pages could not be read from the vmcore")) {
        EXPECT_EQ(from_core.status, dmesg.status) << from_core.err;
        EXPECT_EQ(from_core.out, dmesg.out) << from_core.err;
      } else {
        std::set<std::string> file_lines;
        std::istringstream f(dmesg.out), k(from_core.out);
        for (std::string line; std::getline(f, line);) file_lines.insert(line);
        size_t extra = 0;
        for (std::string line; std::getline(k, line);) extra += !file_lines.contains(line);
        EXPECT_EQ(extra, 0u) << "records the core gives that the file does not\n" << from_core.err;
      }
    }
    // What was lost is said: every warning of dmesg is a problem ("log: " and the same
    // words), and so is its error when it could read no log at all.
    std::set<std::string> said;
    for (const auto& p : problems) said.insert(p.is_string() ? p.get<std::string>() : p.dump());
    std::istringstream lines(dmesg.err);
    const std::string warning = "vmcap: warning: ";
    bool warned = false;
    for (std::string line; std::getline(lines, line);)
      if (line.starts_with(warning)) {
        EXPECT_TRUE(said.contains("log: " + line.substr(warning.size()))) << line << "\n" << m.dump(2);
        warned = true;
      }
    // ... and on the console, in case the manifest never lands.
    if (warned) EXPECT_NE(c.run.err.find("problem(s), the first: "), std::string::npos) << c.run.err;
    if (dmesg.status == 2) {
      std::string error = dmesg.err.substr(dmesg.err.rfind("vmcap: ") + 7);
      while (error.ends_with('\n')) error.pop_back();
      EXPECT_TRUE(std::any_of(said.begin(), said.end(), [&](const std::string& p) { return p.ends_with(error); }))
          << error << m.dump(2);
    }
    if (dmesg.status != 0) {
      EXPECT_FALSE(problems.empty()) << dmesg.err << m.dump(2);
    }
    if (!complete) {
      EXPECT_FALSE(problems.empty()) << "incomplete without a reason\n" << m.dump(2);
    }

    // Exit status, decision and action as docs/manifest.md says for this manifest (the
    // destination is a local directory: it takes what it is given).
    EXPECT_EQ(got.status, complete ? 0 : has_log ? 1 : 2) << got.err << m.dump(2);
    EXPECT_NE(got.err.find(complete ? "decision: final_action = reboot (the capture is complete)"
                                    : "decision: failure_action = reboot (the capture is incomplete)"),
              std::string::npos)
        << got.err;
    return c;
  }

  // [lowest begin, highest end) of the text blocks in the data ring.
  std::pair<uint64_t, uint64_t> used_extent() const {
    uint64_t lo = ~0ull, hi = 0;
    for (const auto& [seq, b] : blocks_)
      if (b.has_data) lo = std::min(lo, b.begin), hi = std::max(hi, b.end);
    return {lo, hi};
  }

  std::set<uint64_t> all_except(const std::set<uint64_t>& lost) const {
    std::set<uint64_t> s;
    for (const auto& [seq, line] : baseline_)
      if (!lost.contains(seq)) s.insert(seq);
    return s;
  }

  // Seqs at `n` evenly spread positions of the baseline (not the first or last).
  std::vector<uint64_t> spread(size_t n) const {
    std::vector<uint64_t> seqs;
    for (const auto& [seq, line] : baseline_) seqs.push_back(seq);
    std::vector<uint64_t> out;
    for (size_t k = 1; k <= n; ++k) out.push_back(seqs[k * seqs.size() / (n + 1)]);
    return out;
  }

  TempDir dir_;
  int captures_ = 0;
  std::string real_;
  std::unique_ptr<DerivedDump> dump_;
  std::map<uint64_t, std::string> baseline_;
  std::map<uint64_t, Block> blocks_;
};

TEST_P(CorruptedVmcore, FlippedBitsInDescriptorRing) {
  const RingAddresses& r = dump_->ring();
  const RingbufferLayout& L = r.layout;
  std::set<uint64_t> damaged;
  int which = 0;
  for (uint64_t seq : spread(6)) {
    ASSERT_TRUE(blocks_.contains(seq));
    const uint64_t desc = r.descs + blocks_[seq].index * L.desc_size;
    // The id in state_var, the block's begin, its next: one bit each, in turn.
    const uint64_t field = which % 3 == 0   ? desc + L.state_var
                           : which % 3 == 1 ? desc + L.text_blk_lpos + L.lpos_begin
                                            : desc + L.text_blk_lpos + L.lpos_next;
    dump_->put_u64(field, dump_->u64(field) ^ (1ull << (3 + which * 7)));
    damaged.insert(seq);
    ++which;
  }
  expect_survivors(run(*dump_), all_except(damaged), false);
  expect_capture_saves_what_dmesg_reads(derived_file());
}

// One flipped bit high in the oldest record's seq (its index bits intact, so only the
// ordering against the other records shows it): that record is lost, not every record
// after it, as happened while the first record out was the yardstick for the rest.
TEST_P(CorruptedVmcore, FlippedBitInTheOldestSeq) {
  const RingAddresses& r = dump_->ring();
  const uint64_t oldest = baseline_.begin()->first;
  ASSERT_TRUE(blocks_.contains(oldest));
  const uint64_t at = r.infos + blocks_[oldest].index * r.layout.info_size + r.layout.seq;
  dump_->put_u64(at, dump_->u64(at) ^ (1ull << 40));
  const auto got = run(*dump_);
  expect_survivors(got, all_except({oldest}), true);
  EXPECT_NE(got.err.find("does not fit the ids and seqs"), std::string::npos) << got.err;
  expect_capture_saves_what_dmesg_reads(derived_file());
}

TEST_P(CorruptedVmcore, ZeroedDataRing) {
  const RingAddresses& r = dump_->ring();
  dump_->fill(r.data, r.data_size, std::byte{0});
  std::set<uint64_t> intact;
  for (const auto& [seq, b] : blocks_)
    if (!b.has_data && baseline_.contains(seq)) intact.insert(seq);
  const auto got = run(*dump_);
  expect_survivors(got, intact, true);
  expect_capture_saves_what_dmesg_reads(derived_file());
}

TEST_P(CorruptedVmcore, ZeroedThirdOfDataRing) {
  const RingAddresses& r = dump_->ring();
  // The middle third of the part of the ring that holds text (a young kernel uses little).
  const auto [lo, hi] = used_extent();
  const uint64_t from = lo + (hi - lo) / 3, to = lo + 2 * (hi - lo) / 3;
  dump_->fill(r.data + from, to - from, std::byte{0});
  std::set<uint64_t> intact;
  for (const auto& [seq, b] : blocks_)
    if (baseline_.contains(seq) && (!b.has_data || b.end <= from || b.begin >= to))
      intact.insert(seq);
  ASSERT_LT(intact.size(), baseline_.size());
  expect_survivors(run(*dump_), intact, true);
  expect_capture_saves_what_dmesg_reads(derived_file());
}

TEST_P(CorruptedVmcore, GarbageHeadAndTailIds) {
  const RingAddresses& r = dump_->ring();
  const uint64_t desc_ring = r.prb + r.layout.desc_ring;
  dump_->put_u64(desc_ring + r.layout.head_id, 0x3fffdeadbeef1234ull);
  dump_->put_u64(desc_ring + r.layout.tail_id, 0x00000000cafe0000ull);
  const auto got = run(*dump_);
  expect_survivors(got, all_except({}), false);
  EXPECT_NE(got.err.find("tail_id"), std::string::npos) << got.err;
  expect_capture_saves_what_dmesg_reads(derived_file());
}

TEST_P(CorruptedVmcore, HugeTextLen) {
  const RingAddresses& r = dump_->ring();
  std::set<uint64_t> damaged;
  for (uint64_t seq : spread(5)) {
    dump_->put_u16(r.infos + blocks_[seq].index * r.layout.info_size + r.layout.text_len, 0xffff);
    damaged.insert(seq);
  }
  expect_survivors(run(*dump_), all_except(damaged), false);
  expect_capture_saves_what_dmesg_reads(derived_file());
}

TEST_P(CorruptedVmcore, FileCutInsideTheDataRing) {
  const RingAddresses& r = dump_->ring();
  if (dump_->paddr(r.data + r.data_size - 1) - dump_->paddr(r.data) != r.data_size - 1)
    GTEST_SKIP() << "data ring not physically contiguous";
  WriteOptions o{.last_vaddr = r.data, .last_size = r.data_size};
  const std::string file = dir_.file("probe.vmcore");
  auto first = dump_->write(file, o);
  ASSERT_TRUE(first) << first.error().message();
  // The ring's bytes from `keep` on are cut off (a page boundary inside the ring).
  const auto [lo, hi] = used_extent();
  const uint64_t keep = ((lo + hi) / 2) & ~(kPage - 1);
  ASSERT_GT(keep, lo) << "too little text to cut inside it";
  const uint64_t cut = *first + (dump_->paddr(r.data) & (dump_->page_size() - 1)) + keep;
  std::set<uint64_t> intact;
  for (const auto& [seq, b] : blocks_)
    if (baseline_.contains(seq) && (!b.has_data || b.end <= keep)) intact.insert(seq);
  const auto got = run(*dump_, o, cut);
  expect_survivors(got, intact, true);
  expect_capture_saves_what_dmesg_reads(derived_file());
}

TEST_P(CorruptedVmcore, VmcoreinfoNoteRemoved) {
  const auto got = run(*dump_, WriteOptions{.drop_vmcoreinfo = true});
  EXPECT_EQ(got.status, 2) << got.err;
  EXPECT_TRUE(got.out.empty());
  EXPECT_NE(got.err.find("VMCOREINFO"), std::string::npos) << got.err;
  // No kernel structure can be found: no log, and no filter rule can run, so the core
  // keeps every page of the dump (dump level 0, as dump_level = 0 would): it is all there is.
  const Capture c = expect_capture_saves_what_dmesg_reads(derived_file());
  EXPECT_EQ(c.artifacts, std::set<std::string>{"vmcore.flat"}) << c.manifest.dump(2);
  EXPECT_TRUE(mentions(c.manifest, "no VMCOREINFO note")) << c.manifest.dump(2);
  EXPECT_TRUE(mentions(c.manifest, "every page kept (dump level 0)")) << c.manifest.dump(2);
  EXPECT_NE(c.run.err.find("no VMCOREINFO note"), std::string::npos) << c.run.err;
  // Without VMCOREINFO no page size is known: the core counts 4 KiB pages.
  const uint64_t pages = dump_->page_count() * (dump_->page_size() / kPage);
  EXPECT_NE(c.run.err.find("dump level 0: kept all " + std::to_string(pages) + " pages"),
            std::string::npos)
      << c.run.err;
}

// The real file itself, cut: only its first MiB (headers, notes, the start of the first
// segment) is kept. Nothing of the log can be reached: status 2 and a reason.
TEST_P(CorruptedVmcore, RealFileCutAfterOneMiB) {
  const std::string cut = dir_.file("cut.vmcore");
  {
    std::ifstream in(real_, std::ios::binary);
    std::ofstream out(cut, std::ios::binary);
    std::vector<char> buf(1 << 20);
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    out.write(buf.data(), in.gcount());
  }
  const auto got = run_vmcap({"dmesg", "--format", "kmsg", cut});
  ASSERT_NE(got.status, -1) << got.err;
  EXPECT_EQ(got.status, 2) << got.err;
  EXPECT_FALSE(got.err.empty());
  // No log; the core is still streamed (headers and notes, every page marked lost, the
  // header saying incomplete) and the manifest says what was cut.
  const Capture c = expect_capture_saves_what_dmesg_reads(cut);
  EXPECT_EQ(c.artifacts, std::set<std::string>{"vmcore.flat"}) << c.manifest.dump(2);
  EXPECT_TRUE(mentions(c.manifest, "is truncated")) << c.manifest.dump(2);
  EXPECT_TRUE(mentions(c.manifest, "log: ")) << c.manifest.dump(2);
  EXPECT_TRUE(mentions(c.manifest, "pages could not be read from the vmcore")) << c.manifest.dump(2);
}

std::string tag_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(RealKernels, CorruptedVmcore, ::testing::ValuesIn(test_vmcore_tags()), tag_name);

}  // namespace
}  // namespace vmcap::testing
