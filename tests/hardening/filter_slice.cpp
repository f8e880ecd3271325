#include "tests/hardening/filter_slice.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <set>

#include "capture/filter/classify_pages.h"
#include "capture/kernel/utsname.h"
#include "capture/printk/log_decoder.h"
#include "capture/translate/x86_64_virtual_memory.h"
#include "elf/open_dump.h"
#include "tests/hardening/recording_memory.h"
#include "tests/support/synthetic_vmcore.h"

namespace vmcap::testing {

namespace {

constexpr uint64_t kPage = RecordingMemory::kPage;

struct NullSink final : LogSink {
  void record(const LogRecord&) override {}
  void warning(const std::string&) override {}
};

// The real dump's memory seen as only the given pages (what the derived file will hold).
class PagesView final : public PhysicalMemory {
 public:
  PagesView(const PhysicalMemory& inner, const std::set<uint64_t>& pages) : inner_(inner) {
    for (uint64_t p : pages) {
      if (!ranges_.empty() && ranges_.back().end() == p) ranges_.back().size += kPage;
      else ranges_.push_back({p, kPage});
    }
  }
  const std::vector<PhysRange>& ranges() const override { return ranges_; }
  Result<void> read(uint64_t paddr, std::span<std::byte> out) const override {
    return inner_.read(paddr, out);
  }

 private:
  const PhysicalMemory& inner_;
  std::vector<PhysRange> ranges_;
};

bool fully_in(const std::vector<PhysRange>& ranges, uint64_t start, uint64_t size) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const PhysRange& r) { return start >= r.start && start + size <= r.end(); });
}

}  // namespace

struct FilterSlice::Impl {
  std::unique_ptr<Dump> dump;
  std::unique_ptr<RecordingMemory> recording;
  std::unique_ptr<X86_64VirtualMemory> vm;
};

Result<FilterSlice> FilterSlice::from(const std::string& real_vmcore, size_t windows,
                                      uint64_t window_pages) {
  FilterSlice s;
  s.impl_ = std::make_shared<Impl>();
  s.impl_->dump = VMCAP_TRY(open_dump(real_vmcore));
  const Dump& dump = *s.impl_->dump;
  auto text = dump.vmcoreinfo_text();
  if (!text) return make_error(ErrorKind::Missing, real_vmcore, std::nullopt, "no VMCOREINFO");
  s.info_ = VMCAP_TRY(VmcoreInfo::parse(*text, real_vmcore));
  s.notes_ = dump.notes();
  std::vector<SkippedRule> skipped;
  s.layout_ = read_struct_page_layout(s.info_, 31, skipped);
  const uint64_t bits = VMCAP_TRY(s.info_.require_number("SECTION_SIZE_BITS"));
  s.pages_per_section_ = uint64_t{1} << (bits - 12);
  s.impl_->recording = std::make_unique<RecordingMemory>(dump.memory());
  auto params = VMCAP_TRY(X86_64Params::from_vmcoreinfo(s.info_));
  s.impl_->vm = std::make_unique<X86_64VirtualMemory>(*s.impl_->recording, params,
                                                     std::vector<VirtualMapping>{});
  RecordingMemory& rec = *s.impl_->recording;

  // The log's pages first (and utsname's, for the core's header): the windows stay clear.
  NullSink sink;
  VMCAP_CHECK(decode_kernel_log(s.info_, *s.impl_->vm, sink));
  (void)read_utsname(s.info_, *s.impl_->vm);
  std::set<uint64_t> log_pages = rec.pages;

  // Windows where the kernel's pages are most varied (a fresh guest's RAM is mostly free):
  // the real filter's categories per window, at level 30 (no zero check: no page data
  // read), the windows with the most kinds of pages, one per section.
  struct Kinds final : PageCategorySink {
    uint64_t window = 0;
    std::map<uint64_t, std::array<uint64_t, kPageCategoryCount>> per;
    void pages(uint64_t first, uint64_t count, PageCategory c) override {
      for (uint64_t p = first; p < first + count;) {
        const uint64_t n = std::min(first + count, (p / window + 1) * window) - p;
        per[p / window][static_cast<int>(c)] += n;
        p += n;
      }
    }
  } kinds;
  kinds.window = window_pages;
  VMCAP_CHECK(classify_pages(s.info_, *s.impl_->vm, dump.memory(), FilterOptions{30, &kinds}));
  // A fresh translation for what follows: its page table cache must not hide reads.
  s.impl_->vm = std::make_unique<X86_64VirtualMemory>(rec, params, std::vector<VirtualMapping>{});
  rec.pages.clear();
  std::vector<std::pair<uint64_t, uint64_t>> scored;  // (score, window index)
  for (const auto& [k, n] : kinds.per) {
    const uint64_t first = k * window_pages;
    if (first < s.pages_per_section_) continue;  // section 0: the kernel image and the log
    if (!fully_in(dump.memory().ranges(), first * kPage, window_pages * kPage)) continue;
    const auto lo = log_pages.lower_bound(first * kPage);
    if (lo != log_pages.end() && *lo < (first + window_pages) * kPage) continue;
    uint64_t score = 0;
    for (uint64_t x : n) score += x ? 1000 : 0;
    score += window_pages - n[static_cast<int>(PageCategory::Free)];  // then: least free
    scored.push_back({score, k});
  }
  std::sort(scored.rbegin(), scored.rend());
  // The most varied window first, then the most varied holding each kind of page the
  // damage tests need (free blocks, anonymous/THP, page cache), then the most varied.
  std::set<uint64_t> sections;
  auto take = [&](PageCategory need, bool any) {
    for (const auto& [score, k] : scored) {
      const uint64_t first = k * window_pages, sec = first / s.pages_per_section_;
      if (s.windows_.size() == windows || sections.contains(sec)) continue;
      if (!any && kinds.per[k][static_cast<int>(need)] == 0) continue;
      sections.insert(sec);
      s.windows_.push_back({first, window_pages, sec});
      return;
    }
  };
  take(PageCategory::Kept, true);
  for (PageCategory c : {PageCategory::Free, PageCategory::User, PageCategory::Cache}) take(c, false);
  while (s.windows_.size() < windows && s.windows_.size() < sections.size() + 1) {
    const size_t before = s.windows_.size();
    take(PageCategory::Kept, true);
    if (s.windows_.size() == before) break;
  }
  if (s.windows_.size() < windows)
    return make_error(ErrorKind::Format, real_vmcore, std::nullopt, "too little RAM for the windows");

  // Classify what the copy holds until it holds everything classifying it reads.
  std::set<uint64_t> held = log_pages;
  for (const PfnWindow& w : s.windows_)
    for (uint64_t p = w.first; p < w.first + w.count; ++p) held.insert(p * kPage);
  for (int pass = 0; pass < 4; ++pass) {
    rec.pages.clear();
    PagesView view(rec, held);
    VMCAP_CHECK(classify_pages(s.info_, *s.impl_->vm, view, FilterOptions{31, nullptr}));
    const size_t before = held.size();
    held.insert(rec.pages.begin(), rec.pages.end());
    if (held.size() == before) break;
  }
  for (uint64_t p : held) {
    std::vector<std::byte> page(kPage);
    VMCAP_CHECK(dump.memory().read(p, page));
    s.pages_.emplace(p, std::move(page));
  }
  return s;
}

