#include "capture/signature/crash_signature.h"

#include <array>
#include <cctype>
#include <string_view>

#include "capture/upload/sha256.h"

namespace vmcap {
namespace {

// How far past "Call Trace:" a trace may run (a deep stack with IRQ and task parts is
// well under 100 lines); a garbled log must not make us scan forever.
constexpr size_t kMaxTraceLines = 256;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Callers pass record texts; tolerate a console-style "[   16.8] " or "[    T1] " prefix.
std::string_view strip_timestamp(std::string_view s) {
  for (int i = 0; i < 2 && starts_with(s, "["); ++i) {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close > 20) break;
    bool stamp = true;
    for (char c : s.substr(1, close - 1))
      if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == ' ' || c == 'T' || c == 'C'))
        stamp = false;
    if (!stamp) break;
    s.remove_prefix(close + 1);
    if (starts_with(s, " ")) s.remove_prefix(1);
  }
  return s;
}

bool is_fatal_reason(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kPrefixes = {
      "Kernel panic - not syncing:", "BUG:", "kernel BUG at", "Oops:",
      "general protection fault", "Unable to handle kernel", "Internal error:"};
  for (auto p : kPrefixes)
    if (starts_with(s, p)) return true;
  return false;
}

bool is_call_trace(std::string_view s) {
  s = trim(s);
  return s == "Call Trace:" || s == "Call trace:";
}

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
}

// "func+0x16/0x20" (optionally followed by " [module]") -> "func", with compiler suffixes
// (".cold", ".constprop.0", ".isra.0", ".part.0", ".llvm.123") removed: they change with
// the compiler, not with the bug.
std::optional<std::string> symbol_name(std::string_view token) {
  size_t plus = token.find("+0x");
  if (plus == 0 || plus == std::string_view::npos) return std::nullopt;
  if (token.find("/0x", plus) == std::string_view::npos) return std::nullopt;
  std::string_view name = token.substr(0, plus);
  for (char c : name)
    if (!is_ident_char(c)) return std::nullopt;
  size_t dot = name.find('.');
  if (dot == 0) return std::nullopt;
  return std::string(name.substr(0, dot));
}

enum class FrameKind { Frame, Unreliable, Other };

// One line of a call trace: " sysrq_handle_crash+0x16/0x20", " ? printk+0x58/0x73",
// " [<ffffffff8139c1d6>] sysrq_handle_crash+0x16/0x20" (before 4.9), "  foo+0x1/0x2 [mod]".
FrameKind parse_frame(std::string_view line, std::string& name) {
  std::string_view s = trim_left(line);
  if (starts_with(s, "[<")) {
    size_t close = s.find("] ");
    if (close == std::string_view::npos) return FrameKind::Other;
    s = trim_left(s.substr(close + 2));
  }
  bool unreliable = starts_with(s, "? ");
  if (unreliable) s = trim_left(s.substr(2));
  std::string_view token = s.substr(0, s.find_first_of(" \t"));
  auto n = symbol_name(token);
  if (!n) return FrameKind::Other;
  if (unreliable) return FrameKind::Unreliable;
  name = std::move(*n);
  return FrameKind::Frame;
}

// The faulting function of an Oops, printed before the trace: "RIP: 0010:func+0x16/0x20"
// (x86_64 kernel code segment; 0033 is user space), "EIP: func+0x../0x.." (i386),
// "pc : func+0x../0x.." (arm64 __show_regs since 4.15), "PC is at func+0x../0x.." (arm64
// before 4.15, and arm).
std::optional<std::string> faulting_function(std::string_view line) {
  std::string_view s = trim_left(line);
  std::string_view rest;
  if (starts_with(s, "RIP: 0010:")) rest = s.substr(10);
  else if (starts_with(s, "EIP: ")) rest = s.substr(5);
  else if (starts_with(s, "pc : ")) rest = s.substr(5);
  else if (starts_with(s, "PC is at ")) rest = s.substr(9);
  else return std::nullopt;
  // The first "name+0x.." token; old kernels put "[<ffffffff81234567>]" pairs before it,
  // modules a " [ext4]" after it.
  std::string_view r = trim(rest);
  while (!r.empty()) {
    std::string_view token = r.substr(0, r.find_first_of(" \t"));
    if (token.find("+0x") != std::string_view::npos) return symbol_name(token);
    r = trim_left(r.substr(token.size()));
  }
  return std::nullopt;
}

// The frames at the top of a trace that report the crash rather than cause it. arm64's
// panic trace starts in dump_backtrace (before 6.2) or show_stack, and a fault taken in
// the kernel passes through its exception entry (el1h_64_sync) and fault handlers.
bool is_reporting_machinery(const std::string& f) {
  static constexpr std::array<std::string_view, 47> kNames = {
      "dump_stack", "dump_stack_lvl", "show_stack", "show_trace_log_lvl", "show_regs",
      "panic", "vpanic", "nmi_panic", "__warn", "warn_slowpath_fmt", "warn_slowpath_null",
      "report_bug", "handle_bug", "exc_invalid_op", "asm_exc_invalid_op", "invalid_op",
      "do_error_trap", "do_invalid_op", "die", "__die", "oops_end", "page_fault_oops",
      "no_context", "__bad_area_nosemaphore", "bad_area_nosemaphore",
      "kernelmode_fixup_or_oops", "exc_page_fault", "asm_exc_page_fault", "printk", "_printk",
      "vprintk_emit", "kasan_report", "__kasan_report", "print_report",
      "print_address_description", "kasan_check_range",
      "dump_backtrace", "arm64_notify_die", "die_kernel_fault", "__do_kernel_fault",
      "do_bad_area", "do_page_fault", "do_translation_fault", "do_mem_abort", "el1_abort",
      "el1h_64_sync_handler", "el1h_64_sync"};
  for (auto n : kNames)
    if (f == n) return true;
  return false;
}

