// ABI v2 (WASI preview 1) test programs: hand-written text-format modules for the edge cases,
// and C/C++ sources compiled at test time (no binaries checked in).
import { wat } from "./wat-programs.ts";

const SIGNATURES: Record<string, string> = {
  fd_write: "(param i32 i32 i32 i32) (result i32)",
  fd_read: "(param i32 i32 i32 i32) (result i32)",
  fd_close: "(param i32) (result i32)",
  path_open: "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)",
  proc_exit: "(param i32)",
  random_get: "(param i32 i32) (result i32)",
  args_sizes_get: "(param i32 i32) (result i32)",
  clock_time_get: "(param i32 i64 i32) (result i32)",
  sched_yield: "(result i32)",
  sock_accept: "(param i32 i32 i32) (result i32)",
};

/**
 * A v2 module importing `fd_write` and `imports` (by name, from `wasi_snapshot_preview1`), with
 * two pages of memory and `body` as `_start`. `(call $emit X)` writes the i32 X to stdout as 4
 * little-endian bytes (scratch memory at 1008..1028); read them back with {@link emitted}.
 */
export function wasiProgram(body: string, imports: string[] = [], extra = ""): Uint8Array {
  const names = ["fd_write", ...imports.filter((n) => n !== "fd_write")];
  const declared = names.map((n) => `(import "wasi_snapshot_preview1" "${n}" (func $${n} ${SIGNATURES[n] ?? ""}))`).join("\n");
  return wat(`(module
    ${declared}
    ${extra}
    (memory (export "memory") 2)
    (func $emit (param $v i32)
      (i32.store (i32.const 1024) (local.get $v))
      (i32.store (i32.const 1008) (i32.const 1024))
      (i32.store (i32.const 1012) (i32.const 4))
      (drop (call $fd_write (i32.const 1) (i32.const 1008) (i32.const 1) (i32.const 1016))))
    (func (export "_start") ${body}))`);
}

/** The i32s a {@link wasiProgram} wrote with `$emit`. */
export function emitted(output: Uint8Array): number[] {
  const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
  return Array.from({ length: output.byteLength >> 2 }, (_, k) => view.getInt32(4 * k, true));
}

/** A C program: prints its args, an env var and a file (named by argv[1]), the clock and 8 random bytes; exits with argv[2] (default 0). */
export const C_CAT = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <sys/random.h>
int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  const char *who = getenv("WHO");
  printf("WHO=%s\n", who ? who : "(unset)");
  if (argc > 1) {
    FILE *f = fopen(argv[1], "r");
    if (!f) { fprintf(stderr, "cannot open %s: %s\n", argv[1], strerror(errno)); return 2; }
    char buf[256]; size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
    fclose(f);
  }
  FILE *missing = fopen("/no/such/file", "r");
  printf("missing: %s\n", missing ? "opened" : strerror(errno));
  FILE *w = fopen("/out.txt", "w");
  printf("write: %s\n", w ? "opened" : strerror(errno));
  printf("time=%lld\n", (long long)time(NULL));
  unsigned char r[8]; getentropy(r, sizeof r);
  printf("random=");
  for (int i = 0; i < 8; i++) printf("%02x", r[i]);
  printf("\n");
  volatile double z = 0.0; double nan = z / z; unsigned long long bits; memcpy(&bits, &nan, 8); /* x86 makes a negative NaN */
  printf("nan=%016llx\n", bits);
  fprintf(stderr, "done\n");
  return argc > 2 ? atoi(argv[2]) : 0;
}
`;

/** A C++ program: sorts the words of stdin and counts them with the standard library. */
export const CXX_WORDS = String.raw`
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>
int main() {
  std::map<std::string, int> counts;
  std::string word;
  int c;
  while ((c = std::getchar()) != EOF) {
    if (c == ' ' || c == '\n') { if (!word.empty()) counts[word]++; word.clear(); }
    else word.push_back(static_cast<char>(c));
  }
  if (!word.empty()) counts[word]++;
  std::vector<std::pair<int, std::string>> order;
  for (auto &kv : counts) order.push_back({-kv.second, kv.first});
  std::sort(order.begin(), order.end());
  for (auto &p : order) std::printf("%s %d\n", p.second.c_str(), -p.first);
  return 0;
}
`;

/** A compute-bound C program for the metering bench: sorts 1 M pseudo-random integers (qsort), then checksums them. */
export const C_SORT = String.raw`
#include <stdio.h>
#include <stdlib.h>
static int cmp(const void *a, const void *b) { unsigned x = *(const unsigned *)a, y = *(const unsigned *)b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
  unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 1000000u;
  unsigned *v = malloc(n * sizeof *v);
  unsigned s = 12345u;
  for (unsigned i = 0; i < n; i++) { s = s * 1103515245u + 12345u; v[i] = s >> 1; }
  qsort(v, n, sizeof *v, cmp);
  unsigned long long sum = 0;
  for (unsigned i = 0; i < n; i++) sum = sum * 31 + v[i];
  printf("%u %llu\n", n, sum);
  return 0;
}
`;

/**
 * A C program whose argv[1] picks a behaviour, for determinism and bad-program tests:
 * `loop` spins forever; `storm` calls clock_gettime forever (a host-call storm); `flood` prints
 * forever (past the output cap); `out` writes two files in /out and a line to stdout; `twice`
 * prints the clock and 8 random bytes, twice; `nan` prints the bits of a computed NaN.
 */
export const C_MODES = String.raw`
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "loop")) { volatile unsigned n = 0; for (;;) n++; }
  if (!strcmp(mode, "storm")) { struct timespec t; for (;;) clock_gettime(CLOCK_MONOTONIC, &t); }
  if (!strcmp(mode, "flood")) { for (;;) { fputs("0123456789abcdef0123456789abcdef\n", stdout); fflush(stdout); } }
  if (!strcmp(mode, "out")) {
    FILE *a = fopen("/out/a.txt", "w"); if (!a) { perror("a"); return 1; }
    fputs("first file\n", a); fclose(a);
    FILE *b = fopen("out/b.csv", "w"); if (!b) { perror("b"); return 1; }
    for (int i = 0; i < 3; i++) fprintf(b, "%d,%d\n", i, i * i);
    fclose(b);
    puts("wrote 2 files");
    return 0;
  }
  if (!strcmp(mode, "twice")) {
    for (int k = 0; k < 2; k++) {
      unsigned char r[8]; getentropy(r, sizeof r);
      printf("time=%lld random=", (long long)time(NULL));
      for (int i = 0; i < 8; i++) printf("%02x", r[i]);
      printf("\n");
    }
    return 0;
  }
  if (!strcmp(mode, "nan")) {
    volatile double z = 0.0, inf = 1.0 / z; double nan = inf - inf; unsigned long long bits; memcpy(&bits, &nan, 8);
    volatile float zf = 0.0f; float nf = zf / zf; unsigned fb; memcpy(&fb, &nf, 4);
    printf("%016llx %08x\n", bits, fb);
    return 0;
  }
  return 2;
}
`;
