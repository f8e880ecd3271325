// The filtered core as a product: choose pages with the page filter, fill the dump
// header from what the kernel says about itself, and hand pages to a writer and sink.
// Shared by `vmcap filter` and the capture run.
#pragma once

#include <string>
#include <vector>

#include "capture/filter/filter_result.h"
#include "capture/translate/kernel_view.h"
#include "capture/writer/byte_sink.h"
#include "capture/writer/write_options.h"
#include "elf/dump.h"

namespace vmcap {

enum class CoreFormat { Kdump, Flattened, Elf };

struct CoreOptions {
  int dump_level = 31;  // makedumpfile's -d; 0 keeps every page and needs no VMCOREINFO
  CoreFormat format = CoreFormat::Kdump;
  WriteOptions write;
};

struct CoreResult {
  std::string filter_summary;          // format_filter_summary() and zero_page_wording()
  std::vector<std::string> warnings;   // filter warnings and header fields that were guessed
  WriteStats stats;
};

// `kernel` may be null only with dump_level 0. For CoreFormat::Flattened pass a
// FlattenedSink; the sink is committed on success.
Result<CoreResult> write_filtered_core(const Dump& dump, const KernelView* kernel,
                                       const CoreOptions& options, ByteSink& sink);

}  // namespace vmcap
