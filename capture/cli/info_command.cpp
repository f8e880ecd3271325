// `vmcap info VMCORE [--json]`: what a dump is and what vmcap can do with it.
#include <cstdio>

#include "capture/cli/commands.h"
#include "capture/cli/exit_status.h"
#include "capture/info/dump_summary.h"
#include "capture/info/summary_format.h"
#include "elf/open_dump.h"

namespace vmcap {

int run_info(const InfoOptions& o) {
  auto dump = open_dump(o.path, OpenDumpOptions{.use_mmap = o.mmap});
  if (!dump) {
    std::fprintf(stderr, "vmcap: %s\n", dump.error().message().c_str());
    return exit_status_for(dump.error());
  }
  auto summary = summarize_dump(**dump);
  if (!summary) {
    std::fprintf(stderr, "vmcap: %s\n", summary.error().message().c_str());
    return exit_status_for(summary.error());
  }
  // Strings come from the dump and may not be UTF-8: such bytes become U+FFFD (the
  // default handler would throw).
  std::string out = o.json ? summary_json(*summary).dump(2, ' ', false,
                                                         nlohmann::json::error_handler_t::replace) +
                                 "\n"
                           : summary_text(*summary);
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    std::perror("vmcap: writing output");
    return kExitOutputFailed;
  }
  // The summary is printed whatever it holds; the status says whether to trust it.
  if (summary->truncated) {
    std::fprintf(stderr, "vmcap: %s\n", summary->truncated->message().c_str());
    return kExitBadInput;
  }
  if (!summary->has_vmcoreinfo) {
    std::fprintf(stderr, "vmcap: %s: no VMCOREINFO note: the kernel cannot be identified\n",
                 o.path.c_str());
    return kExitBadInput;
  }
  return summary->warnings.empty() ? kExitOk : kExitPartial;
}

}  // namespace vmcap
