#include "tests/pstore/made_records.h"

#include <zlib.h>

#include <cstdio>
#include <stdexcept>

namespace vmcap::pstore::testing {

std::vector<std::string> make_log_lines(size_t n, size_t width, size_t first) {
  std::vector<std::string> lines;
  for (size_t i = first; i < first + n; ++i) {
    char prefix[64];
    std::snprintf(prefix, sizeof prefix, "<6>[%5zu.%06zu] message %zu ", i / 10, (i % 10) * 100000 + i, i);
    std::string line = prefix;
    while (line.size() + 1 < width) line += static_cast<char>('a' + line.size() % 26);
    lines.push_back(line + "\n");
  }
  return lines;
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l;
  return s;
}

std::vector<std::string> kernel_parts(const std::vector<std::string>& lines, std::string_view reason, int counter,
                                      size_t capacity, size_t kmsg_bytes) {
  std::vector<std::string> parts;
  size_t next = lines.size();  // lines before this one are not dumped yet
  size_t total = 0;
  for (unsigned part = 1; total < kmsg_bytes && next > 0; ++part) {
    std::string header = std::string(reason) + "#" + std::to_string(counter) + " Part" + std::to_string(part) + "\n";
    size_t room = capacity - header.size();
    size_t first = next;
    while (first > 0 && lines[first - 1].size() <= room) room -= lines[--first].size();
    if (first == next) break;  // kmsg_dump_get_buffer returns nothing
    std::string text;
    for (size_t i = first; i < next; ++i) text += lines[i];
    parts.push_back(header + text);
    total += parts.back().size();
    next = first;
  }
  return parts;
}

namespace {

std::string deflate_with(std::string_view bytes, int window_bits) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
  return out;
}

}  // namespace

std::string deflate_raw(std::string_view bytes) { return deflate_with(bytes, -MAX_WBITS); }
std::string deflate_zlib(std::string_view bytes) { return deflate_with(bytes, 12); }  // 4.x's WINDOW_BITS

std::string efi_name(std::string_view backend, uint64_t seconds, uint32_t part, uint32_t count, bool compressed) {
  return "dmesg-" + std::string(backend) + "-" + std::to_string((seconds * 100 + part) * 1000 + count) +
         (compressed ? ".enc.z" : "");
}

std::string erst_name(uint64_t id, bool compressed) {
  return "dmesg-erst-" + std::to_string(id) + (compressed ? ".enc.z" : "");
}

std::string ramoops_name(uint64_t slot, bool compressed) {
  return "dmesg-ramoops-" + std::to_string(slot) + (compressed ? ".enc.z" : "");
}

std::chrono::system_clock::time_point at_seconds(int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

RecordFile record(std::string name, std::string bytes, int64_t mtime_seconds) {
  return RecordFile{std::move(name), at_seconds(mtime_seconds), std::move(bytes)};
}

}  // namespace vmcap::pstore::testing
