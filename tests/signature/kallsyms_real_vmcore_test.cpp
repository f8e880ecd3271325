// kallsyms read from real dumps through VMCOREINFO alone, checked against two oracles
// that use the kernel's real debug vmlinux (6.1): `nm` (every symbol's name, type and
// address, shifted by KERNELOFFSET) and `crash`'s `sym` (the crashing pc and addresses
// inside functions, with offsets). 6.12 has no debug vmlinux here: its crashing pc must
// land where its own console's trace says the crash went. 5.10 publishes no kallsyms.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "capture/kernel/kallsyms.h"
#include "elf/crashing_cpu.h"
#include "elf/prstatus.h"
#include "tests/signature/real_vmcores.h"

namespace vmcap {
namespace {

using test::open_vmcore;
using test::plain_tags;
using test::report_value;
using test::vmcore_path;

bool has_tag(const std::string& tag) { return testing::has_test_vmcore_tag(tag); }

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

// The 6.1 debug vmlinux, fetched and cached like the crash oracle test's.
std::string debug_vmlinux(const std::string& release) {
  const char* env = std::getenv("VMCAP_DEBUG_VMLINUX_DIR");
  std::string dir = env ? env : VMCAP_DEBUG_VMLINUX_DIR;
  std::string out = run(fmt::format("'{}/scripts/fetch-debug-vmlinux.sh' '{}' '{}'", VMCAP_SOURCE_DIR,
                                    release, dir));
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

struct NmSymbol {
  uint64_t addr;
  char type;
  std::string name;
};

std::vector<NmSymbol> nm(const std::string& vmlinux) {
  std::vector<NmSymbol> out;
  std::istringstream in(run("nm -n '" + vmlinux + "'"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string addr, type, name;
    if (!(f >> addr >> type >> name)) continue;  // undefined symbols have no address
    out.push_back({std::stoull(addr, nullptr, 16), type[0], name});
  }
  return out;
}

struct Loaded {
  test::OpenedVmcore vmcore;
  Kallsyms kallsyms;
  uint64_t pc = 0;
};

std::optional<Loaded> load(const std::string& tag, std::string& error) {
  auto v = open_vmcore(vmcore_path(tag), error);
  if (!v) return std::nullopt;
  auto k = Kallsyms::load(v->view.info, *v->view.memory);
  if (!k) {
    error = k.error().message();
    return std::nullopt;
  }
  auto cpus = read_cpu_states(*v->dump);
  auto c = choose_crashing_cpu(cpus.cpus);
  if (!c) {
    error = "no CPU notes";
    return std::nullopt;
  }
  uint64_t pc = cpus.cpus[c->index].pc;
  return Loaded{std::move(*v), std::move(*k), pc};
}

TEST(KallsymsRealVmcore, NoKallsymsIn510IsMissing) {
  if (!has_tag("5.10")) GTEST_SKIP() << "5.10 not among the test vmcore tags";
  std::string error;
  auto v = open_vmcore(vmcore_path("5.10"), error);
  ASSERT_TRUE(v) << error;
  auto k = Kallsyms::load(v->view.info, *v->view.memory);
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().kind, ErrorKind::Missing);
  EXPECT_NE(k.error().reason.find("kallsyms_names"), std::string::npos) << k.error().message();
}

TEST(KallsymsRealVmcore, Kernel61MatchesNmOfTheDebugVmlinux) {
  if (!has_tag("6.1")) GTEST_SKIP() << "6.1 not among the test vmcore tags";
  std::string error;
  auto l = load("6.1", error);
  ASSERT_TRUE(l) << error;
  auto release = report_value(vmcore_path("6.1", "kdump.report"), "kernel_release");
  ASSERT_TRUE(release);
  std::string vmlinux = debug_vmlinux(*release);
  ASSERT_TRUE(std::filesystem::exists(vmlinux)) << "no debug vmlinux for " << *release;
  auto symbols = nm(vmlinux);
  ASSERT_GT(symbols.size(), 100000u);
  uint64_t kaslr = l->vmcore.view.info.kernel_offset().value_or(0);
  ASSERT_NE(kaslr, 0u);  // a KASLR boot: the shift is part of what is checked
  // Per-cpu symbols are absolute (not shifted); the rest move with the kernel.
  auto shifted = [&](uint64_t a) { return a >= 0xffffffff00000000ull ? a + kaslr : a; };
  std::multimap<std::string, std::pair<uint64_t, char>> by_name;
  std::map<uint64_t, std::set<std::string>> by_addr;
  for (const auto& s : symbols) {
    by_name.emplace(s.name, std::make_pair(shifted(s.addr), s.type));
    by_addr[shifted(s.addr)].insert(s.name);
  }

  const Kallsyms& k = l->kallsyms;
  ASSERT_GT(k.size(), 50000u);
  // 1000 kallsyms entries spread over the table: each is an nm symbol, same address and type.
  size_t checked = 0;
  for (size_t n = 0; n < 1000; ++n) {
    size_t i = n * (k.size() - 1) / 999;
    std::string name = k.name(i);
    auto [lo, hi] = by_name.equal_range(name);
    bool found = false;
    for (auto it = lo; it != hi && !found; ++it)
      // scripts/kallsyms types absolute per-cpu symbols 'A' (nm: d/D/b/B at 0x...).
      found = it->second.first == k.address(i) &&
              (it->second.second == k.type(i) || (k.type(i) == 'A' && k.address(i) < 0x100000000ull));
    EXPECT_TRUE(found) << "kallsyms[" << i << "] " << k.type(i) << " " << name << " at "
                       << fmt::format("{:#x}", k.address(i)) << " is not in nm";
    ++checked;
  }
  EXPECT_EQ(checked, 1000u);

  // 1000 nm text symbols: lookup at their shifted address is that symbol (or an alias at
  // the same address), offset 0, size up to the next higher nm address.
  std::vector<const NmSymbol*> text;
  for (const auto& s : symbols)
    if ((s.type == 't' || s.type == 'T') && s.addr >= 0xffffffff81000000ull) text.push_back(&s);
  ASSERT_GT(text.size(), 1000u);
  size_t hits = 0;
  for (size_t n = 0; n < 1000; ++n) {
    const NmSymbol& s = *text[n * (text.size() - 1) / 999];
    uint64_t a = shifted(s.addr);
    auto hit = k.lookup(a);
    if (!hit) {
      ADD_FAILURE() << s.name << " at " << fmt::format("{:#x}", a) << ": no kallsyms hit";
      continue;
    }
    EXPECT_EQ(hit->offset, 0u) << s.name;
    EXPECT_EQ(hit->address, a) << s.name;
    EXPECT_TRUE(by_addr[a].count(hit->name)) << s.name << " resolved to " << hit->name;
    auto next = by_addr.upper_bound(a);
    if (next != by_addr.end()) {
      EXPECT_EQ(hit->size, next->first - a) << s.name;
    }
    ++hits;
  }
  EXPECT_EQ(hits, 1000u);
}

// crash's "sym ADDR": "ffffffff8f573a97 (T) __crash_kexec+119 file: line".
struct CrashSym {
  char type;
  std::string name;
  uint64_t offset;
};

std::map<uint64_t, CrashSym> crash_syms(const std::string& vmlinux, const std::string& vmcore,
                                        const std::vector<uint64_t>& addrs) {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("vmcap-kallsyms-{}", getpid());
  std::filesystem::create_directories(dir);
  {
    std::ofstream cmds(dir / "cmds");
    for (uint64_t a : addrs) cmds << fmt::format("sym {:x}\n", a);
    cmds << "quit\n";
  }
  std::string out = run(fmt::format("crash -s -i '{}' '{}' '{}' 2>&1 </dev/null", (dir / "cmds").string(),
                                    vmlinux, vmcore));
  std::filesystem::remove_all(dir);
  std::map<uint64_t, CrashSym> res;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string addr, type, sym;
    if (!(f >> addr >> type >> sym) || type.size() != 3 || type[0] != '(') continue;
    uint64_t a = 0;
    try {
      a = std::stoull(addr, nullptr, 16);
    } catch (...) {
      continue;
    }
    size_t plus = sym.find('+');
    res[a] = {type[1], sym.substr(0, plus),
              plus == std::string::npos ? 0 : std::stoull(sym.substr(plus + 1))};
  }
  return res;
}

TEST(KallsymsRealVmcore, Kernel61CrashingPcAndInnerAddressesAgreeWithCrash) {
  if (!has_tag("6.1")) GTEST_SKIP() << "6.1 not among the test vmcore tags";
  std::string error;
  auto l = load("6.1", error);
  ASSERT_TRUE(l) << error;
  auto release = report_value(vmcore_path("6.1", "kdump.report"), "kernel_release");
  ASSERT_TRUE(release);
  std::string vmlinux = debug_vmlinux(*release);
  ASSERT_TRUE(std::filesystem::exists(vmlinux));

  const Kallsyms& k = l->kallsyms;
  // The pc, and 100 addresses in the middle of text symbols spread over the table.
  std::vector<uint64_t> addrs{l->pc};
  for (size_t n = 0; addrs.size() < 101 && n < 5000; ++n) {
    size_t i = n * (k.size() - 2) / 4999;
    if (k.type(i) != 't' && k.type(i) != 'T') continue;
    auto hit = k.lookup(k.address(i));
    if (!hit || hit->size < 4) continue;
    addrs.push_back(hit->address + hit->size / 2);
  }
  auto oracle = crash_syms(vmlinux, vmcore_path("6.1"), addrs);
  ASSERT_GE(oracle.size(), 90u) << "crash answered too few sym commands";
  for (uint64_t a : addrs) {
    auto it = oracle.find(a);
    if (it == oracle.end()) continue;
    auto hit = k.lookup(a);
    ASSERT_TRUE(hit) << fmt::format("{:#x}", a);
    // crash prints "pte_pfn_to_mfn" for the kernel's "pte_pfn_to_mfn.part.0".
    EXPECT_EQ(hit->name.substr(0, hit->name.find('.')), it->second.name) << fmt::format("{:#x}", a);
    EXPECT_EQ(hit->offset, it->second.offset) << fmt::format("{:#x}", a);
    EXPECT_EQ(hit->type, it->second.type) << fmt::format("{:#x}", a);
  }
  // The kdump path saved the registers in __crash_kexec (crash's bt frame #1).
  auto pc = k.lookup(l->pc);
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->name, "__crash_kexec") << pc->format();
  ASSERT_TRUE(oracle.count(l->pc));
  EXPECT_EQ(oracle[l->pc].name, "__crash_kexec");
}

TEST(KallsymsRealVmcore, Kernel612CrashingPcIsOnThePanicPathItsConsoleShows) {
  if (!has_tag("6.12")) GTEST_SKIP() << "6.12 not among the test vmcore tags";
  std::string error;
  auto l = load("6.12", error);
  ASSERT_TRUE(l) << error;
  const Kallsyms& k = l->kallsyms;
  ASSERT_GT(k.size(), 50000u);
  auto pc = k.lookup(l->pc);
  ASSERT_TRUE(pc) << fmt::format("{:#x}", l->pc);
  EXPECT_EQ(pc->name, "__crash_kexec") << pc->format();
  EXPECT_LT(pc->offset, pc->size);

  // Every "name+0xOFF/0xSIZE" frame the guest's console printed for the crash: the
  // symbol's size as kallsyms gives it must be the size the kernel printed.
  std::ifstream console(vmcore_path("6.12", "kdump.console.log"));
  // Only the trace after the panic line: on a slow TCG host the guest may print an
  // RCU-stall or soft-lockup trace earlier, with frames of its own.
  std::map<std::string, uint64_t> printed;
  std::string trace;
  bool after_panic = false, in_trace = false;
  for (std::string line; std::getline(console, line);) {
    if (line.find("Kernel panic - not syncing") != std::string::npos) after_panic = true;
    if (!after_panic) continue;
    if (line.find("Call Trace:") != std::string::npos) in_trace = true;
    if (!in_trace) continue;
    trace += line + "\n";
    if (line.find("</TASK>") != std::string::npos) break;
    size_t plus = line.find("+0x"), slash = line.find("/0x");
    if (plus == std::string::npos || slash == std::string::npos) continue;
    size_t start = line.find_last_of(" ", plus) + 1;
    printed[line.substr(start, plus - start)] = std::stoull(line.substr(slash + 3), nullptr, 16);
  }
  ASSERT_TRUE(printed.count("sysrq_handle_crash")) << "the panic's call trace:\n" << trace;
  // Static functions may share a name: the printed size must be that of one of them.
  std::map<std::string, std::set<uint64_t>> sizes;
  for (size_t i = 0; i < k.size(); ++i) {
    std::string name = k.name(i);
    if (!printed.count(name)) continue;
    if (auto hit = k.lookup(k.address(i))) sizes[name].insert(hit->size);
  }
  size_t matched = 0;
  for (const auto& [name, size] : printed) {
    EXPECT_TRUE(sizes[name].count(size)) << name << "/" << fmt::format("{:#x}", size);
    matched += sizes[name].count(size);
  }
  EXPECT_EQ(matched, printed.size());
  EXPECT_GE(printed.size(), 10u);
}

}  // namespace
}  // namespace vmcap
