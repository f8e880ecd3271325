#include "pstore/records/record_name.h"

#include <charconv>

#include "pstore/records/quoted_bytes.h"

namespace vmcap::pstore {
namespace {

constexpr std::string_view kCompressedSuffix = ".enc.z";

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Backend names are C identifiers in the kernel ("efi_pstore"); type names may hold '-'
// between words ("powerpc-ofw"), never at an end or twice in a row.
bool is_backend_name(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!is_word_char(c)) return false;
  return true;
}

bool is_type_name(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-' && s[i - 1] == '-') return false;  // i > 0: s.front() is not '-'
    if (s[i] != '-' && !is_word_char(s[i])) return false;
  }
  return true;
}

RecordType type_kind(std::string_view t) {
  if (t == "dmesg") return RecordType::Dmesg;
  if (t == "console") return RecordType::Console;
  if (t == "pmsg") return RecordType::Pmsg;
  if (t == "ftrace") return RecordType::Ftrace;
  if (t == "mce") return RecordType::Mce;
  return RecordType::Other;
}

Backend backend_kind(std::string_view b) {
  if (b == "ramoops") return Backend::Ramoops;
  if (b == "efi" || b == "efi_pstore") return Backend::Efi;
  if (b == "erst") return Backend::Erst;
  return Backend::Other;
}

Error name_error(std::string_view name, std::string_view why) {
  return make_error(ErrorKind::Format, {}, std::nullopt,
                    "pstore record name " + quoted_bytes(name, 80) + ": " + std::string(why));
}

}  // namespace

Result<RecordName> parse_record_name(std::string_view file_name) {
  if (file_name.empty()) return name_error(file_name, "empty");
  if (file_name.size() > kMaxRecordNameBytes)
    return name_error(file_name, "longer than " + std::to_string(kMaxRecordNameBytes) + " bytes");
  if (file_name.find_first_of(std::string_view("/\0", 2)) != std::string_view::npos)
    return name_error(file_name, "holds '/' or a NUL: not a file name");

  RecordName out;
  std::string_view rest = file_name;
  if (rest.ends_with(kCompressedSuffix)) {
    out.compressed = true;
    rest.remove_suffix(kCompressedSuffix.size());
  }
  const size_t id_dash = rest.rfind('-');
  if (id_dash == std::string_view::npos || id_dash == 0)
    return name_error(file_name, "not <type>-<backend>-<id>");
  const std::string_view id_text = rest.substr(id_dash + 1);
  const size_t backend_dash = rest.rfind('-', id_dash - 1);
  if (backend_dash == std::string_view::npos) return name_error(file_name, "not <type>-<backend>-<id>");
  const std::string_view backend = rest.substr(backend_dash + 1, id_dash - backend_dash - 1);
  const std::string_view type = rest.substr(0, backend_dash);

  if (id_text.empty() || id_text.find_first_not_of("0123456789") != std::string_view::npos)
    return name_error(file_name, "the id " + quoted_bytes(id_text) + " is not a decimal number");
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), out.id);
  if (ec != std::errc{} || end != id_text.data() + id_text.size())
    return name_error(file_name, "the id " + quoted_bytes(id_text) + " does not fit 64 bits");
  if (!is_backend_name(backend))
    return name_error(file_name, "the backend " + quoted_bytes(backend) + " is not a name");
  if (!is_type_name(type)) return name_error(file_name, "the type " + quoted_bytes(type) + " is not a name");

  out.type = std::string(type);
  out.type_kind = type_kind(type);
  out.backend = std::string(backend);
  out.backend_kind = backend_kind(backend);
  if (out.backend_kind == Backend::Efi)
    out.efi = EfiRecordId{out.id / 100000, static_cast<uint32_t>(out.id / 1000 % 100),
                          static_cast<uint32_t>(out.id % 1000)};
  return out;
}

}  // namespace vmcap::pstore
