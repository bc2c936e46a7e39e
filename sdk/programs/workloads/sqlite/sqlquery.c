/*
 * sqlquery: the real SQLite engine (the amalgamation of the better-sqlite3 npm tarball, included
 * below) as an ABI v2 (WASI) program.
 *
 *   sqlquery FILE.csv SQL
 *
 * Loads FILE.csv (a header row, then rows; quoted fields allowed) into an in-memory table `t`
 * whose columns are the header's names, then runs SQL and prints its rows to stdout as CSV with a
 * header. A field that is a whole decimal integer is stored as an INTEGER, one that is a number as
 * a REAL, anything else as TEXT. Numbers are printed by SQLite's own formatter, so the output is
 * the same on every machine. Errors go to stderr with exit code 1 (bad usage 2).
 *
 * Size: the engine is built with -Oz and without the features a query over one in-memory table
 * never uses (the defines below; those that change SQLite's grammar, such as ALTER TABLE, ATTACH,
 * TRIGGER or virtual tables, cannot be left out of an amalgamation), so its code (~490 KB) fits
 * the executor's 512 KiB code cap.
 */
#define SQLITE_OS_OTHER 1            /* no unix VFS: the minimal one below serves :memory: */
#define SQLITE_THREADSAFE 0
#define SQLITE_TEMP_STORE 3          /* temporary tables and sorts in memory, never in files */
#define SQLITE_DEFAULT_MEMSTATUS 0
#define SQLITE_DQS 0
#define SQLITE_MAX_EXPR_DEPTH 0
#define SQLITE_OMIT_LOAD_EXTENSION 1
#define SQLITE_OMIT_DEPRECATED 1
#define SQLITE_OMIT_SHARED_CACHE 1
#define SQLITE_OMIT_UTF16 1
#define SQLITE_OMIT_WAL 1
#define SQLITE_OMIT_JSON 1
#define SQLITE_OMIT_PROGRESS_CALLBACK 1
#define SQLITE_OMIT_TRACE 1
#define SQLITE_OMIT_GET_TABLE 1
#define SQLITE_OMIT_TCL_VARIABLE 1
#define SQLITE_OMIT_COMPLETE 1
#define SQLITE_OMIT_DECLTYPE 1
#define SQLITE_OMIT_AUTOINIT 1
#define SQLITE_OMIT_DESERIALIZE 1
#define SQLITE_OMIT_INTROSPECTION_PRAGMAS 1
#define SQLITE_OMIT_AUTHORIZATION 1
#define SQLITE_OMIT_LOCALTIME 1
#define SQLITE_OMIT_SEH 1
#define SQLITE_OMIT_AUTOVACUUM 1
#define SQLITE_OMIT_CHECK 1
#define SQLITE_OMIT_EXPLAIN 1
#define SQLITE_OMIT_FOREIGN_KEY 1
#define SQLITE_OMIT_INCRBLOB 1
#define SQLITE_OMIT_INTEGRITY_CHECK 1
#define SQLITE_OMIT_UPSERT 1
#define SQLITE_OMIT_GENERATED_COLUMNS 1
#define SQLITE_OMIT_XFER_OPT 1
#define SQLITE_OMIT_SCHEMA_VERSION_PRAGMAS 1
#define SQLITE_LIKE_DOESNT_MATCH_BLOBS 1
#define SQLITE_UNTESTABLE 1
#include "sqlite3.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- a VFS that opens no files: enough for an in-memory database with in-memory temp store ---- */
static int vfsOpen(sqlite3_vfs *v, sqlite3_filename n, sqlite3_file *f, int flags, int *out) {
  (void)v; (void)n; (void)flags; (void)out;
  f->pMethods = 0;
  return SQLITE_CANTOPEN;
}
static int vfsDelete(sqlite3_vfs *v, const char *n, int sync) { (void)v; (void)n; (void)sync; return SQLITE_OK; }
static int vfsAccess(sqlite3_vfs *v, const char *n, int flags, int *out) { (void)v; (void)n; (void)flags; *out = 0; return SQLITE_OK; }
static int vfsFullPathname(sqlite3_vfs *v, const char *n, int size, char *out) {
  (void)v;
  sqlite3_snprintf(size, out, "%s", n);
  return SQLITE_OK;
}
/* The executor's random_get is seeded by the job, so this is deterministic too. */
static int vfsRandomness(sqlite3_vfs *v, int size, char *out) { (void)v; arc4random_buf(out, (size_t)size); return size; }
static int vfsSleep(sqlite3_vfs *v, int us) { (void)v; return us; }
static int vfsCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *out) {
  (void)v;
  /* Julian day in ms; the executor's clock is fixed, so `now` is the same on every run. */
  *out = (sqlite3_int64)time(0) * 1000 + (sqlite3_int64)210866760000000LL;
  return SQLITE_OK;
}
static int vfsCurrentTime(sqlite3_vfs *v, double *out) {
  sqlite3_int64 ms;
  vfsCurrentTimeInt64(v, &ms);
  *out = ms / 86400000.0;
  return SQLITE_OK;
}
static int vfsGetLastError(sqlite3_vfs *v, int n, char *out) { (void)v; (void)n; (void)out; return 0; }

static sqlite3_vfs memoryOnlyVfs = {
  2, 0, 512, 0, "memory-only", 0,
  vfsOpen, vfsDelete, vfsAccess, vfsFullPathname,
  0, 0, 0, 0, /* no dynamic loading */
  vfsRandomness, vfsSleep, vfsCurrentTime, vfsGetLastError, vfsCurrentTimeInt64,
  0, 0, 0,
};
int sqlite3_os_init(void) { return sqlite3_vfs_register(&memoryOnlyVfs, 1); }
int sqlite3_os_end(void) { return SQLITE_OK; }

