// The streamed core's memory plan: MemAvailable parsing and the sizes a small capture
// kernel, a big machine and an unknown one get.
#include "capture/run/memory_plan.h"

#include <gtest/gtest.h>

namespace vmcap::run {
namespace {

constexpr uint64_t MiB = 1u << 20;

TEST(MemoryPlan, ParsesMemAvailableOfARealMeminfo) {
  const char* text =
      "MemTotal:          35856 kB\nMemFree:            9876 kB\nMemAvailable:      12288 kB\nBuffers:               0 kB\n";
  EXPECT_EQ(parse_mem_available(text), 12288u * 1024);
}

TEST(MemoryPlan, RefusesAbsentOrMalformedLines) {
  EXPECT_FALSE(parse_mem_available("MemTotal: 1000 kB\n"));
  EXPECT_FALSE(parse_mem_available("MemAvailable:  lots kB\n"));
  EXPECT_FALSE(parse_mem_available("MemAvailable:  1000 MB\n"));
  EXPECT_FALSE(parse_mem_available("MemAvailable:  99999999999999999999999 kB\n"));
  EXPECT_FALSE(parse_mem_available(""));
}

TEST(MemoryPlan, ReadsThisMachinesMeminfo) {
  auto a = mem_available_bytes();
  ASSERT_TRUE(a);
  EXPECT_GT(*a, 0u);
}

TEST(MemoryPlan, UnknownMemoryGetsTheFullSizes) {
  auto p = plan_core_memory(std::nullopt);
  EXPECT_EQ(p.queue_bytes, 8 * MiB);
  EXPECT_EQ(p.pipeline_bytes, 24 * MiB);
  EXPECT_NE(p.describe().find("unknown"), std::string::npos);
}

TEST(MemoryPlan, ABigMachineGetsTheFullSizes) {
  auto p = plan_core_memory(16ull << 30);
  EXPECT_EQ(p.queue_bytes, 8 * MiB);
  EXPECT_EQ(p.pipeline_bytes, 24 * MiB);
}

// What a 96M crashkernel left free in the e2e run (about 12 MiB): a quarter of it in all.
TEST(MemoryPlan, ASmallCaptureKernelGetsAQuarterOfWhatIsFree) {
  auto p = plan_core_memory(12 * MiB);
  EXPECT_EQ(p.queue_bytes + p.pipeline_bytes, 3 * MiB);
  EXPECT_EQ(p.queue_bytes, 768u << 10);
  EXPECT_EQ(p.describe(), "12 MiB available: core queue 768 KiB, page batches 2304 KiB");
}

TEST(MemoryPlan, NearlyNothingFreeStillStreamsAtTheFloors) {
  auto p = plan_core_memory(1 * MiB);
  EXPECT_EQ(p.queue_bytes, kMinCoreQueueBytes);
  EXPECT_EQ(p.pipeline_bytes, kMinPipelineBytes);
  p = plan_core_memory(0);
  EXPECT_EQ(p.queue_bytes, kMinCoreQueueBytes);
  EXPECT_EQ(p.pipeline_bytes, kMinPipelineBytes);
}

// core_format = flat-zstd: the frames come out of the same quarter.
TEST(FlatZstdMemoryPlan, UnknownMemoryGetsFullFramesOnEveryThread) {
  auto p = plan_flat_zstd_memory(std::nullopt, 2);
  EXPECT_EQ(p.frame_bytes, 4 * MiB);
  EXPECT_EQ(p.frame_threads, 2u);
  EXPECT_EQ(p.queue_bytes, 8 * MiB);
  EXPECT_EQ(p.pipeline_bytes, 24 * MiB);
}

TEST(FlatZstdMemoryPlan, ABigMachineGetsFullFramesOnEveryThread) {
  auto p = plan_flat_zstd_memory(16ull << 30, 4);
  EXPECT_EQ(p.frame_bytes, 4 * MiB);
  EXPECT_EQ(p.frame_threads, 4u);
  EXPECT_EQ(p.pipeline_bytes, 24 * MiB);
}

// A 96M crashkernel had 13-16 MiB free in scripts/e2e-kdump.sh's runs (17 in docs/initramfs.md):
// 256 KiB frames up to about 16 MiB, 512 KiB from 17, one thread, all within the quarter.
TEST(FlatZstdMemoryPlan, A96MCaptureKernelGetsSmallFramesWithinItsQuarter) {
  for (uint64_t free : {13 * MiB, 16 * MiB}) {
    auto p = plan_flat_zstd_memory(free, 1);
    EXPECT_EQ(p.frame_bytes, 256u << 10) << free;
    EXPECT_EQ(p.frame_threads, 1u);
    EXPECT_LE(p.queue_bytes + p.frames_memory() + p.pipeline_bytes, free / 4 + 1);
  }
  auto p = plan_flat_zstd_memory(17 * MiB, 1);
  EXPECT_EQ(p.frame_bytes, 512u << 10);
  EXPECT_EQ(p.frame_threads, 1u);
  EXPECT_LE(p.queue_bytes + p.frames_memory() + p.pipeline_bytes, 17 * MiB / 4 + 1);
  EXPECT_GE(p.pipeline_bytes, kMinPipelineBytes);
  EXPECT_EQ(p.describe(), "17 MiB available: core queue 544 KiB, page batches 724 KiB, zstd frames of 512 KiB on 1 thread (3084 KiB)");
}

// Larger frames come before more threads: 64 MiB free takes 2 MiB frames on one thread
// rather than smaller ones on two; 128 MiB has room for 4 MiB frames on both.
TEST(FlatZstdMemoryPlan, LargerFramesComeBeforeMoreThreads) {
  auto p = plan_flat_zstd_memory(64 * MiB, 2);
  EXPECT_EQ(p.frame_bytes, 2 * MiB);
  EXPECT_EQ(p.frame_threads, 1u);
  EXPECT_LE(p.queue_bytes + p.frames_memory() + p.pipeline_bytes, 16 * MiB);
  p = plan_flat_zstd_memory(128 * MiB, 2);
  EXPECT_EQ(p.frame_bytes, 4 * MiB);
  EXPECT_EQ(p.frame_threads, 2u);
}

TEST(FlatZstdMemoryPlan, NearlyNothingFreeStillStreamsAtTheFloors) {
  auto p = plan_flat_zstd_memory(1 * MiB, 2);
  EXPECT_EQ(p.frame_bytes, kMinFrameBytes);
  EXPECT_EQ(p.frame_threads, 1u);
  EXPECT_EQ(p.queue_bytes, kMinCoreQueueBytes);
  EXPECT_EQ(p.pipeline_bytes, kMinPipelineBytes);
}

TEST(FlatZstdMemoryPlan, FlatHasNoFrames) {
  auto p = plan_core_memory(17 * MiB);
  EXPECT_EQ(p.frame_threads, 0u);
  EXPECT_EQ(p.frames_memory(), 0u);
  EXPECT_EQ(p.describe().find("zstd"), std::string::npos);
}

}  // namespace
}  // namespace vmcap::run
