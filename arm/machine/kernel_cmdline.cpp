#include "arm/machine/kernel_cmdline.h"

#include <algorithm>

namespace vmcap::arm {
namespace {

bool kernel_isspace(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;  // lib/ctype.c marks 0xA0 as space
}

char name_char(char c) { return c == '-' ? '_' : c; }

}  // namespace

std::vector<std::string> split_kernel_cmdline(std::string_view line) {
  if (size_t nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
  std::vector<std::string> words;
  size_t i = 0;
  while (true) {
    while (i < line.size() && kernel_isspace(line[i])) ++i;
    if (i >= line.size()) break;
    const size_t start = i;
    bool in_quote = false;
    for (; i < line.size(); ++i) {
      if (kernel_isspace(line[i]) && !in_quote) break;
      if (line[i] == '"') in_quote = !in_quote;
    }
    words.emplace_back(line.substr(start, i - start));
  }
  return words;
}

std::string_view cmdline_param_name(std::string_view word) {
  if (!word.empty() && word.front() == '"') {
    word.remove_prefix(1);
    // next_arg drops the closing quote of a quoted word without '='.
    if (word.find('=') == std::string_view::npos && !word.empty() && word.back() == '"') word.remove_suffix(1);
  }
  return word.substr(0, word.find('='));
}

bool cmdline_names_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return name_char(x) == name_char(y);
         });
}

bool cmdline_name_has_prefix(std::string_view name, std::string_view prefix) {
  return name.size() >= prefix.size() && cmdline_names_equal(name.substr(0, prefix.size()), prefix);
}

bool cmdline_word_has_open_quote(std::string_view word) {
  return std::count(word.begin(), word.end(), '"') % 2 != 0;
}

std::string join_kernel_cmdline(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

}  // namespace vmcap::arm
