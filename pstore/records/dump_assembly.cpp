#include "pstore/records/dump_assembly.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "pstore/records/log_line.h"

namespace vmcap::pstore {
namespace {

// A dmesg record whose header was read.
struct ReadPart {
  size_t input = 0;  // index in the caller's records
  RecordName name;
  DmesgHeader header;
  std::string text;  // after the header line
  bool inflated = false;
};

// A dmesg record that could not be read, with what its name says.
struct UnreadPart {
  size_t input = 0;
  RecordName name;
  KeptRecord kept;
  bool inflated = false;     // inflated by us, but no header in it
  bool find_home = true;     // false past kMaxDmesgRecords: a dump of its own
};

// The records of one dump before it is joined.
struct Group {
  std::string backend;
  Backend backend_kind = Backend::Other;
  std::vector<size_t> parts;   // indexes in the ReadPart list
  std::vector<size_t> unread;  // indexes in the UnreadPart list
  uint64_t erst_anchor = 0;    // ERST: id - part of every part
  uint64_t first_seconds = 0, last_seconds = 0;  // EFI: the parts' id seconds
};

std::string_view inflated_format(DeflateFormat f) { return f == DeflateFormat::Raw ? "raw deflate" : "zlib"; }

// Reads one dmesg record: inflates it when needed (within the budget), then its header.
// Returns the part, or fills `unread`.
std::optional<ReadPart> read_part(size_t input, const RecordFile& file, RecordName name, size_t& budget,
                                  UnreadPart& unread) {
  std::string bytes;
  bool inflated = false;
  std::string how;
  if (name.compressed) {
    const size_t cap = std::min(kMaxInflatedBytes, budget);
    auto r = inflate_record(file.bytes, cap);
    if (!r) {
      unread = UnreadPart{input, std::move(name), KeptRecord{file.name, file.bytes, true, std::nullopt, r.error().reason}};
      if (cap < kMaxInflatedBytes && r.error().kind == ErrorKind::Limit)
        unread.kept.why += " (all records together may inflate to " + std::to_string(kMaxInflatedTotalBytes >> 20) +
                           " MiB, and the earlier ones took the rest)";
      return std::nullopt;
    }
    budget -= r->bytes.size();
    bytes = std::move(r->bytes);
    inflated = true;
    how = "inflated (" + std::string(inflated_format(r->format)) + "), but ";
  }
  const std::string_view view = inflated ? std::string_view(bytes) : std::string_view(file.bytes);
  auto h = parse_dmesg_header(view);
  if (!h) {
    unread = UnreadPart{input, std::move(name),
                        KeptRecord{file.name, inflated ? std::move(bytes) : file.bytes, false, std::nullopt,
                                   how + h.error().reason},
                        inflated};
    return std::nullopt;
  }
  ReadPart p{input, std::move(name), *h, std::string(view.substr(h->text_offset)), inflated};
  return p;
}

// Cuts a group of EFI parts (one reason and counter) into dumps: the parts of one dump
// follow each other in time with rising part numbers.
void split_efi_group(std::vector<size_t> members, const std::vector<ReadPart>& parts, std::vector<Group>& out) {
  auto key = [&](size_t i) {
    return std::tuple(parts[i].name.efi->seconds, parts[i].header.part, parts[i].name.id, parts[i].input);
  };
  std::sort(members.begin(), members.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  for (const size_t i : members) {
    const uint64_t seconds = parts[i].name.efi->seconds;
    const bool starts_new = out.empty() || out.back().parts.empty() || seconds - out.back().last_seconds > kEfiDumpSeconds ||
                            parts[i].header.part < parts[out.back().parts.back()].header.part;
    if (starts_new) {
      Group g;
      g.backend = parts[i].name.backend;
      g.backend_kind = Backend::Efi;
      g.first_seconds = seconds;
      out.push_back(std::move(g));
    }
    out.back().parts.push_back(i);
    out.back().last_seconds = seconds;
  }
}

std::vector<Group> group_parts(const std::vector<ReadPart>& parts) {
  std::vector<Group> groups;
  // backend, reason, counter, ERST anchor -> parts
  std::map<std::tuple<std::string, std::string, int32_t, uint64_t>, std::vector<size_t>> by_key;
  for (size_t i = 0; i < parts.size(); ++i) {
    const ReadPart& p = parts[i];
    if (p.name.backend_kind == Backend::Ramoops) {
      Group g;
      g.backend = p.name.backend;
      g.backend_kind = Backend::Ramoops;
      g.parts.push_back(i);
      groups.push_back(std::move(g));
      continue;
    }
    const uint64_t anchor = p.name.backend_kind == Backend::Erst ? p.name.id - p.header.part : 0;  // wraps: only a key
    by_key[{p.name.backend, p.header.reason_text, p.header.counter, anchor}].push_back(i);
  }
  for (auto& [key, members] : by_key) {
    const ReadPart& first = parts[members.front()];
    if (first.name.backend_kind == Backend::Efi) {
      // Each (reason, counter) group is cut on its own: a new group starts a new dump.
      std::vector<Group> cut;
      split_efi_group(std::move(members), parts, cut);
      for (Group& g : cut) groups.push_back(std::move(g));
      continue;
    }
    Group g;
    g.backend = first.name.backend;
    g.backend_kind = first.name.backend_kind;
    g.erst_anchor = std::get<3>(key);
    g.parts = std::move(members);
    groups.push_back(std::move(g));
  }
  return groups;
}

bool group_holds_part(const Group& g, const std::vector<ReadPart>& parts, const std::vector<UnreadPart>& unread,
                      uint32_t part) {
  for (const size_t i : g.parts)
    if (parts[i].header.part == part) return true;
  for (const size_t u : g.unread)
    if (unread[u].kept.part == part) return true;
  return false;
}

uint32_t highest_part_of(const Group& g, const std::vector<ReadPart>& parts) {
  uint32_t h = 0;
  for (const size_t i : g.parts) h = std::max(h, parts[i].header.part);
  return h;
}

// The group an unread record belongs to, by what its name says; nullopt: a dump of its own.
std::optional<size_t> home_of(UnreadPart& u, const std::vector<Group>& groups, const std::vector<ReadPart>& parts,
                              const std::vector<UnreadPart>& unread) {
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const Group& g = groups[gi];
    if (g.backend != u.name.backend || g.parts.empty()) continue;
    const ReadPart& sample = parts[g.parts.front()];
    if (u.name.backend_kind == Backend::Efi && u.name.efi) {
      const EfiRecordId& e = *u.name.efi;
      const bool same_counter = sample.header.counter >= 0 && static_cast<uint32_t>(sample.header.counter) % 1000 == e.count;
      const bool in_time = e.seconds + kEfiDumpSeconds >= g.first_seconds && e.seconds <= g.last_seconds + kEfiDumpSeconds;
      if (same_counter && in_time && e.part >= 1 && !group_holds_part(g, parts, unread, e.part)) return gi;
    } else if (u.name.backend_kind == Backend::Erst) {
      const uint64_t part = u.name.id - g.erst_anchor;  // the part this id would be
      if (part >= 1 && part <= uint64_t{highest_part_of(g, parts)} + 1 &&
          !group_holds_part(g, parts, unread, static_cast<uint32_t>(part))) {
        u.kept.part = static_cast<uint32_t>(part);
        return gi;
      }
    }
  }
  return std::nullopt;
}

std::vector<PartRange> gaps_below(uint32_t highest, std::vector<uint32_t> held) {
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  std::vector<PartRange> gaps;
  uint32_t next = 1;  // the lowest part not yet accounted for
  for (const uint32_t p : held) {
    if (p == 0 || p > highest) continue;
    if (p > next) gaps.push_back(PartRange{next, p - 1});
    next = p + 1;  // p <= highest < UINT32_MAX + 1: no wrap past highest matters
    if (p == UINT32_MAX) return gaps;
  }
  if (highest >= next) gaps.push_back(PartRange{next, highest});
  return gaps;
}

DmesgDump join_group(const Group& g, std::vector<ReadPart>& parts, std::vector<UnreadPart>& unread,
                     const std::vector<RecordFile>& records) {
  DmesgDump d;
  d.backend = g.backend;
  d.backend_kind = g.backend_kind;
  std::vector<uint32_t> held;
  auto note_file = [&](size_t input) {
    d.time = d.record_files.empty() ? records[input].mtime : std::max(d.time, records[input].mtime);
    d.record_files.push_back(records[input].name);
  };

  // Newest part last; of two records of one part, the longer text (then the name) wins.
  std::vector<size_t> order = g.parts;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const ReadPart& x = parts[a];
    const ReadPart& y = parts[b];
    if (x.header.part != y.header.part) return x.header.part > y.header.part;
    if (x.text.size() != y.text.size()) return x.text.size() > y.text.size();
    return records[x.input].name < records[y.input].name;
  });
  if (!order.empty()) {
    const ReadPart& first = parts[order.front()];
    d.cause = DumpCause{first.header.reason, first.header.reason_text, first.header.counter};
  }
  std::optional<uint32_t> previous;  // the part number last joined
  bool open_line = false;            // the text so far ends inside a line
  for (const size_t i : order) {
    ReadPart& p = parts[i];
    note_file(p.input);
    held.push_back(p.header.part);
    d.highest_part = std::max(d.highest_part, p.header.part);
    if (p.inflated) d.inflated_files.push_back(records[p.input].name);
    if (previous && *previous == p.header.part) {
      d.duplicates.push_back(DuplicatePart{records[p.input].name, p.header.part, std::move(p.text)});
      continue;
    }
    if (open_line) d.text += '\n';
    if (previous && *previous - p.header.part > 1)
      d.breaks.push_back(TextBreak{d.text.size(), p.header.part, TextBreak::Why::MissingParts});
    if (!p.text.empty() && !starts_with_printk_prefix(p.text))
      d.breaks.push_back(TextBreak{d.text.size(), p.header.part, TextBreak::Why::StartsMidLine});
    d.text_files.push_back(records[p.input].name);
    d.text += p.text;
    open_line = !p.text.empty() && p.text.back() != '\n';
    if (open_line) d.breaks.push_back(TextBreak{d.text.size(), p.header.part, TextBreak::Why::EndsMidLine});
    previous = p.header.part;
  }
  for (const size_t u : g.unread) {
    UnreadPart& r = unread[u];
    note_file(r.input);
    if (r.inflated) d.inflated_files.push_back(records[r.input].name);
    if (r.kept.part) {
      held.push_back(*r.kept.part);
      d.highest_part = std::max(d.highest_part, *r.kept.part);
    }
    d.kept.push_back(std::move(r.kept));
  }
  d.gaps = gaps_below(d.highest_part, std::move(held));
  std::sort(d.record_files.begin(), d.record_files.end());
  return d;
}

}  // namespace

