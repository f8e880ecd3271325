// A kernel's module tree (lib/modules/KREL: modules.dep, modules.builtin, modules.alias) and
// the modules a name needs, in the order to load them: what `modprobe --show-depends`
// prints, without running modprobe. Builtin modules need nothing and are listed apart.
// Soft dependencies (modules.softdep) are separate: soft_predependencies.
#pragma once

#include <string>
#include <vector>

#include "elf/result.h"

namespace vmcap::initramfs {

struct ModuleTree {
  std::string release;  // "6.1.0-50-amd64"
  std::string dir;      // ".../lib/modules/6.1.0-50-amd64"
  std::string root;     // what was given: a root folder ("" for the running system's /)
};

// ROOT/lib/modules/<the one release there>. More than one: an error naming them.
Result<ModuleTree> module_tree_in_root(const std::string& root);
// /lib/modules/RELEASE.
Result<ModuleTree> module_tree_for_release(const std::string& release);

struct ModulePlan {
  std::vector<std::string> load_order;  // paths relative to ModuleTree::dir, dependencies first
  std::vector<std::string> builtin;     // names asked for that are built into the kernel
  std::vector<std::string> missing;     // plan_modules_leniently only: names found nowhere
};

// Every name (as modprobe takes it: '-' and '_' alike, or an exact alias from
// modules.alias) with its dependencies from modules.dep, each module once, in load order.
// A name that is neither a module, an alias nor builtin is an error.
Result<ModulePlan> plan_modules(const ModuleTree& tree, const std::vector<std::string>& names);

// The same, but a name found nowhere is listed in ModulePlan::missing instead of failing the
// plan: for modules found on the running system (its disk's drivers), which another
// release may have renamed or built in.
Result<ModulePlan> plan_modules_leniently(const ModuleTree& tree, const std::vector<std::string>& names);

// What modprobe loads before MODULES from modules.softdep ("softdep ext4 pre:
// crypto-crc32c"): each "pre:" name resolved as modprobe does, to the module of that name or
// to every module an exact alias names (crypto-crc32c: crc32c_intel and crc32c_generic),
// each once, in order. A name that resolves to nothing (built in) is left out; a tree
// without modules.softdep gives none. The filesystems need them: ext4 and jbd2 ask the
// crypto API for crc32c, which without the module would call /sbin/modprobe, absent here.
std::vector<std::string> soft_predependencies(const ModuleTree& tree, const std::vector<std::string>& modules);

// "virtio_net" for ".../virtio-net.ko.xz".
std::string module_name_of_path(const std::string& path);

}  // namespace vmcap::initramfs
