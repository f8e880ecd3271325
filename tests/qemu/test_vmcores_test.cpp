// Checks that the vmcores made by scripts/make-test-vmcore.sh are real: every file is there,
// the ELF dumps are ET_CORE with a VMCOREINFO note naming the kernel the guest reported, the
// KASLR offset the guest saw is the one VMCOREINFO carries, the kmsg copies hold the marker
// records, the flattened file is makedumpfile's format, the page snapshots of the filter
// scenarios describe the crashed guest's memory. Reads bytes directly, on purpose independent
// of vmcap's own readers.
//
// VMCAP_TEST_VMCORES (environment): the script's --out folder. VMCAP_TEST_VMCORE_TAGS (compile
// definition, from the CMake cache variables VMCAP_TEST_VMCORE_TAGS and
// VMCAP_TEST_VMCORE_KDUMP_TAGS): the tags made there. A tag's modes are in <tag>/modes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "tests/support/real_vmcores.h"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> Tags() { return vmcap::testing::test_vmcore_tags(); }

fs::path Root() {
  return vmcap::testing::test_vmcores_configured() ? vmcap::testing::test_vmcores_dir() : fs::path();
}

std::string ReadAll(const fs::path& p) { return vmcap::testing::read_whole_file(p); }

std::map<std::string, std::string> ReadKeyValues(const fs::path& p) {
  return vmcap::testing::read_report(p);
}

::testing::AssertionResult HasKeys(const std::map<std::string, std::string>& kv,
                                   std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (!kv.count(k) || kv.at(k).empty()) return ::testing::AssertionFailure() << "no " << k << "=";
  return ::testing::AssertionSuccess();
}

template <typename T>
T Le(const std::string& b, size_t off) {
  T v{};
  if (off + sizeof(T) <= b.size()) std::memcpy(&v, b.data() + off, sizeof(T));
  return v;
}

uint64_t Be64(const std::string& b, size_t off) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(b[off + i]);
  return v;
}

struct Segment {
  uint32_t type;
  uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct Note {
  std::string name;
  uint32_t type;
  std::string desc;
};

// A small, independent ELF64 little-endian core reader.
struct Core {
  std::string error;
  uint16_t e_type = 0, e_machine = 0;
  std::vector<Segment> segments;
  std::vector<Note> notes;

  explicit Core(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::string eh(64, '\0');
    if (!f.read(eh.data(), 64)) { error = "short file"; return; }
    if (eh.compare(0, 4, "\x7f" "ELF") != 0) { error = "no ELF magic"; return; }
    if (eh[4] != 2 || eh[5] != 1) { error = "not ELF64 little-endian"; return; }
    e_type = Le<uint16_t>(eh, 16);
    e_machine = Le<uint16_t>(eh, 18);
    const auto phoff = Le<uint64_t>(eh, 32);
    const auto phentsize = Le<uint16_t>(eh, 54);
    const auto phnum = Le<uint16_t>(eh, 56);
    if (phentsize != 56 || phnum == 0) { error = "bad program headers"; return; }
    std::string ph(size_t{phnum} * phentsize, '\0');
    f.seekg(static_cast<std::streamoff>(phoff));
    if (!f.read(ph.data(), static_cast<std::streamsize>(ph.size()))) { error = "short phdrs"; return; }
    for (size_t i = 0; i < phnum; ++i) {
      const size_t o = i * phentsize;
      segments.push_back({Le<uint32_t>(ph, o), Le<uint64_t>(ph, o + 8), Le<uint64_t>(ph, o + 16),
                          Le<uint64_t>(ph, o + 24), Le<uint64_t>(ph, o + 32), Le<uint64_t>(ph, o + 40)});
    }
    for (const auto& s : segments) {
      if (s.type != 4 /* PT_NOTE */) continue;
      if (s.filesz > (64u << 20)) { error = "huge PT_NOTE"; return; }
      std::string d(s.filesz, '\0');
      f.clear();
      f.seekg(static_cast<std::streamoff>(s.offset));
      if (!f.read(d.data(), static_cast<std::streamsize>(d.size()))) { error = "short note"; return; }
      size_t o = 0;
      auto align4 = [](size_t v) { return (v + 3) & ~size_t{3}; };
      while (o + 12 <= d.size()) {
        const auto namesz = Le<uint32_t>(d, o), descsz = Le<uint32_t>(d, o + 4);
        const auto type = Le<uint32_t>(d, o + 8);
        if (namesz == 0 && descsz == 0 && type == 0) break;  // padding (QEMU, kexec)
        const size_t name_at = o + 12, desc_at = name_at + align4(namesz);
        if (desc_at + descsz > d.size()) { error = "note runs past PT_NOTE"; return; }
        std::string name = d.substr(name_at, namesz);
        if (!name.empty() && name.back() == '\0') name.pop_back();
        notes.push_back({name, type, d.substr(desc_at, descsz)});
        o = desc_at + align4(descsz);
      }
    }
  }

