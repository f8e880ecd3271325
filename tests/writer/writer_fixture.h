// Shared by the writer tests: a synthetic ELF vmcore (opened by our ELF reader) holding
// compressible, incompressible, zero and partial pages, a virtual mapping and notes, plus
// helpers that read outputs back and compare them page by page with the source.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/pages/pfn_bitmap.h"
#include "capture/writer/kdump_writer.h"
#include "capture/writer/elf_writer.h"
#include "elf/dump.h"

namespace vmcap::testing {

// The kind of content the synthetic source has at each pfn.
enum class PageKind { Text, Random, Zero, Partial };

struct WriterSource {
  std::string path;
  std::unique_ptr<Dump> dump;
  std::vector<std::pair<uint64_t, PageKind>> pages;  // every held pfn, in order
  PfnBitmap keep;                                    // all held pfns minus some runs
};

// Builds the source under dir (file "source.elf").
WriterSource make_writer_source(const std::string& dir);

KdumpHeaderFields header_fields_for(const Dump& source, int dump_level = 0);
ElfHeaderFields elf_fields_for(const Dump& source);

// Every held pfn of `source`: kept ones read back equal (a partial page: its held bytes
// equal, the rest zeros), the others are Holes in `out`. Returns pages compared.
uint64_t expect_pages_match(const Dump& source, const Dump& out, const PfnBitmap& keep,
                            uint32_t page_size = 4096);

std::vector<std::byte> file_bytes(const std::string& path);

}  // namespace vmcap::testing
