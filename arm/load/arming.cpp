#include "arm/load/arming.h"
#include "arm/load/pstore_order.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "arm/load/arm_record.h"
#include "arm/load/estimate_inputs.h"
#include "arm/load/kexec_load.h"
#include "arm/load/run_program.h"
#include "arm/load/tool_kallsyms.h"
#include "arm/machine/machine_files.h"
#include "arm/machine/grub_advice.h"
#include "arm/machine/crash_reservation.h"
#include "arm/machine/security_state.h"
#include "capture/core/human_size.h"

#ifndef VMCAP_VERSION
#define VMCAP_VERSION "unknown"
#endif

namespace vmcap::arm {
namespace {

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char s[32];
  std::strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return s;
}

template <class T, class F>
std::string fact_text(const Fact<T>& f, F&& show) {
  if (!f.has_value()) return "unknown (" + f.unknown + ")";
  return show(*f.value);
}

std::string yes_no(bool b) { return b ? "yes" : "no"; }

void report_security(const SecurityState& s, run::Progress& progress) {
  progress.line("security",
                "lockdown " + fact_text(s.lockdown, [](Lockdown l) { return std::string(lockdown_name(l)); }) +
                    ", Secure Boot " + fact_text(s.secure_boot_enforcing(), [](bool b) { return b ? std::string("on") : std::string("off"); }) +
                    ", kernel.kexec_load_disabled " + fact_text(s.kexec_load_disabled, yes_no) +
                    ", CAP_SYS_BOOT " + fact_text(s.cap_sys_boot, yes_no));
}

std::string reservation_text(const CrashReservation& r) {
  std::string text = fact_text(r.size, [](uint64_t b) { return human_size(b); });
  if (r.iomem.has_value() && !r.iomem.value->ranges.empty()) {
    const auto& io = *r.iomem.value;
    if (io.addresses_hidden) {
      text += " (/proc/iomem hides the addresses from this user)";
    } else {
      for (const auto& range : io.ranges) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " %#llx-%#llx", static_cast<unsigned long long>(range.start),
                      static_cast<unsigned long long>(range.end));
        text += buf;
      }
    }
  }
  return text;
}

bool crash_loaded(const ArmOptions& o) {
  auto r = read_crash_reservation(o.root);
  return r.loaded.has_value() && *r.loaded.value;
}

// The record of what is loaded, when it says the same as `plan`: the same kernel, image key
// (or --initrd content) and command line.
bool record_matches(const ArmRecord& record, const ArmPlan& plan) {
  return record.kernel == plan.kernel && record.initrd == plan.initrd && record.image.key == plan.key.key &&
         record.cmdline == plan.cmdline.line() && record.image.changed_since(plan.key).empty();
}

void print_plan(const ArmPlan& p, run::Progress& progress) {
  const std::string about = p.kernel_file.describe();
  progress.line("kernel", p.kernel + (about.empty() ? "" : " " + about));
  progress.line("method", p.method.text());
  if (p.nic) {
    std::string mods;
    for (const auto& m : p.nic->modules()) mods += (mods.empty() ? "" : ", ") + m;
    progress.line("network", "interface " + p.nic->interface + " (" + p.nic->how_chosen + "): modules " +
                                 (mods.empty() ? "none (built in)" : mods));
  } else if (!p.nic_note.empty()) {
    progress.line("network", p.nic_note);
  }
  for (const auto& c : p.cmdline.changes)
    progress.line("cmdline", std::string(c.kind == CmdlineChange::Kind::Dropped ? "dropped " : "added ") + c.word +
                                 " (" + c.reason + ")");
  progress.line("cmdline", p.cmdline.line() + " (" + std::to_string(p.cmdline.cmdline_len()) + " bytes)");
}

