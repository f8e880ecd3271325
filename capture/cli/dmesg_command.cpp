// `vmcap dmesg [--format text|kmsg|json] [-o FILE] VMCORE`: the kernel log of a dump,
// streamed out record by record as it is decoded.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "capture/cli/commands.h"
#include "capture/cli/exit_status.h"
#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/json_formatter.h"
#include "capture/printk/kmsg_formatter.h"
#include "capture/printk/log_decoder.h"
#include "capture/printk/text_formatter.h"
#include "capture/translate/kernel_view.h"
#include "elf/open_dump.h"

namespace vmcap {
namespace {

std::unique_ptr<StreamFormatter> make_formatter(const DmesgOptions& o, PrintkGeneration g,
                                                std::ostream& out) {
  if (o.format == "kmsg") return std::make_unique<KmsgFormatter>(out, &std::cerr, KmsgOptions{o.kmsg_caller});
  if (o.format == "json") return std::make_unique<JsonFormatter>(out, &std::cerr);
  if (g == PrintkGeneration::CharRing) return std::make_unique<CharRingTextFormatter>(out, &std::cerr);
  return std::make_unique<TextFormatter>(out, &std::cerr);
}

int fail(const Error& e) {
  std::fprintf(stderr, "vmcap: %s\n", e.message().c_str());
  return exit_status_for(e);
}

}  // namespace

int run_dmesg(const DmesgOptions& o) {
  auto dump = open_dump(o.path, OpenDumpOptions{.use_mmap = o.mmap});
  if (!dump) return fail(dump.error());
  auto kernel = open_kernel_view(**dump);
  if (!kernel) return fail(kernel.error());
  const VmcoreInfo& info = kernel->info;

  // To a file: written under a temporary name and renamed when done, so a reader never
  // takes a half-written log for a whole one.
  std::ofstream file;
  std::string tmp = o.output + ".tmp";
  if (!o.output.empty()) {
    file.open(tmp, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::perror(("vmcap: " + tmp).c_str());
      return kExitOutputFailed;
    }
  }
  std::ostream& out = o.output.empty() ? std::cout : file;
  auto formatter = make_formatter(o, printk_generation(info), out);
  auto decoded = decode_kernel_log(info, *kernel->memory, *formatter);
  out.flush();
  if (!out) {
    std::fprintf(stderr, "vmcap: writing the log failed\n");
    return kExitOutputFailed;
  }
  if (!o.output.empty()) {
    file.close();
    if (!file || std::rename(tmp.c_str(), o.output.c_str()) != 0) {
      std::perror(("vmcap: " + o.output).c_str());
      return kExitOutputFailed;
    }
  }
  if (!decoded) {
    // Records already written stay written: a log cut short beats no log.
    std::fprintf(stderr, "vmcap: %s\n", decoded.error().message().c_str());
    return formatter->records() ? kExitPartial : exit_status_for(decoded.error());
  }
  if (formatter->warnings()) {
    std::fprintf(stderr, "vmcap: %s: %llu records, %llu problems: the log is partial\n",
                 o.path.c_str(), static_cast<unsigned long long>(formatter->records()),
                 static_cast<unsigned long long>(formatter->warnings()));
    return kExitPartial;
  }
  return kExitOk;
}

}  // namespace vmcap
