// S3 uploads against two real servers on 127.0.0.1:
//  - the S3-compatible server of tests/upload/s3server (@20minutes/s3rver under node),
//    which computes and checks the SigV4 signature of every request (a wrong secret gets
//    403 SignatureDoesNotMatch, an unsigned request 403) and assembles multipart uploads:
//    objects read back through a signed GET equal the bytes sent;
//  - nginx, for what that server cannot show: the signature libcurl computes equals AWS's
//    published example ("PUT Object", Signature Version 4 docs: examplebucket,
//    2013-05-24), sent to 127.0.0.1 under the example's host name (CURLOPT_CONNECT_TO);
//    and a part that fails once (500, injected) is retried alone.
// The S3 server checks every signature, and the body against the x-amz-content-sha256
// it was signed with (serve.js adds that to s3rver); the first test shows it does.
#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include <curl/curl.h>
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

// Keys the real server's account knows; the secret is distinctive so a leak would show.
constexpr char kAccessKey[] = "VMCAPTESTACCESSKEY";
constexpr char kSecretKey[] = "s3-secret-9f2c41d07be5";
constexpr char kBucket[] = "crashes";

config::Destination real_s3(const testing::S3Server& server, const std::string& secret) {
  auto d = testing::destination(config::DestinationKind::S3, std::string("s3://") + kBucket + "/dumps");
  d.name = "s3";
  d.bucket = kBucket;
  d.prefix = "dumps";
  d.endpoint = server.endpoint();
  d.region = "us-east-1";
  d.path_style = true;
  d.access_key = {"(test)", kAccessKey};
  d.secret_key = {"(test)", secret};
  return d;
}

// The oracle itself: a PUT signed for other bytes than it carries (400), one without a
// signature (403), and one signed with the wrong secret (403) are refused; only the
// right one is stored.
TEST(S3RealServer, RefusesUnsignedMissignedAndMismatchedRequests) {
  testing::TempDir dir;
  testing::S3Server server(dir.path(), kAccessKey, kSecretKey, kBucket);
  auto put = [&](const std::string& key, const std::string& body, const std::string& claimed_sha,
                 const char* secret) {
    CURL* h = curl_easy_init();
    std::string url = server.endpoint() + "/" + kBucket + "/" + key;
    curl_slist* headers = curl_slist_append(nullptr, ("x-amz-content-sha256: " + claimed_sha).c_str());
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (secret) {
      curl_easy_setopt(h, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
      curl_easy_setopt(h, CURLOPT_USERNAME, kAccessKey);
      curl_easy_setopt(h, CURLOPT_PASSWORD, secret);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, +[](char*, size_t s, size_t n, void*) { return s * n; });
    EXPECT_EQ(curl_easy_perform(h), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    return status;
  };
  const std::string body = "the crashed kernel's log";
  EXPECT_EQ(put("k/mismatch", body, sha256_hex("other bytes"), kSecretKey), 400);
  EXPECT_EQ(put("k/unsigned", body, sha256_hex(body), nullptr), 403);
  EXPECT_EQ(put("k/wrong-secret", body, sha256_hex(body), "not-the-secret"), 403);
  EXPECT_EQ(put("k/good", body, sha256_hex(body), kSecretKey), 200);
  EXPECT_EQ(server.get("k/good"), body);
  std::vector<std::string> expected = {"PUT /crashes/k/mismatch 400 XAmzContentSHA256Mismatch",
                                       "PUT /crashes/k/unsigned 403 AccessDenied",
                                       "PUT /crashes/k/wrong-secret 403 SignatureDoesNotMatch",
                                       "PUT /crashes/k/good 200", "GET /crashes/k/good 200"};
  EXPECT_EQ(server.requests(), expected);
}

// The log artifacts as the capture sends them: one signed PUT each, read back equal.
TEST(S3RealServer, LogArtifactsLandAndReadBackEqual) {
  testing::TempDir dir;
  testing::S3Server server(dir.path(), kAccessKey, kSecretKey, kBucket);
  S3Uploader up(real_s3(server, kSecretKey), testing::fast_policy(0));
  const std::string text = "[    0.000000] Linux version 6.1.0\n[   12.5] sysrq: Trigger a crash\n";
  const std::string json = testing::pattern_bytes(70000);  // any bytes, several TCP segments
  ASSERT_TRUE(up.put({"h-20240101T000000Z-0a0b0c0d", "dmesg.txt", "text/plain"}, text,
                     Deadline::after(std::chrono::seconds(60))));
  ASSERT_TRUE(up.put({"h-20240101T000000Z-0a0b0c0d", "dmesg.json"}, json, Deadline::after(std::chrono::seconds(60))));
  EXPECT_EQ(server.get("dumps/h-20240101T000000Z-0a0b0c0d/dmesg.txt"), text);
  EXPECT_TRUE(server.get("dumps/h-20240101T000000Z-0a0b0c0d/dmesg.json") == json);
  auto requests = server.requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[0], "PUT /crashes/dumps/h-20240101T000000Z-0a0b0c0d/dmesg.txt 200");
  EXPECT_EQ(requests[1], "PUT /crashes/dumps/h-20240101T000000Z-0a0b0c0d/dmesg.json 200");
}

// A streamed core in several parts (part_size small: this server has no 5 MiB minimum),
// every request signed and checked, the assembled object equal to the stream.
TEST(S3RealServer, MultipartCoreIsAssembledFromSignedParts) {
  testing::TempDir dir;
  testing::S3Server server(dir.path(), kAccessKey, kSecretKey, kBucket);
  auto d = real_s3(server, kSecretKey);
  d.part_size = 1 << 20;
  const std::string body = testing::pattern_bytes((7u << 20) / 2);  // 3.5 parts
  ByteQueue queue(256 << 10);
  std::thread producer([&] {
    for (size_t off = 0; off < body.size(); off += 100000)
      if (!queue.write(std::as_bytes(std::span(body.data() + off, std::min<size_t>(100000, body.size() - off)))))
        return;
    (void)queue.finish();
  });
  S3Uploader up(d, testing::fast_policy(2));
  auto r = up.put_stream({"h-1", "vmcore.flat"}, queue, Deadline::after(std::chrono::minutes(2)));
  queue.abandon("done");
  producer.join();
  ASSERT_TRUE(r) << r.error().message();
  std::string back = server.get("dumps/h-1/vmcore.flat");
  EXPECT_EQ(back.size(), body.size());
  EXPECT_EQ(sha256_hex(back), sha256_hex(body));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 7u);  // create, 4 parts, complete; the GET is the seventh
  EXPECT_EQ(requests[0], "POST /crashes/dumps/h-1/vmcore.flat?uploads= 200");
  for (int part = 1; part <= 4; ++part) {
    EXPECT_EQ(requests[part].rfind("PUT /crashes/dumps/h-1/vmcore.flat?partNumber=" + std::to_string(part) + "&uploadId=", 0), 0u)
        << requests[part];
    EXPECT_EQ(requests[part].substr(requests[part].size() - 4), " 200") << requests[part];
  }
  EXPECT_EQ(requests[5].rfind("POST /crashes/dumps/h-1/vmcore.flat?uploadId=", 0), 0u) << requests[5];
  EXPECT_EQ(requests[5].substr(requests[5].size() - 4), " 200") << requests[5];
}

