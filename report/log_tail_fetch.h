// A group whose index entries carry no log tail (an empty log, an entry written by hand or
// by another tool) gets the end of its latest capture's dmesg.txt, read from the
// destination with a bound: at most kMaxFetchedLog bytes per capture and kMaxFetches
// groups, so the page stays one read per group at most, never per entry.
#pragma once

#include <cstddef>

#include "capture/upload/destination_reader.h"
#include "report/crash_groups.h"

namespace vmcap::report {

inline constexpr size_t kMaxFetchedLog = 1 << 20;
inline constexpr size_t kMaxFetches = 256;

// How many groups got a log tail.
size_t fetch_log_tails(upload::DestinationReader& reader, CrashGroups& groups);

}  // namespace vmcap::report
