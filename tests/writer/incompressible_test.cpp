// The zstd writer's incompressibility guess: random bytes yes; text, kernel-like words,
// zero and half-random pages no (those must still be compressed).
#include <gtest/gtest.h>

#include <zstd.h>

#include <cstring>
#include <random>
#include <vector>

#include "capture/writer/incompressible.h"

namespace vmcap {
namespace {

std::vector<std::byte> random_page(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::byte> p(4096);
  for (auto& b : p) b = std::byte(rng() & 0xff);
  return p;
}

size_t zstd_size(const std::vector<std::byte>& p) {
  std::vector<std::byte> out(ZSTD_compressBound(p.size()));
  return ZSTD_compress(out.data(), out.size(), p.data(), p.size(), 1);
}

TEST(LooksIncompressible, RandomPagesAre) {
  int guessed = 0;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    const auto p = random_page(seed);
    ASSERT_GE(zstd_size(p), 4096u);  // the guess is about pages zstd cannot shrink
    guessed += looks_incompressible(p);
  }
  EXPECT_GE(guessed, 190) << "of 200 random pages";
}

TEST(LooksIncompressible, CompressiblePagesAreNot) {
  std::vector<std::byte> zero(4096);
  EXPECT_FALSE(looks_incompressible(zero));
  std::vector<std::byte> text(4096);
  const char* words = "kernel: the quick brown fox jumps over the lazy dog 0123456789 ";
  for (size_t i = 0; i < text.size(); ++i) text[i] = std::byte(words[i % std::strlen(words)]);
  EXPECT_FALSE(looks_incompressible(text));
  // Kernel-like: 8-byte direct-map pointers and small counters.
  std::vector<std::byte> words64(4096);
  std::mt19937 rng(7);
  for (size_t i = 0; i < words64.size(); i += 16) {
    const uint64_t ptr = 0xffff888000000000ull | (uint64_t(rng() & 0xfffff) << 6), count = rng() % 64;
    std::memcpy(&words64[i], &ptr, 8);
    std::memcpy(&words64[i + 8], &count, 8);
  }
  EXPECT_LT(zstd_size(words64), 4096u);
  EXPECT_FALSE(looks_incompressible(words64));
  // Half random, half zero: compressible, and one of the sampled places is zero.
  auto half = random_page(3);
  std::fill(half.begin() + 2048, half.end(), std::byte{0});
  EXPECT_LT(zstd_size(half), 4096u);
  EXPECT_FALSE(looks_incompressible(half));
  // Too small to sample: never guessed.
  const auto small = random_page(4);
  EXPECT_FALSE(looks_incompressible(std::span(small).first(256)));
}

}  // namespace
}  // namespace vmcap
