// The synthetic kernel memory images the printk fuzz targets decode, shared with the seed
// generator so seeds and targets agree on where the input goes. Each image is a fixed
// VMCOREINFO plus kernel variables and buffers whose bytes come from the input.
#pragma once

#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_memory.h"

namespace vmcap::fuzz {

// Kernel image (variables) and direct map (buffers), as on x86_64.
inline constexpr uint64_t kImage = 0xffffffff81000000ull;
inline constexpr uint64_t kHeap = 0xffff888000000000ull;

// --- Generation 1 (5.10+ printk_ringbuffer), Debian 6.1 layout --------------------------
// Built by tests/printk's SyntheticRingbuffer (its addresses and VMCOREINFO). Input:
// struct printk_ringbuffer (88 bytes) | descs[32] (24 each) | infos[32] (88 each) | text
// data ring (2048 bytes). The struct's pointers and bit counts are input too: seeds point
// them at the arrays, the fuzzer may point them anywhere.
inline constexpr unsigned kCountBits = 5, kSizeBits = 11;
inline constexpr uint64_t kRbSize = 88, kDescSize = 24, kInfoSize = 88;
inline constexpr uint64_t kCount = 1u << kCountBits, kDataSize = 1u << kSizeBits;

// --- Generation 2 (printk_log, 3.5-5.9), 16-byte headers, no caller_id -----------------
// Input: u32 log_buf_len | u32 log_first_idx | u32 log_next_idx | buffer bytes (<= 64 KiB).
inline constexpr uint64_t kLogBufVar = kImage + 0x100;
inline constexpr uint64_t kLogBufLenVar = kImage + 0x108;
inline constexpr uint64_t kFirstIdxVar = kImage + 0x110;
inline constexpr uint64_t kNextIdxVar = kImage + 0x118;
inline constexpr uint64_t kLogBuf = kHeap + 0x100000;

// --- Generation 3 (character ring, before 3.5) -----------------------------------------
// Input: u32 log_end | u32 log_buf_len | buffer bytes (<= 64 KiB).
inline constexpr uint64_t kLogEndVar = kImage + 0x120;

inline constexpr size_t kMaxBuffer = 64 * 1024;

std::string hex(uint64_t v);
std::string printk_log_info();
std::string char_ring_info();

}  // namespace vmcap::fuzz
