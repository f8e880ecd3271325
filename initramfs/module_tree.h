// A kernel's module tree (lib/modules/KREL: modules.dep, modules.builtin, modules.alias) and
// the modules a name needs, in the order to load them: what `modprobe --show-depends`
// prints, without running modprobe. Builtin modules need nothing and are listed apart.
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
};

// Every name (as modprobe takes it: '-' and '_' alike, or an exact alias from
// modules.alias) with its dependencies from modules.dep, each module once, in load order.
// A name that is neither a module, an alias nor builtin is an error.
Result<ModulePlan> plan_modules(const ModuleTree& tree, const std::vector<std::string>& names);

// "virtio_net" for ".../virtio-net.ko.xz".
std::string module_name_of_path(const std::string& path);

}  // namespace vmcap::initramfs
