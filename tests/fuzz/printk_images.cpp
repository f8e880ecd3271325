#include "tests/fuzz/printk_images.h"

#include <fmt/format.h>

namespace vmcap::fuzz {

std::string hex(uint64_t v) { return fmt::format("{:x}", v); }

namespace {
const char* kPreamble = "PAGESIZE=4096\nNUMBER(phys_base)=0\nKERNELOFFSET=0\n";
}

std::string printk_log_info() {
  return std::string("OSRELEASE=4.19.0-fuzz\n") + kPreamble +
         fmt::format("SYMBOL(log_buf)={:x}\nSYMBOL(log_buf_len)={:x}\n"
                     "SYMBOL(log_first_idx)={:x}\nSYMBOL(log_next_idx)={:x}\n",
                     kLogBufVar, kLogBufLenVar, kFirstIdxVar, kNextIdxVar) +
         "SIZE(printk_log)=16\nOFFSET(printk_log.ts_nsec)=0\nOFFSET(printk_log.len)=8\n"
         "OFFSET(printk_log.text_len)=10\nOFFSET(printk_log.dict_len)=12\n";
}

std::string char_ring_info() {
  return std::string("OSRELEASE=2.6.32-fuzz\n") + kPreamble +
         fmt::format("SYMBOL(log_buf)={:x}\nSYMBOL(log_end)={:x}\nSYMBOL(log_buf_len)={:x}\n",
                     kLogBufVar, kLogEndVar, kLogBufLenVar);
}

}  // namespace vmcap::fuzz
