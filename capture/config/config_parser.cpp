#include "capture/config/config_parser.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "capture/config/network_section.h"
#include "capture/config/secret_file.h"
#include "capture/config/spelling.h"
#include "capture/config/value_parsers.h"

namespace vmcap::config {
namespace {

struct Entry {
  int line;
  std::string key;
  std::string value;
};

struct Section {
  std::string name;
  int line;
  std::vector<Entry> entries;
};

// Every global key (docs/config.md), for "did you mean" on an unknown one.
const std::vector<std::string> kGlobalKeys = {
    "destinations",    "dump_level",     "compression",  "compression_level", "threads",
    "deadline",        "retries",        "retry_delay",  "connect_timeout",   "low_speed_limit",
    "low_speed_time",  "final_action",   "failure_action", "hostname",        "fallback_path",
    "log_level",       "pstore",         "cores_per_signature", "core_dedup_key", "index_destination",
    "core_format"};

// What a destination of one kind takes: its own keys, url and header.
std::vector<std::string> destination_keys(const std::set<std::string>& own) {
  std::vector<std::string> keys{"url", "header"};
  keys.insert(keys.end(), own.begin(), own.end());
  return keys;
}

bool valid_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

std::string strip_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

class Parser {
 public:
  explicit Parser(ParsedConfig& out) : out_(out) {}

  void problem(int line, const std::string& dest, std::string message) {
    out_.problems.push_back({line, dest, std::move(message)});
  }

  // --- global keys -------------------------------------------------------------------
  void global(const Entry& e) {
    Config& c = out_.config;
    auto set_int = [&](int& field, long long min, long long max) {
      auto v = parse_integer(e.value, min, max);
      if (v.value) field = static_cast<int>(*v.value);
      else problem(e.line, "", e.key + ": " + v.error);
    };
    auto set_duration = [&](std::chrono::milliseconds& field, std::chrono::milliseconds min,
                            std::chrono::milliseconds max) {
      auto v = parse_duration(e.value);
      if (!v.value) return problem(e.line, "", e.key + ": " + v.error);
      if (*v.value < min || *v.value > max)
        return problem(e.line, "", e.key + ": " + e.value + " is out of range " +
                                       std::to_string(min.count()) + "ms.." +
                                       std::to_string(max.count()) + "ms");
      field = *v.value;
    };
    auto set_action = [&](FinalAction& field) {
      auto v = parse_final_action(e.value);
      if (v.value) field = *v.value;
      else problem(e.line, "", e.key + ": " + v.error);
    };
    using namespace std::chrono_literals;
    const std::string& k = e.key;
    if (k == "destinations") {
      order_ = parse_name_list(e.value);
      order_line_ = e.line;
    } else if (k == "dump_level") {
      set_int(c.dump_level, 0, 31);
    } else if (k == "compression") {
      auto v = parse_compression(e.value);
      if (v.value) c.compression = *v.value;
      else problem(e.line, "", k + ": " + v.error);
      compression_line_ = e.line;
    } else if (k == "core_format") {
      auto v = parse_core_format(e.value);
      if (v.value) c.core_format = *v.value;
      else problem(e.line, "", k + ": " + v.error);
      core_format_line_ = e.line;
    } else if (k == "compression_level") {
      level_line_ = e.line;
      level_text_ = e.value;
    } else if (k == "threads") {
      set_int(c.threads, 0, 256);
    } else if (k == "deadline") {
      set_duration(c.deadline, 1s, 24h);
    } else if (k == "retries") {
      set_int(c.retries, 0, 100);
    } else if (k == "retry_delay") {
      set_duration(c.retry_delay, 0ms, 10min);
    } else if (k == "connect_timeout") {
      set_duration(c.connect_timeout, 1s, 10min);
    } else if (k == "low_speed_limit") {
      auto v = parse_size(e.value);
      if (v.value) c.low_speed_limit = *v.value;
      else problem(e.line, "", k + ": " + v.error);
    } else if (k == "low_speed_time") {
      set_duration(c.low_speed_time, 1s, 1h);
    } else if (k == "final_action") {
      set_action(c.final_action);
    } else if (k == "failure_action") {
      set_action(c.failure_action);
    } else if (k == "hostname") {
      bool good = e.value.size() <= 64 && std::all_of(e.value.begin(), e.value.end(), [](char ch) {
                    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' ||
                           ch == '_';
                  });
      if (good) c.hostname = e.value;
      else problem(e.line, "", "hostname: '" + e.value + "' is not a host name (letters, digits, . - _; at most 64)");
    } else if (k == "fallback_path") {
      if (e.value == "none") c.fallback_path.clear();
      else if (e.value.front() == '/') c.fallback_path = e.value;
      else problem(e.line, "", "fallback_path: must be an absolute path or none");
    } else if (k == "log_level") {
      auto v = parse_log_level(e.value);
      if (v.value) c.log_level = *v.value;
      else problem(e.line, "", k + ": " + v.error);
    } else if (k == "pstore") {
      auto v = parse_bool(e.value);
      if (v.value) c.pstore = *v.value;
      else problem(e.line, "", k + ": " + v.error);
    } else if (k == "cores_per_signature") {
      set_int(c.cores_per_signature, 0, 1000);
    } else if (k == "core_dedup_key") {
      if (e.value == "signature") c.core_dedup_key = CoreDedupKey::Signature;
      else if (e.value == "signature+build-id") c.core_dedup_key = CoreDedupKey::SignatureAndBuildId;
      else problem(e.line, "", k + ": '" + e.value + "' is not signature or signature+build-id");
    } else if (k == "index_destination") {
      index_name_ = e.value;
      index_line_ = e.line;
    } else {
      problem(e.line, "", "unknown key '" + k + "'" + did_you_mean(k, kGlobalKeys));
    }
  }

