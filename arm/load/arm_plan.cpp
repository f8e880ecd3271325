#include "arm/load/arm_plan.h"

#include <sys/utsname.h>

#include <filesystem>

#include "arm/machine/machine_files.h"
#include "arm/machine/kernel_cmdline.h"
#include "capture/config/config_parser.h"

namespace vmcap::arm {
namespace {

std::string running_release() {
  struct utsname u {};
  ::uname(&u);
  return u.release;
}

// The NIC drivers go in when [network] names no modules (as dracut's host-only mode does).
void find_nic(const ArmOptions& o, ArmPlan& p) {
  if (!p.config.network) {
    p.nic_note = "no [network] section: the image brings no network up";
    return;
  }
  if (!p.config.network->modules.empty()) {
    p.nic_note = "[network] modules named: no NIC drivers looked for";
    return;
  }
  auto nic = find_capture_nic(p.config.network->interface, o.root);
  if (!nic) {
    p.nic_note = "no NIC drivers found (" + nic.error().message() + "): name them in [network] modules";
    return;
  }
  p.nic = std::move(*nic);
  p.request.modules = p.nic->modules();
}

}  // namespace

std::string cached_image_path(const std::string& state_dir, const std::string& release, const std::string& key) {
  return state_dir + "/images/capture-" + release + "-" + key.substr(0, 16) + ".img";
}

Result<ArmPlan> plan_arm(const ArmOptions& o) {
  ArmPlan p;
  p.release = o.release.empty() ? running_release() : o.release;
  p.kernel = o.kernel.empty() ? under_root(o.root, "/boot/vmlinuz-" + p.release) : o.kernel;
  if (std::error_code ec; !std::filesystem::exists(p.kernel, ec))
    return make_error(ErrorKind::Missing, p.kernel, std::nullopt,
                      "no such capture kernel" + std::string(o.kernel.empty() ? " for the running release (--kernel names another)" : ""));
  p.kernel_file = VMCAP_TRY(read_capture_kernel(p.kernel, o.machine));
  p.method = choose_load_method(o.root, o.kexec_tool);

  auto loaded = VMCAP_TRY(config::load_config(o.config_path));
  for (const auto& problem : loaded.problems) p.config_problems.push_back(config::format_problem(o.config_path, problem));
  p.config = std::move(loaded.config);

  if (o.initrd.empty()) {
    p.request.config_path = o.config_path;
    p.request.vmcap_binary = o.vmcap_binary;
    p.request.kernel_release = p.release;
    if (o.root != "/") p.request.kernel_root = o.root;  // ROOT/lib/modules/RELEASE
    p.request.system_root = o.root;                      // the disks of file:// destinations
    // Arming builds with what parsed: a broken line or a missing file leaves its part out
    // (said as it is built), as the capture kernel would; it never leaves the machine unarmed.
    p.request.force = true;
    find_nic(o, p);
    p.key = VMCAP_TRY(image_key(p.kernel, p.request));
    p.initrd = cached_image_path(o.state_dir, p.release, p.key.key);
    p.request.output = p.initrd;
  } else {
    p.initrd = o.initrd;
    p.nic_note = "--initrd given: no image built";
    std::string sha = VMCAP_TRY(file_sha256(o.initrd));
    p.key.parts = {{"initrd", o.initrd, sha}};
  }

  auto running = VMCAP_TRY(read_machine_file(o.root, "/proc/cmdline", 8192));
  CmdlineEdits edits;
  edits.append = split_kernel_cmdline(p.config.arm.append);
  for (auto& w : split_kernel_cmdline(o.append)) edits.append.push_back(std::move(w));
  edits.remove = p.config.arm.remove;
  p.cmdline = VMCAP_TRY(build_capture_cmdline(running.text, edits));
  VMCAP_CHECK(p.kernel_file.check_cmdline(p.cmdline.cmdline_len()));
  return p;
}

}  // namespace vmcap::arm