  std::map<std::string, std::string> Vmcoreinfo() const {
    std::map<std::string, std::string> kv;
    for (const auto& n : notes) {
      if (n.name != "VMCOREINFO") continue;
      std::istringstream in(n.desc);
      for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
      }
    }
    return kv;
  }

  int Count(const std::string& name, uint32_t type) const {
    int c = 0;
    for (const auto& n : notes) c += n.name == name && n.type == type;
    return c;
  }

  uint64_t LoadBytes() const {
    uint64_t total = 0;
    for (const auto& s : segments) total += s.type == 1 ? s.filesz : 0;
    return total;
  }
};

uint64_t Hex(const std::string& s) { return std::stoull(s, nullptr, 16); }

// One kmsg record: "prio,seq,ts,flags;text" (dict lines start with a space).
struct KmsgRecord {
  int prio;
  uint64_t seq;
  std::string text;
};

std::vector<KmsgRecord> ReadKmsg(const fs::path& p) {
  std::vector<KmsgRecord> out;
  std::istringstream in(ReadAll(p));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == ' ') continue;
    auto semi = line.find(';');
    if (semi == std::string::npos) continue;
    std::istringstream head(line.substr(0, semi));
    std::string prio, seq;
    std::getline(head, prio, ',');
    std::getline(head, seq, ',');
    out.push_back({std::stoi(prio), std::stoull(seq), line.substr(semi + 1)});
  }
  return out;
}

std::string ScenarioOf(const std::string& tag) {
  const auto dash = tag.find('-');
  return dash == std::string::npos ? "basic" : tag.substr(dash + 1);
}

// Scenarios whose guest saved /proc/kpageflags, /proc/kpagecount and /proc/meminfo; they are
// kdump-only too (scripts/make-test-vmcore.sh).
bool HasPageSnapshot(const std::string& scenario) {
  return scenario == "filter" || scenario == "big" || scenario == "realistic";
}

class TestVmcores : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (Root().empty()) GTEST_FAIL() << "VMCAP_TEST_VMCORES is not set";
    dir_ = Root() / GetParam();
    ASSERT_TRUE(fs::is_directory(dir_)) << dir_ << " missing: run scripts/make-test-vmcore.sh";
    ASSERT_TRUE(fs::is_regular_file(dir_ / "modes")) << "no modes file: remake the vmcores";
    std::istringstream in(ReadAll(dir_ / "modes"));
    for (std::string m; in >> m;) modes_.push_back(m);
    // The script makes QEMU dumps for every scenario but the kdump-only ones.
    const std::string scenario = ScenarioOf(GetParam());
    const bool kdump_only = HasPageSnapshot(scenario);
    EXPECT_EQ(HasMode("qemu"), !kdump_only) << "modes: " << ReadAll(dir_ / "modes");
    EXPECT_TRUE(HasMode("kdump"));
  }
  bool HasMode(const std::string& m) const {
    for (const auto& x : modes_) if (x == m) return true;
    return false;
  }
  std::vector<std::string> Modes() const { return modes_; }
  fs::path dir_;
  std::vector<std::string> modes_;
};

#define SKIP_WITHOUT_QEMU_MODE() \
  if (!HasMode("qemu")) GTEST_SKIP() << GetParam() << " is a kdump-only scenario"

