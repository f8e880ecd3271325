// A fact about the running machine that may be unknown. "Unknown" is an answer the
// commands print ("Secure Boot: unknown (efivarfs not mounted)"), not an error: a missing
// /sys file says something about the kernel, and arming goes on with what is known.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace vmcap::arm {

template <class T>
struct Fact {
  std::optional<T> value;
  std::string source;   // the file it came from, or how it was found
  std::string unknown;  // why the value is unknown; empty when known

  static Fact known(T v, std::string from) { return Fact{std::move(v), std::move(from), {}}; }
  static Fact unknown_because(std::string why, std::string from = {}) {
    return Fact{std::nullopt, std::move(from), std::move(why)};
  }
  bool has_value() const { return value.has_value(); }
};

}  // namespace vmcap::arm