Result<void> build_image_if_needed(const ArmPlan& p, run::Progress& progress) {
  if (p.request.output.empty()) return ok();  // --initrd
  std::error_code ec;
  if (std::filesystem::exists(p.initrd, ec)) {
    progress.line("image", p.initrd + ": up to date (key " + p.key.key.substr(0, 16) + ")");
    return ok();
  }
  std::filesystem::create_directories(std::filesystem::path(p.initrd).parent_path(), ec);
  if (ec) return make_error(ErrorKind::Io, std::filesystem::path(p.initrd).parent_path().string(), std::nullopt, ec.message());
  auto start = std::chrono::steady_clock::now();
  auto report = VMCAP_TRY(initramfs::build_initramfs(p.request));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char took[32];
  std::snprintf(took, sizeof took, "%.1f s", secs);
  progress.line("image", "built " + p.initrd + " in " + took + ": " + human_size(report.image_bytes) + ", " +
                             std::to_string(report.modules.size()) + " modules");
  for (const auto& d : report.local_disks) progress.line("disk", d);
  for (const auto& w : report.warnings) progress.line("image", w);
  return ok();
}

// Images of this kernel built from other inputs are stale once the new one is loaded (or,
// for a kernel hook, built): removed then, and never the one still loaded (`keep`). Removed
// before the load, a refused load could not load the previous image again.
void remove_stale_images(const ArmPlan& p, const std::string& keep) {
  if (p.request.output.empty()) return;  // --initrd: not ours
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(p.initrd).parent_path(), ec)) {
    std::string name = e.path().filename().string();
    if (e.path() != p.initrd && e.path() != keep && name.starts_with("capture-" + p.release + "-") &&
        name.ends_with(".img"))
      std::filesystem::remove(e.path(), ec);
  }
}

// The estimate for `initrd`, every term printed; nothing when the inputs cannot be read.
std::optional<MemoryEstimate> print_estimate(const ArmPlan& plan, const std::string& initrd, const std::string& root,
                                             run::Progress& progress) {
  auto in = estimate_inputs(plan, initrd, root);
  if (!in) {
    progress.line("estimate", "cannot estimate: " + in.error().message());
    return std::nullopt;
  }
  MemoryEstimate e = estimate_crashkernel(in->inputs);
  for (const auto& t : e.terms) progress.line("estimate", t.name + " " + mib_string(t.bytes) + ": " + t.how);
  progress.line("estimate", "machine RAM from " + in->ram_source);
  progress.line("estimate", "minimum " + mib_string(e.minimum_bytes) + ", recommended " + e.crashkernel_parameter());
  return e;
}

// Refuses (kCannotArm) a reservation below the estimate's minimum, with the numbers.
int check_fit(const ArmPlan& plan, const CrashReservation& reservation, const ArmOptions& o, run::Progress& progress) {
  auto e = print_estimate(plan, plan.initrd, o.root, progress);
  if (!e || !reservation.size.has_value()) return kArmOk;
  const uint64_t size = *reservation.size.value;
  if (size >= e->recommended_bytes) return kArmOk;
  if (size >= e->minimum_bytes) {
    progress.line("estimate", "the reservation (" + mib_string(size) + ") is above the minimum but below the " +
                                  "recommended " + e->crashkernel_parameter() + ": a capture may run short of memory");
    return kArmOk;
  }
  std::string text = "the reservation (" + mib_string(size) + ", /sys/kernel/kexec_crash_size) is smaller than the " +
                     mib_string(e->minimum_bytes) + " this capture needs: set " + e->crashkernel_parameter() +
                     " (vmcap setup-crashkernel --apply writes it for GRUB; then reboot)";
  if (o.force) {
    progress.line("estimate", text + "; --force: loading it anyway");
    return kArmOk;
  }
  progress.line("arm", text + "; nothing was loaded");
  return kCannotArm;
}

// kexec -p on arm64 reads _text from /proc/kallsyms (tool_kallsyms.h): the binds that give it
// one when the kernel's lacks it. When it cannot be worked out the load goes on (an unarmed
// machine loses the crash for sure), and the console says the capture may fail.
std::vector<BindMount> tool_kallsyms_binds(const ArmOptions& o, run::Progress& progress) {
  auto k = prepare_tool_kallsyms(o.root, o.run_dir);
  if (!k) {
    progress.line("load", "warning: " + k.error().message() +
                              "; loading anyway, but the capture kernel may find its /proc/vmcore unreadable");
    return {};
  }
  progress.line("load", k->note);
  return k->binds;
}

}  // namespace

