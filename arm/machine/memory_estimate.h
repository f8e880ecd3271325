// The crashkernel= reservation vmcap's capture needs on this machine: a formula over what
// will be in the reservation, every term returned with how it was found so that
// `vmcap estimate` and a refused `vmcap arm` can print the arithmetic.
//
// The formula (MiB = 2^20 bytes):
//   kernel      K  = PAGE_ALIGN(init_size) of the capture kernel's bzImage: kexec_file_load
//                    places the kernel in that much of the reservation, and the booted kernel's
//                    image and early allocations fill most of it (Debian 6.1: init_size
//                    63.6 MiB; at 96M its "Memory:" line reports 60.7 MiB reserved, the
//                    3.4 MiB initrd and 1.5 MiB of struct pages included)
//                    arm64: the Image's text_offset + image_size + 6 MiB the kernel reserves
//                    beside it at boot (capture_kernel.h; Debian 6.1: 32.1 + 6 MiB)
//   initramfs   I  = the image as loaded + its unpacked size: both are in memory while the
//                    kernel unpacks it, and the unpacked files stay in the rootfs (tmpfs).
//                    Unpacked size unknown: 2 x the image (kdumpctl's "3 x initramfs" in all)
//   kexec       X  = 1 MiB: purgatory, boot parameters, command line, ELF core headers
//   runtime     R  = 8 MiB: the kernel's allocations after boot that init_size does not cover
//                    (slab, page tables, the NIC's rings) with nr_cpus=1
//   vmcap       V  = 6 MiB of its own (heap, stacks, TLS; its text is the image's, counted in I)
//                    + its core memory plan (capture/run/memory_plan.h): the full
//                    CoreMemoryPlan{} (8 MiB queue + 24 MiB page batches) for the
//                    recommendation, the plan's floors (256 KiB + 512 KiB) for the minimum
//   bitmaps     B  = 4 bits per 4 KiB page up to the machine's highest RAM address: vmcap's
//                    pfn bitmaps at once (the filter's keep, the writer's held, dumped and RAM
//                    maps): 128 KiB per GiB
//   struct pages   the capture kernel's own memmap, 64 bytes per 4 KiB page of the
//                    reservation itself: the sum is multiplied by 4096 / (4096 - 64)
//   minimum     = (K + I + X + R + V_floor + B) * 64/63              below it: refuse
//   recommended = round_up((K + I + X + R + V_full + B) * 64/63 + margin, 16 MiB),
//                 margin = max(10 %, 8 MiB)                           the crashkernel= to set
//
// How it was checked: Debian 6.1's kernel (init_size 66,678,784 bytes) with vmcap's image for
// virtio-net (3.37 MiB zstd, 8.76 MiB unpacked, docs/initramfs.md) capturing a 1 GiB QEMU
// guest: scripts/e2e-kdump.sh --find-crashkernel found 96M the smallest that works (88M and
// below fail: docs/initramfs.md; CTest's e2e_kdump_ours runs at 96M), with vmcap's peak RSS
// 13-14 MB there and ~41 MB when the plan is full. The formula gives a minimum of 93.0 MiB
// (between 88 and 96) and recommends 144M for 1, 2 and 4 GiB guests (minimum 93.0, 93.2 and
// 93.7 MiB; a 4 GiB q35 guest's RAM ends at 6 GiB), 160M when RAM ends at 64 GiB, 288M at
// 1 TiB; memory_estimate_test.cpp pins these numbers. R and vmcap's own 6 MiB are calibrated on that run;
// the recommendation against real 2 and 4 GiB captures is for the e2e script to confirm.
// arm64 (Debian 6.1.0-50-arm64, the aarch64 vmcap's image of 3.46 MiB, a 1 GiB QEMU virt
// guest): 64M fails, 80M captures; the formula's minimum is 67.2 MiB, it recommends 112M.
// Not counted: SME/SEV (Fedora adds 64M), drivers that need much memory (mlx5), LUKS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmcap::arm {

struct EstimateInputs {
  uint64_t kernel_init_size = 0;  // the capture kernel's boot memory: a bzImage's init_size, an arm64 Image's image_size
  std::string kernel_source = "init_size of the capture kernel's bzImage";
  uint64_t initramfs_bytes = 0;   // the image file kexec_file_load is given
  std::optional<uint64_t> initramfs_unpacked_bytes;  // its cpio's size, when known
  uint64_t ram_end_bytes = 0;     // MachineRam::end_bytes of the machine that will crash
};

struct EstimateTerm {
  std::string name;  // "kernel", "initramfs", ...
  uint64_t bytes = 0;
  std::string how;   // "init_size of the bzImage: 63.6 MiB"
};

struct MemoryEstimate {
  std::vector<EstimateTerm> terms;  // every term of the formula, the margin last
  uint64_t minimum_bytes = 0;       // a reservation below this cannot capture: refuse
  uint64_t recommended_bytes = 0;   // a multiple of 16 MiB
  std::string crashkernel_parameter() const;  // "crashkernel=144M"
};

inline constexpr uint64_t kEstimateStep = 16u << 20;

MemoryEstimate estimate_crashkernel(const EstimateInputs& in);

// "93.1 MiB": bytes in MiB with one decimal, as the terms print them.
std::string mib_string(uint64_t bytes);

}  // namespace vmcap::arm
