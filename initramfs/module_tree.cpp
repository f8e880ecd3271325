#include "initramfs/module_tree.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace vmcap::initramfs {
namespace {

// modules.dep of a distribution kernel is about 1 MB with 4,000..7,000 modules.
constexpr uint64_t kMaxIndexBytes = 64ull << 20;
constexpr size_t kMaxModules = 200000;

std::string normalized(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

Result<std::string> read_index(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    return make_error(ErrorKind::Missing, path, std::nullopt, "cannot stat (run depmod for this kernel?)");
  if (static_cast<uint64_t>(st.st_size) > kMaxIndexBytes)
    return make_error(ErrorKind::Limit, path, std::nullopt, "larger than 64 MiB: not a module index");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::Io, path, std::nullopt, "cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<ModuleTree> tree_at(const std::string& dir, const std::string& release, const std::string& root) {
  struct stat st {};
  if (stat((dir + "/modules.dep").c_str(), &st) != 0)
    return make_error(ErrorKind::Missing, dir + "/modules.dep", std::nullopt,
                      "no module index for " + release + " (run depmod)");
  return ModuleTree{release, dir, root};
}

// modules.dep: "kernel/a/b.ko[.xz]: kernel/c.ko kernel/d.ko" (deps already transitive;
// modprobe loads them from the last to the first).
struct DepIndex {
  std::map<std::string, std::string> path_of;             // name -> path
  std::map<std::string, std::vector<std::string>> deps;   // path -> dependency paths
};

Result<DepIndex> parse_dep(const std::string& file, const std::string& text) {
  DepIndex index;
  std::istringstream lines(text);
  std::string line;
  uint64_t offset = 0;
  while (std::getline(lines, line)) {
    uint64_t at = offset;
    offset += line.size() + 1;
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0)
      return make_error(ErrorKind::Format, file, at, "a line without \"PATH:\"");
    if (index.deps.size() >= kMaxModules)
      return make_error(ErrorKind::Limit, file, at, "more than " + std::to_string(kMaxModules) + " modules");
    std::string path = line.substr(0, colon);
    std::vector<std::string> deps;
    std::istringstream words(line.substr(colon + 1));
    for (std::string d; words >> d;) deps.push_back(d);
    index.path_of.emplace(module_name_of_path(path), path);
    index.deps[path] = std::move(deps);
  }
  return index;
}

std::set<std::string> parse_builtin(const std::string& text) {
  std::set<std::string> names;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line) && names.size() < kMaxModules;)
    if (!line.empty()) names.insert(module_name_of_path(line));
  return names;
}

// Exact aliases only ("alias net-pf-17 af_packet"); wildcard aliases are for devices.
std::map<std::string, std::string> parse_aliases(const std::string& text) {
  std::map<std::string, std::string> aliases;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line) && aliases.size() < kMaxModules * 4;) {
    std::istringstream words(line);
    std::string keyword, alias, module;
    if (!(words >> keyword >> alias >> module) || keyword != "alias") continue;
    if (alias.find_first_of("*?[") != std::string::npos) continue;
    aliases.emplace(normalized(alias), normalized(module));
  }
  return aliases;
}

}  // namespace

std::string module_name_of_path(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  auto ko = base.find(".ko");
  return normalized(ko == std::string::npos ? base : base.substr(0, ko));
}

Result<ModuleTree> module_tree_in_root(const std::string& root) {
  std::string modules = root + "/lib/modules";
  DIR* d = opendir(modules.c_str());
  if (!d) return make_error(ErrorKind::Missing, modules, std::nullopt, "no such folder: not a kernel root");
  std::vector<std::string> releases;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (stat((modules + "/" + name + "/modules.dep").c_str(), &st) == 0) releases.push_back(name);
    if (releases.size() > 64) break;
  }
  closedir(d);
  std::sort(releases.begin(), releases.end());
  if (releases.empty())
    return make_error(ErrorKind::Missing, modules, std::nullopt, "no release with a modules.dep (run depmod -b ROOT)");
  if (releases.size() > 1) {
    std::string all;
    for (const auto& r : releases) all += " " + r;
    return make_error(ErrorKind::Usage, modules, std::nullopt, "more than one kernel release:" + all + " (use --kver)");
  }
  return tree_at(modules + "/" + releases[0], releases[0], root);
}

Result<ModuleTree> module_tree_for_release(const std::string& release) {
  if (release.empty() || release.find('/') != std::string::npos || release == "." || release == "..")
    return make_error(ErrorKind::Usage, "", std::nullopt, "\"" + release + "\" is not a kernel release");
  return tree_at("/lib/modules/" + release, release, "");
}

