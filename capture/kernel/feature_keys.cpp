#include "capture/kernel/feature_keys.h"

#include "capture/kernel/printk_generation.h"
#include "capture/kernel/sparsemem_numbers.h"
#include "elf/machine.h"

namespace vmcap {
namespace {

const std::vector<std::string> kLocklessLog = {
    "SYMBOL(prb)",
    "OFFSET(printk_ringbuffer.desc_ring)", "OFFSET(printk_ringbuffer.text_data_ring)",
    "OFFSET(prb_desc_ring.count_bits)", "OFFSET(prb_desc_ring.descs)",
    "OFFSET(prb_desc_ring.infos)", "OFFSET(prb_desc_ring.head_id)",
    "OFFSET(prb_desc_ring.tail_id)", "SIZE(prb_desc)", "OFFSET(prb_desc.state_var)",
    "OFFSET(prb_desc.text_blk_lpos)", "OFFSET(prb_data_blk_lpos.begin)",
    "OFFSET(prb_data_blk_lpos.next)", "OFFSET(prb_data_ring.size_bits)",
    "OFFSET(prb_data_ring.data)", "SIZE(printk_info)", "OFFSET(printk_info.seq)",
    "OFFSET(printk_info.ts_nsec)", "OFFSET(printk_info.text_len)",
    "OFFSET(printk_info.caller_id)", "OFFSET(printk_info.dev_info)",
    "OFFSET(dev_printk_info.subsystem)", "OFFSET(dev_printk_info.device)",
};
const std::vector<std::string> kRecordsLog = {
    "SYMBOL(log_buf)", "SYMBOL(log_buf_len)", "SYMBOL(log_first_idx)",
    "SYMBOL(log_next_idx)",
};
const std::vector<std::string> kCharRingLog = {
    "SYMBOL(log_buf)", "SYMBOL(log_buf_len)", "SYMBOL(log_end)",
};
const std::vector<std::string> kX86Translation = {
    "SYMBOL(init_top_pgt)", "NUMBER(phys_base)",
};
// capture/kernel/arm64_layout.h: the rest (T1SZ, KERNELOFFSET, ranges) have fallbacks.
const std::vector<std::string> kArm64Translation = {
    "PAGESIZE", "NUMBER(VA_BITS)", "NUMBER(kimage_voffset)", "NUMBER(PHYS_OFFSET)",
    "SYMBOL(swapper_pg_dir)",
};
const std::vector<std::string> kPageFilter = {
    "SYMBOL(mem_section)", "LENGTH(mem_section)", "SIZE(mem_section)",
    "OFFSET(mem_section.section_mem_map)", "SIZE(page)", "OFFSET(page.flags)",
    "OFFSET(page._refcount)", "OFFSET(page.mapping)", "OFFSET(page.lru)",
    "OFFSET(page._mapcount)", "OFFSET(page.private)", "NUMBER(SECTION_SIZE_BITS)",
    "NUMBER(MAX_PHYSMEM_BITS)", "NUMBER(PG_lru)", "NUMBER(PG_private)",
    "NUMBER(PG_swapcache)", "NUMBER(PG_head_mask)", "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)",
};
const std::vector<std::string> kKallsyms = {
    "SYMBOL(kallsyms_names)", "SYMBOL(kallsyms_num_syms)", "SYMBOL(kallsyms_token_table)",
    "SYMBOL(kallsyms_token_index)", "SYMBOL(kallsyms_offsets)",
    "SYMBOL(kallsyms_relative_base)",
};

FeatureKeys check(const VmcoreInfo& info, std::string feature,
                  const std::vector<std::string>& keys) {
  FeatureKeys f{std::move(feature), {}};
  for (const auto& k : keys)
    if (!info.has(k)) f.missing.push_back(k);
  return f;
}

}  // namespace

std::vector<FeatureKeys> check_feature_keys(const VmcoreInfo& info, uint16_t elf_machine) {
  std::vector<FeatureKeys> out;
  switch (printk_generation(info)) {
    case PrintkGeneration::Lockless: out.push_back(check(info, "log", kLocklessLog)); break;
    case PrintkGeneration::Records: {
      auto f = check(info, "log", kRecordsLog);
      if (!info.size("printk_log") && !info.size("log")) f.missing.push_back("SIZE(printk_log)");
      out.push_back(std::move(f));
      break;
    }
    case PrintkGeneration::CharRing: out.push_back(check(info, "log", kCharRingLog)); break;
    case PrintkGeneration::Unknown:
      out.push_back({"log", {"SYMBOL(prb)", "SYMBOL(log_buf)"}});
      break;
  }
  if (elf_machine == kEmX86_64) out.push_back(check(info, "x86_64 translation", kX86Translation));
  if (elf_machine == kEmAarch64) {
    auto f = check(info, "arm64 translation", kArm64Translation);
    // A 52-bit configuration with 4K or 16K pages may run with 48 (47) bits: only
    // TCR_EL1.T1SZ says which (5.9 and 5.10 print the key in lower case).
    const bool folds = info.number("VA_BITS") == 52 && info.page_size() != 65536u;
    if (folds && !info.has("NUMBER(TCR_EL1_T1SZ)") && !info.has("NUMBER(tcr_el1_t1sz)"))
      f.missing.push_back("NUMBER(TCR_EL1_T1SZ)");
    out.push_back(std::move(f));
  }
  auto filter = check(info, "page filter", kPageFilter);
  // Keys the machine's kernel knowledge computes are not missing (arm64 before 5.13).
  for (const std::string& key : sparsemem_numbers(info, elf_machine).computed)
    std::erase(filter.missing, key);
  out.push_back(std::move(filter));
  out.push_back(check(info, "kallsyms symbolization", kKallsyms));
  return out;
}

}  // namespace vmcap
