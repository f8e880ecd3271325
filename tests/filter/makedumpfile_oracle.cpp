#include "tests/filter/makedumpfile_oracle.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace vmcap::testing {

Makedumpfile host_makedumpfile() {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin"})
    if (std::filesystem::exists(std::string(dir) + "/makedumpfile"))
      return {"1.7.2", std::string(dir) + "/makedumpfile"};
  return {"1.7.2", ""};
}

Makedumpfile chroot_makedumpfile(const std::string& script, const std::string& chroot_dir,
                                 const std::string& version) {
  return {version, script + " run --dir " + chroot_dir + " " + version};
}

bool chroot_is_made(const std::string& chroot_dir) {
  return std::filesystem::exists(chroot_dir + "/.stamp");
}

bool run_makedumpfile(const Makedumpfile& m, const std::string& args, const std::string& log_path) {
  if (m.command.empty()) return false;
  const std::string cmd = m.command + " " + args + " > " + log_path + " 2>&1";
  return std::system(cmd.c_str()) == 0;
}

namespace {

PfnBitmap bitmap_at(std::ifstream& in, uint64_t offset, uint64_t bytes, uint64_t end_pfn) {
  PfnBitmap b(end_pfn);
  std::vector<char> chunk(1 << 16);
  for (uint64_t at = 0; at < bytes && at * 8 < end_pfn; at += chunk.size()) {
    const uint64_t n = std::min<uint64_t>(chunk.size(), bytes - at);
    in.seekg(static_cast<std::streamoff>(offset + at));
    if (!in.read(chunk.data(), static_cast<std::streamsize>(n))) break;
    for (uint64_t i = 0; i < n; ++i)
      for (unsigned bit = 0; chunk[i] && bit < 8; ++bit)
        if ((static_cast<uint8_t>(chunk[i]) >> bit) & 1) b.set((at + i) * 8 + bit);
  }
  return b;
}

}  // namespace

Result<KdumpBitmaps> read_kdump_bitmaps(const std::string& path) {
  auto dump = VMCAP_TRY(open_kdump_compressed(path));
  const KdumpInfo* info = kdump_info(*dump);
  if (!info) return make_error(ErrorKind::Format, path, 0, "no kdump header");
  KdumpBitmaps out;
  out.info = *info;
  std::ifstream in(path, std::ios::binary);
  out.ram = bitmap_at(in, info->bitmap1_offset, info->bitmap_bytes, info->max_mapnr);
  out.dumped = bitmap_at(in, info->bitmap2_offset, info->bitmap_bytes, info->max_mapnr);
  return out;
}

std::vector<uint64_t> pfns_only_in(const PfnBitmap& a, const PfnBitmap& b) {
  std::vector<uint64_t> out;
  for (uint64_t p = 0; p < a.end_pfn(); ++p)
    if (a.test(p) && !b.test(p)) out.push_back(p);  // test() is false past the end
  return out;
}

}  // namespace vmcap::testing