DmesgAssembly assemble_dmesg_dumps(const std::vector<RecordFile>& records) {
  DmesgAssembly out;
  std::vector<ReadPart> parts;
  std::vector<UnreadPart> unread;
  size_t budget = kMaxInflatedTotalBytes;
  size_t dmesg_records = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordFile& f = records[i];
    auto name = parse_record_name(f.name);
    if (!name) {
      out.bad_names.push_back(NameProblem{f.name, name.error().reason});
      continue;
    }
    if (name->type_kind != RecordType::Dmesg) {
      out.other_records.push_back(f.name);
      continue;
    }
    if (++dmesg_records > kMaxDmesgRecords) {
      const bool compressed = name->compressed;
      unread.push_back(UnreadPart{i, std::move(*name),
                                  KeptRecord{f.name, f.bytes, compressed, std::nullopt,
                                             "more than " + std::to_string(kMaxDmesgRecords) + " dmesg records: not read"},
                                  false, false});
      continue;
    }
    UnreadPart u;
    const std::optional<uint32_t> efi_part =
        name->efi && name->efi->part >= 1 ? std::optional<uint32_t>(name->efi->part) : std::nullopt;
    if (auto p = read_part(i, f, std::move(*name), budget, u)) {
      parts.push_back(std::move(*p));
    } else {
      u.kept.part = efi_part;
      unread.push_back(std::move(u));
    }
  }

  std::vector<Group> groups = group_parts(parts);
  for (size_t u = 0; u < unread.size(); ++u) {
    const std::optional<size_t> home =
        unread[u].find_home ? home_of(unread[u], groups, parts, unread) : std::nullopt;
    if (home) {
      groups[*home].unread.push_back(u);
    } else {
      Group g;
      g.backend = unread[u].name.backend;
      g.backend_kind = unread[u].name.backend_kind;
      g.unread.push_back(u);
      groups.push_back(std::move(g));
    }
  }

  for (const Group& g : groups) out.dumps.push_back(join_group(g, parts, unread, records));
  std::sort(out.dumps.begin(), out.dumps.end(), [](const DmesgDump& a, const DmesgDump& b) {
    return std::tie(a.time, a.backend, a.record_files) < std::tie(b.time, b.backend, b.record_files);
  });
  return out;
}

}  // namespace vmcap::pstore