namespace {

// pstore = yes: the kmsg dumpers run before kdump (pstore_order.h). A run-time parameter, so
// set at every arming; a failure to set it is said, the machine stays armed.
void apply_pstore_order(const ArmPlan& plan, const ArmOptions& o, run::Progress& progress) {
  PstoreOrder order = read_pstore_order(o.root);
  if (!plan.config.pstore) {
    if (order.post_notifiers.has_value() && *order.post_notifiers.value)
      progress.line("pstore", pstore_order_text(order) + " (set by another: pstore = no leaves it)");
    return;
  }
  if (order.post_notifiers.has_value() && *order.post_notifiers.value) {
    progress.line("pstore", pstore_order_text(order) + " (pstore = yes)");
    return;
  }
  if (auto w = enable_post_notifiers(o.root); !w) {
    progress.line("pstore", "pstore = yes, but " + w.error().message() +
                                ": a crash whose capture fails leaves no log (is /sys mounted read-write?)");
    return;
  }
  progress.line("pstore", "turned on (pstore = yes): " + pstore_order_text(read_pstore_order(o.root)));
}

}  // namespace

std::string arm_record_path(const ArmOptions& o) { return o.run_dir + "/armed.json"; }

namespace {

// One arm or disarm at a time: a config change during a package upgrade starts
// vmcap-rearm.service while postinst reloads vmcap-arm.service; two loads at once would get
// EBUSY and load the previous image again. Held until the returned descriptor is closed.
struct ArmLock {
  int fd = -1;
  ArmLock(const ArmOptions& o, run::Progress& progress) {
    std::error_code ec;
    std::filesystem::create_directories(o.run_dir, ec);
    fd = ::open((o.run_dir + "/arm.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      progress.line("arm", "another vmcap arm or disarm is running: waiting for it");
      ::flock(fd, LOCK_EX);
    }
  }
  ~ArmLock() {
    if (fd >= 0) ::close(fd);
  }
  ArmLock(const ArmLock&) = delete;
  ArmLock& operator=(const ArmLock&) = delete;
};

}  // namespace

int run_arm(const ArmOptions& o, run::Progress& progress) {
  ArmLock lock(o, progress);
  SecurityState security = read_security_state(o.root);
  report_security(security, progress);
  CrashReservation reservation = read_crash_reservation(o.root);
  progress.line("reservation", reservation_text(reservation));
  if (reservation.size.has_value() && *reservation.size.value == 0 && !o.build_only) {
    progress.line("arm", "no memory is reserved for a capture kernel (/sys/kernel/kexec_crash_size is 0): add "
                         "crashkernel= to GRUB_CMDLINE_LINUX in a file under /etc/default/grub.d/, run update-grub "
                         "and reboot: vmcap setup-crashkernel --apply does the first two with the size vmcap "
                         "estimate finds");
    return kCannotArm;
  }
  if (!reservation.size.has_value() && !o.dry_run && !o.build_only) {
    progress.line("arm", "this kernel cannot load a capture kernel: " + reservation.size.unknown);
    return kCannotArm;
  }
  if (!o.dry_run && !o.build_only) {
    if (security.kexec_load_disabled.has_value() && *security.kexec_load_disabled.value) {
      progress.line("arm", "kernel.kexec_load_disabled is 1: this boot refuses every kexec load (it cannot be undone "
                           "until reboot; look for the sysctl.d file that sets it)");
      return kCannotArm;
    }
    if (security.cap_sys_boot.has_value() && !*security.cap_sys_boot.value) {
      progress.line("arm", "loading a capture kernel needs CAP_SYS_BOOT: run vmcap arm as root");
      return kCannotArm;
    }
  }

  auto plan = plan_arm(o);
  if (!plan) {
    progress.line("arm", plan.error().message());
    return kArmBadInput;
  }
  // A machine armed with what parsed still saves its log (the capture kernel's rules for a
  // broken config, docs/config.md); an unarmed one loses the crash. So problems are said, not fatal.
  for (const auto& problem : plan->config_problems) progress.line("config", problem);
  if (!plan->config_problems.empty())
    progress.line("config", o.config_path + " has " + std::to_string(plan->config_problems.size()) +
                                " problem(s): arming with what parsed (in the capture kernel: every key that parsed, "
                                "every destination without a problem, else the log to fallback_path). Fix the file, "
                                "check it with vmcap check-config, then systemctl reload vmcap-arm");
  if (!o.dry_run && !o.build_only && plan->method.cannot_load()) {
    progress.line("arm", "this kernel has no kexec_file_load (CONFIG_KEXEC_FILE is not set in " + plan->method.config_file +
                             ") and no " + o.kexec_tool + " program is installed to load with kexec -p instead: "
                             "apt install kexec-tools, then vmcap arm (systemctl restart vmcap-arm)");
    return kCannotArm;
  }
  std::string record_path = arm_record_path(o);
  auto previous = read_arm_record(record_path);
  const bool loaded = crash_loaded(o);
  if (o.build_only) {
    print_plan(*plan, progress);
    if (auto built = build_image_if_needed(*plan, progress); !built) {
      progress.line("image", built.error().message());
      return kArmBadInput;
    }
    remove_stale_images(*plan, previous && loaded ? previous->initrd : std::string());
    progress.line("arm", "image ready for " + plan->release + "; nothing loaded (--build-only)");
    return kArmOk;
  }
  std::error_code exists_ec;
  if (loaded && previous && record_matches(*previous, *plan) && std::filesystem::exists(plan->initrd, exists_ec) &&
      !o.reload) {
    progress.line("arm", "armed and current since " + previous->loaded_at + ": nothing to build or load");
    apply_pstore_order(*plan, o, progress);
    return kArmOk;
  }
  print_plan(*plan, progress);
  if (previous && loaded && plan->key.key.empty()) {
    progress.line("arm", "changed: the image, " + plan->initrd + " given with --initrd");
  } else if (previous && loaded) {
    for (const auto& c : plan->key.changed_since(previous->image)) progress.line("arm", "changed: " + c);
    if (previous->cmdline != plan->cmdline.line()) progress.line("arm", "changed: the command line");
  }
  if (o.dry_run) {
    progress.line("arm", "dry run: would load " + plan->kernel + " with " + plan->initrd);
    return kArmOk;
  }

  if (auto built = build_image_if_needed(*plan, progress); !built) {
    progress.line("image", built.error().message());
    return kArmBadInput;
  }
  if (int fit = check_fit(*plan, reservation, o, progress); fit != kArmOk) return fit;
  CrashImage image{plan->kernel, plan->initrd, plan->cmdline.line()};
  LoadContext context;
  context.lockdown = security.lockdown.has_value() && *security.lockdown.value != Lockdown::None;
  auto sb = security.secure_boot_enforcing();
  context.secure_boot = sb.has_value() && *sb.value;
  if (plan->kernel_file.machine == KernelMachine::Arm64 && plan->method.kexec_file != true)
    context.tool_binds = tool_kallsyms_binds(o, progress);
  auto method = load_crash_image(image, o.kexec_tool, context);
  if (!method) {
    progress.line("load", method.error().message());
    if (method.error().kind == ErrorKind::Usage) {
      progress.line("load", "the machine is NOT armed");
      return kCannotArm;  // no image can be loaded here: the previous one could not be either
    }
    // The kernel frees the old image before it loads a new one: load the last one that worked.
    if (previous) {
      auto again = load_crash_image({previous->kernel, previous->initrd, previous->cmdline}, o.kexec_tool, context);
      progress.line("load", again ? "the previous image (" + previous->initrd + ", armed " + previous->loaded_at +
                                        ") is loaded again: the machine stays armed with it"
                                  : "loading the previous image again failed too (" + again.error().message() +
                                        "): the machine is NOT armed");
    } else {
      progress.line("load", "the machine is NOT armed");
    }
    return kArmFailed;
  }
  if (*method == LoadMethod::KexecTool)
    progress.line("load", "this kernel has no kexec_file_load: loaded with " + o.kexec_tool + " -p");
  if (!crash_loaded(o)) {
    progress.line("arm", "the load returned, but /sys/kernel/kexec_crash_loaded is not 1: the machine is NOT armed");
    return kArmFailed;
  }
  ArmRecord record;
  record.kernel = plan->kernel;
  record.initrd = plan->initrd;
  if (auto sha = file_sha256(plan->initrd)) record.initrd_sha256 = *sha;
  record.cmdline = plan->cmdline.line();
  record.method = to_string(*method);
  record.loaded_at = utc_now();
  record.vmcap_version = VMCAP_VERSION;
  record.image = plan->key;
  if (auto w = write_arm_record(record_path, record); !w)
    progress.line("arm", "armed, but the record could not be written (" + w.error().message() +
                             "): vmcap status will call it stale");
  progress.line("arm", "armed: " + plan->kernel + " with " + plan->initrd + " (" + to_string(*method) + ")");
  remove_stale_images(*plan, "");
  apply_pstore_order(*plan, o, progress);
  return kArmOk;
}

namespace {

// The estimate for the image arm would load (the cached one, or one built to measure it and
// removed) and the advice of where to set it; nothing when it cannot be measured (said).
std::optional<std::pair<MemoryEstimate, CrashkernelAdvice>> measured_advice(const ArmOptions& o,
                                                                              run::Progress& progress) {
  auto plan = plan_arm(o);
  if (!plan) {
    progress.line("estimate", plan.error().message());
    return std::nullopt;
  }
  std::string initrd = plan->initrd;
  std::string temporary;
  std::error_code ec;
  if (!std::filesystem::exists(initrd, ec)) {
    temporary = std::filesystem::temp_directory_path(ec).string() + "/vmcap-estimate-" + std::to_string(::getpid()) + ".img";
    auto request = plan->request;
    request.output = temporary;
    auto built = initramfs::build_initramfs(request);
    if (!built) {
      progress.line("estimate", "cannot build the image to measure it: " + built.error().message());
      return std::nullopt;
    }
    initrd = temporary;
  }
  auto e = print_estimate(*plan, initrd, o.root, progress);
  if (!temporary.empty()) std::filesystem::remove(temporary, ec);
  if (!e) return std::nullopt;
  CrashReservation reservation = read_crash_reservation(o.root);
  progress.line("reservation", "now " + reservation_text(reservation));
  return std::pair{*e, crashkernel_advice(e->recommended_bytes, o.root)};
}

std::string one_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

void print_conflicts(const CrashkernelAdvice& advice, run::Progress& progress) {
  for (const auto& c : advice.conflicts)
    progress.line("advice", c.where + " also sets crashkernel= (" + c.line + ")" +
                                (c.wins ? ": it comes later on the kernel's line and would win; remove it" : ""));
}

}  // namespace

int run_estimate(const ArmOptions& o, run::Progress& progress) {
  auto m = measured_advice(o, progress);
  if (!m) return kArmBadInput;
  const CrashkernelAdvice& advice = m->second;
  std::cout << advice.parameter << "\n";
  progress.line("advice", "to set it: " + advice.file + " with the line " + one_line(advice.content) + ", then " +
                              advice.command + " and reboot (vmcap setup-crashkernel --apply does both)");
  print_conflicts(advice, progress);
  return kArmOk;
}

int run_setup_crashkernel(const ArmOptions& o, bool apply, const std::string& update_grub, run::Progress& progress) {
  auto m = measured_advice(o, progress);
  if (!m) return kArmBadInput;
  const CrashkernelAdvice& advice = m->second;
  const std::string text = "# Written by vmcap setup-crashkernel: the memory vmcap's capture kernel needs (vmcap\n"
                           "# estimate). Removed when vmcap is purged; rerun it after a change of RAM or config.\n" +
                           advice.content;
  print_conflicts(advice, progress);
  if (!apply) {
    progress.line("setup", "would write " + advice.file + ": " + one_line(advice.content) + ", then run " +
                               advice.command + " (--apply does it); a reboot then reserves the memory");
    std::cout << text;
    return kArmOk;
  }
  const std::string path = under_root(o.root, advice.file);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out || ec) {
      std::filesystem::remove(tmp, ec);
      progress.line("setup", "cannot write " + path + (ec ? ": " + ec.message() : std::string()));
      return kArmFailed;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    progress.line("setup", "cannot write " + path + ": " + ec.message());
    return kArmFailed;
  }
  progress.line("setup", "wrote " + path + ": " + one_line(advice.content));
  if (update_grub.empty()) {
    progress.line("setup", "run " + advice.command + " (or your boot loader's equivalent), then reboot");
    return kArmOk;
  }
  std::string output;
  int status = run_program({update_grub}, output);
  if (status != 0) {
    progress.line("setup", update_grub + (status < 0 ? " could not run" : " exited with status " + std::to_string(status)) +
                               (output.empty() ? "" : ": " + output) +
                               ": the boot loader still has the old line; run it by hand (or your boot loader's "
                               "equivalent), then reboot");
    return kArmFailed;
  }
  progress.line("setup", update_grub + " done: reboot to reserve " + advice.parameter +
                             "; vmcap-arm.service then arms the machine");
  return kArmOk;
}

