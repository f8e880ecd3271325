#include "capture/printk/ringbuffer_layout.h"

#include <algorithm>

#include <fmt/format.h>

namespace vmcap {
namespace {

Error bad(std::string what) {
  return make_error(ErrorKind::Format, {}, std::nullopt,
                    "VMCOREINFO printk_ringbuffer layout: " + what);
}

}  // namespace

Result<RingbufferLayout> RingbufferLayout::from_vmcoreinfo(const VmcoreInfo& vi) {
  RingbufferLayout l;
  l.prb_symbol = VMCAP_TRY(vi.require_symbol("prb"));

  l.desc_ring = VMCAP_TRY(vi.require_offset("printk_ringbuffer.desc_ring"));
  l.text_data_ring = VMCAP_TRY(vi.require_offset("printk_ringbuffer.text_data_ring"));
  l.fail = vi.offset("printk_ringbuffer.fail");
  l.count_bits = VMCAP_TRY(vi.require_offset("prb_desc_ring.count_bits"));
  l.descs = VMCAP_TRY(vi.require_offset("prb_desc_ring.descs"));
  l.infos = VMCAP_TRY(vi.require_offset("prb_desc_ring.infos"));
  l.head_id = VMCAP_TRY(vi.require_offset("prb_desc_ring.head_id"));
  l.tail_id = VMCAP_TRY(vi.require_offset("prb_desc_ring.tail_id"));
  l.atomic_counter = vi.offset("atomic_long_t.counter").value_or(0);

  l.desc_size = VMCAP_TRY(vi.require_size("prb_desc"));
  l.state_var = VMCAP_TRY(vi.require_offset("prb_desc.state_var"));
  l.text_blk_lpos = VMCAP_TRY(vi.require_offset("prb_desc.text_blk_lpos"));
  l.lpos_begin = VMCAP_TRY(vi.require_offset("prb_data_blk_lpos.begin"));
  l.lpos_next = VMCAP_TRY(vi.require_offset("prb_data_blk_lpos.next"));

  l.size_bits = VMCAP_TRY(vi.require_offset("prb_data_ring.size_bits"));
  l.data = VMCAP_TRY(vi.require_offset("prb_data_ring.data"));

  l.info_size = VMCAP_TRY(vi.require_size("printk_info"));
  l.seq = VMCAP_TRY(vi.require_offset("printk_info.seq"));
  l.ts_nsec = VMCAP_TRY(vi.require_offset("printk_info.ts_nsec"));
  l.text_len = VMCAP_TRY(vi.require_offset("printk_info.text_len"));
  l.caller_id = VMCAP_TRY(vi.require_offset("printk_info.caller_id"));
  l.dev_info = VMCAP_TRY(vi.require_offset("printk_info.dev_info"));
  l.subsystem = VMCAP_TRY(vi.require_offset("dev_printk_info.subsystem"));
  l.device = VMCAP_TRY(vi.require_offset("dev_printk_info.device"));
  l.subsystem_len = vi.length("printk_info_subsystem").value_or(16);
  l.device_len = vi.length("printk_info_device").value_or(48);

  // Every offset and length is a VMCOREINFO number, which may be garbage: each must be
  // below kMaxStructSize before any sum of them below (which then cannot overflow).
  for (uint64_t v : {l.desc_ring, l.text_data_ring, l.fail.value_or(0), l.count_bits, l.descs,
                     l.infos, l.head_id, l.tail_id, l.atomic_counter, l.state_var,
                     l.text_blk_lpos, l.lpos_begin, l.lpos_next, l.size_bits, l.data, l.seq,
                     l.ts_nsec, l.text_len, l.caller_id, l.dev_info, l.subsystem, l.device,
                     l.subsystem_len, l.device_len})
    if (v > kMaxStructSize)
      return bad(fmt::format("an offset or length of {} is beyond any struct's {} bytes", v,
                             kMaxStructSize));

  // Everything we read of struct printk_ringbuffer must lie inside what we read of it.
  const uint64_t need = std::max({l.desc_ring + l.count_bits + 4, l.desc_ring + l.descs + 8,
                                  l.desc_ring + l.infos + 8,
                                  l.desc_ring + l.head_id + l.atomic_counter + 8,
                                  l.desc_ring + l.tail_id + l.atomic_counter + 8,
                                  l.text_data_ring + l.size_bits + 4,
                                  l.text_data_ring + l.data + 8,
                                  l.fail ? *l.fail + l.atomic_counter + 8 : 0});
  l.ringbuffer_size = std::max(vi.size("printk_ringbuffer").value_or(0), need);
  if (l.ringbuffer_size > kMaxStructSize)
    return bad(fmt::format("struct printk_ringbuffer would be {} bytes", l.ringbuffer_size));
  if (l.desc_size > kMaxStructSize || l.info_size > kMaxStructSize)
    return bad(fmt::format("SIZE(prb_desc)={} or SIZE(printk_info)={} beyond {}", l.desc_size,
                           l.info_size, kMaxStructSize));
  if (l.state_var + l.atomic_counter + 8 > l.desc_size ||
      l.text_blk_lpos + std::max(l.lpos_begin, l.lpos_next) + 8 > l.desc_size)
    return bad(fmt::format("prb_desc fields lie outside its {} bytes", l.desc_size));
  if (l.seq + 8 > l.info_size || l.ts_nsec + 8 > l.info_size ||
      l.text_len + 4 > l.info_size || l.caller_id + 4 > l.info_size ||
      l.dev_info + l.subsystem + l.subsystem_len > l.info_size ||
      l.dev_info + l.device + l.device_len > l.info_size)
    return bad(fmt::format("printk_info fields lie outside its {} bytes", l.info_size));
  return l;
}

}  // namespace vmcap
