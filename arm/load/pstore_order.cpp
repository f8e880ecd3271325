#include "arm/load/pstore_order.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "arm/machine/machine_files.h"

namespace vmcap::arm {

PstoreOrder read_pstore_order(const std::string& root) {
  PstoreOrder o;
  // A kernel parameter of type bool: sysfs shows "Y" or "N".
  if (auto f = read_machine_file(root, kPostNotifiersPath, 16)) {
    const std::string_view v = trim(f->text);
    if (v == "Y" || v == "1") o.post_notifiers = Fact<bool>::known(true, kPostNotifiersPath);
    else if (v == "N" || v == "0") o.post_notifiers = Fact<bool>::known(false, kPostNotifiersPath);
    else o.post_notifiers = Fact<bool>::unknown_because(std::string(kPostNotifiersPath) + ": not Y or N: '" +
                                                        std::string(v) + "'", kPostNotifiersPath);
  } else {
    o.post_notifiers = Fact<bool>::unknown_because(
        absent_or_message(f.error(), kPostNotifiersPath, "a kernel without kexec"), kPostNotifiersPath);
  }
  if (auto f = read_machine_file(root, kPstoreBackendPath, 64)) {
    std::string v(trim(f->text));
    o.backend = Fact<std::string>::known(v == "(null)" ? std::string() : v, kPstoreBackendPath);
  } else {
    o.backend = Fact<std::string>::unknown_because(
        absent_or_message(f.error(), kPstoreBackendPath, "pstore not loaded"), kPstoreBackendPath);
  }
  return o;
}

Result<void> enable_post_notifiers(const std::string& root) {
  const std::string path = under_root(root, kPostNotifiersPath);
  std::ofstream out(path);
  if (out) out << "Y\n";
  if (!out || !out.flush())
    return make_error(ErrorKind::Io, kPostNotifiersPath, std::nullopt, std::string("cannot write Y: ") + std::strerror(errno));
  return {};
}

std::string pstore_order_text(const PstoreOrder& order) {
  std::string text;
  if (!order.post_notifiers.has_value()) text = "crash_kexec_post_notifiers unknown (" + order.post_notifiers.unknown + ")";
  else if (*order.post_notifiers.value)
    text = "crash_kexec_post_notifiers on: a panic writes the log to pstore, then starts the capture kernel";
  else
    text = "crash_kexec_post_notifiers off: a panic starts the capture kernel first and writes no pstore record";
  if (!order.backend.has_value()) text += "; pstore backend unknown (" + order.backend.unknown + ")";
  else if (order.backend.value->empty()) text += "; no pstore backend registered (ramoops, efi_pstore or erst: nothing is kept)";
  else text += "; pstore backend " + *order.backend.value;
  return text;
}

}  // namespace vmcap::arm
