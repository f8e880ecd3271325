// What /etc/vmcap.conf says, as values (docs/config.md). Parsing lives in
// config_parser.h; every field here has the default vmcap uses when the file is silent.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vmcap::config {

enum class FinalAction { Reboot, Poweroff, Halt, Shell, None };
enum class Compression { Zstd, Zlib, None };
enum class LogLevel { Error, Warn, Info, Debug };
enum class HttpMethod { Put, PostMultipart };
enum class DestinationKind { File, Http, S3, Sftp };
enum class CoreDedupKey { Signature, SignatureAndBuildId };
// The uploaded core: the flattened kdump (`flat`, pages compressed one by one) or the same
// stream with raw pages in independent zstd frames and a seek table (`flat-zstd`).
enum class CoreFormat { Flat, FlatZstd };

// TLS for https:// and s3 endpoints. Verification is off only when `insecure = yes`.
struct TlsOptions {
  std::string ca_file;      // empty: the system's CA store
  std::string client_cert;  // PEM
  std::string client_key;   // PEM, a secret: mode 0600 or stricter
  bool insecure = false;
};

// A secret is read from its own file at load time; the file name is kept for messages,
// the value never leaves the upload layer (no logs, no manifest).
struct Secret {
  std::string file;
  std::string value;
  bool empty() const { return value.empty(); }
};

struct Destination {
  std::string name;  // from `[destination NAME]`
  DestinationKind kind = DestinationKind::File;
  std::string url;   // as written
  int line = 0;      // where its section starts, for messages

  // file://PATH
  std::string path;

  // http(s)://
  HttpMethod method = HttpMethod::Put;
  std::vector<std::pair<std::string, std::string>> headers;  // `header = Name: value`
  Secret bearer_token;
  std::string username;
  Secret password;

  // s3://BUCKET/PREFIX
  std::string bucket;
  std::string prefix;    // also the path part of sftp:// and http(s):// URLs (no slashes at the ends)
  std::string endpoint;  // https://s3.REGION.amazonaws.com unless set
  std::string region;
  Secret access_key;
  Secret secret_key;
  bool path_style = false;
  uint64_t part_size = 16ull << 20;  // S3 multipart part size

  // sftp://USER@HOST[:PORT]/PATH
  std::string identity_file;  // private key, a secret file
  std::string known_hosts;    // required: the host key is always checked

  // network destinations
  TlsOptions tls;
  std::string proxy;  // empty: none (environment proxies are ignored in a capture kernel)
};

// An IPv4 address as its four octets, in the order they are written (network order).
struct Ipv4Address {
  std::array<uint8_t, 4> octets{};
  bool operator==(const Ipv4Address&) const = default;
  bool is_zero() const { return octets == std::array<uint8_t, 4>{}; }
  std::string to_string() const {
    return std::to_string(octets[0]) + "." + std::to_string(octets[1]) + "." +
           std::to_string(octets[2]) + "." + std::to_string(octets[3]);
  }
};

// `[network]`: how the capture kernel's own initramfs brings the network up before
// uploading (initramfs/network). Absent section: vmcap sets nothing up.
struct Network {
  std::string interface;  // empty: "auto", the first non-loopback interface that exists
  bool dhcp = true;       // false: the static address below
  Ipv4Address address;    // static only
  int prefix_length = 0;  // static only, 1..32
  std::optional<Ipv4Address> gateway;  // static only
  std::vector<Ipv4Address> dns;        // empty: with dhcp, the lease's servers
  std::vector<std::string> modules;    // kernel modules the image loads before bring-up
  std::chrono::milliseconds timeout = std::chrono::seconds(30);  // link, then DHCP lease
  std::string hostname;  // the global `hostname`, sent in DHCP option 12 when set
  int line = 0;          // where the section starts, for messages
};

// `[arm]`: what `vmcap arm` changes in the capture kernel's command line (docs/arming.md),
// beside its own rules.
struct Arm {
  std::string append;               // words added at the end, as written (quotes kept)
  std::vector<std::string> remove;  // parameter names dropped ("quiet", "mitigations")
  int line = 0;
};

struct Config {
  std::optional<Network> network;         // no [network] section: no network set-up
  Arm arm;
  std::vector<Destination> destinations;  // in the order they are tried
  int dump_level = 31;                    // makedumpfile's -d mask
  Compression compression = Compression::Zstd;
  int compression_level = 0;  // 0: the writer's default for the method
  // flat-zstd is about 25% smaller at -d 31 but holds frames in memory (docs/filter.md): the
  // default stays flat, whose memory a 96M crashkernel is known to fit. With flat-zstd the pages
  // are stored raw, so `compression` is not used; compression_level is the frames' zstd level.
  CoreFormat core_format = CoreFormat::Flat;
  int threads = 1;  // 0: one per CPU
  std::chrono::milliseconds deadline = std::chrono::minutes(15);
  int retries = 3;  // extra attempts per artifact and destination
  std::chrono::milliseconds retry_delay = std::chrono::seconds(1);  // first backoff, doubled each time
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  uint64_t low_speed_limit = 1024;  // bytes/s below which a transfer is "stalled" ...
  std::chrono::milliseconds low_speed_time = std::chrono::seconds(30);  // ... for this long
  FinalAction final_action = FinalAction::Reboot;
  FinalAction failure_action = FinalAction::Reboot;
  std::string hostname;  // empty: the crashed kernel's own
  std::string fallback_path = "/var/crash";  // local last resort for the log; empty: none
  LogLevel log_level = LogLevel::Info;
  // vmcap arm turns crash_kexec_post_notifiers on, so a panic also writes the log to pstore
  // before kdump runs: the next boot's vmcap pstore has it when the capture kernel fails.
  bool pstore = false;
  // One core per bug (docs/index.md): 0 keeps every core; N skips it when N captures of
  // the same key already hold one in the crash index.
  int cores_per_signature = 0;
  CoreDedupKey core_dedup_key = CoreDedupKey::Signature;
  // `index_destination = NAME`: the file, sftp or s3 destination that holds the crash index
  // of every capture and is read for cores_per_signature (else: the destinations that can
  // be listed hold their captures' entries, the first of them is read).
  std::optional<Destination> index_destination;
};

// Names as written in the file (for messages and check-config's summary).
const char* to_string(FinalAction);
const char* to_string(Compression);
const char* to_string(LogLevel);
const char* to_string(HttpMethod);
const char* to_string(DestinationKind);
const char* to_string(CoreDedupKey);
const char* to_string(CoreFormat);

}  // namespace vmcap::config
