// Reading a whole crash index back page by page (index_scan.h) from a real file
// destination: every entry once, bad ones and keys not ours counted, memory one page.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "capture/upload/file_reader.h"
#include "capture/upload/file_uploader.h"
#include "index/index_scan.h"
#include "index/index_writer.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"

namespace vmcap::index {
namespace {

run::Manifest manifest(int i) {
  run::Manifest m;
  char dir[64];
  std::snprintf(dir, sizeof dir, "host-%d-20261201T0000%02dZ-%08x", i % 4, i % 60, i);
  m.directory = dir;
  const std::string hash = i % 5 == 0 ? "" : std::string(15, "0123456789abcdef"[i % 3]) + "a";
  if (!hash.empty()) m.crash = run::ManifestCrash{"Kernel panic " + std::to_string(i % 3), std::nullopt, "", {"f"}, hash, {}};
  if (i % 2) m.artifacts.push_back({"vmcore.flat", 1, "x", "out"});
  return m;
}

TEST(IndexScan, ReadsEveryEntryOnceAndCountsTheRest) {
  testing::TempDir dir;
  upload::FileUploader up("out", dir.path());
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(put_index_entry(up, entry_from_manifest(manifest(i), "out", "log\n"), upload::Deadline::after(std::chrono::seconds(5))));
  auto raw = [&](const std::string& key, const std::string& bytes) {
    std::filesystem::create_directories(std::filesystem::path(dir.file(key)).parent_path());
    testing::write_file(dir.file(key), bytes);
  };
  raw("index/unknown/g-20261201T000000Z-0000ffff.json", "garbage");
  raw("index/unknown/h-20261201T000000Z-0000fffe.json", std::string(kMaxEntryBytes + 1, '{'));
  raw("index/notes.txt", "not ours");
  // A valid entry under another signature's folder than its own: not trusted.
  std::string moved = render_index_entry(entry_from_manifest(manifest(1), "out", ""));
  raw("index/unknown/" + manifest(1).directory + ".json", moved);

  upload::FileReader reader("out", dir.path());
  IndexScan scan(reader);
  std::set<std::string> seen;
  size_t pages = 0, largest = 0;
  while (!scan.done()) {
    auto page = scan.next(7, upload::Deadline::after(std::chrono::seconds(10)));
    ASSERT_TRUE(page) << page.error().message();
    largest = std::max(largest, page->size());
    for (const auto& e : *page) EXPECT_TRUE(seen.insert(e.key.directory + "@" + e.key.signature).second) << e.key.directory;
    ++pages;
    ASSERT_LT(pages, 100u);
  }
  EXPECT_EQ(seen.size(), 40u);
  EXPECT_LE(largest, 7u);
  EXPECT_EQ(scan.counts().keys, 44u);
  EXPECT_EQ(scan.counts().entries, 40u);
  EXPECT_EQ(scan.counts().not_ours, 1u);
  EXPECT_EQ(scan.counts().bad, 3u);
  EXPECT_EQ(scan.counts().unreadable, 0u);

  // One signature's folder alone.
  IndexScan one(reader, index_folder(std::string(15, '1') + "a"));
  auto page = one.next(1000, upload::Deadline::after(std::chrono::seconds(10)));
  ASSERT_TRUE(page);
  EXPECT_TRUE(one.done());
  for (const auto& e : *page) EXPECT_EQ(e.entry.hash, std::string(15, '1') + "a");
  EXPECT_FALSE(page->empty());
}

}  // namespace
}  // namespace vmcap::index
