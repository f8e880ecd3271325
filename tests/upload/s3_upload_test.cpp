// S3 over nginx on 127.0.0.1. No S3 server is packaged in Debian, so this checks what can
// be checked honestly:
//  - the SigV4 signature libcurl computes for our requests equals AWS's published
//    example ("PUT Object", Signature Version 4 docs: examplebucket, 2013-05-24), with
//    the request sent to 127.0.0.1 under the example's host name (CURLOPT_CONNECT_TO);
//  - the multipart request sequence against an nginx that answers like S3 (canned XML for
//    Create/Complete, WebDAV storing each part): parts hold the exact bytes, a part that
//    fails once (500) is retried alone, Complete lists the parts.
// Not tested here: a real S3 server verifying signatures of the multipart requests and
// assembling the object.
#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "capture/upload/byte_queue.h"
#include "capture/upload/s3_uploader.h"
#include "capture/upload/s3_xml.h"
#include "capture/upload/sha256.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"
#include "tests/upload/upload_test_support.h"

namespace vmcap::upload {
namespace {

using testing::read_file;

config::Destination s3_destination(const std::string& endpoint, bool path_style) {
  auto d = testing::destination(config::DestinationKind::S3, "s3://examplebucket/");
  d.bucket = "examplebucket";
  d.endpoint = endpoint;
  d.region = "us-east-1";
  d.path_style = path_style;
  d.access_key = {"(test)", "AKIAIOSFODNN7EXAMPLE"};
  d.secret_key = {"(test)", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
  return d;
}

TEST(S3Signing, AwsPutObjectExampleSignatureMatches) {
  testing::TempDir dir;
  testing::NginxServer nginx(dir.path(), "location / { return 200; }\n");
  auto d = s3_destination("http://s3.amazonaws.com", /*path_style=*/false);
  d.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  auto policy = testing::fast_policy(0);
  policy.connect_to = {"examplebucket.s3.amazonaws.com:80:127.0.0.1:" + std::to_string(nginx.port())};
  S3Uploader up(d, policy);
  const std::string body = "Welcome to Amazon S3.";
  EXPECT_EQ(sha256_hex(body), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  auto r = up.put({"", "test$file.text"}, body, Deadline::after(std::chrono::seconds(30)));
  ASSERT_TRUE(r) << r.error().message();
  std::string log = nginx.access_log();
  EXPECT_NE(log.find("PUT /test%24file.text 200"), std::string::npos) << log;
  EXPECT_NE(log.find("Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"), std::string::npos) << log;
  EXPECT_NE(log.find("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class"),
            std::string::npos) << log;
  EXPECT_NE(log.find("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
            std::string::npos) << log;
}

TEST(S3Layout, PathAndVirtualHostUrls) {
  auto d = s3_destination("https://s3.eu-west-1.amazonaws.com", false);
  d.prefix = "dumps";
  S3Uploader virtual_host(d, {});
  EXPECT_EQ(virtual_host.object_url(virtual_host.object_key({"h-1", "dmesg.txt"}), ""),
            "https://examplebucket.s3.eu-west-1.amazonaws.com/dumps/h-1/dmesg.txt");
  d.path_style = true;
  d.endpoint = "http://127.0.0.1:9000";
  S3Uploader path(d, {});
  EXPECT_EQ(path.object_url("a b/c", "uploads="), "http://127.0.0.1:9000/examplebucket/a%20b/c?uploads=");
}

TEST(S3Xml, UploadIdAndCompleteBody) {
  EXPECT_EQ(xml_element("<R><UploadId>a&amp;b</UploadId></R>", "UploadId"), "a&b");
  EXPECT_FALSE(xml_element("<R></R>", "UploadId"));
  EXPECT_EQ(complete_multipart_xml({"\"e1\"", "\"e2\""}),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part></CompleteMultipartUpload>");
}

// nginx as far as S3's multipart protocol goes: Create answers an UploadId, each part is
// stored by WebDAV as /parts/N with an ETag, Complete answers S3's XML; a part fails with
// 500 while the file fail-part-N exists.
const char* kS3Like =
    "location / {\n"
    "  if ($args ~ \"^uploads=$\") { return 200 '<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>'; }\n"
    "  if (-f @DIR@/fail-part-$arg_partNumber) { return 500; }\n"
    "  if ($arg_partNumber != \"\") { rewrite ^ /parts/$arg_partNumber break; }\n"
    "  if ($request_method = POST) { return 200 '<CompleteMultipartUploadResult><ETag>\"all\"</ETag></CompleteMultipartUploadResult>'; }\n"
    "  dav_methods PUT DELETE; create_full_put_path on;\n"
    "  add_header ETag '\"etag-$arg_partNumber\"' always;\n"
    "}\n";

TEST(S3Multipart, PartsCarryExactBytesAndAFailedPartIsRetriedAlone) {
  testing::TempDir dir;
  testing::NginxServer nginx(dir.path(), kS3Like);
  testing::write_file(dir.path() + "/fail-part-2", "");
  auto d = s3_destination(nginx.url(), /*path_style=*/true);
  d.prefix = "crash";
  d.part_size = 1 << 20;  // below S3's 5 MiB minimum: nginx does not mind, and it keeps the test small
  auto policy = testing::fast_policy(3);
  int retries = 0;
  policy.retry.on_retry = [&](const std::string& what, int, const Error&, std::chrono::milliseconds) {
    ++retries;
    EXPECT_NE(what.find("(part 2)"), std::string::npos) << what;
    ::unlink((dir.path() + "/fail-part-2").c_str());  // the server recovers
  };
  const std::string body = testing::pattern_bytes((5u << 20) / 2);  // 2.5 parts
  ByteQueue queue(300 << 10);
  std::thread producer([&] {
    (void)queue.write(std::as_bytes(std::span(body.data(), body.size())));
    (void)queue.finish();
  });
  S3Uploader up(d, policy);
  auto r = up.put_stream({"h-1", "vmcore.flat"}, queue, Deadline::after(std::chrono::minutes(1)));
  queue.abandon("done");
  producer.join();
  ASSERT_TRUE(r) << r.error().message() << "\n" << nginx.access_log();
  EXPECT_EQ(retries, 1);
  for (int part = 1; part <= 3; ++part) {
    size_t off = static_cast<size_t>(part - 1) << 20;
    EXPECT_TRUE(read_file(nginx.root() + "/parts/" + std::to_string(part)) == body.substr(off, 1 << 20))
        << "part " << part;
  }
  // The sequence, as nginx saw it (one line per request).
  std::string log = nginx.access_log();
  std::vector<std::string> lines;
  for (size_t p = 0, nl; (nl = log.find('\n', p)) != std::string::npos; p = nl + 1) {
    std::string l = log.substr(p, nl - p);
    lines.push_back(l.substr(0, l.find(" auth=")));
  }
  std::vector<std::string> expected = {
      "POST /examplebucket/crash/h-1/vmcore.flat?uploads= 200",
      "PUT /examplebucket/crash/h-1/vmcore.flat?partNumber=1&uploadId=up-1 201",
      "PUT /examplebucket/crash/h-1/vmcore.flat?partNumber=2&uploadId=up-1 500",
      "PUT /examplebucket/crash/h-1/vmcore.flat?partNumber=2&uploadId=up-1 201",
      "PUT /examplebucket/crash/h-1/vmcore.flat?partNumber=3&uploadId=up-1 201",
      "POST /examplebucket/crash/h-1/vmcore.flat?uploadId=up-1 200"};
  EXPECT_EQ(lines, expected) << log;
  // Every request is signed, and parts carry their own SHA-256.
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'),
            static_cast<long>(std::count(lines.begin(), lines.end(), lines[0]) * 0 + lines.size()));
  EXPECT_NE(log.find("sha=[" + sha256_hex(body.substr(0, 1 << 20)) + "]"), std::string::npos);
  size_t signed_lines = 0;
  for (size_t p = log.find("auth=[AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/"); p != std::string::npos;
       p = log.find("auth=[AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/", p + 1))
    ++signed_lines;
  EXPECT_EQ(signed_lines, lines.size());
}

}  // namespace
}  // namespace vmcap::upload
