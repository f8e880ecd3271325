#include "arm/load/image_key.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "capture/upload/sha256.h"
#include "initramfs/image_inputs.h"

namespace vmcap::arm {

Result<std::string> file_sha256(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return make_error(ErrorKind::Missing, path, std::nullopt, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error(ErrorKind::Format, path, std::nullopt, "not a regular file");
  if (static_cast<uint64_t>(st.st_size) > kMaxKeyedFileBytes)
    return make_error(ErrorKind::Limit, path, std::nullopt, "larger than 256 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::Io, path, std::nullopt, "cannot open");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  char buf[1 << 16];
  uint64_t total = 0;
  while (in) {
    in.read(buf, sizeof buf);
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    total += static_cast<uint64_t>(n);
    if (total > kMaxKeyedFileBytes) return make_error(ErrorKind::Limit, path, std::nullopt, "grew past 256 MiB while read");
    EVP_DigestUpdate(ctx.get(), buf, static_cast<size_t>(n));
  }
  if (in.bad()) return make_error(ErrorKind::Io, path, std::nullopt, "read failed");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::vector<std::string> ImageKey::changed_since(const ImageKey& other) const {
  auto label = [](const KeyPart& p) { return p.what + (p.path.empty() ? "" : " " + p.path); };
  std::vector<std::string> changed;
  for (const KeyPart& p : parts) {
    bool same = false;
    for (const KeyPart& o : other.parts) same |= o.what == p.what && o.path == p.path && o.sha256 == p.sha256;
    if (!same) changed.push_back(label(p));
  }
  for (const KeyPart& o : other.parts) {
    bool present = false;
    for (const KeyPart& p : parts) present |= p.what == o.what && p.path == o.path;
    if (!present) changed.push_back(label(o) + " (no longer in the image)");
  }
  return changed;
}

Result<ImageKey> image_key(const std::string& kernel, const initramfs::ImageRequest& r) {
  ImageKey key;
  // (No VMCAP_TRY inside a braced list: an early return from there leaks its temporaries.)
  std::vector<initramfs::ImageInput> inputs = VMCAP_TRY(initramfs::image_inputs(r));
  inputs.insert(inputs.begin(), {"kernel", kernel, {}});
  for (const auto& input : inputs) {
    // What is not a file (the local disks' mounts) is keyed on its text.
    std::string sha;
    if (input.path.empty()) sha = upload::sha256_hex(input.text);
    else sha = VMCAP_TRY(file_sha256(input.path));
    key.parts.push_back({input.what, input.path, std::move(sha)});
  }
  // What the builder does with the same files: compression and the modules asked for.
  std::string options = std::string("compress=") + (r.compress ? "zstd" : "none") + " level=" +
                        std::to_string(r.zstd_level) + " force=" + (r.force ? "1" : "0") + " modules=";
  for (const auto& m : r.modules) options += m + ",";
  key.parts.push_back({"options", "", upload::sha256_hex(options)});
  std::string all;
  for (const KeyPart& p : key.parts) all += p.what + "\n" + p.path + "\n" + p.sha256 + "\n";
  key.key = upload::sha256_hex(all);
  return key;
}

}  // namespace vmcap::arm
