// The crash index's key layout: what is ours and what is not.
#include <gtest/gtest.h>

#include "index/index_layout.h"

namespace vmcap::index {
namespace {

TEST(IndexLayout, KeysOfEntries) {
  EXPECT_EQ(index_key("d3c3c3b6db57c97c", "web-1-20261207T060946Z-ee336ce3"),
            "index/d3c3c3b6db57c97c/web-1-20261207T060946Z-ee336ce3.json");
  EXPECT_EQ(index_folder(""), "index/unknown");
  EXPECT_EQ(index_folder("../../etc"), "index/unknown");  // not a hash: never a path
  EXPECT_EQ(index_folder("D3C3C3B6DB57C97C"), "index/unknown");
  auto k = parse_index_key("index/d3c3c3b6db57c97c/web-1-20261207T060946Z-ee336ce3.json");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->signature, "d3c3c3b6db57c97c");
  EXPECT_EQ(k->directory, "web-1-20261207T060946Z-ee336ce3");
  EXPECT_TRUE(parse_index_key("index/unknown/h-20261207T060946Z-0000000a.json"));
}

TEST(IndexLayout, KeysThatAreNotOurs) {
  for (const char* key : {"", "index", "index/", "index/d3c3c3b6db57c97c", "index/d3c3c3b6db57c97c/",
                          "index/d3c3c3b6db57c97c/x.json", "index/d3c3c3b6db57c97c/h-20261207T060946Z-ee336ce3",
                          "index/d3c3c3b6db57c97c/h-20261207T060946Z-ee336ce3.json.part",
                          "index/d3c3c3b6db57c97c/sub/h-20261207T060946Z-ee336ce3.json",
                          "index/D3C3C3B6DB57C97C/h-20261207T060946Z-ee336ce3.json",
                          "index/other/h-20261207T060946Z-ee336ce3.json",
                          "index/d3c3c3b6db57c97c/h-20261207T060946Z-EE336CE3.json",
                          "index/d3c3c3b6db57c97c/h/x-20261207T060946Z-ee336ce3.json",
                          "index/d3c3c3b6db57c97c/-20261207T060946Z-ee336ce3.json",
                          "other/d3c3c3b6db57c97c/h-20261207T060946Z-ee336ce3.json"})
    EXPECT_FALSE(parse_index_key(key)) << key;
}

TEST(IndexLayout, TimeOfACaptureDirectory) {
  EXPECT_EQ(capture_directory_time("h-19700101T000001Z-00000000"), 1);
  EXPECT_EQ(capture_directory_time("web_1.example-20261207T060946Z-ee336ce3"), 1796623786);
  EXPECT_FALSE(capture_directory_time("h-20261307T060946Z-ee336ce3"));  // month 13
  EXPECT_FALSE(capture_directory_time("h-2026120xT060946Z-ee336ce3"));
}

}  // namespace
}  // namespace vmcap::index
