// The capture's interface and its modules over sysfs trees made here: a virtio NIC on PCI
// (Debian 6.1: virtio_pci and virtio_net are modules), an Intel NIC behind a PCIe port, a
// USB NIC, a built-in driver, and the ways the interface is chosen.
#include "arm/machine/nic_drivers.h"

#include <gtest/gtest.h>

#include "tests/arm/machine/fake_root.h"

namespace vmcap::arm {
namespace {

using testing::FakeRoot;
using Words = std::vector<std::string>;

constexpr const char* kRouteHeader =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

// A QEMU guest's virtio NIC as sysfs lays it out (relative links, as the kernel makes them).
void virtio_guest(const FakeRoot& m, const std::string& iface = "ens3", bool pci_module = true) {
  const std::string pci = "/sys/devices/pci0000:00/0000:00:03.0";
  m.mkdir(pci + "/virtio0/net/" + iface);
  m.link("/sys/class/net/" + iface, "../../devices/pci0000:00/0000:00:03.0/virtio0/net/" + iface);
  m.link(pci + "/virtio0/net/" + iface + "/device", "../../../virtio0");
  m.mkdir("/sys/bus/virtio/drivers/virtio_net");
  m.mkdir("/sys/module/virtio_net");
  m.link("/sys/bus/virtio/drivers/virtio_net/module", "../../../../module/virtio_net");
  m.link(pci + "/virtio0/driver", "../../../../bus/virtio/drivers/virtio_net");
  m.link(pci + "/virtio0/subsystem", "../../../../bus/virtio");
  m.mkdir("/sys/bus/pci/drivers/virtio-pci");
  if (pci_module) {
    m.mkdir("/sys/module/virtio_pci");
    m.link("/sys/bus/pci/drivers/virtio-pci/module", "../../../../module/virtio_pci");
  }
  m.link(pci + "/driver", "../../../bus/pci/drivers/virtio-pci");
  m.link(pci + "/subsystem", "../../../bus/pci");
  m.mkdir("/sys/devices/virtual/net/lo");
  m.link("/sys/class/net/lo", "../../devices/virtual/net/lo");
}

TEST(DefaultRoute, TheLowestMetricUpDefaultRoute) {
  const std::string table = std::string(kRouteHeader) +
                            "ens3\t0002000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
                            "wlan0\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
                            "ens3\t00000000\t0202000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                            "down0\t00000000\t0202000A\t0002\t0\t0\t1\t00000000\t0\t0\t0\n";
  EXPECT_EQ(default_route_interface(table), "ens3");
}

TEST(DefaultRoute, NoneOrGarbage) {
  EXPECT_FALSE(default_route_interface(kRouteHeader));
  EXPECT_FALSE(default_route_interface(""));
  EXPECT_FALSE(default_route_interface("ens3 00000000 0 zz 0 0 100 00000000\n"));
  EXPECT_FALSE(default_route_interface("a/b\t00000000\t0\t0003\t0\t0\t1\t00000000\n"));  // not a name
  EXPECT_FALSE(default_route_interface(std::string(100000, '\t')));
}

TEST(InterfaceName, KernelRules) {
  EXPECT_TRUE(valid_interface_name("eth0"));
  EXPECT_TRUE(valid_interface_name("enp0s31f6"));
  EXPECT_FALSE(valid_interface_name(""));
  EXPECT_FALSE(valid_interface_name("a234567890123456"));  // 16 bytes
  EXPECT_FALSE(valid_interface_name(".."));
  EXPECT_FALSE(valid_interface_name("../x"));
  EXPECT_FALSE(valid_interface_name("eth0:1"));
}

TEST(CaptureNic, AVirtioGuestNeedsTheBusAndTheNicDriver) {
  FakeRoot m;
  virtio_guest(m);
  m.put("/proc/net/route", std::string(kRouteHeader) + "ens3\t00000000\t0202000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n");
  auto nic = find_capture_nic("", m.root());
  ASSERT_TRUE(nic) << nic.error().message();
  EXPECT_EQ(nic->interface, "ens3");
  EXPECT_EQ(nic->how_chosen, "the default route's (/proc/net/route)");
  ASSERT_EQ(nic->drivers.size(), 2u);
  EXPECT_EQ(nic->drivers[0].device, "virtio0");
  EXPECT_EQ(nic->drivers[0].driver, "virtio_net");
  EXPECT_EQ(nic->drivers[0].how, "/sys/class/net/ens3/device/driver/module -> virtio_net");
  EXPECT_EQ(nic->drivers[1].device, "0000:00:03.0");
  EXPECT_EQ(nic->drivers[1].driver, "virtio-pci");
  EXPECT_EQ(nic->drivers[1].module, "virtio_pci");
  EXPECT_EQ(nic->modules(), (Words{"virtio_pci", "virtio_net"}));
  EXPECT_FALSE(nic->on_usb);
}

TEST(CaptureNic, ABuiltInBusDriverIsSaidAndNotLoaded) {
  FakeRoot m;
  virtio_guest(m, "ens3", /*pci_module=*/false);  // Debian 6.12 builds virtio_pci in
  auto nic = find_capture_nic("auto", m.root());
  ASSERT_TRUE(nic) << nic.error().message();
  EXPECT_EQ(nic->how_chosen, "the first interface with a device (no default route)");
  EXPECT_EQ(nic->modules(), (Words{"virtio_net"}));
  ASSERT_EQ(nic->drivers.size(), 2u);
  EXPECT_EQ(nic->drivers[1].module, "");
  EXPECT_NE(nic->drivers[1].how.find("built in"), std::string::npos) << nic->drivers[1].how;
}

TEST(CaptureNic, TheNamedInterface) {
  FakeRoot m;
  virtio_guest(m, "ens3");
  m.put("/proc/net/route", std::string(kRouteHeader) + "wlan0\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
  auto nic = find_capture_nic("ens3", m.root());
  ASSERT_TRUE(nic);
  EXPECT_EQ(nic->interface, "ens3");
  EXPECT_EQ(nic->modules(), (Words{"virtio_pci", "virtio_net"}));
  EXPECT_EQ(nic->how_chosen, "named in [network]");

  auto missing = find_capture_nic("eth9", m.root());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::Missing);
  EXPECT_NE(missing.error().message().find("eth9"), std::string::npos);
  auto bad = find_capture_nic("../../etc", m.root());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::Usage);
}

TEST(CaptureNic, ANamedVirtualInterfaceHasNoDrivers) {
  FakeRoot m;
  virtio_guest(m);
  m.mkdir("/sys/devices/virtual/net/br0");
  m.link("/sys/class/net/br0", "../../devices/virtual/net/br0");
  auto nic = find_capture_nic("br0", m.root());
  ASSERT_TRUE(nic);
  EXPECT_TRUE(nic->drivers.empty());
  EXPECT_TRUE(nic->modules().empty());
}

TEST(CaptureNic, ADefaultRouteOnABridgeFallsBackToARealDevice) {
  FakeRoot m;
  virtio_guest(m);
  m.mkdir("/sys/devices/virtual/net/br0");
  m.link("/sys/class/net/br0", "../../devices/virtual/net/br0");
  m.put("/proc/net/route", std::string(kRouteHeader) + "br0\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
  auto nic = find_capture_nic("", m.root());
  ASSERT_TRUE(nic);
  EXPECT_EQ(nic->interface, "ens3");
  EXPECT_EQ(nic->how_chosen, "the first interface with a device (no default route)");
}

TEST(CaptureNic, AUsbNicBringsTheUsbStack) {
  FakeRoot m;
  const std::string hc = "/sys/devices/pci0000:00/0000:00:14.0";
  const std::string intf = hc + "/usb1/1-2/1-2:1.0";
  m.mkdir(intf + "/net/enx001122");
  m.link("/sys/class/net/enx001122", "../../devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/net/enx001122");
  m.link(intf + "/net/enx001122/device", "../../../1-2:1.0");
  for (auto [drv, mod] : {std::pair{"r8152", "r8152"}, std::pair{"usb", "usbcore"}, std::pair{"xhci_hcd", "xhci_pci"}}) {
    const std::string bus = std::string(drv) == "xhci_hcd" ? "pci" : "usb";
    m.mkdir("/sys/bus/" + bus + "/drivers/" + drv);
    m.link("/sys/bus/" + bus + "/drivers/" + drv + "/module", std::string("../../../../module/") + mod);
  }
  m.link(intf + "/driver", "../../../../../../bus/usb/drivers/r8152");
  m.link(intf + "/subsystem", "../../../../../../bus/usb");
  m.link(hc + "/usb1/1-2/driver", "../../../../../bus/usb/drivers/usb");
  m.link(hc + "/usb1/driver", "../../../../bus/usb/drivers/usb");
  m.link(hc + "/driver", "../../../bus/pci/drivers/xhci_hcd");
  auto nic = find_capture_nic("", m.root());
  ASSERT_TRUE(nic) << nic.error().message();
  EXPECT_TRUE(nic->on_usb);
  EXPECT_EQ(nic->modules(), (Words{"xhci_pci", "usbcore", "r8152"}));
  EXPECT_EQ(nic->drivers.size(), 4u);
}

TEST(CaptureNic, NoInterfaceAtAll) {
  FakeRoot m;
  auto nic = find_capture_nic("", m.root());
  ASSERT_FALSE(nic);
  EXPECT_EQ(nic.error().kind, ErrorKind::Missing);
  m.mkdir("/sys/devices/virtual/net/lo");
  m.link("/sys/class/net/lo", "../../devices/virtual/net/lo");
  EXPECT_FALSE(find_capture_nic("", m.root()));
}

}  // namespace
}  // namespace vmcap::arm