bool ends_trace(std::string_view s) {
  s = trim(s);
  return s == "</TASK>" || starts_with(s, "---[ end") || starts_with(s, "Kernel Offset:") ||
         starts_with(s, "Modules linked in:") || is_call_trace(s) ||
         starts_with(s, "Kernel panic - not syncing:");
}

std::vector<std::string> trace_after(const std::vector<std::string_view>& lines, size_t from) {
  std::vector<std::string> raw;
  size_t trace = lines.size();
  for (size_t i = from; i < lines.size() && i < from + kMaxTraceLines; ++i) {
    if (is_call_trace(lines[i])) {
      trace = i;
      break;
    }
    if (auto f = faulting_function(lines[i]); f && raw.empty()) raw.push_back(*f);
  }
  if (trace == lines.size()) return {};  // no trace: a bare RIP is not a call trace
  bool rip_frame = !raw.empty();
  size_t trace_frames = 0;
  for (size_t i = trace + 1; i < lines.size() && i <= trace + kMaxTraceLines; ++i) {
    if (ends_trace(lines[i])) break;
    std::string name;
    if (parse_frame(lines[i], name) != FrameKind::Frame) continue;
    // arm64 traces start with the function "pc :" already named; keep it once.
    if (rip_frame && raw.size() == 1 && !trace_frames && raw[0] == name) {
      ++trace_frames;
      continue;
    }
    raw.push_back(std::move(name));
    ++trace_frames;
  }
  // Drop the reporting machinery at the top, never further down where it would be the bug.
  size_t first = 0;
  while (first < raw.size() && is_reporting_machinery(raw[first])) ++first;
  std::vector<std::string> out;
  for (size_t i = first; i < raw.size() && out.size() < kMaxFrames; ++i) out.push_back(raw[i]);
  return out;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)); }
bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::string normalize_reason(const std::string& reason) {
  std::string_view s = reason;
  // "Oops: 0000 [#1] PREEMPT SMP NOPTI": the count and the kernel's config flags vary.
  if (size_t oops = s.find(" [#"); oops != std::string_view::npos) s = s.substr(0, oops);
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    bool boundary = i == 0 || !is_word(s[i - 1]);
    if (boundary && s.substr(i, 2) == "0x" && i + 2 < s.size() && is_hex(s[i + 2])) {
      i += 2;
      while (i < s.size() && is_hex(s[i])) ++i;
      out += 'N';
      continue;
    }
    if (boundary && is_hex(s[i])) {
      size_t j = i;
      bool digit = false;
      while (j < s.size() && is_hex(s[j])) digit |= std::isdigit(static_cast<unsigned char>(s[j++])) != 0;
      if (digit && (j == s.size() || !is_word(s[j]))) {  // a whole hex or decimal token
        out += 'N';
        i = j;
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(s[i]))) {  // "22s": digits then a unit
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        out += 'N';
        continue;
      }
    }
    out += s[i++];
  }
  return std::string(trim(out));
}

CrashSignature compute_crash_signature(const std::vector<std::string>& log_lines,
                                       std::optional<uint64_t> pc, const Kallsyms* kallsyms) {
  CrashSignature sig;
  sig.pc = pc;
  if (pc && kallsyms)
    if (auto hit = kallsyms->lookup(*pc)) sig.symbol = hit->format();

  std::vector<std::string_view> lines;
  lines.reserve(log_lines.size());
  for (const auto& l : log_lines) lines.push_back(strip_timestamp(l));

  std::optional<size_t> at;
  for (size_t i = 0; i < lines.size() && !at; ++i)
    if (is_fatal_reason(trim(lines[i]))) at = i;
  for (size_t i = 0; i < lines.size() && !at; ++i)
    if (starts_with(trim(lines[i]), "WARNING:")) at = i;

  if (at) {
    sig.reason = std::string(trim(lines[*at]));
    sig.frames = trace_after(lines, *at);
  }

  std::string key;
  if (!sig.reason.empty() || !sig.frames.empty()) {
    key = "reason:" + normalize_reason(sig.reason) + "\n";
    for (const auto& f : sig.frames) key += "frame:" + f + "\n";
  } else if (!sig.symbol.empty()) {
    // No log to go by: the crashing function is all there is.
    key = "pc:" + sig.symbol.substr(0, sig.symbol.find_first_of("+.")) + "\n";
  }
  if (!key.empty()) sig.hash = upload::sha256_hex("vmcap-crash-signature-v1\n" + key).substr(0, 16);
  return sig;
}

}  // namespace vmcap
