// The one-core-per-bug decision over a real file destination's index (FileReader on a
// temporary folder): N holders skip, fewer keep, entries that prove nothing are skipped
// with a count, the build-id key, and the oldest captures read first.
#include <gtest/gtest.h>

#include <filesystem>

#include "capture/upload/file_reader.h"
#include "capture/upload/file_uploader.h"
#include "index/core_dedup.h"
#include "index/index_entry.h"
#include "index/index_writer.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"

namespace vmcap::index {
namespace {

constexpr char kHash[] = "d3c3c3b6db57c97c";
constexpr char kBuild[] = "06f8bde30046985060c60820f7a11515a33afb06";

class CoreDedupTest : public ::testing::Test {
 protected:
  void entry(const std::string& directory, bool core, const std::string& build_id = kBuild,
             const std::string& hash = kHash) {
    run::Manifest m;
    m.directory = directory;
    m.build_id = build_id;
    m.crash = run::ManifestCrash{"Kernel panic", std::nullopt, "", {}, hash, {}};
    if (core) m.artifacts.push_back({"vmcore.flat", 100, "x", "out"});
    ASSERT_TRUE(put_index_entry(uploader_, entry_from_manifest(m, "out", ""), upload::Deadline::after(std::chrono::seconds(5))));
  }
  void raw(const std::string& key, const std::string& bytes) {
    std::filesystem::create_directories(std::filesystem::path(dir_.file(key)).parent_path());
    testing::write_file(dir_.file(key), bytes);
  }
  DedupDecision decide(int n, DedupKey key = DedupKey::Signature) {
    upload::FileReader reader("out", dir_.path());
    return decide_core(reader, DedupRequest{kHash, kBuild, key, n}, upload::Deadline::after(kLookupTime));
  }
  testing::TempDir dir_;
  upload::FileUploader uploader_{"out", dir_.path()};
};

TEST_F(CoreDedupTest, AnEmptyIndexKeepsTheCore) {
  auto d = decide(1);
  EXPECT_FALSE(d.skip_core);
  EXPECT_FALSE(d.lookup_failed);
  EXPECT_EQ(d.listed, 0u);
  EXPECT_NE(d.why.find("0 of 1 core(s)"), std::string::npos) << d.why;
}

TEST_F(CoreDedupTest, NHoldersSkipTheCoreAndAreNamed) {
  entry("a-20261201T000000Z-00000001", true);
  entry("b-20261202T000000Z-00000002", false);
  entry("c-20261203T000000Z-00000003", true);
  auto one = decide(1);
  EXPECT_TRUE(one.skip_core);
  EXPECT_EQ(one.holders, std::vector<std::string>{"a-20261201T000000Z-00000001"});
  EXPECT_EQ(one.read, 1u);  // the oldest first: it holds the core
  EXPECT_NE(one.why.find("a-20261201T000000Z-00000001"), std::string::npos) << one.why;
  auto two = decide(2);
  EXPECT_TRUE(two.skip_core);
  EXPECT_EQ(two.holders, (std::vector<std::string>{"a-20261201T000000Z-00000001", "c-20261203T000000Z-00000003"}));
  auto three = decide(3);
  EXPECT_FALSE(three.skip_core);
  EXPECT_EQ(three.holders.size(), 2u);
}

TEST_F(CoreDedupTest, EntriesThatProveNothingAreSkippedWithACount) {
  const std::string folder = std::string("index/") + kHash + "/";
  raw(folder + "g-20261201T000000Z-00000001.json", "garbage");
  raw(folder + "t-20261201T000000Z-00000002.json", R"({"schema":"vmcap-index/1","directory":"t-2026)");
  raw(folder + "h-20261201T000000Z-00000003.json", std::string(kMaxEntryBytes + 1, ' '));
  // Says it kept a core, but under another capture's name, or another signature.
  raw(folder + "w-20261201T000000Z-00000004.json",
      R"({"schema":"vmcap-index/1","directory":"z-20261201T000000Z-00000009","crash":{"hash":"d3c3c3b6db57c97c"},"core":{"kept":true}})");
  raw(folder + "s-20261201T000000Z-00000005.json",
      R"({"schema":"vmcap-index/1","directory":"s-20261201T000000Z-00000005","crash":{"hash":"0000000000000000"},"core":{"kept":true}})");
  raw(folder + "README", "not ours");
  raw(folder + "sub/x-20261201T000000Z-00000006.json", "{}");
  raw(folder + ".p-20261201T000000Z-00000007.json.part", "half");  // an upload in progress: not listed
  auto d = decide(1);
  EXPECT_FALSE(d.skip_core) << d.why;
  EXPECT_FALSE(d.lookup_failed);
  EXPECT_EQ(d.listed, 7u);
  EXPECT_EQ(d.not_ours, 2u);
  EXPECT_EQ(d.bad_entries, 5u);
  EXPECT_NE(d.why.find("2 key(s) not ours skipped, 5 bad entries skipped"), std::string::npos) << d.why;
  entry("k-20261205T000000Z-0000000a", true);
  EXPECT_TRUE(decide(1).skip_core);
}

TEST_F(CoreDedupTest, TheBuildIdKeyCountsOnlyThisKernelsCores) {
  entry("a-20261201T000000Z-00000001", true, "1111111111111111111111111111111111111111");
  EXPECT_TRUE(decide(1, DedupKey::Signature).skip_core);
  auto d = decide(1, DedupKey::SignatureAndBuildId);
  EXPECT_FALSE(d.skip_core);
  EXPECT_EQ(d.other_build, 1u);
  entry("b-20261202T000000Z-00000002", true);
  EXPECT_TRUE(decide(1, DedupKey::SignatureAndBuildId).skip_core);
}

TEST_F(CoreDedupTest, NoSignatureOrAnUnreadableIndexKeepsTheCore) {
  upload::FileReader reader("out", dir_.path());
  auto none = decide_core(reader, DedupRequest{"", kBuild, DedupKey::Signature, 1}, upload::Deadline::after(kLookupTime));
  EXPECT_FALSE(none.skip_core);
  entry("a-20261201T000000Z-00000001", true);
  // The folder unreadable (a file where the folder should be): a failed lookup keeps.
  testing::TempDir other;
  testing::write_file(other.file("index"), "a file");
  upload::FileReader broken("out", other.path());
  auto d = decide_core(broken, DedupRequest{kHash, kBuild, DedupKey::Signature, 1}, upload::Deadline::after(kLookupTime));
  EXPECT_FALSE(d.skip_core);
  EXPECT_TRUE(d.lookup_failed) << d.why;
  // An expired deadline: kept, said.
  auto late = decide_core(reader, DedupRequest{kHash, kBuild, DedupKey::Signature, 1}, upload::Deadline::after(std::chrono::milliseconds(0)));
  EXPECT_FALSE(late.skip_core);
  EXPECT_TRUE(late.lookup_failed);
  EXPECT_NE(late.why.find("when in doubt, keep"), std::string::npos) << late.why;
}

TEST(FileReader, PagesThroughAFolderAndBoundsReads) {
  testing::TempDir dir;
  for (int i = 0; i < 25; ++i) {
    std::filesystem::create_directories(dir.file("index/" + std::to_string(i % 3)));
    testing::write_file(dir.file("index/" + std::to_string(i % 3) + "/k" + std::to_string(100 + i)), "x");
  }
  upload::FileReader reader("out", dir.path());
  std::vector<std::string> all;
  std::string next;
  int pages = 0;
  do {
    auto page = reader.list("index", next, 10, upload::Deadline::after(std::chrono::seconds(5)));
    ASSERT_TRUE(page) << page.error().message();
    EXPECT_LE(page->keys.size(), 10u);
    all.insert(all.end(), page->keys.begin(), page->keys.end());
    next = page->next;
    ++pages;
  } while (!next.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(all.size(), 25u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(all.front(), "index/0/k100");
  auto missing = reader.list("nothing/here", "", 10, upload::Deadline::after(std::chrono::seconds(5)));
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->keys.empty());
  EXPECT_TRUE(reader.get("index/0/k100", 1, upload::Deadline::after(std::chrono::seconds(5))));
  testing::write_file(dir.file("big"), std::string(1000, 'b'));
  auto big = reader.get("big", 999, upload::Deadline::after(std::chrono::seconds(5)));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, ErrorKind::Limit);
  EXPECT_FALSE(reader.get("../etc/passwd", 100, upload::Deadline::after(std::chrono::seconds(5))));
  EXPECT_FALSE(reader.list("../", "", 10, upload::Deadline::after(std::chrono::seconds(5))));
}

}  // namespace
}  // namespace vmcap::index

