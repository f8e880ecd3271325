// /proc/iomem's "Crash kernel" ranges and the crash reservation's sysfs files, over text and
// trees made here: a QEMU guest's real layout, the zeros a non-root reader sees, garbage.
#include "arm/machine/crash_reservation.h"

#include <gtest/gtest.h>

#include "tests/arm/machine/fake_root.h"

namespace vmcap::arm {
namespace {

using testing::FakeRoot;

// A 1 GiB QEMU guest booted with crashkernel=192M ("Reserving 192MB of memory at 608MB").
constexpr const char* kGuestIomem =
    "00000000-00000fff : Reserved\n"
    "00001000-0009fbff : System RAM\n"
    "0009fc00-0009ffff : Reserved\n"
    "000a0000-000bffff : PCI Bus 0000:00\n"
    "000f0000-000fffff : Reserved\n"
    "  000f0000-000fffff : System ROM\n"
    "00100000-3ffdffff : System RAM\n"
    "  1b000000-1be025d6 : Kernel code\n"
    "  1c000000-1c8d3fff : Kernel rodata\n"
    "  26000000-31ffffff : Crash kernel\n"
    "3ffe0000-3fffffff : Reserved\n"
    "fd000000-fdffffff : PCI Bus 0000:00\n"
    "  fd000000-fdffffff : 0000:00:02.0\n"
    "100000000-17fffffff : System RAM\n";

TEST(IomemCrashRanges, FindsTheNestedRangeOfARealGuest) {
  auto r = parse_iomem_crash_ranges(kGuestIomem);
  ASSERT_EQ(r.ranges.size(), 1u);
  EXPECT_EQ(r.ranges[0].start, 0x26000000u);
  EXPECT_EQ(r.ranges[0].end, 0x31ffffffu);
  EXPECT_EQ(r.ranges[0].depth, 1);
  EXPECT_EQ(r.ranges[0].name, "Crash kernel");
  EXPECT_EQ(r.total_bytes(), 192u << 20);
  EXPECT_FALSE(r.addresses_hidden);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(IomemCrashRanges, HighAndLowRangesAddUp) {
  auto r = parse_iomem_crash_ranges(
      "00100000-bfffffff : System RAM\n"
      "  b4000000-bbffffff : Crash kernel\n"
      "100000000-83fffffff : System RAM\n"
      "  82c000000-83bffffff : Crash kernel\n"
      "  82c000000-82c000fff : Crash kernel (low)\n");
  ASSERT_EQ(r.ranges.size(), 3u);
  EXPECT_EQ(r.ranges[1].start, 0x82c000000u);
  EXPECT_EQ(r.ranges[2].name, "Crash kernel (low)");
  EXPECT_EQ(r.total_bytes(), (128u << 20) + (256u << 20) + 4096);
}

TEST(IomemCrashRanges, ZerosMeanTheReaderIsNotRoot) {
  auto r = parse_iomem_crash_ranges(
      "00000000-00000000 : System RAM\n"
      "  00000000-00000000 : Crash kernel\n");
  ASSERT_EQ(r.ranges.size(), 1u);
  EXPECT_TRUE(r.addresses_hidden);
  EXPECT_EQ(r.total_bytes(), 0u);
}

TEST(IomemCrashRanges, NoReservationNoRanges) {
  auto r = parse_iomem_crash_ranges("00100000-3ffdffff : System RAM\n  01000000-01e025d6 : Kernel code\n");
  EXPECT_TRUE(r.ranges.empty());
  EXPECT_FALSE(r.addresses_hidden);
  EXPECT_EQ(r.total_bytes(), 0u);
  EXPECT_TRUE(parse_iomem_crash_ranges("").ranges.empty());
}

TEST(IomemCrashRanges, NamesThatOnlyStartAlikeAreNotCrashRanges) {
  auto r = parse_iomem_crash_ranges("  1000-1fff : Crash kernelette\n  2000-2fff : crash kernel\n");
  EXPECT_TRUE(r.ranges.empty());
}

TEST(IomemCrashRanges, GarbageLinesAreSkippedWithAWarning) {
  auto r = parse_iomem_crash_ranges(
      "zzzz-1000 : Crash kernel\n"                   // not hex
      "1000 : Crash kernel\n"                        // no range
      "2000-1000 : Crash kernel\n"                   // backwards
      "10000000000000000-1 : Crash kernel\n"         // 17 digits
      "1000-2000 Crash kernel\n"                     // no " : "
      "  3000-3fff : Crash kernel\n");               // the one good line
  ASSERT_EQ(r.ranges.size(), 1u);
  EXPECT_EQ(r.ranges[0].start, 0x3000u);
  EXPECT_EQ(r.warnings.size(), 5u);
  EXPECT_NE(r.warnings[2].find("line 3"), std::string::npos);
}

TEST(IomemCrashRanges, ANulEndsTheText) {
  const std::string text = std::string("1000-1fff : Crash kernel\n") + '\0' + "2000-2fff : Crash kernel\n";
  EXPECT_EQ(parse_iomem_crash_ranges(text).ranges.size(), 1u);
}

TEST(IomemCrashRanges, WarningsAndRangesAreBounded) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "nonsense line " + std::to_string(i) + "\n";
  for (int i = 0; i < 100; ++i) text += "1000-1fff : Crash kernel\n";
  text += std::string(10000, 'x') + "\n";
  auto r = parse_iomem_crash_ranges(text);
  EXPECT_EQ(r.ranges.size(), kMaxCrashRanges);
  EXPECT_EQ(r.warnings.size(), kMaxWarnings + 1);
  EXPECT_NE(r.warnings.back().find("more /proc/iomem problems"), std::string::npos);
}

TEST(IomemCrashRanges, TheWholeAddressSpaceSaturates) {
  auto r = parse_iomem_crash_ranges("0-ffffffffffffffff : Crash kernel\n1-1 : Crash kernel\n");
  EXPECT_EQ(r.total_bytes(), UINT64_MAX);
}

void put_machine(const FakeRoot& m) {
  m.put("/sys/kernel/kexec_crash_size", "201326592\n");
  m.put("/sys/kernel/kexec_crash_loaded", "1\n");
  m.put("/proc/iomem", kGuestIomem);
  m.put("/sys/devices/system/cpu/crash_hotplug", "1\n");
  m.put("/sys/devices/system/memory/crash_hotplug", "0\n");
}

TEST(CrashReservation, ReadsAnArmedMachine) {
  FakeRoot m;
  put_machine(m);
  auto c = read_crash_reservation(m.root());
  ASSERT_TRUE(c.size.has_value()) << c.size.unknown;
  EXPECT_EQ(*c.size.value, 192u << 20);
  EXPECT_EQ(c.size.source, "/sys/kernel/kexec_crash_size");
  EXPECT_EQ(c.loaded.value, true);
  ASSERT_TRUE(c.iomem.has_value());
  EXPECT_EQ(c.iomem.value->total_bytes(), 192u << 20);
  EXPECT_EQ(c.cpu_hotplug_updates.value, true);
  EXPECT_EQ(c.memory_hotplug_updates.value, false);
}

TEST(CrashReservation, AnEmptyTreeIsUnknownAndSaysWhy) {
  FakeRoot m;
  auto c = read_crash_reservation(m.root());
  EXPECT_FALSE(c.size.has_value());
  EXPECT_NE(c.size.unknown.find("/sys/kernel/kexec_crash_size absent"), std::string::npos) << c.size.unknown;
  EXPECT_FALSE(c.loaded.has_value());
  EXPECT_FALSE(c.iomem.has_value());
  EXPECT_NE(c.iomem.unknown.find("/proc not mounted"), std::string::npos);
  EXPECT_NE(c.cpu_hotplug_updates.unknown.find("before 6.5"), std::string::npos) << c.cpu_hotplug_updates.unknown;
}

TEST(CrashReservation, NoCrashkernelIsSizeZero) {
  FakeRoot m;
  m.put("/sys/kernel/kexec_crash_size", "0\n");
  m.put("/sys/kernel/kexec_crash_loaded", "0\n");
  auto c = read_crash_reservation(m.root());
  EXPECT_EQ(c.size.value, 0u);
  EXPECT_EQ(c.loaded.value, false);
}

TEST(CrashReservation, GarbageValuesAreUnknownWithTheText) {
  FakeRoot m;
  m.put("/sys/kernel/kexec_crash_size", "lots\n");
  m.put("/sys/kernel/kexec_crash_loaded", "2\n");
  m.put("/sys/devices/system/cpu/crash_hotplug", "");
  m.put("/sys/devices/system/memory/crash_hotplug", "99999999999999999999999999\n");
  auto c = read_crash_reservation(m.root());
  EXPECT_FALSE(c.size.has_value());
  EXPECT_NE(c.size.unknown.find("'lots'"), std::string::npos);
  EXPECT_FALSE(c.loaded.has_value());
  EXPECT_NE(c.loaded.unknown.find("not 0 or 1"), std::string::npos);
  EXPECT_FALSE(c.cpu_hotplug_updates.has_value());
  EXPECT_FALSE(c.memory_hotplug_updates.has_value());
}

TEST(CrashReservation, AFolderWhereAFileShouldBeIsUnknown) {
  FakeRoot m;
  m.mkdir("/sys/kernel/kexec_crash_size");
  auto c = read_crash_reservation(m.root());
  EXPECT_FALSE(c.size.has_value());
  EXPECT_NE(c.size.unknown.find("not a regular file"), std::string::npos) << c.size.unknown;
}

TEST(CrashReservation, AHugeIomemIsReadUpToItsLimit) {
  FakeRoot m;
  std::string text = "  26000000-31ffffff : Crash kernel\n";
  const std::string filler = "00100000-3ffdffff : System RAM\n";
  while (text.size() <= kMaxIomemBytes) text += filler;
  text += "  40000000-4fffffff : Crash kernel\n";  // past the limit: not seen
  m.put("/proc/iomem", text);
  auto c = read_crash_reservation(m.root());
  ASSERT_TRUE(c.iomem.has_value());
  EXPECT_EQ(c.iomem.value->ranges.size(), 1u);
  ASSERT_FALSE(c.iomem.value->warnings.empty());
  EXPECT_NE(c.iomem.value->warnings.back().find("first 4 MiB"), std::string::npos);
}

}  // namespace
}  // namespace vmcap::arm
