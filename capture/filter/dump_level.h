// makedumpfile's dump level (-d): each bit names a kind of page to leave out.
#pragma once

namespace vmcap {

inline constexpr int kExcludeZero = 1;          // pages whose bytes are all zero
inline constexpr int kExcludeCache = 2;         // page cache without private data
inline constexpr int kExcludeCachePrivate = 4;  // page cache, private data or not
inline constexpr int kExcludeUser = 8;          // anonymous and hugetlb pages of processes
inline constexpr int kExcludeFree = 16;         // pages in the buddy allocator's free lists
inline constexpr int kMaxDumpLevel = 31;

}  // namespace vmcap
