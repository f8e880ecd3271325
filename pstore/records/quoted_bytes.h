// Bytes from a record, shown in a message: a crashed machine's bytes can be anything, and a
// message must stay one short printable line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vmcap::pstore {

// "\"...\"" with printable ASCII as it is, '"' and '\\' escaped, other bytes as \xNN; at most
// max_bytes of the input, then "..." after the closing quote.
std::string quoted_bytes(std::string_view bytes, size_t max_bytes = 40);

}  // namespace vmcap::pstore
