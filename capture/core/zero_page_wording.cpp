#include "capture/core/zero_page_wording.h"

#include <fmt/format.h>

#include "capture/filter/dump_level.h"

namespace vmcap {

std::string zero_page_wording(int dump_level, bool shared_zero_page, uint64_t zero_pages) {
  const bool exclude = dump_level & kExcludeZero;
  if (shared_zero_page) {
    if (exclude)
      return fmt::format("the {} excluded zero pages are not stored: each reads back as zeros "
                         "from one shared zero page, as in makedumpfile's files",
                         zero_pages);
    return fmt::format("zero pages kept (dump level {} has no bit 1): {}, stored as one shared "
                       "zero page",
                       dump_level, zero_pages);
  }
  if (exclude)
    return "zero pages not excluded: an ELF core has no shared zero page, so they are written "
           "in full (--format kdump excludes them)";
  return fmt::format("zero pages kept (dump level {} has no bit 1), written in full", dump_level);
}

}  // namespace vmcap
