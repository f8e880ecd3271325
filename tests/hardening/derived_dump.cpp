#include "tests/hardening/derived_dump.h"

#include <cstring>

#include "capture/printk/log_decoder.h"
#include "capture/translate/arm64_virtual_memory.h"
#include "capture/translate/x86_64_virtual_memory.h"
#include "elf/machine.h"
#include "elf/open_dump.h"
#include "tests/hardening/recording_memory.h"
#include "tests/support/synthetic_vmcore.h"

namespace vmcap::testing {

namespace {

struct NullSink final : LogSink {
  void record(const LogRecord&) override { ++records; }
  void warning(const std::string&) override {}
  uint64_t records = 0;
};

}  // namespace

// The real dump's translation, x86_64 or arm64, over the recording memory.
struct DerivedDump::Impl {
  std::unique_ptr<Dump> dump;
  std::unique_ptr<RecordingMemory> recording;
  std::unique_ptr<X86_64VirtualMemory> x86_64;
  std::unique_ptr<Arm64VirtualMemory> arm64;
  const VirtualMemory* vm = nullptr;

  Result<Translation> translate(uint64_t vaddr) const {
    return x86_64 ? x86_64->translate(vaddr) : arm64->translate(vaddr);
  }
};

Result<DerivedDump> DerivedDump::from(const std::string& real_vmcore) {
  DerivedDump d;
  d.impl_ = std::make_shared<Impl>();
  d.impl_->dump = VMCAP_TRY(open_dump(real_vmcore));
  const Dump& dump = *d.impl_->dump;
  auto text = dump.vmcoreinfo_text();
  if (!text) return make_error(ErrorKind::Missing, real_vmcore, std::nullopt, "no VMCOREINFO");
  d.info_ = VMCAP_TRY(VmcoreInfo::parse(*text, real_vmcore));
  d.notes_ = dump.notes();
  d.impl_->recording = std::make_unique<RecordingMemory>(dump.memory());
  d.machine_ = dump.machine();
  if (dump.machine() == kEmAarch64) {
    // arm64 translation takes no stated mappings: its fast paths and walk read as on the file.
    auto layout = VMCAP_TRY(Arm64Layout::from_vmcoreinfo(d.info_));
    d.impl_->arm64 = std::make_unique<Arm64VirtualMemory>(*d.impl_->recording, std::move(layout));
    d.impl_->vm = d.impl_->arm64.get();
  } else {
    auto params = VMCAP_TRY(X86_64Params::from_vmcoreinfo(d.info_));
    // No mappings: every direct-map address is walked, so the page tables get recorded.
    d.impl_->x86_64 = std::make_unique<X86_64VirtualMemory>(*d.impl_->recording, params,
                                                            std::vector<VirtualMapping>{});
    d.impl_->vm = d.impl_->x86_64.get();
  }
  NullSink sink;
  VMCAP_CHECK(decode_kernel_log(d.info_, *d.impl_->vm, sink));
  if (sink.records == 0)
    return make_error(ErrorKind::Format, real_vmcore, std::nullopt, "no log records");

  // The ring's addresses, read the same way the decoder reads them.
  RingAddresses& r = d.ring_;
  r.layout = VMCAP_TRY(RingbufferLayout::from_vmcoreinfo(d.info_));
  const RingbufferLayout& L = r.layout;
  auto rd = [&](uint64_t vaddr, unsigned width) -> Result<uint64_t> {
    uint64_t v = 0;
    VMCAP_CHECK(d.impl_->vm->read(vaddr, std::as_writable_bytes(std::span(&v, 1)).first(width)));
    return v;
  };
  r.prb = VMCAP_TRY(rd(L.prb_symbol, 8));
  const uint64_t desc_ring = r.prb + L.desc_ring, data_ring = r.prb + L.text_data_ring;
  r.count = 1ull << VMCAP_TRY(rd(desc_ring + L.count_bits, 4));
  r.descs = VMCAP_TRY(rd(desc_ring + L.descs, 8));
  r.infos = VMCAP_TRY(rd(desc_ring + L.infos, 8));
  r.data_size = 1ull << VMCAP_TRY(rd(data_ring + L.size_bits, 4));
  r.data = VMCAP_TRY(rd(data_ring + L.data, 8));
  // Whole arrays, also the parts no record used (damage may point anywhere in them).
  std::byte scratch[kPage];
  for (auto [base, size] : {std::pair{r.descs, r.count * L.desc_size},
                            std::pair{r.infos, r.count * L.info_size},
                            std::pair{r.data, r.data_size}})
    for (uint64_t off = 0; off < size; off += kPage)
      VMCAP_CHECK(d.impl_->vm->read(base + off, std::span(scratch, std::min(kPage, size - off))));

  // Whole kernel pages (16K on arm64-16k): a writer drops pages a file holds only part of.
  d.page_size_ = d.info_.page_size().value_or(kPage);
  if (d.page_size_ < kPage || (d.page_size_ & (d.page_size_ - 1)) || d.page_size_ > (1u << 16))
    return make_error(ErrorKind::Format, real_vmcore, std::nullopt, "PAGESIZE is not 4K..64K");
  for (uint64_t p : d.impl_->recording->pages) {
    const uint64_t base = p & ~(d.page_size_ - 1);
    if (d.pages_.contains(base)) continue;
    std::vector<std::byte> page(d.page_size_);
    VMCAP_CHECK(dump.memory().read(base, page));
    d.pages_.emplace(base, std::move(page));
  }
  return d;
}

uint64_t DerivedDump::paddr(uint64_t vaddr) const {
  auto t = impl_->translate(vaddr);
  return t ? t->paddr : ~0ull;
}

std::byte* DerivedDump::at(uint64_t vaddr, uint64_t n) {
  const uint64_t p = paddr(vaddr);
  const uint64_t mask = page_size_ - 1;
  auto it = pages_.find(p & ~mask);
  if (it == pages_.end() || (p & mask) + n > page_size_) return nullptr;
  return it->second.data() + (p & mask);
}

uint64_t DerivedDump::u64(uint64_t vaddr) {
  uint64_t v = 0;
  if (std::byte* b = at(vaddr, 8)) std::memcpy(&v, b, 8);
  return v;
}
void DerivedDump::put_u64(uint64_t vaddr, uint64_t v) {
  if (std::byte* b = at(vaddr, 8)) std::memcpy(b, &v, 8);
}
void DerivedDump::put_u16(uint64_t vaddr, uint16_t v) {
  if (std::byte* b = at(vaddr, 2)) std::memcpy(b, &v, 2);
}
void DerivedDump::fill(uint64_t vaddr, uint64_t n, std::byte value) {
  for (uint64_t i = 0; i < n; ++i)
    if (std::byte* b = at(vaddr + i)) *b = value;
}

Result<uint64_t> DerivedDump::write(const std::string& path, const WriteOptions& o) const {
  std::set<uint64_t> last;
  for (uint64_t off = 0; off < o.last_size; off += kPage) last.insert(paddr(o.last_vaddr + off) & ~(page_size_ - 1));
  SyntheticVmcore core;
  core.set_machine(machine_);
  for (const Note& n : notes_)
    if (!(o.drop_vmcoreinfo && n.name == "VMCOREINFO")) core.add_note(n.name, n.type, n.desc);
  // One PT_LOAD per run of consecutive pages; the "last" pages go after all others.
  size_t loads = 0, first_last = ~size_t{0};
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::byte> run;
    uint64_t run_start = 0;
    auto flush = [&] {
      if (run.empty()) return;
      if (pass == 1 && first_last == ~size_t{0}) first_last = loads;
      core.add_load(run_start, run_start, run);
      ++loads;
      run.clear();
    };
    for (const auto& [p, bytes] : pages_) {
      if (last.contains(p) != (pass == 1)) continue;
      if (!run.empty() && run_start + run.size() != p) flush();
      if (run.empty()) run_start = p;
      run.insert(run.end(), bytes.begin(), bytes.end());
    }
    flush();
  }
  VMCAP_CHECK(core.write(path));
  return first_last == ~size_t{0} ? uint64_t{0} : core.load_offset(first_last);
}

}  // namespace vmcap::testing
