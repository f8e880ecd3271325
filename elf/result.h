// Errors as values at format boundaries: every reader returns Result<T>, and only
// the command line turns an Error into a message and an exit status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vmcap {

// What went wrong, coarse enough for callers to act on (a hole is not a corruption).
enum class ErrorKind {
  Io,         // the operating system refused (open, pread, mmap)
  Format,     // the bytes are not what the format says they must be
  Truncated,  // the file ends before data the headers promise
  Hole,       // a physical address that the dump does not hold
  Missing,    // a required piece (note, VMCOREINFO key, symbol) is absent
  Limit,      // a count or size beyond what vmcap accepts (see docs/limits.md)
  Usage,      // the user asked for something impossible
};

struct Error {
  ErrorKind kind = ErrorKind::Format;
  std::string file;               // the file the error is about, may be empty
  std::optional<uint64_t> offset; // file offset (or address, as the reason says)
  std::string reason;

  // One line: "FILE: offset 0x1234: REASON".
  std::string message() const;
};

inline Error make_error(ErrorKind kind, std::string file, std::optional<uint64_t> offset,
                        std::string reason) {
  return Error{kind, std::move(file), offset, std::move(reason)};
}

// A minimal std::expected<T, Error> (C++20 has none).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}

  bool has_value() const { return !e_.has_value(); }
  explicit operator bool() const { return has_value(); }
  void value() const {}

  const Error& error() const& { return *e_; }
  Error&& error() && { return std::move(*e_); }

 private:
  std::optional<Error> e_;
};

inline Result<void> ok() { return {}; }

}  // namespace vmcap

// VMCAP_TRY(expr): evaluate a Result; on error return the error from the enclosing
// function, otherwise yield the value (GCC/Clang statement expression).
#define VMCAP_TRY(...)                                        \
  ({                                                          \
    auto vmcap_try_r_ = (__VA_ARGS__);                        \
    if (!vmcap_try_r_) return std::move(vmcap_try_r_).error(); \
    std::move(vmcap_try_r_).value();                          \
  })

#define VMCAP_CHECK(...)                                      \
  do {                                                        \
    auto vmcap_check_r_ = (__VA_ARGS__);                      \
    if (!vmcap_check_r_) return std::move(vmcap_check_r_).error(); \
  } while (0)
