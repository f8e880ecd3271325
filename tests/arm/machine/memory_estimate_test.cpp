// The crashkernel= estimate: the numbers of the header's check (Debian 6.1, vmcap's image, 1,
// 2 and 4 GiB guests against the 96M found by scripts/e2e-kdump.sh --find-crashkernel), the
// terms adding up, and absurd inputs.
#include "arm/machine/memory_estimate.h"

#include <gtest/gtest.h>

namespace vmcap::arm {
namespace {

constexpr uint64_t MiB = 1u << 20;
constexpr uint64_t GiB = 1u << 30;

// Debian 6.1.0-50's init_size and vmcap's image with virtio_pci and virtio_net
// (docs/initramfs.md: 3.37 MiB zstd with the 256 KiB window, 8.76 MiB unpacked).
EstimateInputs debian61(uint64_t ram_end) {
  EstimateInputs in;
  in.kernel_init_size = 66678784;
  in.initramfs_bytes = 3533701;
  in.initramfs_unpacked_bytes = 9185526;
  in.ram_end_bytes = ram_end;
  return in;
}

uint64_t sum_of_terms(const MemoryEstimate& e) {
  uint64_t s = 0;
  for (const EstimateTerm& t : e.terms) s += t.bytes;
  return s;
}

TEST(MemoryEstimate, ADebian61GuestOf1GiBMatchesTheMeasuredSmallest) {
  const MemoryEstimate e = estimate_crashkernel(debian61(1 * GiB));
  // 96M captured the guest and 88M did not: the minimum falls between.
  EXPECT_GT(e.minimum_bytes, 88 * MiB) << mib_string(e.minimum_bytes);
  EXPECT_LE(e.minimum_bytes, 96 * MiB) << mib_string(e.minimum_bytes);
  EXPECT_EQ(mib_string(e.minimum_bytes), "93.0 MiB");
  EXPECT_GE(e.recommended_bytes, 96 * MiB);
  EXPECT_EQ(e.recommended_bytes, 144 * MiB);
  EXPECT_EQ(e.crashkernel_parameter(), "crashkernel=144M");
}

// Debian 6.1.0-50-arm64: image_size 0x2010000 and the 6 MiB it reserves beside it
// (capture_kernel.h), the aarch64 vmcap's image with virtio_pci and virtio_net (3,624,517
// bytes, 9,065,388 unpacked), QEMU virt's 1 GiB at 1 GiB. scripts/e2e-kdump.sh --arch arm64
// --crashkernel N: 64M fails (out of memory while the capture kernel starts), 80M and 96M
// capture (vmcap's peak RSS 15 MB).
TEST(MemoryEstimate, ADebian61Arm64GuestOf1GiBMatchesTheMeasuredSmallest) {
  EstimateInputs in;
  in.kernel_init_size = 0x2010000 + 6 * MiB;
  in.initramfs_bytes = 3624517;
  in.initramfs_unpacked_bytes = 9065388;
  in.ram_end_bytes = 2 * GiB;
  const MemoryEstimate e = estimate_crashkernel(in);
  EXPECT_GT(e.minimum_bytes, 64 * MiB) << mib_string(e.minimum_bytes);
  EXPECT_LE(e.minimum_bytes, 80 * MiB) << mib_string(e.minimum_bytes);
  EXPECT_EQ(mib_string(e.minimum_bytes), "67.2 MiB");
  EXPECT_EQ(e.crashkernel_parameter(), "crashkernel=112M");
}

TEST(MemoryEstimate, TwoAndFourGiBGuests) {
  EXPECT_EQ(estimate_crashkernel(debian61(2 * GiB)).recommended_bytes, 144 * MiB);
  // q35 with 4 GiB: 2 GiB below the PCI hole, RAM up to 6 GiB.
  EXPECT_EQ(estimate_crashkernel(debian61(6 * GiB)).recommended_bytes, 144 * MiB);
}

TEST(MemoryEstimate, BigMachinesNeedMoreForTheBitmaps) {
  const auto small = estimate_crashkernel(debian61(4 * GiB));
  const auto big = estimate_crashkernel(debian61(1024 * GiB));
  EXPECT_GT(big.recommended_bytes, small.recommended_bytes);
  EXPECT_EQ(big.recommended_bytes, 288 * MiB);  // 128 MiB of bitmaps for 1 TiB
}

TEST(MemoryEstimate, TheTermsAddUpToTheRecommendation) {
  const MemoryEstimate e = estimate_crashkernel(debian61(1 * GiB));
  const uint64_t s = sum_of_terms(e);
  EXPECT_GE(e.recommended_bytes, s);
  EXPECT_LT(e.recommended_bytes - s, kEstimateStep);
  EXPECT_EQ(e.recommended_bytes % kEstimateStep, 0u);
  EXPECT_EQ(e.terms.front().name, "kernel");
  EXPECT_EQ(e.terms.front().bytes, 66678784u);
  EXPECT_EQ(e.terms.back().name, "margin");
  for (const EstimateTerm& t : e.terms) EXPECT_FALSE(t.how.empty()) << t.name;
  EXPECT_NE(e.terms.front().how.find("63.6 MiB"), std::string::npos) << e.terms.front().how;
}

TEST(MemoryEstimate, AnUnknownUnpackedSizeIsTwiceTheImage) {
  EstimateInputs in = debian61(1 * GiB);
  in.initramfs_unpacked_bytes.reset();
  const MemoryEstimate e = estimate_crashkernel(in);
  EXPECT_EQ(e.terms[1].name, "initramfs");
  EXPECT_EQ(e.terms[1].bytes, 3 * in.initramfs_bytes);
  EXPECT_NE(e.terms[1].how.find("2 x the image"), std::string::npos);
}

TEST(MemoryEstimate, TheMarginIsAtLeast8MiB) {
  const MemoryEstimate e = estimate_crashkernel(EstimateInputs{});
  EXPECT_EQ(e.terms.back().bytes, 8 * MiB);
  EXPECT_GT(e.minimum_bytes, 0u);
  EXPECT_LE(e.minimum_bytes, e.recommended_bytes);
}

TEST(MemoryEstimate, AbsurdInputsSaturate) {
  EstimateInputs in;
  in.kernel_init_size = UINT64_MAX;
  in.initramfs_bytes = UINT64_MAX;
  in.ram_end_bytes = UINT64_MAX;
  const MemoryEstimate e = estimate_crashkernel(in);
  EXPECT_GE(e.recommended_bytes, e.minimum_bytes / 2);
  EXPECT_GT(e.minimum_bytes, 1ull << 60);
  EXPECT_FALSE(e.crashkernel_parameter().empty());
}

}  // namespace
}  // namespace vmcap::arm
