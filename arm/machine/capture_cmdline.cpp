#include "arm/machine/capture_cmdline.h"

#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>

#include "arm/machine/kernel_cmdline.h"

namespace vmcap::arm {
namespace {

using enum RuleAction;

// The table of capture_cmdline.h, with each reason as `vmcap arm` prints it.
constexpr std::array kRules{
    CmdlineRule{Drop, "crashkernel", "the capture kernel has only the reservation and must not set part of it aside again"},
    CmdlineRule{Drop, "hugepages hugepagesz default_hugepagesz",
                "huge pages allocated at boot would take the memory the capture needs"},
    CmdlineRule{Drop, "hugetlb_cma cma", "reserves a CMA area at boot out of the reservation"},
    CmdlineRule{Drop, "panic_on_warn",
                "a warning, common over devices the crashed kernel left running, would panic the capture kernel"},
    CmdlineRule{Drop, "slub_debug slab_debug", "slab debugging makes every allocation bigger"},
    CmdlineRule{Drop, "log_buf_len", "a big log buffer is allocated at boot from the reservation"},
    CmdlineRule{Drop, "swiotlb", "sizes a bounce buffer reserved at boot from the reservation"},
    CmdlineRule{Drop, "kfence.sample_interval", "turns KFENCE on: a 2 MiB pool at boot"},
    CmdlineRule{Drop, "quiet rhgb splash",
                "the capture kernel's own messages explain a failed capture on the console"},
    CmdlineRule{Drop, "root rootflags rootfstype rootwait rootdelay",
                "the capture runs from its own image and mounts no root"},
    CmdlineRule{Drop, "resume resume_offset", "a capture kernel must not look for a hibernation image"},
    CmdlineRule{Drop, "rd.*", "dracut's options for the root's storage: the capture assembles none"},
    CmdlineRule{Drop, "netroot nfsroot fcoe iscsi_*", "a network root: the capture mounts no root"},
    CmdlineRule{Drop, "ip", "the root's network set-up: vmcap brings the capture's network up from [network]"},
    CmdlineRule{Drop, "init rdinit", "would run another program instead of the capture image's /init"},
    CmdlineRule{Drop, "initrd initrdmem", "the running system's initramfs; kexec_file_load passes the capture's"},
    CmdlineRule{Drop, "BOOT_IMAGE", "the running kernel's file, set by the boot loader: only length"},
    CmdlineRule{Drop, "memmap", "edits the memory map: could hand the capture kernel memory that holds the dump"},
    CmdlineRule{Drop, "mem", "caps usable memory: a reservation above the cap would leave the capture kernel none"},
    CmdlineRule{Add, "irqpoll", "kdump: poll for interrupts the crashed kernel left routed to no handler"},
    CmdlineRule{Add, "nr_cpus=1", "kdump: one CPU, the per-CPU memory of one"},
    CmdlineRule{Add, "reset_devices", "kdump: drivers reset their device instead of trusting the crashed kernel's state"},
    CmdlineRule{Add, "panic=10", "a capture kernel that panics reboots after 10 s instead of hanging"},
    CmdlineRule{Add, "cgroup_disable=memory", "the memory controller's bookkeeping costs memory; the capture uses no cgroups"},
    CmdlineRule{Add, "transparent_hugepage=never", "no 2 MiB pages for vmcap's buffers in a small reservation"},
    CmdlineRule{Add, "acpi_no_memhotplug", "hot-adding ACPI memory devices would hand the capture kernel the dump's memory"},
    CmdlineRule{Add, "novmcoredd", "no device dumps allocated in the capture kernel"},
    CmdlineRule{Add, "numa=off", "one CPU, one reservation: NUMA only costs memory"},
    CmdlineRule{Add, "usbcore.nousb", "no USB: less memory and boot time (config remove usbcore.nousb for a USB NIC)"},
    CmdlineRule{Add, "cma=0", "no CMA area set aside at boot (Debian's arm64 kernels reserve 64 MiB) out of the reservation"},
    CmdlineRule{Add, "initcall_blacklist=tracer_init_tracefs",
                "no tracefs file per trace event: before 6.6 they pin about 8 MiB of the reservation at boot", true},
};

constexpr std::string_view kInitArgsReason = "the running system's init arguments (after --)";
constexpr std::string_view kOpenQuoteReason = "an unclosed quote would take every later word into this one";

// PATTERN's names, one at a time: "a b c*" -> a, b, c*.
template <class F>
bool any_name(std::string_view pattern, F&& f) {
  size_t at = 0;
  while (at < pattern.size()) {
    size_t end = pattern.find(' ', at);
    if (end == std::string_view::npos) end = pattern.size();
    if (end > at && f(pattern.substr(at, end - at))) return true;
    at = end + 1;
  }
  return false;
}

bool name_matches(std::string_view name, std::string_view pattern_name) {
  if (pattern_name.ends_with('*')) return cmdline_name_has_prefix(name, pattern_name.substr(0, pattern_name.size() - 1));
  return cmdline_names_equal(name, pattern_name);
}

bool matches_pattern(std::string_view name, std::string_view pattern) {
  return any_name(pattern, [&](std::string_view p) { return name_matches(name, p); });
}

// The same parameter with the same value ('-' and '_' alike in the name).
bool same_word(std::string_view a, std::string_view b) {
  const std::string_view name_a = cmdline_param_name(a), name_b = cmdline_param_name(b);
  return cmdline_names_equal(name_a, name_b) && a.substr(name_a.size()) == b.substr(name_b.size());
}

std::optional<std::string_view> removed_by(std::string_view name, const std::vector<std::string>& remove) {
  for (const std::string& r : remove)
    if (name_matches(name, r)) return r;
  return std::nullopt;
}

bool console_on_usb(const std::vector<std::string>& words) {
  for (const std::string& w : words) {
    if (!cmdline_names_equal(cmdline_param_name(w), "console")) continue;
    const size_t eq = w.find('=');
    const std::string_view dev = eq == std::string::npos ? std::string_view{} : std::string_view(w).substr(eq + 1);
    if (dev.starts_with("ttyUSB") || dev.starts_with("ttyACM")) return true;
  }
  return false;
}

Result<void> check_edits(const CmdlineEdits& edits) {
  for (const std::string& w : edits.append) {
    const auto parts = split_kernel_cmdline(w);
    if (parts.size() != 1 || parts.front() != w)
      return make_error(ErrorKind::Usage, "", std::nullopt,
                        fmt::format("append '{}': not one kernel command-line word (the kernel splits it into {})", w,
                                    parts.size()));
    if (cmdline_word_has_open_quote(w))
      return make_error(ErrorKind::Usage, "", std::nullopt,
                        fmt::format("append '{}': an unclosed quote would take every later word into it", w));
  }
  for (const std::string& r : edits.remove) {
    const std::string_view bare = std::string_view(r).substr(0, r.ends_with('*') ? r.size() - 1 : r.size());
    if (bare.empty() || bare.find_first_of("=\" \t\n\r\v\f*") != std::string_view::npos)
      return make_error(ErrorKind::Usage, "", std::nullopt,
                        fmt::format("remove '{}': want a parameter name (or a prefix ending in *)", r));
  }
  return ok();
}

}  // namespace

std::span<const CmdlineRule> capture_cmdline_rules() { return kRules; }

std::string CaptureCmdline::line() const { return join_kernel_cmdline(words); }

size_t CaptureCmdline::cmdline_len() const { return line().size() + 1; }

Result<CaptureCmdline> build_capture_cmdline(std::string_view running, const CmdlineEdits& edits) {
  VMCAP_CHECK(check_edits(edits));
  CaptureCmdline out;
  auto drop = [&](const std::string& w, std::string reason) {
    out.changes.push_back({CmdlineChange::Kind::Dropped, w, std::move(reason)});
  };
  const std::vector<std::string> words = split_kernel_cmdline(running);

  // The additions that survive the config: not removed, not replaced by an append. A
  // running word with an addition's name gives way to the addition, or to the append that
  // replaced it.
  struct Addition {
    std::string_view word;
    std::string_view reason;
  };
  std::vector<Addition> additions;
  struct Replacement {
    std::string_view name;
    std::string by;
  };
  std::vector<Replacement> replacements;
  const bool usb_console = console_on_usb(words);
  for (const CmdlineRule& r : kRules) {
    if (r.action != Add) continue;
    const std::string word(r.pattern);
    const std::string_view name = cmdline_param_name(r.pattern);
    if (auto by = removed_by(name, edits.remove)) {
      drop(word, fmt::format("config: remove {}", *by));
      continue;
    }
    const auto append = std::find_if(edits.append.begin(), edits.append.end(), [&](const std::string& a) {
      return cmdline_names_equal(cmdline_param_name(a), name);
    });
    if (append != edits.append.end()) {
      drop(word, fmt::format("replaced by the config's {}", *append));
      if (!r.kernel_takes_every_word) replacements.push_back({name, fmt::format("the config's {}", *append)});
      continue;
    }
    if (name == "usbcore.nousb" && usb_console) {
      drop(word, "a console= is on USB");
      continue;
    }
    additions.push_back({r.pattern, r.reason});
    if (!r.kernel_takes_every_word) replacements.push_back({name, word});
  }

  bool init_args = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    const std::string_view name = cmdline_param_name(w);
    if (init_args || (name == "--" && w.find('=') == std::string::npos)) {
      init_args = true;
      drop(w, std::string(kInitArgsReason));
      continue;
    }
    if (auto by = removed_by(name, edits.remove)) {
      drop(w, fmt::format("config: remove {}", *by));
      continue;
    }
    const CmdlineRule* rule = nullptr;
    for (const CmdlineRule& r : kRules)
      if (r.action == Drop && matches_pattern(name, r.pattern)) {
        rule = &r;
        break;
      }
    if (rule) {
      drop(w, std::string(rule->reason));
      continue;
    }
    const auto same = std::find_if(replacements.begin(), replacements.end(),
                                   [&](const Replacement& r) { return cmdline_names_equal(r.name, name); });
    if (same != replacements.end()) {
      drop(w, "replaced by " + same->by);
      continue;
    }
    // A running word that comes again at the end, as an addition or the config's append
    // (initcall_blacklist=tracer_init_tracefs on the running line): once is enough.
    const auto twin = std::find_if(additions.begin(), additions.end(),
                                   [&](const Addition& a) { return same_word(a.word, w); });
    if (twin != additions.end()) {
      drop(w, fmt::format("added as {}", twin->word));
      continue;
    }
    const auto appended = std::find_if(edits.append.begin(), edits.append.end(),
                                       [&](const std::string& a) { return same_word(a, w); });
    if (appended != edits.append.end()) {
      drop(w, fmt::format("added as the config's {}", *appended));
      continue;
    }
    // Only the last word can hold an unclosed quote (it ran to the end of the line).
    if (cmdline_word_has_open_quote(w)) {
      drop(w, std::string(kOpenQuoteReason));
      continue;
    }
    out.words.push_back(w);
  }
  for (const Addition& a : additions) {
    out.words.emplace_back(a.word);
    out.changes.push_back({CmdlineChange::Kind::Added, std::string(a.word), std::string(a.reason)});
  }
  for (const std::string& a : edits.append) {
    out.words.push_back(a);
    out.changes.push_back({CmdlineChange::Kind::Added, a, "config: append"});
  }
  return out;
}

Result<void> check_cmdline_fits(size_t cmdline_len, uint32_t cmdline_size) {
  if (cmdline_len + kElfcorehdrBytes <= cmdline_size) return ok();
  return make_error(ErrorKind::Limit, "", std::nullopt,
                    fmt::format("the capture command line is {} bytes with its NUL, and the kernel adds {} for "
                                "elfcorehdr=: {} > {}, the capture kernel's cmdline_size (bzImage setup header); "
                                "drop words with the config's remove",
                                cmdline_len, kElfcorehdrBytes, cmdline_len + kElfcorehdrBytes, cmdline_size));
}

}  // namespace vmcap::arm