TEST_P(TestVmcores, AllFilesExist) {
  std::vector<std::string> names = {"kdump.vmcore", "kdump.report", "kdump.kmsg",
                                    "kdump.capture.report", "kdump.console.log", "timings",
                                    ".stamp"};
  if (HasMode("qemu"))
    names.insert(names.end(), {"qemu.elf", "qemu-kdump-zlib.flat", "qemu.report", "qemu.kmsg",
                               "qemu.console.log"});
  if (HasPageSnapshot(ScenarioOf(GetParam())))
    names.insert(names.end(), {"kdump.kpageflags", "kdump.kpagecount", "kdump.meminfo"});
  for (const auto& name : names) {
    const auto p = dir_ / name;
    ASSERT_TRUE(fs::is_regular_file(p)) << p;
    EXPECT_GT(fs::file_size(p), 0u) << p;
  }
}

// Both reports come from the guest: uname -r, /proc/meminfo, nproc, /proc/kallsyms.
TEST_P(TestVmcores, ReportsDescribeTheGuest) {
  for (const std::string& mode : Modes()) {
    auto r = ReadKeyValues(dir_ / (std::string(mode) + ".report"));
    SCOPED_TRACE(mode);
    ASSERT_TRUE(HasKeys(r, {"mode", "kernel_release", "machine", "mem_total_kb", "cpus_online",
                            "cpus_cpuinfo", "text_addr", "kaslr_offset", "kmsg_records"}));
    EXPECT_EQ(r["mode"], mode);
    const auto dash = GetParam().find('-');
    EXPECT_EQ(r["scenario"], dash == std::string::npos ? "basic" : GetParam().substr(dash + 1));
    const std::string kver = GetParam().substr(0, dash);
    EXPECT_EQ(r["kernel_release"].rfind(kver + ".", 0), 0u) << r["kernel_release"];
    EXPECT_EQ(r["machine"], "x86_64");
    EXPECT_GT(std::stoull(r["mem_total_kb"]), 100000u);
    EXPECT_EQ(r["cpus_online"], r["cpus_cpuinfo"]);
    EXPECT_EQ(Hex(r["text_addr"]) - 0xffffffff81000000ull, Hex(r["kaslr_offset"]));
    EXPECT_EQ(r["kmsg_records"], std::to_string(ReadKmsg(dir_ / (std::string(mode) + ".kmsg")).size()));
  }
}

void CheckCore(const fs::path& p, const std::map<std::string, std::string>& report, bool qemu) {
  SCOPED_TRACE(p.string());
  ASSERT_TRUE(HasKeys(report, {"kernel_release", "kaslr_offset", "cpus_online", "mem_total_kb"}));
  if (!qemu) {
    ASSERT_TRUE(HasKeys(report, {"crashkernel_range"}));
  }
  Core core(p);
  ASSERT_EQ(core.error, "");
  EXPECT_EQ(core.e_type, 4) << "not ET_CORE";
  EXPECT_EQ(core.e_machine, 62) << "not EM_X86_64";
  auto vi = core.Vmcoreinfo();
  ASSERT_FALSE(vi.empty()) << "no VMCOREINFO note";
  EXPECT_EQ(vi["OSRELEASE"], report.at("kernel_release"));
  EXPECT_EQ(vi["PAGESIZE"], "4096");
  // The guest's own view (/proc/kallsyms _text - 0xffffffff81000000) is VMCOREINFO's KASLR offset.
  EXPECT_EQ(Hex(vi["KERNELOFFSET"]), Hex(report.at("kaslr_offset")));
  EXPECT_NE(vi["KERNELOFFSET"], "0") << "KASLR was off";
  EXPECT_EQ(core.Count("CORE", 1 /* NT_PRSTATUS */), std::stoi(report.at("cpus_online")));
  const uint64_t mem = std::stoull(report.at("mem_total_kb")) * 1024;
  EXPECT_GE(core.LoadBytes(), mem) << "PT_LOADs hold less than MemTotal";
  if (qemu) {
    EXPECT_GE(core.Count("QEMU", 0), 1) << "no QEMU CPU state notes";
    for (const auto& s : core.segments)
      if (s.type == 1) {
        EXPECT_EQ(s.vaddr, s.paddr) << "QEMU paging=false dumps have vaddr == paddr";
      }
  } else {
    // /proc/vmcore leaves the crash kernel's reservation out and maps RAM at its direct map.
    const auto& range = report.at("crashkernel_range");
    const uint64_t lo = Hex(range.substr(0, range.find('-')));
    const uint64_t hi = Hex(range.substr(range.find('-') + 1));
    bool direct_map = false;
    for (const auto& s : core.segments) {
      if (s.type != 1) continue;
      EXPECT_FALSE(s.paddr <= hi && s.paddr + s.memsz > lo)
          << "a PT_LOAD overlaps the crashkernel range " << range;
      direct_map |= s.vaddr >= 0xff00000000000000ull && s.vaddr < 0xffffffff80000000ull;
    }
    EXPECT_TRUE(direct_map) << "no PT_LOAD at a direct-map address";
  }
}