  // --- [arm] -------------------------------------------------------------------------
  void arm_key(const Entry& e) {
    Arm& a = out_.config.arm;
    if (!arm_seen_.insert(e.key).second) return problem(e.line, "", "[arm] '" + e.key + "' given twice");
    if (e.key == "append") {
      if (e.value.find('\n') != std::string::npos || e.value.size() > 1024)
        problem(e.line, "", "[arm] append: one line of at most 1024 characters");
      else a.append = e.value;
    } else if (e.key == "remove") {
      a.remove = parse_name_list(e.value);
    } else {
      problem(e.line, "", "[arm] unknown key '" + e.key + "'" + did_you_mean(e.key, {"append", "remove"}));
    }
  }

  // compression_level's range depends on compression, wherever either line is.
  void finish_globals() {
    core_format_against_compression();
    if (level_text_.empty()) return;
    Config& c = out_.config;
    if (c.compression == Compression::None) {
      problem(level_line_, "", "compression_level: set, but compression is none");
      return;
    }
    auto v = parse_integer(level_text_, std::numeric_limits<long long>::min(), std::numeric_limits<long long>::max());
    if (!v.value) return problem(level_line_, "", "compression_level: " + v.error);
    std::string why = compression_level_problem(c.compression, *v.value);
    if (why.empty()) c.compression_level = static_cast<int>(*v.value);
    else problem(level_line_, "", "compression_level: " + level_text_ + " is " + why);
  }

  // flat-zstd stores raw pages in zstd frames: a compression other than zstd says the writer
  // meant something else. The pair falls back to core_format's default (flat, whose memory
  // is known to fit a small capture kernel), compression kept as written.
  void core_format_against_compression() {
    Config& c = out_.config;
    if (c.core_format != CoreFormat::FlatZstd || !compression_line_ || c.compression == Compression::Zstd) return;
    problem(core_format_line_, "", std::string("core_format: flat-zstd stores raw pages in zstd frames, so compression = ") +
                                       to_string(c.compression) + " (line " + std::to_string(compression_line_) +
                                       ") does not apply: remove one of them (a capture uses core_format = flat)");
    c.core_format = CoreFormat::Flat;
  }

