// The plain C reference pvm is measured against (npm run bench):
//   reference PID bulk ADDR SIZE CHUNK     process_vm_readv in CHUNK-byte calls into a reused buffer
//   reference PID scatter ADDR SIZE N      N 8-byte reads at pseudo-random offsets, 1024 iovecs per call
//   reference PID chase TABLE 0 N          read N pointers at TABLE in one call, then the u64 each points to, summed
//   reference PID scan ADDR SIZE CHUNK NEEDLE
//                                          find NEEDLE in [ADDR, ADDR+SIZE): CHUNK-byte process_vm_readv calls into a
//                                          reused buffer overlapping by len(NEEDLE)-1, memmem; check = hits and their sum;
//                                          NEEDLE hex:07000000 gives bytes
//   reference PID scan2 ADDR SIZE CHUNK NEEDLE
//                                          the same scan on two threads, each taking half of the chunks (what two
//                                          cores give C on this machine: the ceiling for pvm's scan on two threads)
//   reference 0 filescan ADDR SIZE CHUNK NEEDLE FILE:OFFSET
//                                          the same scan over a core file: the bytes of [ADDR, ADDR+SIZE) lie at OFFSET
//   reference PID copy ADDR SIZE CHUNK FILE   process_vm_readv in CHUNK-byte calls, each written to FILE (new) with pwrite
//   reference PID u32scan ADDR SIZE CHUNK VALUE
//                                          find u32 VALUE at 4-aligned addresses: CHUNK-byte process_vm_readv calls into
//                                          a reused buffer, an aligned compare loop; check = hits and their sum
// Prints {"ns":…,"bytes":…,"calls":…,"check":…}; `check` lets the bench compare results.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/** One thread's part of scan2: chunks [from, to) of [base, base + size), each read with the needle's overlap. */
struct half {
  int pid;
  uintptr_t base;
  size_t size, from, to, chunk, length;
  const char *needle;
  uint64_t hits, sum, calls, bytes;
  int failed;
};

