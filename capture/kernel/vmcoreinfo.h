// The VMCOREINFO note parsed: the kernel's own description of its symbols, struct
// layouts and constants. Everything vmcap knows about a kernel comes through here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "elf/result.h"

namespace vmcap {

// OSRELEASE's leading "major.minor" ("5.10.0-32-arm64" -> 5.10), for knowledge that
// changed with the kernel version and has no key of its own.
struct KernelVersion {
  unsigned major = 0, minor = 0;
  friend auto operator<=>(const KernelVersion&, const KernelVersion&) = default;
};

class VmcoreInfo {
 public:
  // Parses "KEY=value" lines. Lines without '=' are kept in malformed_lines(); a
  // SYMBOL/OFFSET/SIZE/LENGTH/NUMBER whose value does not parse is an error naming it.
  // `source` names the file for error messages.
  static Result<VmcoreInfo> parse(std::string_view text, const std::string& source = {});

  // Plain keys: OSRELEASE, BUILD-ID, PAGESIZE, CRASHTIME, KERNELOFFSET, ...
  std::optional<std::string> value(std::string_view key) const;
  // SYMBOL(name)=hex: a kernel virtual address.
  std::optional<uint64_t> symbol(std::string_view name) const;
  // OFFSET(struct.member)=dec.
  std::optional<uint64_t> offset(std::string_view struct_member) const;
  // SIZE(type)=dec.
  std::optional<uint64_t> size(std::string_view type) const;
  // LENGTH(name)=dec.
  std::optional<uint64_t> length(std::string_view name) const;
  // NUMBER(name)=dec, signed (phys_base can be negative); 0x-hex is taken too (arm64 and
  // 6.x print addresses that way), and kept as the same 64 bits.
  std::optional<int64_t> number(std::string_view name) const;

  // Convenience with a Missing error naming the key, e.g. "VMCOREINFO has no SYMBOL(prb)".
  Result<uint64_t> require_symbol(std::string_view name) const;
  Result<uint64_t> require_offset(std::string_view struct_member) const;
  Result<uint64_t> require_size(std::string_view type) const;
  Result<int64_t> require_number(std::string_view name) const;

  // Typed views of common plain keys.
  std::optional<uint64_t> page_size() const;     // PAGESIZE
  std::optional<int64_t> crash_time() const;     // CRASHTIME (seconds since epoch)
  std::optional<uint64_t> kernel_offset() const; // KERNELOFFSET (hex, with or without 0x)
  std::optional<KernelVersion> release_version() const;  // OSRELEASE "major.minor..."

  // Every key as written ("SYMBOL(prb)", "OSRELEASE"), in file order, for listing.
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  bool has(std::string_view full_key) const;
  const std::vector<std::string>& malformed_lines() const { return malformed_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
  std::map<std::string, std::string, std::less<>> plain_;
  std::map<std::string, uint64_t, std::less<>> symbols_, offsets_, sizes_, lengths_;
  std::map<std::string, int64_t, std::less<>> numbers_;
  std::vector<std::string> malformed_;
};

}  // namespace vmcap