  // --- destinations ------------------------------------------------------------------
  // Returns the destination, or nothing when it has any problem (all are reported).
  std::optional<Destination> destination(const Section& s) {
    size_t before = out_.problems.size();
    Destination d;
    d.name = s.name;
    d.line = s.line;
    auto bad = [&](int line, std::string msg) { problem(line, s.name, std::move(msg)); };

    std::map<std::string, const Entry*> seen;
    std::vector<const Entry*> headers;
    for (const Entry& e : s.entries) {
      if (e.key == "header") {
        headers.push_back(&e);
        continue;
      }
      if (!seen.emplace(e.key, &e).second) bad(e.line, "'" + e.key + "' given twice");
    }
    auto url_it = seen.find("url");
    if (url_it == seen.end()) {
      bad(s.line, "no url");
      return std::nullopt;
    }
    const Entry& url = *url_it->second;
    d.url = url.value;
    if (!parse_url(d, url.line, bad)) return std::nullopt;

    // Which keys a kind takes (url, and header where it applies, handled apart).
    static const std::set<std::string> tls_keys = {"ca_file", "client_cert", "client_key", "insecure"};
    std::set<std::string> allowed;
    switch (d.kind) {
      case DestinationKind::File: break;
      case DestinationKind::Http:
        allowed = {"proxy", "method", "bearer_token_file", "username", "password_file"};
        allowed.insert(tls_keys.begin(), tls_keys.end());
        break;
      case DestinationKind::S3:
        allowed = {"proxy", "endpoint", "region", "access_key_file", "secret_key_file",
                   "path_style", "part_size"};
        allowed.insert(tls_keys.begin(), tls_keys.end());
        break;
      case DestinationKind::Sftp: allowed = {"proxy", "identity_file", "known_hosts"}; break;
    }
    const bool plain_http = d.url.rfind("http://", 0) == 0;
    for (const auto& [key, e] : seen) {
      if (key == "url") continue;
      if (!allowed.count(key)) {
        static const std::vector<std::string> known = {
            "proxy", "method", "bearer_token_file", "username", "password_file", "endpoint",
            "region", "access_key_file", "secret_key_file", "path_style", "part_size",
            "identity_file", "known_hosts", "ca_file", "client_cert", "client_key", "insecure"};
        if (std::find(known.begin(), known.end(), key) != known.end())
          bad(e->line, "'" + key + "' does not apply to a " + to_string(d.kind) + " destination");
        else
          bad(e->line, "unknown key '" + key + "'" + did_you_mean(key, destination_keys(allowed)));
        continue;
      }
      if (plain_http && tls_keys.count(key)) {
        bad(e->line, "'" + key + "' needs an https:// url");
        continue;
      }
      apply(d, key, *e, bad);
    }
    for (const Entry* h : headers) {
      if (d.kind != DestinationKind::Http && d.kind != DestinationKind::S3) {
        bad(h->line, "'header' does not apply to a " + std::string(to_string(d.kind)) + " destination");
        continue;
      }
      add_header(d, *h, bad);
    }
    require(d, s, seen, bad);
    if (out_.problems.size() != before) return std::nullopt;
    return d;
  }

