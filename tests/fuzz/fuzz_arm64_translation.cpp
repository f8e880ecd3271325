// Fuzz target: arm64 translation. The first byte picks what the rest is:
//  - even: VMCOREINFO text. Parsed, the arm64 layout worked out from it, and its symbols
//    (and the linear map's and image's edges) translated over an empty dump: the fast
//    paths answer by formula, every walk fails cleanly.
//  - odd: byte 1 picks a granule x VA configuration (4K/16K/64K, 2 to 5 levels, LPA, LPA2,
//    folded), four addresses to read follow, and the rest is physical memory seen
//    everywhere below 2^46 (repeated), so any descriptor the fuzzer writes leads to more
//    of its own bytes: deep walks, blocks, reserved and invalid descriptors without
//    having to guess table addresses. Addresses at or above 2^46 are holes.
// Checked: no crash or hang; a translation covers at least its own byte and stays within
// its leaf; the fast paths and the layout's formulas agree.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "capture/kernel/arm64_layout.h"
#include "capture/kernel/feature_keys.h"
#include "capture/kernel/vmcoreinfo.h"
#include "capture/translate/arm64_virtual_memory.h"
#include "capture/translate/make_virtual_memory.h"
#include "tests/fuzz/fuzz_memory.h"

namespace {

using namespace vmcap;

constexpr uint64_t kMirrorLimit = 1ull << 46;

// The input's bytes at every physical address below kMirrorLimit, repeated.
class MirrorMemory final : public PhysicalMemory {
 public:
  explicit MirrorMemory(std::vector<std::byte> bytes) : bytes_(std::move(bytes)) {
    if (bytes_.empty()) bytes_.resize(8);
  }
  const std::vector<PhysRange>& ranges() const override { return ranges_; }
  Result<void> read(uint64_t paddr, std::span<std::byte> out) const override {
    for (size_t done = 0; done < out.size();) {
      const uint64_t a = paddr + done;
      if (a >= kMirrorLimit || a < paddr)
        return make_error(ErrorKind::Hole, "fuzz", a, "physical address not in the dump");
      const size_t at = a % bytes_.size();
      const size_t n = std::min(out.size() - done, bytes_.size() - at);
      std::memcpy(out.data() + done, bytes_.data() + at, n);
      done += n;
    }
    return ok();
  }

 private:
  std::vector<std::byte> bytes_;
  std::vector<PhysRange> ranges_{{0, kMirrorLimit}};
};

class EmptyMemory final : public PhysicalMemory {
 public:
  const std::vector<PhysRange>& ranges() const override { return none_; }
  Result<void> read(uint64_t paddr, std::span<std::byte>) const override {
    return make_error(ErrorKind::Hole, "fuzz", paddr, "empty dump");
  }

 private:
  std::vector<PhysRange> none_;
};

void check(const Arm64VirtualMemory& vm, uint64_t va) {
  const Arm64Layout& l = vm.layout();
  const uint64_t untagged = Arm64Layout::untag(va);
  if (auto t = vm.translate(va)) {
    if (t->contiguous == 0) __builtin_trap();
    if (l.in_linear_map(untagged) && t->paddr != l.linear_to_phys(untagged)) __builtin_trap();
  }
  if (auto w = vm.walk(va)) {
    // A leaf is at most the top table's reach; what is left of it covers this byte.
    if (w->contiguous == 0 || w->contiguous > (1ull << l.table_va_bits)) __builtin_trap();
  }
  std::byte buf[24];
  (void)vm.read(va, buf);
}

// Even inputs: the text is VMCOREINFO.
void from_text(std::string_view text) {
  auto info = VmcoreInfo::parse(text, "fuzz");
  if (!info) return;
  (void)check_feature_keys(*info, kEmAarch64);
  EmptyMemory empty;
  (void)make_virtual_memory(kEmAarch64, empty, *info, {});
  auto layout = Arm64Layout::from_vmcoreinfo(*info);
  if (!layout) return;
  const Arm64Layout& l = *layout;
  if (l.levels < 2 || l.levels > 5 || l.runtime_va_bits > l.va_bits) __builtin_trap();
  // The linear map is an ordered range inside the kernel's (end 0: the top, pre-5.4).
  if (l.linear.start < l.kernel_va_start() || (l.linear.end != 0 && l.linear.start >= l.linear.end))
    __builtin_trap();
  if (l.in_linear_map(l.linear.start) &&
      l.linear_to_phys(l.phys_to_linear(l.linear_to_phys(l.linear.start))) !=
          l.linear_to_phys(l.linear.start))
    __builtin_trap();
  Arm64VirtualMemory vm(empty, l);
  std::vector<uint64_t> probes = {l.linear.start, l.linear.end - 1, l.image.start,
                                  l.image.end - 1, l.kernel_va_start(), 0};
  if (l.vmemmap) probes.push_back(*l.vmemmap);
  for (const auto& [key, value] : info->entries())
    if (key.starts_with("SYMBOL(") && key.size() > 8)
      if (auto v = info->symbol(std::string_view(key).substr(7, key.size() - 8)))
        probes.push_back(*v);
  if (probes.size() > 64) probes.resize(64);
  for (uint64_t va : probes) check(vm, va);
}

// Odd inputs: a configuration, four addresses, and the physical memory.
struct Config {
  unsigned page_shift, va_bits, runtime_va_bits;
};
constexpr Config kConfigs[] = {
    {12, 39, 39}, {12, 48, 48}, {12, 52, 52}, {12, 52, 48}, {14, 36, 36}, {14, 47, 47},
    {14, 48, 48}, {14, 52, 52}, {14, 52, 47}, {16, 42, 42}, {16, 48, 48}, {16, 52, 52},
    {16, 52, 48},
};

void from_tables(fuzz::InputReader& in) {
  const Config c = kConfigs[in.byte() % std::size(kConfigs)];
  // swapper_pg_dir lands at physical 0: the input's first bytes are the top table.
  const uint64_t page_end = ~0ull << ((c.va_bits > 48 ? (c.page_shift == 14 ? 47 : 48) : c.va_bits) - 1);
  const uint64_t image = page_end + (128ull << 20);
  const std::string text = fmt::format(
      "OSRELEASE=6.12.0\nPAGESIZE={}\nNUMBER(VA_BITS)={}\nNUMBER(TCR_EL1_T1SZ)={:#x}\n"
      "NUMBER(kimage_voffset)={:#x}\nNUMBER(PHYS_OFFSET)=0x40000000\n"
      "SYMBOL(swapper_pg_dir)={:x}\n",
      1u << c.page_shift, c.va_bits, 64 - c.runtime_va_bits, image, image);
  auto info = VmcoreInfo::parse(text);
  auto layout = Arm64Layout::from_vmcoreinfo(*info);
  if (!layout) __builtin_trap();  // every configuration above is valid
  uint64_t vas[4];
  for (auto& va : vas) va = in.u(8);
  MirrorMemory mem(in.rest());
  Arm64VirtualMemory vm(mem, *layout);
  for (uint64_t va : vas) {
    check(vm, va);
    check(vm, va | (~0ull << c.runtime_va_bits));  // the same index bits, in kernel range
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    from_text(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  } else {
    vmcap::fuzz::InputReader in(data + 1, size - 1);
    from_tables(in);
  }
  return 0;
}
