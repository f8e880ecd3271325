// Text from index entries, written by machines that just crashed (or by anyone who can
// write to the store), made safe for where the report puts it: valid UTF-8 always (bytes
// that are not become U+FFFD), no control characters on a terminal (an escape sequence in
// a panic reason must not drive the operator's terminal), HTML-escaped in the page.
#pragma once

#include <string>
#include <string_view>

namespace vmcap::report {

// Invalid UTF-8 sequences as U+FFFD.
std::string valid_utf8(std::string_view text);

// valid_utf8, with C0 controls, DEL and C1 controls as '?'.
std::string terminal_safe(std::string_view text);

// valid_utf8 with & < > " ' as entities: safe in element text and quoted attributes.
std::string html_escape(std::string_view text);

}  // namespace vmcap::report
