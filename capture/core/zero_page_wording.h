// What happened to all-zero pages, in words that match the dump level and the format, for
// the filter summary. The kdump-compressed writer (flattened too) stores every all-zero page
// it writes as a descriptor of one shared zero page, whatever the level; that is how
// makedumpfile excludes zero pages (bit 1) in this format: the pfns stay dumped and read
// back as zeros, so a structure spanning a zero page still reads whole in crash. The ELF
// writer has no shared page: it writes every kept page in full, zero or not.
#pragma once

#include <cstdint>
#include <string>

namespace vmcap {

// zero_pages: the writer's count of all-zero pages among those it wrote (WriteStats), 0
// for ELF. E.g. at level 31, kdump: "the 5023 excluded zero pages are not stored: each
// reads back as zeros from one shared zero page, as in makedumpfile's files".
std::string zero_page_wording(int dump_level, bool shared_zero_page, uint64_t zero_pages);

}  // namespace vmcap
