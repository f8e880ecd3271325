// SFTP uploads into a real OpenSSH sshd on 127.0.0.1 (own host key, key login): the
// file lands under its final name with exact bytes; a known_hosts entry with a different
// key makes the upload fail without retries and without writing anything.
#include <sys/stat.h>

#include <thread>

#include <gtest/gtest.h>

#include "capture/upload/byte_queue.h"
#include "capture/upload/sftp_uploader.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"
#include "tests/upload/upload_test_support.h"

namespace vmcap::upload {
namespace {

using testing::read_file;

class SftpUploadTest : public ::testing::Test {
 protected:
  config::Destination dest(bool wrong_host_key) {
    auto d = testing::destination(config::DestinationKind::Sftp,
                                  "sftp://" + sshd_.user() + "@127.0.0.1:" + std::to_string(sshd_.port()) +
                                      dir_.path() + "/store");
    d.prefix = dir_.path().substr(1) + "/store";
    d.identity_file = sshd_.client_key();
    d.known_hosts = sshd_.known_hosts(wrong_host_key);
    return d;
  }
  testing::TempDir dir_;
  testing::TempDir server_dir_;
  testing::SshdServer sshd_{server_dir_.path()};
};

TEST_F(SftpUploadTest, ArtifactsLandWithExactBytes) {
  SftpUploader up(dest(false), testing::fast_policy());
  std::string log = "<0>Kernel panic - not syncing: test\n";
  auto r = up.put({"cap-1", "dmesg.txt"}, log, Deadline::after(std::chrono::seconds(60)));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read_file(dir_.path() + "/store/cap-1/dmesg.txt"), log);
  // Written twice (incomplete, then complete manifest): the second replaces the first.
  ASSERT_TRUE(up.put({"cap-1", "manifest.json"}, "one", Deadline::after(std::chrono::seconds(60))));
  auto again = up.put({"cap-1", "manifest.json"}, "two", Deadline::after(std::chrono::seconds(60)));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(read_file(dir_.path() + "/store/cap-1/manifest.json"), "two");
  struct stat st {};
  EXPECT_NE(::stat((dir_.path() + "/store/cap-1/dmesg.txt.part").c_str(), &st), 0);  // renamed away
}

TEST_F(SftpUploadTest, StreamLandsWithExactBytes) {
  const std::string body = testing::pattern_bytes(8u << 20);
  ByteQueue queue(256 << 10);
  std::thread producer([&] {
    (void)queue.write(std::as_bytes(std::span(body.data(), body.size())));
    (void)queue.finish();
  });
  SftpUploader up(dest(false), testing::fast_policy());
  auto r = up.put_stream({"cap-2", "vmcore.flat"}, queue, Deadline::after(std::chrono::minutes(2)));
  queue.abandon("done");
  producer.join();
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(read_file(dir_.path() + "/store/cap-2/vmcore.flat") == body);
}

TEST_F(SftpUploadTest, WrongHostKeyIsRefused) {
  auto policy = testing::fast_policy(3);
  int retries_seen = 0;
  policy.retry.on_retry = [&](const std::string&, int, const Error&, std::chrono::milliseconds) { ++retries_seen; };
  SftpUploader up(dest(true), policy);
  auto r = up.put({"cap-3", "dmesg.txt"}, "secret log", Deadline::after(std::chrono::seconds(60)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Usage) << r.error().message();
  EXPECT_EQ(retries_seen, 0);
  struct stat st {};
  EXPECT_NE(::stat((dir_.path() + "/store/cap-3").c_str(), &st), 0);
}

}  // namespace
}  // namespace vmcap::upload