int run_disarm(const ArmOptions& o, run::Progress& progress) {
  ArmLock lock(o, progress);
  if (!crash_loaded(o)) {
    progress.line("disarm", "no capture kernel is loaded");
    std::error_code ec;
    std::filesystem::remove(arm_record_path(o), ec);
    return kArmOk;
  }
  auto r = unload_crash_image(o.kexec_tool);
  if (!r) {
    progress.line("disarm", r.error().message());
    return kArmFailed;
  }
  std::error_code ec;
  std::filesystem::remove(arm_record_path(o), ec);
  if (crash_loaded(o)) {
    progress.line("disarm", "unloaded, but /sys/kernel/kexec_crash_loaded is still 1");
    return kArmFailed;
  }
  progress.line("disarm", "the capture kernel is unloaded: a crash now leaves no dump");
  return kArmOk;
}

int run_status(const ArmOptions& o, bool json, run::Progress& progress) {
  SecurityState security = read_security_state(o.root);
  CrashReservation reservation = read_crash_reservation(o.root);
  const bool loaded = crash_loaded(o);
  auto record = read_arm_record(arm_record_path(o));
  auto plan = plan_arm(o);

  int status = kNotArmed;
  std::string state = "not armed";
  std::vector<std::string> changed;
  if (loaded) {
    if (!record) {
      status = kArmedStale;
      state = "armed, but not by vmcap arm (no " + arm_record_path(o) + ")";
    } else if (!plan) {
      status = kArmedStale;
      state = "armed, but what arm would load now cannot be worked out: " + plan.error().message();
    } else {
      changed = plan->key.changed_since(record->image);
      if (record->cmdline != plan->cmdline.line()) changed.push_back("the command line");
      if (record->kernel != plan->kernel) changed.push_back("the kernel path: " + plan->kernel);
      status = changed.empty() ? kArmOk : kArmedStale;
      state = changed.empty() ? "armed and current" : "armed, but stale";
    }
  }
  // The estimate for the image arm would load, when it is built (status builds nothing).
  std::optional<MemoryEstimate> estimate;
  std::string estimate_note = "vmcap estimate measures it (no image built yet)";
  std::error_code ec;
  if (plan && std::filesystem::exists(plan->initrd, ec)) {
    if (auto in = estimate_inputs(*plan, plan->initrd, o.root)) estimate = estimate_crashkernel(in->inputs);
    else estimate_note = in.error().message();
  } else if (!plan) {
    estimate_note = "unknown: " + plan.error().message();
  }
  if (json) {
    nlohmann::json j = {{"state", status == kArmOk ? "armed" : status == kNotArmed ? "not-armed" : "stale"},
                        {"exit_status", status},
                        {"summary", state},
                        {"changed", changed}};
    j["reservation_bytes"] = reservation.size.has_value() ? nlohmann::json(*reservation.size.value) : nlohmann::json();
    j["config_problems"] = plan ? plan->config_problems : std::vector<std::string>{};
    if (record) {
      j["loaded"] = {{"kernel", record->kernel}, {"initrd", record->initrd}, {"cmdline", record->cmdline},
                     {"method", record->method}, {"loaded_at", record->loaded_at}, {"image_key", record->image.key}};
    }
    if (plan) {
      const auto& m = plan->method;
      j["load_method"] = {{"method", m.kexec_file == true    ? nlohmann::json("kexec_file_load")
                                     : m.kexec_file == false ? nlohmann::json("kexec -p")
                                                             : nlohmann::json()},
                          {"why", m.text()},
                          {"kexec_tool", m.tool.empty() ? nlohmann::json() : nlohmann::json(m.tool)}};
    } else {
      j["load_method"] = nullptr;
    }
    j["lockdown"] = security.lockdown.has_value() ? nlohmann::json(std::string(lockdown_name(*security.lockdown.value)))
                                                   : nlohmann::json();
    auto sb = security.secure_boot_enforcing();
    j["secure_boot"] = sb.has_value() ? nlohmann::json(*sb.value) : nlohmann::json();
    j["crash_hotplug"] = {{"cpu", reservation.cpu_hotplug_updates.has_value() ? nlohmann::json(*reservation.cpu_hotplug_updates.value) : nlohmann::json()},
                          {"memory", reservation.memory_hotplug_updates.has_value() ? nlohmann::json(*reservation.memory_hotplug_updates.value) : nlohmann::json()}};
    {
      PstoreOrder order = read_pstore_order(o.root);
      j["pstore"] = {{"wanted", plan ? nlohmann::json(plan->config.pstore) : nlohmann::json()},
                     {"post_notifiers", order.post_notifiers.has_value() ? nlohmann::json(*order.post_notifiers.value) : nlohmann::json()},
                     {"backend", order.backend.has_value() ? nlohmann::json(*order.backend.value) : nlohmann::json()}};
    }
    j["estimate"] = estimate ? nlohmann::json{{"minimum_bytes", estimate->minimum_bytes},
                                              {"recommended_bytes", estimate->recommended_bytes},
                                              {"crashkernel", estimate->crashkernel_parameter()}}
                             : nlohmann::json();
    std::cout << j.dump(2) << "\n";
    return status;
  }
  progress.line("status", state);
  // Armed with what parsed (arm does not refuse a broken config): the status says so.
  if (plan && !plan->config_problems.empty()) {
    progress.line("config", o.config_path + " has " + std::to_string(plan->config_problems.size()) +
                                " problem(s): the capture uses what parsed; vmcap check-config lists them");
    for (const auto& p : plan->config_problems) progress.line("config", p);
  }
  progress.line("reservation", reservation_text(reservation));
  if (record && loaded)
    progress.line("loaded", record->kernel + " with " + record->initrd + " (" + record->method + ", " +
                                record->loaded_at + "): " + record->cmdline);
  for (const auto& c : changed) progress.line("changed", c + " (vmcap arm loads the new one)");
  if (plan) progress.line("method", plan->method.text());
  progress.line("estimate", estimate ? "minimum " + mib_string(estimate->minimum_bytes) + ", recommended " +
                                          estimate->crashkernel_parameter() + " (vmcap estimate says how)"
                                    : estimate_note);
  report_security(security, progress);
  auto yes = [](bool b) { return b ? std::string("the kernel updates the crash image itself") : std::string("no: re-armed by udev"); };
  progress.line("hotplug", "cpu " + fact_text(reservation.cpu_hotplug_updates, yes) + ", memory " +
                               fact_text(reservation.memory_hotplug_updates, yes));
  {
    PstoreOrder order = read_pstore_order(o.root);
    std::string wanted = !plan ? "" : plan->config.pstore ? " (pstore = yes)" : " (pstore = no)";
    if (plan && plan->config.pstore && order.post_notifiers.has_value() && !*order.post_notifiers.value)
      wanted = " (pstore = yes, but it is off: vmcap arm turns it on)";
    progress.line("pstore", pstore_order_text(order) + wanted);
  }
  return status;
}

}  // namespace vmcap::arm