namespace vmcap::index {
namespace {

// A listing that never ends: every page full of keys and a new continuation token. (A
// reader of the test's own, standing for a broken or hostile store.)
class EndlessListing final : public upload::DestinationReader {
 public:
  std::string describe() const override { return "endless (test)"; }
  Result<upload::ListPage> list(const std::string& folder, const std::string& next, size_t max_keys,
                                const upload::Deadline&) override {
    upload::ListPage page;
    for (size_t i = 0; i < max_keys; ++i) page.keys.push_back(folder + "/not-ours-" + std::to_string(pages_) + "-" + std::to_string(i));
    (void)next;  // a new token every time, whatever was given
    page.next = "token-" + std::to_string(++pages_);
    return page;
  }
  Result<std::string> get(const std::string& key, size_t, const upload::Deadline&) override {
    return make_error(ErrorKind::Io, key, std::nullopt, "not here");
  }
  int pages_ = 0;
};

TEST(CoreDedupBounds, AListingThatNeverEndsIsCutAndTheCoreKept) {
  EndlessListing reader;
  auto d = decide_core(reader, DedupRequest{kHash, kBuild, DedupKey::Signature, 1}, upload::Deadline::after(kLookupTime));
  EXPECT_FALSE(d.skip_core);
  EXPECT_EQ(d.listed, kMaxKeysListed);
  EXPECT_EQ(d.not_ours, kMaxKeysListed);
  EXPECT_EQ(reader.pages_, static_cast<int>(kMaxKeysListed / upload::kMaxKeysPerPage));
  EXPECT_NE(d.why.find("the listing cut at 10000 keys"), std::string::npos) << d.why;
  EXPECT_NE(d.why.find("10000 key(s) not ours skipped"), std::string::npos) << d.why;
}

}  // namespace
}  // namespace vmcap::index
