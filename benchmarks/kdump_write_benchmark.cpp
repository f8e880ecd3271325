// Writing a real vmcore as kdump-compressed: zstd levels 1/3/5 and zlib 1, 1 and 2 threads
// (and more with --threads), every page kept (makedumpfile -d 0's work), beside
// makedumpfile -c / -l -d 0 on the same file. Each run is a child process, so the peak RSS
// printed is that run's own. Run warm (the vmcore in the page cache): the first pass only
// warms up.
//   kdump_write_benchmark VMCORE [OUT_DIR] [--repeat N] [--threads LIST]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "capture/writer/file_sink.h"
#include "capture/writer/kdump_writer.h"
#include "capture/writer/note_block.h"
#include "capture/writer/page_reader.h"
#include "elf/open_dump.h"

namespace {

using namespace vmcap;

struct Run {
  double seconds = 0;
  uint64_t bytes = 0;
  long rss_kib = 0;
  bool ok = false;
};

// Runs f in a child; wall time, its exit status and its own peak RSS.
template <class F>
Run in_child(F f) {
  Run r;
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) _exit(f() ? 0 : 1);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.rss_kib = ru.ru_maxrss;
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string vmcore, out_dir = std::filesystem::temp_directory_path().string();
  int repeat = 3;
  std::vector<unsigned> thread_counts = {1, 2};
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else if (a == "--threads" && i + 1 < argc) {
      thread_counts.clear();
      std::istringstream in(argv[++i]);
      for (std::string t; std::getline(in, t, ',');) thread_counts.push_back(std::stoul(t));
    } else positional.push_back(a);
  }
  if (positional.empty() && std::getenv("VMCAP_BENCH_VMCORE")) positional.push_back(std::getenv("VMCAP_BENCH_VMCORE"));
  if (positional.empty()) {
    std::fprintf(stderr, "usage: %s VMCORE [OUT_DIR] [--repeat N] [--threads 1,2]\n", argv[0]);
    return 2;
  }
  vmcore = positional[0];
  if (positional.size() > 1) out_dir = positional[1];
  auto dump = open_dump(vmcore);
  if (!dump) {
    std::fprintf(stderr, "%s\n", dump.error().message().c_str());
    return 1;
  }
  const Dump& d = **dump;
  const uint64_t end = held_pfn_end(d.memory(), 4096);
  const PfnBitmap all = held_pfns(d.memory(), 4096, end);
  const double in_mib = all.count() * 4096.0 / 1048576.0;
  KdumpHeaderFields fields;
  fields.machine = "x86_64";
  fields.release = "bench";
  fields.notes = encode_note_block(d.notes());
  const std::string out = out_dir + "/vmcap-bench-" + std::to_string(getpid()) + ".kdump";

  std::printf("%s: %llu pages (%.0f MiB) kept, %d runs each, median\n", vmcore.c_str(),
              (unsigned long long)all.count(), in_mib, repeat);
  std::printf("%-26s %8s %9s %10s %7s %9s\n", "writer", "seconds", "MiB/s", "out MiB", "ratio", "RSS MiB");
  auto report = [&](const std::string& name, const std::vector<Run>& runs) {
    std::vector<double> t;
    for (const Run& r : runs) t.push_back(r.seconds);
    const Run& last = runs.back();
    if (!last.ok) {
      std::printf("%-26s failed\n", name.c_str());
      return;
    }
    const double s = median(t);
    long rss = 0;
    for (const Run& r : runs) rss = std::max(rss, r.rss_kib);
    std::printf("%-26s %8.2f %9.0f %10.1f %7.2f %9.1f\n", name.c_str(), s, in_mib / s,
                last.bytes / 1048576.0, in_mib * 1048576.0 / std::max<uint64_t>(1, last.bytes), rss / 1024.0);
    std::fflush(stdout);
  };

  struct Config { Compression c; int level; };
  const Config configs[] = {{Compression::Zstd, 1}, {Compression::Zstd, 3}, {Compression::Zstd, 5},
                            {Compression::Zlib, 1}};
  bool warmed = false;
  for (const Config& c : configs) {
    for (unsigned threads : thread_counts) {
      std::vector<Run> runs;
      for (int i = 0; i < repeat + (warmed ? 0 : 1); ++i) {
        Run r = in_child([&] {
          auto sink = FileSink::create(out);
          if (!sink) return false;
          WriteOptions o;
          o.compression = c.c;
          o.level = c.level;
          o.threads = threads;
          auto w = write_kdump(d.memory(), all, fields, o, **sink);
          if (!w) std::fprintf(stderr, "%s\n", w.error().message().c_str());
          return bool(w);
        });
        r.bytes = std::filesystem::exists(out) ? std::filesystem::file_size(out) : 0;
        std::filesystem::remove(out);
        if (!warmed) { warmed = true; continue; }
        runs.push_back(r);
      }
      report(std::string("vmcap ") + compression_name(c.c) + " -" + std::to_string(c.level) +
                 " threads " + std::to_string(threads), runs);
    }
  }
  // makedumpfile doing the same job (-d 0: every page), single-threaded.
  for (const char* flag : {"-c", "-l"}) {
    if (std::system("command -v makedumpfile > /dev/null 2>&1") != 0) break;
    std::vector<Run> runs;
    for (int i = 0; i < repeat; ++i) {
      Run r = in_child([&] {
        const std::string cmd = std::string("exec makedumpfile ") + flag + " -d 0 " + vmcore + " " + out + " > /dev/null 2>&1";
        return std::system(cmd.c_str()) == 0;
      });
      r.bytes = std::filesystem::exists(out) ? std::filesystem::file_size(out) : 0;
      std::filesystem::remove(out);
      runs.push_back(r);
    }
    report(std::string("makedumpfile ") + flag + " -d 0", runs);
  }
  return 0;
}
