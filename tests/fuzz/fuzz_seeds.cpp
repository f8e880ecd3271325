// Writes the seed corpora of every fuzz target from the synthetic builders the unit tests
// use (tests/support, tests/printk, tests/kdump): small, valid inputs the fuzzer mutates.
// Usage: fuzz_seeds DIR [TAG=VMCORE...]  (makes DIR/<target>/<name> files; with real
// vmcores, 8 KiB slices of their struct pages become page classifier seeds; the other
// real-vmcore slices are added by scripts/fuzz.sh).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <zstd.h>

#include "capture/filter/mem_section_map.h"
#include "capture/translate/kernel_view.h"
#include "elf/kdump/zstd_seek_table.h"
#include "elf/open_dump.h"
#include "tests/fuzz/filter_image.h"
#include "tests/fuzz/kallsyms_image.h"
#include "tests/fuzz/printk_images.h"
#include "tests/kdump/kdump_writer.h"
#include "tests/printk/synthetic_ringbuffer.h"
#include "tests/support/synthetic_vmcore.h"

namespace fs = std::filesystem;
using namespace vmcap;
using namespace vmcap::testing;

namespace {

fs::path g_dir;

void seed(const std::string& target, const std::string& name, const std::vector<std::byte>& b) {
  fs::create_directories(g_dir / target);
  std::ofstream f(g_dir / target / name, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
void seed(const std::string& target, const std::string& name, const std::string& s) {
  seed(target, name, to_bytes(s));
}
void append(std::vector<std::byte>& out, const std::vector<std::byte>& b) {
  out.insert(out.end(), b.begin(), b.end());
}
void append_le(std::vector<std::byte>& out, uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width; ++i) out.push_back(std::byte(v >> (8 * i)));
}

LogRecord rec(std::string text, uint64_t ts, uint8_t level = 6) {
  LogRecord r;
  r.text = std::move(text);
  r.ts_nsec = ts;
  r.level = level;
  r.flags = 2;
  r.caller_id = 0x80000000u;
  return r;
}

void elf_seeds() {
  X86_64Regs regs;
  regs.rip = 0xffffffff81001234;
  regs.rsp = 0xffffc90000003f00;
  SyntheticRingbuffer ring(PrbOffsets::v6_1(), fuzz::kCountBits, fuzz::kSizeBits);
  SyntheticVmcore a;
  a.add_prstatus(1, regs).add_prstatus(0, regs).add_vmcoreinfo(ring.vmcoreinfo());
  a.add_load(0x1000000, 0xffffffff81000000, std::string(4096, 'k'));
  a.add_load(0x100000, 0xffff888000100000, std::string(64, 'm'), 8192);
  seed("elf_dump", "kernel", a.bytes());

  SyntheticVmcore q;  // QEMU's layout: section header first, CPU state notes, no vaddrs
  QemuX86_64State st;
  st.cr[3] = 0x1c0a000;
  q.set_leading_section_headers(1).set_ehsize(0).add_prstatus(1, regs).add_qemu_cpu_state(st);
  q.set_load_alignment(8).add_load(0, 0, std::string(512, 'q')).add_load(0x2000, 0, std::string(32, 'r'));
  seed("elf_dump", "qemu", q.bytes());

  SyntheticVmcore s;
  s.set_class(32).set_big_endian(true).set_machine(3).add_note("CORE", 1, std::string(144, 'p'));
  s.set_load_alignment(8).add_load(0x1000, 0x1000, std::string(16, 'x'));
  seed("elf_dump", "elf32-be", s.bytes());

  SyntheticVmcore g;
  g.add_vmcoreinfo("OSRELEASE=6.1\n").add_raw_note_bytes(to_bytes(std::string(20, '\xff')));
  g.new_note_segment().add_note("QEMU", 0, std::string(8, 'z'));
  seed("elf_dump", "garbled-notes", g.bytes());
}

void vmcoreinfo_seeds() {
  seed("vmcoreinfo", "ringbuffer",
       SyntheticRingbuffer(PrbOffsets::v5_10(), 5, 11).vmcoreinfo());
  seed("vmcoreinfo", "ringbuffer-odd", SyntheticRingbuffer(PrbOffsets::odd(), 5, 11).vmcoreinfo());
  seed("vmcoreinfo", "printk_log", fuzz::printk_log_info());
  seed("vmcoreinfo", "char_ring", fuzz::char_ring_info());
  seed("vmcoreinfo", "odd",
       "NUMBER(phys_base)=-2147483648\nNUMBER(x)=0x10\nSYMBOL(a)=ffffffffffffffff\nKERNELOFFSET=zz\n"
       "noequals\n=\nSIZE()=1\nOFFSET(a.b)=18446744073709551616\n");
}

std::vector<std::byte> ring_input(const SyntheticRingbuffer& r) {
  std::vector<std::byte> out;
  auto& m = const_cast<SyntheticRingbuffer&>(r);
  // The struct as SyntheticRingbuffer::write() completes it: pointers and ids.
  std::vector<std::byte> rb = m.prb();
  const PrbOffsets& o = m.offsets();
  auto put = [&](uint64_t off, uint64_t v) { std::memcpy(rb.data() + off, &v, 8); };
  put(o.desc_ring + o.descs, SyntheticRingbuffer::kDescs);
  put(o.desc_ring + o.infos, SyntheticRingbuffer::kInfos);
  put(o.desc_ring + o.head_id + o.atomic_counter, m.head_id());
  put(o.desc_ring + o.tail_id + o.atomic_counter, m.tail_id());
  put(o.text_data_ring + o.data, SyntheticRingbuffer::kData);
  append(out, rb);
  append(out, m.descs());
  append(out, m.infos());
  append(out, m.data());
  return out;
}

void ringbuffer_seeds() {
  SyntheticRingbuffer empty(PrbOffsets::v6_1(), fuzz::kCountBits, fuzz::kSizeBits);
  seed("ringbuffer", "empty", ring_input(empty));

  SyntheticRingbuffer few(PrbOffsets::v6_1(), fuzz::kCountBits, fuzz::kSizeBits);
  for (int i = 0; i < 6; ++i) few.add(rec(fmt::format("record {} of a few", i), 1000u * i, i & 7));
  LogRecord dev = rec("usb 1-1: new device", 99999);
  dev.subsystem = "usb";
  dev.device = "+usb:1-1";
  few.add(dev, RecordState::Committed);
  few.add_failed(rec("lost", 100000));
  seed("ringbuffer", "few", ring_input(few));

  SyntheticRingbuffer wrapped(PrbOffsets::v6_1(), fuzz::kCountBits, fuzz::kSizeBits);
  for (int i = 0; i < 150; ++i)
    wrapped.add(rec(std::string(static_cast<size_t>(5 + i % 40), char('a' + i % 26)), 10u * i));
  wrapped.add(rec("", 2000), RecordState::Reserved);
  seed("ringbuffer", "wrapped", ring_input(wrapped));
}

// struct printk_log (16-byte header, align 4) records.
void printk_log_record(std::vector<std::byte>& buf, const std::string& text, const std::string& dict,
                       uint64_t ts, uint8_t level) {
  const size_t len = (16 + text.size() + dict.size() + 3) & ~size_t(3);
  append_le(buf, ts, 8);
  append_le(buf, len, 2);
  append_le(buf, text.size(), 2);
  append_le(buf, dict.size(), 2);
  buf.push_back(std::byte(0));
  buf.push_back(std::byte(level << 5 | 2));
  append(buf, to_bytes(text + dict));
  buf.resize(buf.size() + (len - 16 - text.size() - dict.size()));
}

void printk_log_seeds() {
  for (int variant = 0; variant < 2; ++variant) {
    std::vector<std::byte> buf;
    for (int i = 0; i < 12; ++i)
      printk_log_record(buf, fmt::format("printk_log record {}", i),
                        i % 3 ? "" : std::string("SUBSYSTEM=pci\0DEVICE=+pci:0000:00:01.0", 37),
                        1000u * i, i & 7);
    const uint32_t len = 1024;
    uint32_t first = 0, next = static_cast<uint32_t>(buf.size());
    if (variant == 1) {  // wrapped: oldest records at the end, a len-0 wrap marker
      std::vector<std::byte> tail(buf.begin() + 256, buf.end());
      std::vector<std::byte> ring(len);
      std::copy(tail.begin(), tail.end(), ring.begin() + 600);
      first = 600, next = 0;
      buf = ring;
    }
    buf.resize(len);
    std::vector<std::byte> in;
    append_le(in, len, 4);
    append_le(in, first, 4);
    append_le(in, next, 4);
    append(in, buf);
    seed("printk_log", variant ? "wrapped" : "linear", in);
  }
}

void char_ring_seeds() {
  std::string text;
  for (int i = 0; i < 20; ++i)
    text += fmt::format("<{}>[{:5}.{:06}] char ring line {}\n", i % 8, i, i * 7, i);
  for (uint32_t len : {4096u, 512u}) {
    std::string ring(len, '\0');
    for (size_t i = 0; i < text.size(); ++i) ring[i % len] = text[i];
    std::vector<std::byte> in;
    append_le(in, text.size(), 4);
    append_le(in, len, 4);
    append(in, to_bytes(ring));
    seed("char_ring", fmt::format("len{}", len), in);
  }
}

std::vector<std::byte> kdump_file(uint32_t method, int version) {
  KdumpWriter w;
  w.header_version(version).vmcoreinfo(fuzz::printk_log_info()).max_mapnr(64);
  std::vector<std::byte> prstatus(336);
  w.note(KdumpNote{"CORE", 1, prstatus});
  w.exists(0, 16);
  w.page(1, pattern_page(4096, 1), method);
  w.page(2, random_page(4096, 2), method);
  w.page(7, std::vector<std::byte>(4096), method);
  return w.build();
}

// bytes as a zstd seekable file of frame_bytes frames (what flat-zstd is).
std::vector<std::byte> zstd_seekable_file(const std::vector<std::byte>& bytes, size_t frame_bytes) {
  std::vector<std::byte> out;
  std::vector<zstd_seekable::FrameSizes> sizes;
  for (size_t at = 0; at < bytes.size(); at += frame_bytes) {
    const size_t n = std::min(frame_bytes, bytes.size() - at);
    std::vector<std::byte> frame(ZSTD_compressBound(n));
    const size_t c = ZSTD_compress(frame.data(), frame.size(), bytes.data() + at, n, 1);
    out.insert(out.end(), frame.begin(), frame.begin() + c);
    sizes.push_back({static_cast<uint32_t>(c), static_cast<uint32_t>(n)});
  }
  const auto table = zstd_seekable::encode_seek_table(sizes);
  out.insert(out.end(), table.begin(), table.end());
  return out;
}

void kdump_seeds() {
  const std::pair<uint32_t, const char*> methods[] = {
      {kZlib, "zlib"}, {kLzo, "lzo"}, {kSnappy, "snappy"}, {kZstd, "zstd"}, {kRaw, "raw"}};
  for (auto [m, name] : methods) seed("kdump_compressed", name, kdump_file(m, 6));
  seed("kdump_compressed", "v3", kdump_file(kZlib, 3));
  KdumpWriter i686;
  i686.machine("i686", 32).page(3, pattern_page(4096, 3), kZlib);
  seed("kdump_compressed", "i686", i686.build());

  const auto file = kdump_file(kZlib, 6);
  seed("flattened", "chunks", flatten(flat_records(file, 4096)));
  auto records = flat_records(file, 1000);
  std::reverse(records.begin(), records.end());  // offsets need not increase
  seed("flattened", "reversed", flatten(records));
  const auto flat = flatten(flat_records(file, 4096));
  seed("flat_zstd", "frames4k", zstd_seekable_file(flat, 4096));
  seed("flat_zstd", "one-frame", zstd_seekable_file(flat, flat.size()));
}

void formatter_seeds() {
  auto record = [](std::string text, std::string subsystem, std::string device, uint8_t opts) {
    std::vector<std::byte> in;
    append_le(in, 42, 8);
    append_le(in, 1234567891, 8);
    in.push_back(std::byte(3));
    in.push_back(std::byte(0));
    in.push_back(std::byte(2));
    in.push_back(std::byte(opts));
    append_le(in, 0x80000001u, 4);
    append(in, to_bytes(text + "\xff" + subsystem + "\xff" + device));
    return in;
  };
  seed("formatters", "plain", record("virtio_blk virtio1: [vda] 2048 blocks", "virtio", "+virtio:virtio1", 5));
  seed("formatters", "bytes", record(std::string("a\nb\tc\\d\x01\x7f\xc3\xa9\xe2\x82", 13), "", "", 0));
  seed("formatters", "charring", record("[    0.000000] Linux version 2.6.32", "", "", 2));
}

void filter_seeds() {
  for (bool v6_12 : {false, true})
    for (int level : {31, 17, 1})
      seed("filter", fmt::format("{}-d{}", v6_12 ? "6.12" : "6.1", level),
           fuzz::filter_image::seed_input(v6_12, level));
}

// The well-formed image with 128 real struct pages (64-byte ones, as Debian's 6.1 and 6.12
// lay them out, which filter_image's VMCOREINFO copies) in place of the synthetic ones.
void real_filter_seeds(const std::string& tag, const std::string& path) {
  auto dump = open_dump(path);
  if (!dump) return;
  auto view = open_kernel_view(**dump);
  if (!view || view->info.size("page") != uint64_t{64}) return;
  std::vector<SkippedRule> skipped;
  MemSectionMap map(view->info, *view->memory, 64, skipped);
  if (!map.has_map()) return;
  const bool v6_12 = view->info.value("OSRELEASE").value_or("").rfind("6.12", 0) == 0;
  for (uint64_t start : {0x1000ull, 0x8800ull, 0x10000ull, 0x30000ull, 0x38000ull, 0x3c000ull, 0x3e000ull, 0x3f000ull}) {
    std::string why;
    auto first = map.section_first_page(start >> map.pfn_section_shift(), why);
    if (!first) continue;
    std::vector<std::byte> pages(fuzz::filter_image::kMappedPfns * 64);
    if (!view->memory->read(*first + (start & (map.pages_per_section() - 1)) * 64, pages)) continue;
    auto in = fuzz::filter_image::seed_input(v6_12, 31);
    std::copy(pages.begin(), pages.end(), in.end() - static_cast<long>(pages.size()));
    seed("filter", fmt::format("real-{}-pfn{:x}", tag, start), in);
  }
}

// Index entries as vmcap writes them (docs/index.md), a minimal one, one cut short, and
// keys (fuzz_index_entry.cpp reads the input as both).
void index_entry_seeds() {
  seed("index_entry", "entry",
       R"({"schema": "vmcap-index/1", "directory": "web-1-20261207T060946Z-ee336ce3", "destination": "s3",
  "source": "vmcore", "complete": true, "crash_time_unix": 1796623786, "started": "2026-12-07T06:10:00Z",
  "host": "web-1", "vmcap_version": "0.1.0",
  "kernel": {"release": "6.1.0-50-amd64", "build_id": "06f8bde30046985060c60820f7a11515a33afb06", "machine": "x86_64"},
  "crash": {"hash": "d3c3c3b6db57c97c", "reason": "Kernel panic - not syncing: sysrq triggered crash",
            "symbol": "__crash_kexec+0x11a/0x130", "frames": ["sysrq_handle_crash", "__handle_sysrq"]},
  "core": {"kept": false, "name": "", "size": 0, "format": "flattened-kdump", "note": "skipped: 1 capture",
           "holders": ["web-2-20261201T000000Z-00000001"]},
  "artifacts": ["dmesg.txt", "dmesg.json"], "vmcore": "/proc/vmcore", "pstore_backend": "",
  "log_tail": ["[    9.409231]  </TASK>"]}
)");
  seed("index_entry", "minimal", R"({"schema":"vmcap-index/1","directory":"x","core":{"kept":true}})");
  seed("index_entry", "cut", R"({"schema":"vmcap-index/1","directory":"web-1-2026)");
  seed("index_entry", "key", "index/d3c3c3b6db57c97c/web-1-20261207T060946Z-ee336ce3.json");
  seed("index_entry", "key-unknown", "index/unknown/h-20261207T060946Z-0000000a.json");
}

void config_seeds() {
  seed("config", "minimal", "[destination local]\nurl = file:///var/crash\n");
  seed("config", "globals",
       "deadline = 10m\nretries = 3\ndump_level = 17\ncompression = zlib\ncompression_level = 6\n"
       "final_action = none\nfailure_action = halt\nfallback_path = /var/crash\nhostname = web-1\n"
       "destinations = a, b\n[destination a]\nurl = http://10.0.2.2:8080/dav\nheader = X-A: 1\n"
       "[destination b]\nurl = sftp://user@10.0.2.2/crash\nidentity_file = /nonexistent\n"
       "known_hosts = /nonexistent\n");
  seed("config", "broken", "[destination\n= x\nkey\n[destination a b]\nurl = s3://\n");
}

// Fields cut at 0xff bytes, after the 8 bytes of bits (fuzz_manifest.cpp).
void manifest_seeds() {
  auto manifest = [](uint64_t bits, const std::vector<std::string>& fields) {
    std::vector<std::byte> in;
    append_le(in, bits, 8);
    for (const auto& f : fields) append(in, to_bytes(f + "\xff"));
    return in;
  };
  seed("manifest", "plain",
       manifest(0x5'0300'1f01ull, {"1a2b3c4d", "web-1", "utsname", "6.1.0-18-amd64", "#1 SMP", "x86_64",
                                   "abcdef", "/proc/vmcore"}));
  seed("manifest", "crash",
       manifest(0xf'0300'1f0full,
                {"1a2b3c4d", std::string("h\xc3\xa9\x00st", 6), "config", "6.12", "#1", "x86_64", "", "/proc/vmcore",
                 std::string(8, '\x01'), "Kernel panic - not syncing: sysrq triggered crash\x80\xfe",
                 "sysrq_handle_crash+0x16/0x20", "sysrq_handle_crash", "__handle_sysrq", "write_sysrq_trigger",
                 "0123456789abcdef", "no kallsyms", "dmesg.txt", std::string(8, '\x02'), "e3b0c442", "local"}));
}

void kallsyms_seeds() {
  namespace img = fuzz::kallsyms_image;
  // One-character tokens: token i is byte i, so a name's bytes are its token indexes.
  const std::vector<std::pair<uint32_t, std::string>> syms = {
      {0x0, "T_stext"},        {0x40, "tdo_one_initcall"}, {0x40, "Tdo_one_initcall_alias"},
      {0x1c0, "Tpanic"},       {0x2a0, "tsysrq_handle_crash"}, {0x2c0, "T__handle_sysrq"},
      {0x9000, "D_sdata"},     {0x9100, "b__bss_start"}};
  for (uint8_t flags : {uint8_t{0}, img::kLongLengths, uint8_t(img::kAbsolute | img::kLongLengths)}) {
    std::vector<std::byte> in;
    in.push_back(std::byte(flags));
    append_le(in, syms.size(), 4);
    append_le(in, 0xffffffff81000000ull, 8);
    std::vector<std::byte> table;
    for (int i = 0; i < 256; ++i) append_le(in, 2 * i, 2);
    for (int i = 0; i < 256; ++i) table.push_back(std::byte(i)), table.push_back(std::byte(0));
    append_le(in, table.size(), 2);
    append(in, table);
    std::vector<std::byte> names;
    for (const auto& [off, name] : syms) {
      names.push_back(std::byte(name.size()));
      append(names, to_bytes(name));
    }
    append_le(in, names.size(), 2);
    append(in, names);
    for (const auto& [off, name] : syms)
      append_le(in, (flags & img::kAbsolute) ? 0xffffffff81000000ull + off : off, (flags & img::kAbsolute) ? 8 : 4);
    seed("kallsyms", fmt::format("flags{}", flags), in);
  }
}

// Arming: /proc/iomem with a crash reservation, a bzImage setup header (protocol 2.15, 64-bit,
// loadable above 4 GiB), a running command line with config edits, and a record of a load.
void arm_seeds() {
  seed("iomem", "crash",
       "00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n00100000-3ffdffff : System RAM\n"
       "  01000000-01e01fff : Kernel code\n  33000000-3effffff : Crash kernel\n"
       "100000000-13fffffff : System RAM\n  138000000-13fffffff : Crash kernel\n");
  std::vector<std::byte> bz(0x264 + 512, std::byte{0});
  auto put = [&](size_t off, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bz[off + i] = std::byte((v >> (8 * i)) & 0xff);
  };
  put(0x1f1, 27, 1);                 // setup_sects
  put(0x1fe, 0xaa55, 2);             // boot_flag
  put(0x202, 0x53726448, 4);         // "HdrS"
  put(0x206, 0x020f, 2);             // protocol 2.15
  put(0x211, 1, 1);                  // LOADED_HIGH
  put(0x230, 0x200000, 4);           // kernel_alignment
  put(0x234, 1, 1);                  // relocatable
  put(0x236, 0x7f, 2);               // xloadflags
  put(0x238, 2047, 4);               // cmdline_size
  put(0x260, 0x3f9a000, 4);          // init_size
  seed("bzimage_header", "debian-6.1", bz);
  seed("kernel_cmdline", "with-edits",
       "BOOT_IMAGE=/boot/vmlinuz root=UUID=1 ro quiet crashkernel=256M console=ttyS0 \"dyndbg=file a.c +p\" -- single\n"
       "console=ttyS1\nquiet\nnr_cpus=2\nmitigations\n");
  seed("arm_record", "loaded",
       "{\"schema\":\"vmcap-armed/1\",\"kernel\":\"/boot/vmlinuz-6.1.0-50-amd64\",\"initrd\":\"/var/lib/vmcap/images/a.img\","
       "\"initrd_sha256\":\"00\",\"cmdline\":\"console=ttyS0 irqpoll\",\"method\":\"kexec_file_load\","
       "\"loaded_at\":\"2026-12-06T23:59:59Z\",\"vmcap_version\":\"0.1.0\",\"image_key\":\"ab\","
       "\"image_parts\":[{\"what\":\"kernel\",\"path\":\"/boot/vmlinuz\",\"sha256\":\"cd\"}]}");
}

// The capture kernel's local disks (fuzz_local_disk: the first byte picks the reader): a
// mounts file, an ext4 and a FAT32 head, a mountinfo table after the path to look up.
void local_disk_seeds() {
  seed("local_disk", "mounts",
       std::string("\0", 1) + "# comment\n00112233-4455-6677-8899-aabbccddeeff ext4 /var/crash /var/crash\n"
                               "A1B2-C3D4 vfat /my\\040dir /boot/efi/crash\n");
  std::string ext(1 + 2048, '\0');
  ext[0] = 1;
  ext[1 + 1024 + 0x38] = 0x53;
  ext[1 + 1024 + 0x39] = static_cast<char>(0xEF);
  ext[1 + 1024 + 0x60] = 0x40;  // extents: ext4
  for (int i = 0; i < 16; ++i) ext[1 + 1024 + 0x68 + i] = static_cast<char>(i * 0x11);
  seed("local_disk", "ext4", ext);
  std::string fat(1 + 512, '\0');
  fat[0] = 1;
  fat[1 + 0x0C] = 2;  // 512-byte sectors
  fat[1 + 0x0D] = 8;
  fat[1 + 0x0E] = 32;
  fat[1 + 0x10] = 2;
  fat[1 + 0x15] = static_cast<char>(0xF8);
  fat[1 + 0x24] = 100;
  for (int i = 0; i < 4; ++i) fat[1 + 0x43 + i] = static_cast<char>(0xA1 + i);
  fat.replace(1 + 0x52, 8, "FAT32   ");
  seed("local_disk", "vfat32", fat);
  seed("local_disk", "mountinfo",
       std::string("\2", 1) + "/var/crash/x\n"
                               "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
                               "30 22 0:50 /@crash /var/crash rw shared:2 master:1 - btrfs /dev/vdb rw,subvol=/@crash\n"
                               "31 22 0:23 / /run rw - tmpfs tmpfs rw\n");
}

// `vmcap pstore`'s own parsers (fuzz_pstore_collect): a dump's text with every prefix form,
// and a --keep list.
void pstore_collect_seeds() {
  seed("pstore_collect", "text",
       "ne cut mid-line\n<6>[    2.319329] vmcap-fill 0183 payload\n<14>[   10.000001][  T123] user\n"
       "<0>[ 1234.500000][    C1] Kernel panic - not syncing: x\n<4> no time\n<99999>[ 1.0] x\n");
  seed("pstore_collect", "sent",
       "{\"schema\":\"vmcap-pstore-sent/1\",\"records\":[\"dmesg-ramoops-0@1765000000:120:0011223344556677\"]}");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fuzz_seeds DIR [TAG=VMCORE...]\n");
    return 64;
  }
  g_dir = argv[1];
  elf_seeds();
  vmcoreinfo_seeds();
  local_disk_seeds();
  pstore_collect_seeds();
  ringbuffer_seeds();
  printk_log_seeds();
  char_ring_seeds();
  kdump_seeds();
  formatter_seeds();
  filter_seeds();
  config_seeds();
  manifest_seeds();
  index_entry_seeds();
  kallsyms_seeds();
  arm_seeds();
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    if (eq != std::string::npos) real_filter_seeds(arg.substr(0, eq), arg.substr(eq + 1));
  }
  return 0;
}
