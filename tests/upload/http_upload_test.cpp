// HTTP PUT uploads into a real nginx (WebDAV module) on 127.0.0.1: the bytes on the
// server's disk are the bytes sent; 500s are retried, refusals are not; a server that is
// down and a deadline that passes end the upload with an error, in time.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "capture/upload/byte_queue.h"
#include "capture/upload/http_uploader.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"
#include "tests/upload/upload_test_support.h"

namespace vmcap::upload {
namespace {

using testing::destination;
using testing::fast_policy;
using testing::pattern_bytes;
using testing::read_file;

const char* kDav =
    "location /crash/ { dav_methods PUT DELETE; create_full_put_path on; dav_access user:rw; }\n"
    "location /broken/ { return 500; }\n"
    "location /forbidden/ { return 403; }\n";

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

class HttpUploadTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  testing::NginxServer nginx_{dir_.path(), kDav};
};

TEST_F(HttpUploadTest, PutFromMemoryLandsWithExactBytes) {
  HttpUploader up(destination(config::DestinationKind::Http, nginx_.url() + "/crash/"), fast_policy());
  std::string manifest = "{\"complete\": false}\n";
  auto r = up.put({"host-20240101T000000Z-0000abcd", "manifest.json", "application/json", {}}, manifest,
                  Deadline::after(std::chrono::seconds(30)));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read_file(nginx_.root() + "/crash/host-20240101T000000Z-0000abcd/manifest.json"), manifest);
  // The second manifest replaces the first.
  ASSERT_TRUE(up.put({"host-20240101T000000Z-0000abcd", "manifest.json"}, "{\"complete\": true}\n",
                     Deadline::after(std::chrono::seconds(30))));
  EXPECT_EQ(read_file(nginx_.root() + "/crash/host-20240101T000000Z-0000abcd/manifest.json"), "{\"complete\": true}\n");
}

TEST_F(HttpUploadTest, Streamed64MiBThroughABoundedQueueLandsWithExactBytes) {
  const std::string body = pattern_bytes(64u << 20);
  ByteQueue queue(1 << 20);  // 1 MiB in flight at most
  std::thread producer([&] {
    for (size_t off = 0; off < body.size(); off += 300'000) {  // odd sizes on purpose
      size_t n = std::min<size_t>(300'000, body.size() - off);
      if (!queue.write(std::as_bytes(std::span(body.data() + off, n)))) return;
    }
    (void)queue.finish();
  });
  HttpUploader up(destination(config::DestinationKind::Http, nginx_.url() + "/crash"), fast_policy());
  auto r = up.put_stream({"cap", "vmcore.flat"}, queue, Deadline::after(std::chrono::minutes(2)));
  producer.join();
  ASSERT_TRUE(r) << r.error().message();
  std::string got = read_file(nginx_.root() + "/crash/cap/vmcore.flat");
  ASSERT_EQ(got.size(), body.size());
  EXPECT_TRUE(got == body);
}

TEST_F(HttpUploadTest, ServerErrorsAreRetriedThenReported) {
  auto policy = fast_policy(2);
  int retries_seen = 0;
  policy.retry.on_retry = [&](const std::string&, int, const Error&, std::chrono::milliseconds) { ++retries_seen; };
  HttpUploader up(destination(config::DestinationKind::Http, nginx_.url() + "/broken"), policy);
  auto r = up.put({"cap", "dmesg.txt"}, "log\n", Deadline::after(std::chrono::seconds(30)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Io);
  EXPECT_NE(r.error().message().find("HTTP 500"), std::string::npos) << r.error().message();
  EXPECT_EQ(retries_seen, 2);
  EXPECT_EQ(count(nginx_.access_log(), "PUT /broken/cap/dmesg.txt 500"), 3) << nginx_.access_log();
}

TEST_F(HttpUploadTest, RefusalsAreNotRetried) {
  HttpUploader up(destination(config::DestinationKind::Http, nginx_.url() + "/forbidden"), fast_policy(3));
  auto r = up.put({"cap", "dmesg.txt"}, "log\n", Deadline::after(std::chrono::seconds(30)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
  EXPECT_EQ(count(nginx_.access_log(), "PUT /forbidden/cap/dmesg.txt 403"), 1) << nginx_.access_log();
}

TEST_F(HttpUploadTest, BearerTokenAndExtraHeadersAreSent) {
  auto d = destination(config::DestinationKind::Http, nginx_.url() + "/crash");
  d.bearer_token = {"(test)", "tok-123"};
  d.headers = {{"X-Site", "lab"}};
  HttpUploader up(d, fast_policy());
  ASSERT_TRUE(up.put({"cap", "dmesg.txt"}, "log\n", Deadline::after(std::chrono::seconds(30))));
  EXPECT_NE(nginx_.access_log().find("auth=[Bearer tok-123]"), std::string::npos) << nginx_.access_log();
}

TEST(HttpUploadFailure, ServerDownIsRetriedThenFailsWithinTheDeadline) {
  int port = testing::free_port();  // nothing listens there
  auto policy = fast_policy(3);
  int retries_seen = 0;
  policy.retry.on_retry = [&](const std::string&, int, const Error&, std::chrono::milliseconds) { ++retries_seen; };
  HttpUploader up(destination(config::DestinationKind::Http, "http://127.0.0.1:" + std::to_string(port) + "/x"),
                  policy);
  auto start = std::chrono::steady_clock::now();
  auto r = up.put({"cap", "dmesg.txt"}, "log\n", Deadline::after(std::chrono::seconds(60)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Io);
  EXPECT_EQ(retries_seen, 3);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST_F(HttpUploadTest, DeadlineAbortsASlowStream) {
  // The producer trickles 1 KiB every 50 ms: the 2 s deadline passes mid-body.
  ByteQueue queue(64 << 10);
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    std::string chunk(1024, 'x');
    while (!stop && queue.write(std::as_bytes(std::span(chunk.data(), chunk.size()))))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  });
  HttpUploader up(destination(config::DestinationKind::Http, nginx_.url() + "/crash"), fast_policy());
  auto start = std::chrono::steady_clock::now();
  auto r = up.put_stream({"cap", "vmcore.flat"}, queue, Deadline::after(std::chrono::seconds(2)));
  queue.abandon("test over");
  stop = true;
  producer.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Limit) << r.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));  // generous
  EXPECT_EQ(read_file(nginx_.root() + "/crash/cap/vmcore.flat"), "");  // nothing stored under the name
}

}  // namespace
}  // namespace vmcap::upload
