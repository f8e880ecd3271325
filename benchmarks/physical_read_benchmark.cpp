// Page reads through PhysicalMemory: pread against mmap windows, sequential and random,
// on a real vmcore (VMCAP_BENCH_VMCORE=path) or a 256 MiB synthetic ELF core made here.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "elf/open_dump.h"
#include "tests/support/synthetic_vmcore.h"

namespace {

const std::string& vmcore_path() {
  static const std::string path = [] {
    if (const char* p = std::getenv("VMCAP_BENCH_VMCORE")) return std::string(p);
    std::string p = "/tmp/vmcap-bench-core.elf";
    vmcap::testing::SyntheticVmcore b;
    b.add_vmcoreinfo("PAGESIZE=4096\n");
    std::string chunk(64 << 20, '\0');
    for (size_t i = 0; i < chunk.size(); i += 4096) chunk[i] = static_cast<char>(i >> 12);
    for (uint64_t s = 0; s < 4; ++s) b.add_load(s << 30, 0, chunk);
    if (!b.write(p)) std::abort();
    return p;
  }();
  return path;
}

void read_pages(benchmark::State& state, bool use_mmap, bool random) {
  auto dump = vmcap::open_dump(vmcore_path(), {.use_mmap = use_mmap});
  if (!dump) {
    state.SkipWithError(dump.error().message().c_str());
    return;
  }
  const auto& mem = (*dump)->memory();
  std::vector<uint64_t> pages;
  for (const auto& r : mem.ranges())
    for (uint64_t a = (r.start + 4095) & ~4095ull; a + 4096 <= r.end(); a += 4096) pages.push_back(a);
  if (random) std::shuffle(pages.begin(), pages.end(), std::mt19937_64(1));
  std::vector<std::byte> buf(4096);
  size_t i = 0;
  for (auto _ : state) {
    auto r = mem.read(pages[i], buf);
    benchmark::DoNotOptimize(r);
    if (++i == pages.size()) i = 0;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 4096);
}

void BM_SequentialPread(benchmark::State& s) { read_pages(s, false, false); }
void BM_SequentialMmap(benchmark::State& s) { read_pages(s, true, false); }
void BM_RandomPread(benchmark::State& s) { read_pages(s, false, true); }
void BM_RandomMmap(benchmark::State& s) { read_pages(s, true, true); }
BENCHMARK(BM_SequentialPread);
BENCHMARK(BM_SequentialMmap);
BENCHMARK(BM_RandomPread);
BENCHMARK(BM_RandomMmap);

}  // namespace

BENCHMARK_MAIN();