/* ---- CSV ---- */
typedef struct { char *data; size_t len, pos; } Csv;
typedef struct { char **fields; size_t count, cap; } Row;

/* Reads one record into `row` (fields point into a scratch buffer owned by the caller's Csv, which
 * it rewrites in place: quotes removed). Returns 0 at the end of the input. */
static int csvNext(Csv *c, Row *row) {
  row->count = 0;
  if (c->pos >= c->len) return 0;
  for (;;) {
    if (row->count == row->cap) {
      row->cap = row->cap ? row->cap * 2 : 16;
      row->fields = realloc(row->fields, row->cap * sizeof *row->fields);
    }
    char *start = c->data + c->pos, *w = start;
    if (c->pos < c->len && c->data[c->pos] == '"') {
      c->pos++;
      while (c->pos < c->len) {
        char ch = c->data[c->pos++];
        if (ch == '"') {
          if (c->pos < c->len && c->data[c->pos] == '"') { *w++ = '"'; c->pos++; }
          else break;
        } else *w++ = ch;
      }
    } else {
      while (c->pos < c->len && c->data[c->pos] != ',' && c->data[c->pos] != '\n' && c->data[c->pos] != '\r') *w++ = c->data[c->pos++];
    }
    char end = c->pos < c->len ? c->data[c->pos] : '\n';
    *w = 0; /* safe: the field's terminator (or the buffer's extra byte) is consumed below */
    row->fields[row->count++] = start;
    c->pos++;
    if (end == ',') continue;
    if (end == '\r' && c->pos < c->len && c->data[c->pos] == '\n') c->pos++;
    return 1;
  }
}

static void bindField(sqlite3_stmt *s, int i, const char *f) {
  char *end;
  if (*f) {
    long long n = strtoll(f, &end, 10);
    if (*end == 0) { sqlite3_bind_int64(s, i, n); return; }
    double d = strtod(f, &end);
    if (*end == 0) { sqlite3_bind_double(s, i, d); return; }
  }
  sqlite3_bind_text(s, i, f, -1, SQLITE_TRANSIENT);
}

static void csvField(const char *v) {
  if (!v) return;
  if (!strpbrk(v, ",\"\n\r")) { fputs(v, stdout); return; }
  putchar('"');
  for (; *v; v++) { if (*v == '"') putchar('"'); putchar(*v); }
  putchar('"');
}

static int fail(sqlite3 *db, const char *what) {
  fprintf(stderr, "sqlquery: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: sqlquery FILE.csv SQL\n"); return 2; }
  FILE *in = fopen(argv[1], "rb");
  if (!in) { perror(argv[1]); return 1; }
  Csv csv = {0};
  size_t cap = 1 << 16;
  csv.data = malloc(cap + 1);
  for (size_t n; (n = fread(csv.data + csv.len, 1, cap - csv.len, in)) > 0;) {
    csv.len += n;
    if (csv.len == cap) csv.data = realloc(csv.data, (cap *= 2) + 1);
  }
  fclose(in);
  csv.data[csv.len] = 0;

  sqlite3 *db;
  if (sqlite3_initialize() != SQLITE_OK || sqlite3_open(":memory:", &db) != SQLITE_OK) return fail(0, "open");
  Row row = {0};
  if (!csvNext(&csv, &row)) { fprintf(stderr, "sqlquery: %s: no header row\n", argv[1]); return 1; }
  size_t columns = row.count;
  sqlite3_str *ddl = sqlite3_str_new(db), *ins = sqlite3_str_new(db);
  sqlite3_str_appendall(ddl, "CREATE TABLE t(");
  sqlite3_str_appendall(ins, "INSERT INTO t VALUES(");
  for (size_t i = 0; i < columns; i++) {
    sqlite3_str_appendf(ddl, "%s%Q", i ? "," : "", row.fields[i]);
    sqlite3_str_appendall(ins, i ? ",?" : "?");
  }
  sqlite3_str_appendall(ddl, ")");
  sqlite3_str_appendall(ins, ")");
  char *ddlSql = sqlite3_str_finish(ddl), *insSql = sqlite3_str_finish(ins);
  if (sqlite3_exec(db, ddlSql, 0, 0, 0) != SQLITE_OK) return fail(db, "header");
  sqlite3_stmt *insert;
  if (sqlite3_prepare_v2(db, insSql, -1, &insert, 0) != SQLITE_OK) return fail(db, "insert");
  sqlite3_exec(db, "BEGIN", 0, 0, 0);
  for (long line = 2; csvNext(&csv, &row); line++) {
    if (row.count == 1 && row.fields[0][0] == 0) continue; /* blank line */
    if (row.count != columns) {
      fprintf(stderr, "sqlquery: %s:%ld: %zu fields, the header has %zu\n", argv[1], line, row.count, columns);
      return 1;
    }
    for (size_t i = 0; i < columns; i++) bindField(insert, (int)i + 1, row.fields[i]);
    if (sqlite3_step(insert) != SQLITE_DONE) return fail(db, "insert");
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  sqlite3_exec(db, "COMMIT", 0, 0, 0);

  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(db, argv[2], -1, &q, 0) != SQLITE_OK) return fail(db, "query");
  int n = sqlite3_column_count(q);
  for (int i = 0; i < n; i++) { if (i) putchar(','); csvField(sqlite3_column_name(q, i)); }
  putchar('\n');
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    for (int i = 0; i < n; i++) { if (i) putchar(','); csvField((const char *)sqlite3_column_text(q, i)); }
    putchar('\n');
  }
  if (rc != SQLITE_DONE) return fail(db, "query");
  sqlite3_finalize(q);
  sqlite3_close(db);
  return 0;
}