  template <class Bad>
  bool parse_url(Destination& d, int line, Bad& bad) {
    const std::string& u = d.url;
    auto scheme_end = u.find("://");
    if (scheme_end == std::string::npos) {
      bad(line, "url: '" + u + "' has no scheme (file://, http://, https://, s3://, sftp://)");
      return false;
    }
    std::string scheme = u.substr(0, scheme_end);
    std::string rest = u.substr(scheme_end + 3);
    if (rest.find_first_of(" \t\"'\\") != std::string::npos) {
      bad(line, "url: blanks, quotes and backslashes are not allowed");
      return false;
    }
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    std::string path = slash == std::string::npos ? "" : rest.substr(slash);
    if (scheme == "file") {
      if (!authority.empty() || path.empty()) {
        bad(line, "url: a file url is file:///ABSOLUTE/PATH");
        return false;
      }
      d.kind = DestinationKind::File;
      d.path = path;
      while (d.path.size() > 1 && d.path.back() == '/') d.path.pop_back();
    } else if (scheme == "http" || scheme == "https") {
      if (authority.empty() || authority.find('@') != std::string::npos) {
        bad(line, "url: needs a host, and no user (use username/password_file)");
        return false;
      }
      d.kind = DestinationKind::Http;
      d.prefix = strip_slashes(path);
    } else if (scheme == "s3") {
      bool good = !authority.empty() && std::all_of(authority.begin(), authority.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
               c == '-' || c == '.';
      });
      if (!good) {
        bad(line, "url: s3://BUCKET/PREFIX needs a bucket name (lower case, digits, . -)");
        return false;
      }
      d.kind = DestinationKind::S3;
      d.bucket = authority;
      d.prefix = strip_slashes(path);
    } else if (scheme == "sftp") {
      auto at = authority.find('@');
      if (at == std::string::npos || at == 0 || at + 1 == authority.size()) {
        bad(line, "url: an sftp url is sftp://USER@HOST[:PORT]/PATH");
        return false;
      }
      if (authority.find(':') < at) {
        bad(line, "url: no password in the url: sftp uses identity_file");
        return false;
      }
      d.kind = DestinationKind::Sftp;
      d.prefix = strip_slashes(path);
    } else {
      bad(line, "url: unsupported scheme '" + scheme + "' (file, http, https, s3, sftp)");
      return false;
    }
    return true;
  }

  template <class Bad>
  void apply(Destination& d, const std::string& key, const Entry& e, Bad& bad) {
    auto secret = [&](Secret& s) {
      auto v = read_secret_file(e.value);
      if (v.value) s = Secret{e.value, std::move(*v.value)};
      else bad(e.line, key + ": " + v.error);
    };
    auto readable = [&](std::string& field) {
      auto v = check_readable_file(e.value);
      if (v.value) field = e.value;
      else bad(e.line, key + ": " + v.error);
    };
    auto private_file = [&](std::string& field) {
      auto v = check_private_file(e.value);
      if (v.value) field = e.value;
      else bad(e.line, key + ": " + v.error);
    };
    if (key == "proxy") {
      if (e.value.find("://") == std::string::npos)
        bad(e.line, "proxy: expected a url like http://proxy:3128");
      else d.proxy = e.value;
    } else if (key == "method") {
      auto v = parse_http_method(e.value);
      if (v.value) d.method = *v.value;
      else bad(e.line, "method: " + v.error);
    } else if (key == "bearer_token_file") {
      secret(d.bearer_token);
    } else if (key == "username") {
      if (e.value.find(':') != std::string::npos) bad(e.line, "username: no ':' allowed");
      else d.username = e.value;
    } else if (key == "password_file") {
      secret(d.password);
    } else if (key == "endpoint") {
      if (e.value.rfind("https://", 0) != 0 && e.value.rfind("http://", 0) != 0)
        bad(e.line, "endpoint: expected https://HOST[:PORT]");
      else {
        d.endpoint = e.value;
        while (!d.endpoint.empty() && d.endpoint.back() == '/') d.endpoint.pop_back();
      }
    } else if (key == "region") {
      if (!valid_name(e.value)) bad(e.line, "region: expected a region name like eu-west-1");
      else d.region = e.value;
    } else if (key == "access_key_file") {
      secret(d.access_key);
    } else if (key == "secret_key_file") {
      secret(d.secret_key);
    } else if (key == "path_style") {
      auto v = parse_bool(e.value);
      if (v.value) d.path_style = *v.value;
      else bad(e.line, "path_style: " + v.error);
    } else if (key == "part_size") {
      auto v = parse_size(e.value);
      if (!v.value) bad(e.line, "part_size: " + v.error);
      else if (*v.value < (5ull << 20) || *v.value > (5ull << 30))
        bad(e.line, "part_size: S3 parts are 5M..5G");
      else d.part_size = *v.value;
    } else if (key == "identity_file") {
      private_file(d.identity_file);
    } else if (key == "known_hosts") {
      readable(d.known_hosts);
    } else if (key == "ca_file") {
      readable(d.tls.ca_file);
    } else if (key == "client_cert") {
      readable(d.tls.client_cert);
    } else if (key == "client_key") {
      private_file(d.tls.client_key);
    } else if (key == "insecure") {
      auto v = parse_bool(e.value);
      if (v.value) d.tls.insecure = *v.value;
      else bad(e.line, "insecure: " + v.error);
    }
  }

