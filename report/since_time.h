// `vmcap report --since DATE`: a UTC date or time (2026-12-01, 2026-12-01T08:00:00Z,
// 2026-12-01 08:00), or an age back from now (30m, 12h, 7d, 2w). Typed by an operator:
// anything else is refused with what is accepted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "elf/result.h"

namespace vmcap::report {

// Seconds since the epoch; `now` for the ages.
Result<int64_t> parse_since(std::string_view text, int64_t now);

// "2026-12-07T06:55:02Z"
std::string utc_iso(int64_t time);

}  // namespace vmcap::report
