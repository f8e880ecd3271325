// The subcommands: each is a plain options struct and a function that runs it and returns
// the exit status (exit_status.h). Only main.cpp knows CLI11: its header-only
// parser costs about ten seconds of compile time in every file that includes it.
#pragma once

#include <string>

#include "initramfs/image_builder.h"

namespace vmcap {

// `vmcap info VMCORE [--json]`
struct InfoOptions {
  std::string path;
  bool json = false;
  bool mmap = false;
};
int run_info(const InfoOptions& o);

// `vmcap dmesg [--format text|kmsg|json] [-o FILE] VMCORE`
struct DmesgOptions {
  std::string path;
  std::string format = "text";
  std::string output;  // empty: stdout
  bool kmsg_caller = false;
  bool mmap = false;
};
int run_dmesg(const DmesgOptions& o);

// `vmcap filter [-d LEVEL] [--compress ...] [--level N] [--threads N] [--format ...] VMCORE OUT`
struct FilterOptions {
  std::string input, output;
  int dump_level = 31;
  std::string compress = "zstd";
  int level = 0;
  unsigned threads = 0;
  std::string format = "kdump";
  bool quiet = false;
};
int run_filter(const FilterOptions& o);

// `vmcap check-config` and `vmcap capture` run config::run_check_config and
// run::run_capture directly.

// `vmcap mkinitramfs ...`; `compress` is "zstd" or "none".
int run_mkinitramfs(initramfs::ImageRequest request, const std::string& compress);

}  // namespace vmcap