  template <class Bad>
  void add_header(Destination& d, const Entry& e, Bad& bad) {
    auto colon = e.value.find(':');
    std::string name = colon == std::string::npos ? "" : std::string(trim(e.value.substr(0, colon)));
    std::string value = colon == std::string::npos ? "" : std::string(trim(e.value.substr(colon + 1)));
    bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
    if (!token) return bad(e.line, "header: expected 'Name: value'");
    std::string lname = name;
    for (char& c : lname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lname == "authorization" || lname == "proxy-authorization")
      return bad(e.line, "header: no credentials in the config; use bearer_token_file or username/password_file");
    d.headers.emplace_back(name, value);
  }

  template <class Bad>
  void require(Destination& d, const Section& s, const std::map<std::string, const Entry*>& seen,
               Bad& bad) {
    auto need = [&](const char* key) {
      if (!seen.count(key)) bad(s.line, std::string("missing '") + key + "' for a " + to_string(d.kind) + " destination");
    };
    if (d.kind == DestinationKind::S3) {
      need("region");
      need("access_key_file");
      need("secret_key_file");
      if (d.endpoint.empty() && !d.region.empty()) d.endpoint = "https://s3." + d.region + ".amazonaws.com";
    } else if (d.kind == DestinationKind::Sftp) {
      need("identity_file");
      need("known_hosts");
    } else if (d.kind == DestinationKind::Http) {
      if (seen.count("username") != seen.count("password_file"))
        bad(s.line, "username and password_file go together");
      if (seen.count("bearer_token_file") && seen.count("username"))
        bad(s.line, "choose one of bearer_token_file and username/password_file");
    }
  }

  // --- the file ------------------------------------------------------------------------
  void run(std::string_view text) {
    std::vector<Section> sections;
    std::set<std::string> global_keys;
    bool in_section = false, section_valid = false;
    bool in_network = false;  // in [network] (section_valid stays false: no destination)
    int network_line = 0;
    bool in_arm = false;  // in [arm]
    int arm_line = 0;
    std::vector<NetworkEntry> network_entries;
    int lineno = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
      ++lineno;
      std::string_view line = trim(raw);
      if (line.empty() || line.front() == '#' || line.front() == ';') continue;
      if (line.front() == '[') {
        in_section = true;
        section_valid = false;
        in_network = false;
        in_arm = false;
        if (line.back() != ']') {
          problem(lineno, "", "section header without ']'");
          continue;
        }
        auto words = parse_name_list(line.substr(1, line.size() - 2));
        if (words.size() == 1 && words[0] == "network") {
          if (network_line) {
            problem(lineno, "", "[network] already given on line " + std::to_string(network_line));
            continue;
          }
          network_line = lineno;
          in_network = true;
          continue;
        }
        if (words.size() == 1 && words[0] == "arm") {
          if (arm_line) {
            problem(lineno, "", "[arm] already given on line " + std::to_string(arm_line));
            continue;
          }
          arm_line = out_.config.arm.line = lineno;
          in_arm = true;
          continue;
        }
        if (words.size() != 2 || words[0] != "destination") {
          problem(lineno, "", "expected [destination NAME], [network] or [arm], got " + std::string(line));
          continue;
        }
        if (!valid_name(words[1])) {
          problem(lineno, "", "destination name '" + words[1] + "': letters, digits, - and _ only");
          continue;
        }
        auto dup = std::find_if(sections.begin(), sections.end(),
                                [&](const Section& s) { return s.name == words[1]; });
        if (dup != sections.end()) {
          problem(lineno, words[1], "destination '" + words[1] + "' already defined on line " +
                                        std::to_string(dup->line));
          continue;
        }
        sections.push_back({words[1], lineno, {}});
        section_valid = true;
        continue;
      }
      auto eq = line.find('=');
      if (eq == std::string_view::npos) {
        problem(lineno, in_section && section_valid ? sections.back().name : "",
                "expected 'key = value', got '" + std::string(line) + "'");
        continue;
      }
      Entry e{lineno, std::string(trim(line.substr(0, eq))), std::string(trim(line.substr(eq + 1)))};
      std::string where = in_section && section_valid ? sections.back().name : "";
      if (e.key.empty()) {
        problem(lineno, where, "a line with no key");
        continue;
      }
      if (e.value.empty()) {
        problem(lineno, where, e.key + ": empty value");
        continue;
      }
      if (!in_section) {
        if (!global_keys.insert(e.key).second) {
          problem(lineno, "", "'" + e.key + "' given twice");
          continue;
        }
        global(e);
      } else if (section_valid) {
        sections.back().entries.push_back(std::move(e));
      } else if (in_network) {
        network_entries.push_back({e.line, std::move(e.key), std::move(e.value)});
      } else if (in_arm) {
        arm_key(e);
      }
      // keys under a broken section header: that header's problem already says so
    }
    finish_globals();
    if (network_line)
      out_.config.network = parse_network_section(network_line, network_entries, out_.config.hostname, out_.problems);