TEST_P(TestVmcores, QemuElfIsACoreOfThisKernel) {
  SKIP_WITHOUT_QEMU_MODE();
  CheckCore(dir_ / "qemu.elf", ReadKeyValues(dir_ / "qemu.report"), true);
}

TEST_P(TestVmcores, KdumpVmcoreIsACoreOfThisKernel) {
  const auto report = ReadKeyValues(dir_ / "kdump.report");
  CheckCore(dir_ / "kdump.vmcore", report, false);
  auto cap = ReadKeyValues(dir_ / "kdump.capture.report");
  ASSERT_TRUE(HasKeys(cap, {"kernel_release", "vmcore_size", "cmdline"}));
  ASSERT_TRUE(HasKeys(report, {"kernel_release"}));
  EXPECT_EQ(cap["kernel_release"], report.at("kernel_release"));
  EXPECT_EQ(std::stoull(cap["vmcore_size"]), fs::file_size(dir_ / "kdump.vmcore"));
  EXPECT_NE(cap["cmdline"].find("elfcorehdr="), std::string::npos) << "not a kdump kernel";
}

TEST_P(TestVmcores, FlatIsMakedumpfileFlattened) {
  SKIP_WITHOUT_QEMU_MODE();
  const auto p = dir_ / "qemu-kdump-zlib.flat";
  const std::string b = ReadAll(p);
  ASSERT_GT(b.size(), 4096u + 16u);
  EXPECT_EQ(std::string(b.data(), 13), std::string("makedumpfile\0", 13));
  EXPECT_EQ(Be64(b, 16), 1u) << "type";
  EXPECT_EQ(Be64(b, 24), 1u) << "version";
  // The first record writes the disk_dump_header at offset 0 of the rebuilt file.
  EXPECT_EQ(Be64(b, 4096), 0u);
  EXPECT_EQ(b.compare(4096 + 16, 8, "KDUMP   "), 0);
  // Walk every record to the {-1, -1} end marker.
  size_t o = 4096;
  bool ended = false;
  while (o + 16 <= b.size()) {
    const uint64_t off = Be64(b, o), size = Be64(b, o + 8);
    if (off == ~0ull && size == ~0ull) { ended = true; break; }
    o += 16 + size;
  }
  EXPECT_TRUE(ended) << "no end marker";
  const auto report = ReadKeyValues(dir_ / "qemu.report");
  ASSERT_TRUE(HasKeys(report, {"kernel_release"}));
  EXPECT_NE(b.find("OSRELEASE=" + report.at("kernel_release") + "\n"), std::string::npos);
}

// The markers scripts/guest/init writes, as /dev/kmsg shows them (prio = facility*8 + level).
const std::vector<std::pair<int, std::string>> kMarkers = {
    {12, "vmcap-marker plain: the quick brown fox"},
    {13, "vmcap-marker facility-user-notice"},
    {165, "vmcap-marker facility-local4-notice"},
    {15, "vmcap-marker level-debug"},
    {11, "vmcap-marker level-err"},
    {12, "vmcap-marker utf8: caf\\xc3\\xa9 \\xe6\\x97\\xa5\\xe6\\x9c\\xac\\xe8\\xaa\\x9e"},
    {12, "vmcap-marker tab:\\x09after-tab"},
    {12, "vmcap-marker backslash: a\\x5cb\\x5c\\x5cc"},
    {12, "vmcap-marker multiline: first\\x0asecond"},
    {12, "vmcap-marker last"},
};

