// Fuzz target: a running kernel's command line (/proc/cmdline). The input is split the
// kernel's way; the capture line built from it must split back into exactly its words (no
// added word swallowed by a quote), keep every config append, and hold each word a rule
// adds once (or only the config's appends of its name; for a name the kernel takes every
// word of, initcall_blacklist, the added word itself once). The input's first line is the
// running line; later lines are config appends (odd lines) and removes (even lines), so the
// fuzzer reaches the edits' checks too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "arm/machine/capture_cmdline.h"
#include "arm/machine/kernel_cmdline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::arm;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t nl = text.find('\n');
  const std::string_view running = text.substr(0, nl);
  CmdlineEdits edits;
  if (nl != std::string_view::npos) {
    std::string_view rest = text.substr(nl + 1);
    for (int i = 0; !rest.empty() && i < 16; ++i) {
      const size_t e = rest.find('\n');
      (i % 2 == 0 ? edits.append : edits.remove).emplace_back(rest.substr(0, e));
      rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e + 1);
    }
  }

  const auto words = split_kernel_cmdline(running);
  for (const std::string& w : words)
    if (w.empty() || w.find('\0') != std::string::npos) __builtin_trap();

  auto c = build_capture_cmdline(running, edits);
  if (!c) {
    if (c.error().reason.empty()) __builtin_trap();
    return 0;
  }
  if (split_kernel_cmdline(c->line()) != c->words) __builtin_trap();
  if (c->cmdline_len() != c->line().size() + 1) __builtin_trap();
  for (const std::string& a : edits.append)
    if (std::find(c->words.begin(), c->words.end(), a) == c->words.end()) __builtin_trap();
  for (const CmdlineRule& r : capture_cmdline_rules()) {
    if (r.action != RuleAction::Add) continue;
    // The kernel takes every initcall_blacklist= word: running ones stay, the added word
    // itself comes once (or as often as the config appends it). Others: one of each name.
    const auto matches = [&](const std::string& w) {
      const std::string_view name = cmdline_param_name(w), rule_name = cmdline_param_name(r.pattern);
      return cmdline_names_equal(name, rule_name) &&
             (!r.kernel_takes_every_word ||
              std::string_view(w).substr(name.size()) == r.pattern.substr(rule_name.size()));
    };
    const auto n = std::count_if(c->words.begin(), c->words.end(), matches);
    const auto appended = std::count_if(edits.append.begin(), edits.append.end(), matches);
    if (n > std::max<std::ptrdiff_t>(1, appended)) __builtin_trap();
  }
  const bool fits = check_cmdline_fits(c->cmdline_len(), 2047).has_value();
  if (fits != (c->cmdline_len() + kElfcorehdrBytes <= 2047)) __builtin_trap();
  return 0;
}