namespace {

Result<ModulePlan> make_plan(const ModuleTree& tree, const std::vector<std::string>& names, bool lenient) {
  ModulePlan plan;
  if (names.empty()) return plan;
  const std::string dep_file = tree.dir + "/modules.dep";
  auto dep_text = VMCAP_TRY(read_index(dep_file));
  DepIndex index = VMCAP_TRY(parse_dep(dep_file, dep_text));
  std::set<std::string> builtin;
  if (auto text = read_index(tree.dir + "/modules.builtin")) builtin = parse_builtin(*text);
  std::map<std::string, std::string> aliases;
  bool aliases_read = false;

  std::set<std::string> placed;
  // Dependencies before the module; modules.dep's own list is walked from its end the
  // way modprobe does, and each dependency's dependencies go first (depth <= module count).
  auto place = [&](auto&& self, const std::string& path, size_t depth) -> Result<void> {
    if (placed.count(path)) return ok();
    if (depth > index.deps.size())
      return make_error(ErrorKind::Format, dep_file, std::nullopt, "a dependency loop through " + path);
    auto it = index.deps.find(path);
    if (it == index.deps.end())
      return make_error(ErrorKind::Format, dep_file, std::nullopt, "dependency " + path + " has no line of its own");
    for (auto d = it->second.rbegin(); d != it->second.rend(); ++d) VMCAP_CHECK(self(self, *d, depth + 1));
    if (placed.insert(path).second) plan.load_order.push_back(path);
    return ok();
  };

  for (const auto& asked : names) {
    std::string name = normalized(asked);
    auto found = index.path_of.find(name);
    if (found == index.path_of.end() && !builtin.count(name)) {
      if (!aliases_read) {
        if (auto text = read_index(tree.dir + "/modules.alias")) aliases = parse_aliases(*text);
        aliases_read = true;
      }
      if (auto a = aliases.find(name); a != aliases.end()) {
        name = a->second;
        found = index.path_of.find(name);
      }
    }
    if (found != index.path_of.end()) {
      VMCAP_CHECK(place(place, found->second, 0));
    } else if (builtin.count(name)) {
      if (std::find(plan.builtin.begin(), plan.builtin.end(), name) == plan.builtin.end()) plan.builtin.push_back(name);
    } else if (lenient) {
      if (std::find(plan.missing.begin(), plan.missing.end(), asked) == plan.missing.end()) plan.missing.push_back(asked);
    } else {
      return make_error(ErrorKind::Missing, dep_file, std::nullopt,
                        "module \"" + asked + "\" is not in modules.dep, modules.builtin or modules.alias of " +
                            tree.release);
    }
  }
  return plan;
}

}  // namespace

Result<ModulePlan> plan_modules(const ModuleTree& tree, const std::vector<std::string>& names) {
  return make_plan(tree, names, false);
}

Result<ModulePlan> plan_modules_leniently(const ModuleTree& tree, const std::vector<std::string>& names) {
  return make_plan(tree, names, true);
}

std::vector<std::string> soft_predependencies(const ModuleTree& tree, const std::vector<std::string>& modules) {
  std::vector<std::string> out;
  auto softdep = read_index(tree.dir + "/modules.softdep");
  if (!softdep || modules.empty()) return out;
  std::set<std::string> wanted;
  for (const auto& m : modules) wanted.insert(normalized(m));
  // "softdep MODULE pre: A B post: C": the names between "pre:" and "post:".
  std::vector<std::string> pre;
  std::istringstream lines(*softdep);
  size_t count = 0;
  for (std::string line; std::getline(lines, line) && count < kMaxModules; ++count) {
    std::istringstream words(line);
    std::string keyword, module;
    if (!(words >> keyword >> module) || keyword != "softdep" || !wanted.count(normalized(module))) continue;
    bool in_pre = false;
    for (std::string w; words >> w && pre.size() < kMaxModules;) {
      if (w == "pre:") in_pre = true;
      else if (w == "post:") in_pre = false;
      else if (in_pre && std::find(pre.begin(), pre.end(), w) == pre.end()) pre.push_back(w);
    }
  }
  if (pre.empty()) return out;
  // Each name as modprobe takes it: a module of modules.dep, else every module its exact
  // alias names (crypto-crc32c: crc32c_intel, which needs SSE4.2, and crc32c_generic).
  std::set<std::string> known;
  if (auto dep = read_index(tree.dir + "/modules.dep")) {
    if (auto index = parse_dep(tree.dir + "/modules.dep", *dep))
      for (const auto& [name, path] : index->path_of) known.insert(name);
  }
  std::multimap<std::string, std::string> aliases;
  if (auto text = read_index(tree.dir + "/modules.alias")) {
    std::istringstream alias_lines(*text);
    size_t n = 0;
    for (std::string line; std::getline(alias_lines, line) && n < kMaxModules * 4; ++n) {
      std::istringstream words(line);
      std::string keyword, alias, module;
      if ((words >> keyword >> alias >> module) && keyword == "alias" && alias.find_first_of("*?[") == std::string::npos)
        aliases.emplace(normalized(alias), normalized(module));
    }
  }
  auto add = [&](const std::string& m) {
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  };
  for (const auto& name : pre) {
    const std::string n = normalized(name);
    if (known.count(n)) {
      add(n);
      continue;
    }
    auto [first, last] = aliases.equal_range(n);
    for (auto it = first; it != last; ++it)
      if (known.count(it->second)) add(it->second);
  }
  return out;
}

}  // namespace vmcap::initramfs