uint64_t FilterSlice::paddr(uint64_t vaddr) const {
  auto t = impl_->vm->translate(vaddr);
  return t ? t->paddr : ~0ull;
}

std::byte* FilterSlice::at(uint64_t vaddr, uint64_t n) {
  const uint64_t p = paddr(vaddr);
  auto it = pages_.find(p & ~(kPage - 1));
  if (it == pages_.end() || (p & (kPage - 1)) + n > kPage) return nullptr;
  return it->second.data() + (p & (kPage - 1));
}

uint64_t FilterSlice::u64(uint64_t vaddr) {
  uint64_t v = 0;
  if (std::byte* b = at(vaddr, 8)) std::memcpy(&v, b, 8);
  return v;
}

void FilterSlice::put_u64(uint64_t vaddr, uint64_t v) {
  if (std::byte* b = at(vaddr, 8)) std::memcpy(b, &v, 8);
}

const std::byte* FilterSlice::page(uint64_t pfn) const {
  auto it = pages_.find(pfn * kPage);
  return it == pages_.end() ? nullptr : it->second.data();
}

std::optional<uint64_t> FilterSlice::section_entry(uint64_t nr) const {
  // SPARSEMEM_EXTREME as every x86_64 kernel has it: SYMBOL(mem_section) is the root
  // array (or, on some 4.15-era kernels, a pointer to it); a root is a page of entries.
  auto sym = info_.symbol("mem_section");
  auto esize = info_.size("mem_section");
  auto off = info_.offset("mem_section.section_mem_map");
  if (!sym || !esize || !off) return std::nullopt;
  const uint64_t per_root = kPage / *esize;
  auto read = [&](uint64_t vaddr) -> std::optional<uint64_t> {
    uint64_t v = 0;
    if (!impl_->vm->read(vaddr, std::as_writable_bytes(std::span(&v, 1)))) return std::nullopt;
    return v;
  };
  for (uint64_t roots : {*sym, read(*sym).value_or(0)}) {
    auto root = read(roots + nr / per_root * 8);
    if (!root || !*root) continue;
    const uint64_t entry = *root + nr % per_root * *esize + *off;
    auto smm = read(entry);
    if (smm && (*smm & 3) == 3) return entry;
  }
  return std::nullopt;
}

std::optional<uint64_t> FilterSlice::struct_page(uint64_t pfn) const {
  auto entry = section_entry(pfn / pages_per_section_);
  if (!entry) return std::nullopt;
  uint64_t smm = 0;
  if (!impl_->vm->read(*entry, std::as_writable_bytes(std::span(&smm, 1)))) return std::nullopt;
  return (smm & ~uint64_t{0x3f}) + pfn * layout_.size;
}

Result<void> FilterSlice::write(const std::string& path) const {
  SyntheticVmcore core;
  for (const Note& n : notes_) core.add_note(n.name, n.type, n.desc);
  std::vector<std::byte> run;
  uint64_t run_start = 0;
  auto flush = [&] {
    if (!run.empty()) core.add_load(run_start, run_start, run);
    run.clear();
  };
  for (const auto& [p, bytes] : pages_) {
    if (!run.empty() && run_start + run.size() != p) flush();
    if (run.empty()) run_start = p;
    run.insert(run.end(), bytes.begin(), bytes.end());
  }
  flush();
  return core.write(path);
}

}  // namespace vmcap::testing
