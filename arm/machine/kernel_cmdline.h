// The kernel command line split into words the way the kernel splits it, and the name of
// each word's parameter, so that rules can drop "root=..." or "rd.lvm.lv=..." whatever their
// value, quotes included.
//
// Source (Linux): lib/cmdline.c next_arg and kernel/params.c parse_args and parameq:
// - words are separated by whitespace (isspace of lib/ctype.c: space, \t, \n, \v, \f, \r and
//   0xA0), leading whitespace is skipped;
// - a double quote anywhere in a word toggles quoting, and whitespace inside quotes does not
//   separate: `param="a b"` and `"param=a b"` are one word each; quotes cannot be escaped,
//   and a word with an unclosed quote runs to the end of the line;
// - the name is what comes before the first '=' (after a leading quote), and '-' and '_'
//   are the same in names;
// - a word "--" ends the kernel's parameters: the rest is for init.
// A NUL ends the line, as it ends the kernel's string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vmcap::arm {

// The words of LINE (quotes kept in the words' text, as in /proc/cmdline).
std::vector<std::string> split_kernel_cmdline(std::string_view line);

// The parameter's name: "root" for root=/dev/sda1 and "\"root=/dev/x y\"", "quiet" for quiet.
std::string_view cmdline_param_name(std::string_view word);

// Names equal as the kernel compares them ('-' and '_' alike).
bool cmdline_names_equal(std::string_view a, std::string_view b);
// NAME starts with PREFIX, '-' and '_' alike.
bool cmdline_name_has_prefix(std::string_view name, std::string_view prefix);

// An odd number of double quotes: the kernel would take every word after this one into it.
bool cmdline_word_has_open_quote(std::string_view word);

// The words joined by single spaces.
std::string join_kernel_cmdline(const std::vector<std::string>& words);

}  // namespace vmcap::arm