void CheckKmsg(const fs::path& p, const std::string& scenario) {
  SCOPED_TRACE(p.string());
  const auto records = ReadKmsg(p);
  ASSERT_FALSE(records.empty());
  for (size_t i = 1; i < records.size(); ++i)
    ASSERT_EQ(records[i].seq, records[i - 1].seq + 1) << "kmsg sequence numbers have a gap";
  for (const auto& [prio, text] : kMarkers) {
    bool found = false;
    for (const auto& r : records) found |= r.text == text && r.prio == prio;
    EXPECT_TRUE(found) << "missing <" << prio << ">" << text;
  }
  bool long_found = false;
  for (const auto& r : records)
    long_found |= r.text.rfind("vmcap-marker long: 0-0123456789abcdef", 0) == 0 &&
                  r.text.size() > 850 && r.text.ends_with(" end");
  EXPECT_TRUE(long_found) << "the ~900-byte record";
  // A record with a dictionary, from the kernel's dev_printk (long gone when wrapped).
  const std::string all = ReadAll(p);
  if (scenario == "wrapped") {
    // 5000 more records overflowed the 128 KiB ring: the oldest are gone from /dev/kmsg.
    EXPECT_GT(records.front().seq, 1000u);
    int wraps = 0;
    for (const auto& r : records) wraps += r.text.rfind("vmcap-wrap ", 0) == 0;
    EXPECT_GT(wraps, 500);
    EXPECT_LT(wraps, 5000);
  } else {
    EXPECT_NE(all.find("\n SUBSYSTEM=virtio\n DEVICE=+virtio:virtio0\n"), std::string::npos);
    EXPECT_EQ(records.front().seq, 0u) << "the log was not expected to wrap";
  }
  if (scenario == "bigbuf") {
    // log_buf_len=4M: every one of the 3000 records is still there, and the ring holds more
    // than the 128 KiB a default ring could.
    int fill = 0;
    uint64_t text_bytes = 0;
    for (const auto& r : records) {
      fill += r.text.rfind("vmcap-bigbuf ", 0) == 0;
      text_bytes += r.text.size();
    }
    EXPECT_EQ(fill, 3000);
    EXPECT_GT(text_bytes, 128u * 1024);
    EXPECT_NE(all.find("log_buf_len: 4194304 bytes\n"), std::string::npos);
  }
}

TEST_P(TestVmcores, KmsgHasTheMarkers) {
  const std::string scenario = ScenarioOf(GetParam());
  for (const std::string& mode : Modes()) CheckKmsg(dir_ / (mode + ".kmsg"), scenario);
}