// A wrong secret: the server's own 403 SignatureDoesNotMatch, taken as a refusal — one
// request, no retries, for a small artifact and for a stream alike.
TEST(S3RealServer, WrongSecretIsRefusedOnceWithTheServers403) {
  testing::TempDir dir;
  testing::S3Server server(dir.path(), kAccessKey, kSecretKey, kBucket);
  auto policy = testing::fast_policy(5);
  int retries = 0;
  policy.retry.on_retry = [&](const std::string&, int, const Error&, std::chrono::milliseconds) { ++retries; };
  S3Uploader up(real_s3(server, "not-the-secret"), policy);
  auto r = up.put({"h-1", "dmesg.txt"}, "log", Deadline::after(std::chrono::seconds(60)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
  EXPECT_NE(r.error().message().find("HTTP 403"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("SignatureDoesNotMatch"), std::string::npos) << r.error().message();
  EXPECT_EQ(r.error().message().find("not-the-secret"), std::string::npos) << r.error().message();

  ByteQueue queue(1 << 20);
  const std::string body = testing::pattern_bytes(300000);
  (void)queue.write(std::as_bytes(std::span(body.data(), body.size())));
  (void)queue.finish();
  auto s = up.put_stream({"h-1", "vmcore.flat"}, queue, Deadline::after(std::chrono::seconds(60)));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("SignatureDoesNotMatch"), std::string::npos) << s.error().message();
  EXPECT_EQ(retries, 0);
  std::vector<std::string> expected = {"PUT /crashes/dumps/h-1/dmesg.txt 403 SignatureDoesNotMatch",
                                       "POST /crashes/dumps/h-1/vmcore.flat?uploads= 403 SignatureDoesNotMatch"};
  EXPECT_EQ(server.requests(), expected);
  EXPECT_THROW(server.get("dumps/h-1/dmesg.txt"), std::runtime_error);
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

// (nginx: the real server above cannot be made to fail one part.)
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