static void *scan_half(void *argument) {
  struct half *h = argument;
  size_t overlap = h->length - 1;
  char *buffer = malloc(h->chunk + overlap);
  for (size_t at = h->from; at < h->to; at += h->chunk) {
    size_t search = h->size - at < h->chunk ? h->size - at : h->chunk;
    size_t n = search + overlap <= h->size - at ? search + overlap : h->size - at;
    struct iovec local = { buffer, n }, remote = { (void *)(h->base + at), n };
    h->calls++;
    if (process_vm_readv(h->pid, &local, 1, &remote, 1, 0) != (ssize_t)n) {
      h->failed = 1;
      break;
    }
    h->bytes += search;
    for (char *p = buffer, *end = buffer + n; (p = memmem(p, (size_t)(end - p), h->needle, h->length)) != NULL; p++) {
      if ((size_t)(p - buffer) >= search) break;
      h->hits++;
      h->sum += h->base + at + (uint64_t)(p - buffer);
    }
  }
  free(buffer);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 6 && !(argc == 7 && (strcmp(argv[2], "scan") == 0 || strcmp(argv[2], "scan2") == 0 || strcmp(argv[2], "u32scan") == 0 || strcmp(argv[2], "copy") == 0)) && !(argc == 8 && strcmp(argv[2], "filescan") == 0)) return 2;
  int pid = atoi(argv[1]);
  uintptr_t base = strtoull(argv[3], NULL, 0);
  size_t size = strtoull(argv[4], NULL, 0);
  size_t param = strtoull(argv[5], NULL, 0);
  uint64_t check = 0, calls = 0, bytes = 0;
  uint64_t start = now_ns();
  if (strcmp(argv[2], "bulk") == 0) {
    char *buffer = malloc(param);
    for (size_t at = 0; at < size; at += param) {
      size_t n = size - at < param ? size - at : param;
      struct iovec local = { buffer, n }, remote = { (void *)(base + at), n };
      ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
      calls++;
      if (got != (ssize_t)n) return 1;
      bytes += (uint64_t)got;
      for (size_t k = 0; k < n; k += 4096) check += (uint8_t)buffer[k];  // independent of the chunk size
    }
    free(buffer);
  } else if (strcmp(argv[2], "copy") == 0) {
    unlink(argv[6]);
    int fd = open(argv[6], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char *buffer = malloc(param);
    if (fd < 0 || buffer == NULL) return 1;
    for (size_t at = 0; at < size; at += param) {
      size_t n = size - at < param ? size - at : param;
      struct iovec local = { buffer, n }, remote = { (void *)(base + at), n };
      ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
      calls++;
      if (got != (ssize_t)n || pwrite(fd, buffer, n, (off_t)at) != (ssize_t)n) return 1;
      bytes += n;
    }
    close(fd);
    free(buffer);
    check = bytes;
  } else if (strcmp(argv[2], "scan") == 0 || strcmp(argv[2], "filescan") == 0) {
    // From the process, or from a core file holding the same bytes at an offset.
    int fd = -1;
    off_t offset = 0;
    if (argv[2][0] == 'f') {
      char *colon = strrchr(argv[7], ':');
      if (colon == NULL) return 2;
      *colon = '\0';
      offset = (off_t)strtoull(colon + 1, NULL, 0);
      fd = open(argv[7], O_RDONLY);
      if (fd < 0) return 1;
    }
    // NEEDLE as text, or as bytes written hex:0700 (a needle with zero bytes).
    char *needle = argv[6];
    size_t length = strlen(needle);
    if (strncmp(needle, "hex:", 4) == 0) {
      length = (length - 4) / 2;
      for (size_t i = 0; i < length; i++) sscanf(argv[6] + 4 + 2 * i, "%2hhx", &needle[i]);
    }
    size_t overlap = length - 1;
    char *buffer = malloc(param + overlap);
    uint64_t hits = 0, sum = 0;
    for (size_t at = 0; at < size; at += param) {
      size_t search = size - at < param ? size - at : param;
      size_t n = search + overlap <= size - at ? search + overlap : size - at;
      struct iovec local = { buffer, n }, remote = { (void *)(base + at), n };
      ssize_t got = fd >= 0 ? pread(fd, buffer, n, offset + (off_t)at) : process_vm_readv(pid, &local, 1, &remote, 1, 0);
      calls++;
      if (got != (ssize_t)n) return 1;
      bytes += (uint64_t)search;
      for (char *p = buffer, *end = buffer + n; (p = memmem(p, (size_t)(end - p), needle, length)) != NULL; p++) {
        if ((size_t)(p - buffer) >= search) break;
        hits++;
        sum += base + at + (uint64_t)(p - buffer);
      }
    }
    free(buffer);
    printf("{\"ns\":%llu,\"bytes\":%llu,\"calls\":%llu,\"check\":\"%llu hits, sum %llu\"}\n", (unsigned long long)(now_ns() - start),
           (unsigned long long)bytes, (unsigned long long)calls, (unsigned long long)hits, (unsigned long long)sum);
    return 0;
  } else if (strcmp(argv[2], "scan2") == 0) {
    size_t chunks = (size + param - 1) / param, middle = (chunks / 2) * param;
    struct half halves[2] = {
      { pid, base, size, 0, middle, param, strlen(argv[6]), argv[6], 0, 0, 0, 0, 0 },
      { pid, base, size, middle, size, param, strlen(argv[6]), argv[6], 0, 0, 0, 0, 0 },
    };
    pthread_t second;
    if (pthread_create(&second, NULL, scan_half, &halves[1]) != 0) return 1;
    scan_half(&halves[0]);
    pthread_join(second, NULL);
    if (halves[0].failed || halves[1].failed) return 1;
    printf("{\"ns\":%llu,\"bytes\":%llu,\"calls\":%llu,\"check\":\"%llu hits, sum %llu\"}\n", (unsigned long long)(now_ns() - start),
           (unsigned long long)(halves[0].bytes + halves[1].bytes), (unsigned long long)(halves[0].calls + halves[1].calls),
           (unsigned long long)(halves[0].hits + halves[1].hits), (unsigned long long)(halves[0].sum + halves[1].sum));
    return 0;
  } else if (strcmp(argv[2], "u32scan") == 0) {
    uint32_t value = (uint32_t)strtoul(argv[6], NULL, 0), *buffer = malloc(param);
    uint64_t hits = 0, sum = 0;
    for (size_t at = 0; at < size; at += param) {
      size_t n = size - at < param ? size - at : param;
      struct iovec local = { buffer, n }, remote = { (void *)(base + at), n };
      if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)n) return 1;
      calls++;
      bytes += n;
      for (size_t i = 0; i < n / 4; i++) {
        if (buffer[i] == value) {
          hits++;
          sum += base + at + i * 4;
        }
      }
    }
    free(buffer);
    printf("{\"ns\":%llu,\"bytes\":%llu,\"calls\":%llu,\"check\":\"%llu hits, sum %llu\"}\n", (unsigned long long)(now_ns() - start),
           (unsigned long long)bytes, (unsigned long long)calls, (unsigned long long)hits, (unsigned long long)sum);
    return 0;
  } else if (strcmp(argv[2], "chase") == 0) {
    size_t count = param;
    uint64_t *pointers = malloc(count * 8), *values = malloc(count * 8);
    struct iovec local = { pointers, count * 8 }, remote[1024] = { { (void *)base, count * 8 } };
    if (process_vm_readv(pid, &local, 1, remote, 1, 0) != (ssize_t)(count * 8)) return 1;
    calls++;
    for (size_t done = 0; done < count;) {
      size_t batch = count - done < 1024 ? count - done : 1024;
      for (size_t i = 0; i < batch; i++) remote[i] = (struct iovec){ (void *)pointers[done + i], 8 };
      local = (struct iovec){ values + done, batch * 8 };
      if (process_vm_readv(pid, &local, 1, remote, batch, 0) != (ssize_t)(batch * 8)) return 1;
      calls++;
      done += batch;
    }
    for (size_t i = 0; i < count; i++) check += values[i];
    bytes = count * 16;
    free(pointers);
    free(values);
  } else {
    size_t count = param;
    uint64_t *values = malloc(count * 8);
    struct iovec local, remote[1024];
    uint64_t state = 88172645463325252ull;
    for (size_t done = 0; done < count;) {
      size_t batch = count - done < 1024 ? count - done : 1024;
      for (size_t i = 0; i < batch; i++) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;  // xorshift64
        remote[i].iov_base = (void *)(base + (state % (size / 8)) * 8);
        remote[i].iov_len = 8;
      }
      local.iov_base = values + done;
      local.iov_len = batch * 8;
      ssize_t got = process_vm_readv(pid, &local, 1, remote, batch, 0);
      calls++;
      if (got != (ssize_t)(batch * 8)) return 1;
      bytes += (uint64_t)got;
      done += batch;
    }
    for (size_t i = 0; i < count; i++) check += values[i];
    free(values);
  }
  printf("{\"ns\":%llu,\"bytes\":%llu,\"calls\":%llu,\"check\":\"%llu\"}\n", (unsigned long long)(now_ns() - start),
         (unsigned long long)bytes, (unsigned long long)calls, (unsigned long long)check);
  return 0;
}
