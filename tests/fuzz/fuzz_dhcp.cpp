// Fuzz target: what the DHCP client reads off the wire in the capture kernel. The input is
// an Ethernet frame (parsed as IPv4/UDP) and, whether that parse succeeds or not, a DHCP
// payload. A decoded message must survive encode -> decode with the same meaning, and
// lease_from_ack must either give a usable lease or an error.
#include <cstdint>
#include <span>

#include "initramfs/network/dhcp_client.h"
#include "initramfs/network/dhcp_message.h"
#include "initramfs/network/udp_frame.h"

namespace {

using namespace vmcap::network;

void check_message(std::span<const uint8_t> bytes) {
  auto m = decode_dhcp_message(bytes, "fuzz");
  if (!m) return;
  auto again = decode_dhcp_message(encode_dhcp_message(*m), "re-encoded");
  if (!again) __builtin_trap();
  if (again->xid != m->xid || again->op != m->op || again->type != m->type ||
      again->yiaddr != m->yiaddr || again->subnet_mask != m->subnet_mask ||
      again->server_id != m->server_id || again->lease_seconds != m->lease_seconds)
    __builtin_trap();
  if (auto lease = lease_from_ack(*m, "fuzz")) {
    if (lease->prefix_length < 0 || lease->prefix_length > 32) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  if (auto datagram = parse_udp_frame(input, "fuzz frame")) {
    if (datagram->payload.data() < data || datagram->payload.data() + datagram->payload.size() > data + size)
      __builtin_trap();  // the payload must lie inside the frame
    check_message(datagram->payload);
  }
  check_message(input);
  return 0;
}