// The filter scenarios: the guest's raw /proc/kpageflags and /proc/kpagecount (8 bytes a pfn
// from pfn 0) cover the vmcore's memory, and the memory the scenario made is really there:
// transparent huge pages of the running memhog, page cache of the disk, free pages.
TEST_P(TestVmcores, PageSnapshotDescribesTheGuest) {
  if (!HasPageSnapshot(ScenarioOf(GetParam())))
    GTEST_SKIP() << GetParam() << " saves no page snapshot";
  const std::string kpf = ReadAll(dir_ / "kdump.kpageflags");
  const std::string kpc = ReadAll(dir_ / "kdump.kpagecount");
  ASSERT_EQ(kpf.size() % 8, 0u);
  ASSERT_EQ(kpf.size(), kpc.size());
  const uint64_t pfns = kpf.size() / 8;
  // Every RAM byte /proc/vmcore maps has a kpageflags word (pfn < max_pfn).
  Core core(dir_ / "kdump.vmcore");
  ASSERT_EQ(core.error, "");
  uint64_t top = 0;
  for (const auto& s : core.segments)
    if (s.type == 1 && s.vaddr < 0xffffffff80000000ull) top = std::max(top, s.paddr + s.memsz);
  // (The kernel may size it up to a memory section boundary: 128 MiB.)
  const uint64_t top_pfn = (top + 4095) / 4096;
  EXPECT_GE(pfns, top_pfn) << "kpageflags covers pfns below " << pfns;
  EXPECT_LE(pfns, top_pfn + 32768) << "kpageflags covers pfns below " << pfns;
  // Bits from include/uapi/linux/kernel-page-flags.h.
  auto bit = [](int b) { return uint64_t{1} << b; };
  uint64_t buddy = 0, lru_file = 0, anon = 0, thp = 0, slab = 0, mapped_twice = 0;
  for (uint64_t pfn = 0; pfn < pfns; ++pfn) {
    const uint64_t f = Le<uint64_t>(kpf, pfn * 8);
    buddy += (f & bit(10)) != 0;
    lru_file += (f & bit(5)) && !(f & bit(12)) && !(f & bit(14));
    anon += (f & bit(12)) != 0;
    thp += (f & bit(12)) && (f & bit(22));
    slab += (f & bit(7)) != 0;
    mapped_twice += Le<uint64_t>(kpc, pfn * 8) > 1;
  }
  const auto meminfo = [&] {
    std::map<std::string, uint64_t> m;
    std::istringstream in(ReadAll(dir_ / "kdump.meminfo"));
    for (std::string k; in >> k;) {
      uint64_t v;
      in >> v;
      in.ignore(1000, '\n');
      m[k.substr(0, k.size() - 1)] = v;
    }
    return m;
  }();
  const auto report = ReadKeyValues(dir_ / "kdump.report");
  ASSERT_TRUE(HasKeys(report, {"mem_total_kb", "thp_enabled"}));
  EXPECT_EQ(std::to_string(meminfo.at("MemTotal")), report.at("mem_total_kb"));
  EXPECT_EQ(report.at("thp_enabled"), "[always] madvise never");
  // memhog's anonymous memory (128 MiB or more) sits in transparent huge pages.
  EXPECT_GE(meminfo.at("AnonHugePages"), 120u * 1024);
  EXPECT_GE(thp * 4, meminfo.at("AnonHugePages") * 9 / 10);
  EXPECT_GE(anon * 4, meminfo.at("AnonPages") * 9 / 10);
  // 48 MiB of the disk in the page cache (the block device's: Buffers), not shmem.
  EXPECT_GE(meminfo.at("Buffers"), 40u * 1024);
  EXPECT_GE(lru_file * 4, 40u * 1024);
  EXPECT_GT(buddy, pfns / 4) << "free pages (the random bytes memhog freed among them)";
  EXPECT_GT(slab, 100u);
  std::printf("[ %s ] %llu pfns: buddy %llu, file lru %llu, anon %llu (thp %llu), slab %llu, "
              "mapped more than once %llu; MemFree %llu kB, Buffers %llu kB, AnonHugePages %llu kB\n",
              GetParam().c_str(), (unsigned long long)pfns, (unsigned long long)buddy,
              (unsigned long long)lru_file, (unsigned long long)anon, (unsigned long long)thp,
              (unsigned long long)slab, (unsigned long long)mapped_twice,
              (unsigned long long)meminfo.at("MemFree"), (unsigned long long)meminfo.at("Buffers"),
              (unsigned long long)meminfo.at("AnonHugePages"));
}

// An independent oracle agrees the kdump vmcore holds this kernel's log: makedumpfile
// --dump-dmesg (which prints bytes >= 0x80 as \xffffffNN) finds every marker and the crash.
TEST_P(TestVmcores, MakedumpfileReadsTheKdumpLog) {
  if (std::system("command -v makedumpfile >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "makedumpfile is not installed";
  const fs::path out = fs::temp_directory_path() /
                       ("vmcap-dmesg-" + std::to_string(::getpid()) + "-" + GetParam());
  fs::remove(out);
  const std::string cmd = "makedumpfile --dump-dmesg '" + (dir_ / "kdump.vmcore").string() +
                          "' '" + out.string() + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string log = ReadAll(out);
  fs::remove(out);
  for (const char* text : {"] vmcap-marker plain: the quick brown fox\n",
                           "] vmcap-marker facility-local4-notice\n", "] vmcap-marker last\n",
                           "] vmcap-marker utf8: caf\\xffffffc3\\xffffffa9 ",
                           "] sysrq: Trigger a crash\n"})
    EXPECT_NE(log.find(text), std::string::npos) << "makedumpfile's log lacks " << text;
  const auto report = ReadKeyValues(dir_ / "kdump.report");
  ASSERT_TRUE(HasKeys(report, {"kernel_version", "scenario"}));
  if (report.at("scenario") == "wrapped") {
    EXPECT_EQ(log.find("] Linux version "), std::string::npos) << "the ring did not wrap";
    EXPECT_NE(log.find("] vmcap-wrap 004999 "), std::string::npos);
  } else {
    EXPECT_NE(log.find(report.at("kernel_version")), std::string::npos) << "the Linux version line";
  }
}

INSTANTIATE_TEST_SUITE_P(Real, TestVmcores, ::testing::ValuesIn(Tags()),
                         [](const auto& info) {
                           std::string n = "k" + info.param;
                           for (auto& c : n) if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
