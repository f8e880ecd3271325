#include "pstore/records/log_facts.h"

#include "pstore/records/log_line.h"

namespace vmcap::pstore {
namespace {

constexpr std::string_view kBanner = "Linux version ";
constexpr std::string_view kPanic = "Kernel panic - not syncing";
constexpr std::string_view kPanicEnd = "---[ end ";
constexpr std::string_view kPanicEndClose = " ]---";

bool is_space(char c) { return c == ' ' || c == '\t'; }

// The whitespace-separated word at s[at...], at moved past it.
std::string_view next_word(std::string_view s, size_t& at) {
  while (at < s.size() && is_space(s[at])) ++at;
  const size_t start = at;
  while (at < s.size() && !is_space(s[at])) ++at;
  return s.substr(start, at - start);
}

bool plausible_release(std::string_view w) {
  if (w.empty() || w.size() > 64) return false;
  for (const char c : w)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  return true;
}

std::optional<std::string> release_from_banner(std::string_view message) {
  if (!message.starts_with(kBanner)) return std::nullopt;
  size_t at = kBanner.size();
  const std::string_view w = next_word(message, at);
  if (!plausible_release(w)) return std::nullopt;
  return std::string(w);
}

// "CPU: 0 PID: 1 Comm: sh Tainted: G        W  OE   6.1.0-18-amd64 #1 Debian ..." The comm
// may hold spaces and taint letters may stand together ("OE"): the release is the word
// before the first word that starts with '#', after the taint marker.
std::optional<std::string> release_from_cpu_line(std::string_view message) {
  if (!message.starts_with("CPU: ")) return std::nullopt;
  const size_t comm = message.find(" Comm: ");
  if (comm == std::string_view::npos) return std::nullopt;
  size_t at = std::string_view::npos;
  for (const std::string_view marker : {std::string_view(" Not tainted "), std::string_view(" Tainted: ")}) {
    const size_t m = message.find(marker, comm);
    if (m != std::string_view::npos && m < at) at = m + marker.size();
  }
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view previous;
  for (int words = 0; words < 32; ++words) {  // the taint flags are fewer than 32 words
    const std::string_view w = next_word(message, at);
    if (w.empty()) return std::nullopt;
    if (w.front() == '#') {
      if (!plausible_release(previous)) return std::nullopt;
      return std::string(previous);
    }
    previous = w;
  }
  return std::nullopt;
}

std::optional<std::string> panic_from_line(std::string_view message) {
  if (message.starts_with(kPanic)) return std::string(message);
  return std::nullopt;
}

std::optional<std::string> panic_from_end_marker(std::string_view message) {
  if (!message.starts_with(kPanicEnd)) return std::nullopt;
  std::string_view rest = message.substr(kPanicEnd.size());
  if (!rest.starts_with(kPanic)) return std::nullopt;
  if (rest.ends_with(kPanicEndClose)) rest.remove_suffix(kPanicEndClose.size());
  return std::string(rest);
}

}  // namespace

LogFacts read_log_facts(std::string_view text) {
  LogFacts f;
  std::optional<std::string> banner_release, cpu_release, panic, panic_end;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.size() > kMaxFactLineBytes) continue;
    std::string_view message = printk_line_message(line);
    if (!message.empty() && message.back() == '\r') message.remove_suffix(1);
    if (!banner_release) banner_release = release_from_banner(message);
    if (!cpu_release) cpu_release = release_from_cpu_line(message);
    if (!panic) panic = panic_from_line(message);
    if (!panic_end) panic_end = panic_from_end_marker(message);
  }
  if (banner_release) {
    f.kernel_release = std::move(banner_release);
    f.release_from = ReleaseSource::LinuxVersionLine;
  } else if (cpu_release) {
    f.kernel_release = std::move(cpu_release);
    f.release_from = ReleaseSource::OopsCpuLine;
  }
  f.panic_line = panic ? std::move(panic) : std::move(panic_end);
  return f;
}

}  // namespace vmcap::pstore
