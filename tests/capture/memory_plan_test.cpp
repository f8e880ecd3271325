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

}  // namespace
}  // namespace vmcap::run
