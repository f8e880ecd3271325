// memhog: realistic memory for the page filter scenarios of scripts/make-test-vmcore.sh.
// Built on the host with `gcc -static -O2` (cached by its source's hash) and put in the
// first kernel's initramfs as /bin/memhog.
//
//   memhog [--from DEV:AT_MIB:MIB[:SKIP_MIB]] RANDOM_MIB ANON_MIB [READY_FILE]
//
// 1. RANDOM_MIB > 0: maps that much anonymous memory, fills it with pseudo-random bytes
//    (xorshift64*, not zero, not compressible) and unmaps it: the pages go back to the buddy
//    allocator as free pages that are not zero.
// 2. ANON_MIB > 0: maps that much anonymous memory at a 2 MiB-aligned address with
//    MADV_HUGEPAGE (transparent huge pages where the kernel can), fills its first half with a
//    compressible pattern and its second half with pseudo-random bytes, creates READY_FILE
//    (if given) and sleeps for ever, keeping the memory: user pages at the crash.
//    ANON_MIB == 0: exits after step 1.
// --from (the realistic scenario): both regions hold real data instead of random bytes and
//    the pattern: all of each is read from DEV (O_DIRECT, straight into the region's pages:
//    no page cache) out of the MIB MiB at AT_MIB MiB, from SKIP_MIB MiB into them on, going
//    round to their start when the memory is larger (in one run step 2's region goes on where
//    step 1's stopped). Without --from nothing changes.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;

static void fill_random(uint64_t* p, size_t words) {
  uint64_t x = state;
  for (size_t i = 0; i < words; ++i) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    p[i] = x * 0x2545f4914f6cdd1dull;
  }
  state = x;
}

// --from: the source and where the next read starts (bytes into its region).
static int src_fd = -1;
static off_t src_at, src_len, src_pos;

static size_t mib_arg(const char* s, const char** end) {
  char* e;
  unsigned long long v = strtoull(s, &e, 10);
  if (end) *end = e;
  return (size_t)v << 20;
}

static void open_source(char* spec) {
  // DEV:AT_MIB:MIB[:SKIP_MIB]; DEV itself has no ':' (a /dev path).
  char* colon = strchr(spec, ':');
  const char* p;
  if (!colon) goto bad;
  *colon = 0;
  src_at = mib_arg(colon + 1, &p);
  if (*p != ':') goto bad;
  src_len = mib_arg(p + 1, &p);
  src_pos = 0;
  if (*p == ':') src_pos = mib_arg(p + 1, &p);
  if (*p || src_len <= 0) goto bad;
  src_pos %= src_len;
  src_fd = open(spec, O_RDONLY | O_DIRECT);
  if (src_fd < 0) {
    perror("memhog: open --from");
    exit(1);
  }
  return;
bad:
  fprintf(stderr, "memhog: --from DEV:AT_MIB:MIB[:SKIP_MIB], not %s\n", spec);
  exit(2);
}

// Fills [p, p + bytes) (page-aligned, whole MiB) from the source, 1 MiB a read.
static void fill_from_source(char* p, size_t bytes) {
  size_t done = 0;
  while (done < bytes) {
    size_t n = bytes - done < (1u << 20) ? bytes - done : (1u << 20);
    if ((off_t)n > src_len - src_pos) n = (size_t)(src_len - src_pos);
    ssize_t r = pread(src_fd, p + done, n, src_at + src_pos);
    if (r <= 0 || r % 512) {
      if (r < 0) perror("memhog: pread --from");
      else fprintf(stderr, "memhog: short read of the --from region (%zd bytes)\n", r);
      exit(1);
    }
    done += (size_t)r;
    src_pos += r;
    if (src_pos == src_len) src_pos = 0;
  }
}

static void* map_anon(size_t bytes, size_t align) {
  // Over-map and trim so that the mapping starts on an `align` boundary.
  char* raw = mmap(NULL, bytes + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    perror("memhog: mmap");
    exit(1);
  }
  uintptr_t start = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
  if (start > (uintptr_t)raw) munmap(raw, start - (uintptr_t)raw);
  uintptr_t end = (uintptr_t)raw + bytes + align;
  if (end > start + bytes) munmap((void*)(start + bytes), end - (start + bytes));
  return (void*)start;
}

int main(int argc, char** argv) {
  if (argc > 2 && strcmp(argv[1], "--from") == 0) {
    open_source(argv[2]);
    argv += 2;
    argc -= 2;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: memhog [--from DEV:AT_MIB:MIB[:SKIP_MIB]] RANDOM_MIB ANON_MIB [READY_FILE]\n");
    return 2;
  }
  const size_t random_bytes = strtoull(argv[1], NULL, 10) << 20;
  const size_t anon_bytes = strtoull(argv[2], NULL, 10) << 20;
  const size_t huge = 2u << 20;
  if (random_bytes) {
    uint64_t* p = map_anon(random_bytes, 4096);
    if (src_fd >= 0) fill_from_source((char*)p, random_bytes);
    else fill_random(p, random_bytes / 8);
    munmap(p, random_bytes);
  }
  if (!anon_bytes) return 0;
  char* a = map_anon(anon_bytes, huge);
  if (madvise(a, anon_bytes, MADV_HUGEPAGE) != 0) perror("memhog: madvise(MADV_HUGEPAGE)");
  if (src_fd >= 0) {
    fill_from_source(a, anon_bytes);
  } else {
    const size_t half = anon_bytes / 2;
    for (size_t i = 0; i < half; i += 64) {
      memset(a + i, 'A' + (int)((i >> 12) % 26), 56);
      memcpy(a + i + 56, "memhog\n", 8);
    }
    fill_random((uint64_t*)(a + half), (anon_bytes - half) / 8);
  }
  if (argc > 3) {
    int fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) close(fd);
  }
  for (;;) pause();
}
