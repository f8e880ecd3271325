#include "elf/elf_notes.h"

#include <cstring>

#include <gtest/gtest.h>

#include "tests/support/synthetic_vmcore.h"

namespace vmcap {
namespace {

using testing::to_bytes;

std::vector<std::byte> note(uint32_t namesz, uint32_t descsz, uint32_t type, std::string_view body) {
  std::vector<std::byte> out(12);
  std::memcpy(out.data(), &namesz, 4);
  std::memcpy(out.data() + 4, &descsz, 4);
  std::memcpy(out.data() + 8, &type, 4);
  auto b = to_bytes(body);
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::vector<std::byte> cat(std::initializer_list<std::vector<std::byte>> parts) {
  std::vector<std::byte> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(ElfNotes, ParsesPaddedNotesAndStopsAtZeroTerminator) {
  auto data = cat({note(4, 3, 7, std::string_view("ABC\0xyz\0", 8)),
                   note(11, 5, 0, std::string_view("VMCOREINFO\0\0hello\0\0\0", 20)),
                   std::vector<std::byte>(12 + 40, std::byte{0}),  // terminator + padding
                   note(4, 1, 9, std::string_view("BAD\0z\0\0\0", 8))});  // after terminator
  std::vector<Note> out;
  ASSERT_TRUE(parse_elf_notes(data, 0x1000, true, "f", out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "ABC");
  EXPECT_EQ(out[0].type, 7u);
  EXPECT_EQ(out[0].desc, to_bytes("xyz"));
  EXPECT_EQ(out[0].file_offset, 0x1000u);
  EXPECT_EQ(out[1].name, "VMCOREINFO");
  EXPECT_EQ(out[1].desc, to_bytes("hello"));
  EXPECT_EQ(out[1].file_offset, 0x1000u + 20);
}

TEST(ElfNotes, LastNoteMayLackDescPadding) {
  auto data = note(2, 3, 1, std::string_view("A\0\0\0xyz", 7));
  std::vector<Note> out;
  ASSERT_TRUE(parse_elf_notes(data, 0, true, "f", out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].desc, to_bytes("xyz"));
}

TEST(ElfNotes, BigEndianHeaders) {
  std::vector<std::byte> data = to_bytes(std::string_view("\0\0\0\2\0\0\0\4\0\0\0\x2a" "Q\0\0\0abcd", 20));
  std::vector<Note> out;
  ASSERT_TRUE(parse_elf_notes(data, 0, false, "f", out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "Q");
  EXPECT_EQ(out[0].type, 42u);
  EXPECT_EQ(out[0].desc, to_bytes("abcd"));
}

TEST(ElfNotes, GarbledSizesGiveAnErrorAtTheNoteOffsetKeepingEarlierNotes) {
  auto data = cat({note(2, 0, 1, std::string_view("A\0\0\0", 4)),
                   note(0xffffffffu, 0, 1, "whatever")});
  std::vector<Note> out;
  auto r = parse_elf_notes(data, 0x2000, true, "dumpfile", out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Format);
  EXPECT_EQ(r.error().offset, 0x2000u + 16);
  EXPECT_EQ(r.error().file, "dumpfile");
  ASSERT_EQ(out.size(), 1u);

  // descsz alone too large, and a header cut short with non-zero bytes.
  std::vector<Note> out2;
  auto big_desc = note(2, 100, 1, std::string_view("A\0\0\0ab", 6));
  EXPECT_FALSE(parse_elf_notes(big_desc, 0, true, "f", out2));
  auto short_hdr = to_bytes("abcdefgh");
  auto r3 = parse_elf_notes(short_hdr, 0x40, true, "f", out2);
  ASSERT_FALSE(r3);
  EXPECT_EQ(r3.error().offset, 0x40u);
  EXPECT_TRUE(out2.empty());
  // Trailing zero bytes shorter than a header are padding, not an error.
  EXPECT_TRUE(parse_elf_notes(std::vector<std::byte>(8), 0, true, "f", out2));
}

TEST(ElfNotes, NoteCountIsLimited) {
  std::vector<std::byte> data;
  auto one = note(2, 0, 1, std::string_view("N\0\0\0", 4));
  for (size_t i = 0; i < kMaxNotes + 5; ++i) data.insert(data.end(), one.begin(), one.end());
  std::vector<Note> out;
  auto r = parse_elf_notes(data, 0, true, "f", out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Limit);
  EXPECT_EQ(out.size(), kMaxNotes);
  EXPECT_EQ(r.error().offset, kMaxNotes * 16);
}

}  // namespace
}  // namespace vmcap
