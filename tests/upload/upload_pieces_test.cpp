// The upload layer's pieces without servers: file destination, layout names, backoff,
// the bounded queue, the deadline in retries.
#include <sys/stat.h>

#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "capture/upload/byte_queue.h"
#include "capture/upload/capture_layout.h"
#include "capture/upload/early_random.h"
#include "capture/upload/file_uploader.h"
#include "capture/upload/retry.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/upload_test_support.h"

namespace vmcap::upload {
namespace {

std::string slurp(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return "<missing>";
  std::string s;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

TEST(CaptureLayout, DirectoryName) {
  auto t = std::chrono::system_clock::from_time_t(1706745599);  // 2024-01-31 23:59:59 UTC
  EXPECT_EQ(capture_directory("web-01", t, 0x1a2b3c4d), "web-01-20240131T235959Z-1a2b3c4d");
  EXPECT_EQ(capture_directory("we b/../x", t, 1), "we_b_.._x-20240131T235959Z-00000001");
  EXPECT_EQ(capture_directory("", t, 1), "unknown-20240131T235959Z-00000001");
}

// Capture ids must differ between calls even when the kernel's pool is not ready (the
// fallback mixes the clocks with a counter); 1000 in a row are all different.
TEST(CaptureLayout, CaptureIdsDiffer) {
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(early_random());
  for (int i = 0; i < 1000; ++i) seen.insert(clock_random());
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_NE(random_capture_id(), random_capture_id());
}

TEST(FileUploader, WritesThroughATemporaryNameWithMode0600) {
  testing::TempDir dir;
  FileUploader up("local", dir.path() + "/crash");
  ASSERT_TRUE(up.put({"cap", "dmesg.txt"}, "hello\n", Deadline::after(std::chrono::seconds(10))));
  EXPECT_EQ(slurp(dir.path() + "/crash/cap/dmesg.txt"), "hello\n");
  EXPECT_EQ(slurp(dir.path() + "/crash/cap/.dmesg.txt.part"), "<missing>");
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/crash/cap/dmesg.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(FileUploader, StreamsFromAQueue) {
  testing::TempDir dir;
  std::string body = testing::pattern_bytes(3 << 20);
  ByteQueue q(4096);
  std::thread producer([&] {
    (void)q.write(std::as_bytes(std::span(body.data(), body.size())));
    (void)q.finish();
  });
  FileUploader up("local", dir.path());
  auto r = up.put_stream({"cap", "vmcore.flat"}, q, Deadline::after(std::chrono::seconds(30)));
  producer.join();
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(slurp(dir.path() + "/cap/vmcore.flat") == body);
}

TEST(FileUploader, ProducerFailureLeavesNoFile) {
  testing::TempDir dir;
  ByteQueue q(4096);
  std::string chunk(1000, 'a');
  ASSERT_TRUE(q.write(std::as_bytes(std::span(chunk.data(), chunk.size()))));
  q.fail("the dump reader broke");
  FileUploader up("local", dir.path());
  auto r = up.put_stream({"cap", "vmcore.flat"}, q, Deadline::after(std::chrono::seconds(10)));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("the dump reader broke"), std::string::npos);
  EXPECT_EQ(slurp(dir.path() + "/cap/vmcore.flat"), "<missing>");
  EXPECT_EQ(slurp(dir.path() + "/cap/.vmcore.flat.part"), "<missing>");
}

TEST(ByteQueue, AbandonUnblocksTheProducer) {
  ByteQueue q(16);
  std::string big(1000, 'b');
  std::thread consumer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    q.abandon("upload failed");
  });
  auto r = q.write(std::as_bytes(std::span(big.data(), big.size())));
  consumer.join();
  EXPECT_FALSE(r);
}

TEST(ByteQueue, ReadGivesUpAtTheDeadline) {
  ByteQueue q(16);
  char buf[8];
  auto r = q.read(buf, Deadline::after(std::chrono::milliseconds(30)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Limit);
}

TEST(Retry, BackoffGrowsWithJitterAndACap) {
  RetryPolicy p;
  p.initial_delay = std::chrono::milliseconds(1000);
  p.max_delay = std::chrono::milliseconds(8000);
  for (int i = 0; i < 50; ++i) {
    auto d1 = backoff_delay(p, 1), d3 = backoff_delay(p, 3), d9 = backoff_delay(p, 9);
    EXPECT_GE(d1.count(), 500);
    EXPECT_LE(d1.count(), 1000);
    EXPECT_GE(d3.count(), 2000);
    EXPECT_LE(d3.count(), 4000);
    EXPECT_GE(d9.count(), 4000);
    EXPECT_LE(d9.count(), 8000);
  }
}

TEST(Retry, StopsForRefusalsAndAtTheDeadline) {
  RetryPolicy p;
  p.retries = 5;
  p.initial_delay = std::chrono::milliseconds(1);
  int calls = 0;
  auto refused = with_retries(p, Deadline::after(std::chrono::seconds(10)), "x", [&](int) -> Result<void> {
    ++calls;
    return make_error(ErrorKind::Usage, "x", std::nullopt, "403");
  });
  EXPECT_FALSE(refused);
  EXPECT_EQ(calls, 1);
  calls = 0;
  auto transient = with_retries(p, Deadline::after(std::chrono::seconds(10)), "x", [&](int) -> Result<void> {
    return ++calls < 3 ? Result<void>(make_error(ErrorKind::Io, "x", std::nullopt, "500")) : ok();
  });
  EXPECT_TRUE(transient);
  EXPECT_EQ(calls, 3);
  p.initial_delay = std::chrono::seconds(30);
  auto late = with_retries(p, Deadline::after(std::chrono::milliseconds(50)), "x", [&](int) -> Result<void> {
    return make_error(ErrorKind::Io, "x", std::nullopt, "down");
  });
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, ErrorKind::Limit);
}

}  // namespace
}  // namespace vmcap::upload