    std::map<std::string, Destination> good;
    for (const Section& s : sections)
      if (auto d = destination(s)) good.emplace(s.name, std::move(*d));

    if (order_line_) {
      std::set<std::string> listed;
      for (const std::string& name : order_) {
        bool defined = std::any_of(sections.begin(), sections.end(),
                                   [&](const Section& s) { return s.name == name; });
        if (!defined) problem(order_line_, "", "destinations: '" + name + "' has no [destination " + name + "] section");
        else if (!listed.insert(name).second) problem(order_line_, "", "destinations: '" + name + "' listed twice");
        else if (good.count(name)) out_.config.destinations.push_back(good.at(name));
      }
      for (const Section& s : sections)
        if (!listed.count(s.name) && s.name != index_name_)  // the index's may hold the index only
          problem(s.line, s.name, "destination '" + s.name + "' is not in 'destinations'");
    } else {
      for (const Section& s : sections)
        if (good.count(s.name)) out_.config.destinations.push_back(good.at(s.name));
    }
    if (index_line_) {
      bool defined = std::any_of(sections.begin(), sections.end(), [&](const Section& s) { return s.name == index_name_; });
      if (!defined)
        problem(index_line_, "", "index_destination: '" + index_name_ + "' has no [destination " + index_name_ + "] section");
      else if (good.count(index_name_) && good.at(index_name_).kind == DestinationKind::Http)
        problem(index_line_, "", "index_destination: '" + index_name_ +
                                     "' is an http destination, which cannot be listed: name a file, sftp or s3 one");
      else if (good.count(index_name_))
        out_.config.index_destination = good.at(index_name_);
    }
    std::stable_sort(out_.problems.begin(), out_.problems.end(),
                     [](const Problem& a, const Problem& b) { return a.line < b.line; });
  }

 private:
  std::set<std::string> arm_seen_;
  ParsedConfig& out_;
  std::vector<std::string> order_;
  int order_line_ = 0;
  int level_line_ = 0;
  std::string level_text_;
  int compression_line_ = 0;
  int core_format_line_ = 0;
  std::string index_name_;
  int index_line_ = 0;
};

}  // namespace

ParsedConfig parse_config(std::string_view text, const std::string& /*file*/) {
  ParsedConfig out;
  Parser(out).run(text);
  return out;
}

Result<ParsedConfig> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::Io, path, std::nullopt, std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_config(buf.str(), path);
}

std::string format_problem(const std::string& file, const Problem& p) {
  std::string out = file;
  if (p.line > 0) out += ":" + std::to_string(p.line);
  out += ": ";
  if (!p.destination.empty()) out += "[destination " + p.destination + "] ";
  return out + p.message;
}

}  // namespace vmcap::config
