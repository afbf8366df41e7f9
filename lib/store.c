/* store.c: the fingerprint store's public calls and its SQLite backend. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define SCHEMA_VERSION "1"

/* ------------------------------------------------------------------ public calls */

static void
set_error (char *err, size_t errlen, const char *fmt, ...)
{
  if (!err || errlen == 0)
    return;
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (err, errlen, fmt, ap);
  va_end (ap);
}

const char *
store_status_name (int status)
{
  switch (status)
    {
    case STORE_OK:
      return "ok";
    case STORE_BUSY:
      return "busy";
    case STORE_FULL:
      return "full";
    case STORE_CORRUPT:
      return "corrupt";
    default:
      return "error";
    }
}

char *
store_default_path (char *buf, size_t size)
{
  const char *data = getenv ("XDG_DATA_HOME");
  const char *home = getenv ("HOME");
  int n;
  if (data && *data == '/')
    n = snprintf (buf, size, "%s/rittberger/templates.sqlite", data);
  else if (home && *home)
    n = snprintf (buf, size, "%s/.local/share/rittberger/templates.sqlite", home);
  else
    return NULL;
  return n > 0 && (size_t) n < size ? buf : NULL;
}

/* Create the directories above the file PATH (mode 0700: the store is private). */
static int
make_parent_dirs (const char *path, char *err, size_t errlen)
{
  char *copy = strdup (path);
  if (!copy)
    {
      set_error (err, errlen, "%s: %s", path, strerror (ENOMEM));
      return -1;
    }
  char *slash = strrchr (copy, '/');
  if (!slash || slash == copy)
    {
      free (copy);
      return 0;
    }
  *slash = '\0';
  /* Usually the directory is there: one call instead of one per level of the path. */
  if (mkdir (copy, 0700) == 0 || errno == EEXIST)
    {
      free (copy);
      return 0;
    }
  for (char *p = copy + 1;; p++)
    if (*p == '/' || *p == '\0')
      {
        char save = *p;
        *p = '\0';
        if (mkdir (copy, 0700) < 0 && errno != EEXIST)
          {
            set_error (err, errlen, "%s: %s", copy, strerror (errno));
            free (copy);
            return -1;
          }
        *p = save;
        if (!save)
          break;
      }
  free (copy);
  return 0;
}

int
store_open (const char *path, const struct store_backend *backend, struct store **out,
            char *err, size_t errlen)
{
  *out = NULL;
  char def[4096];
  if (!backend)
    backend = &store_sqlite_backend;
  if (!path)
    {
      if (!store_default_path (def, sizeof def))
        {
          set_error (err, errlen, "no store path: neither XDG_DATA_HOME nor HOME is set");
          return STORE_ERROR;
        }
      path = def;
      if (make_parent_dirs (path, err, errlen) < 0)
        return STORE_ERROR;
    }
  return backend->open (path, out, err, errlen);
}

/* Finish opening ST if its backend left that for the first call that needs it. */
static int
ready (struct store *st)
{
  return st->backend->ready ? st->backend->ready (st) : STORE_OK;
}

const struct fp_key *
store_key (const struct store *st)
{
  /* The key lives in the database.  Every store is allocated by its backend's open, never
     defined const, so opening it here through the const pointer is well defined; a failure
     stays in the store for the next call to report. */
  ready ((struct store *) st);
  return &st->key;
}

int
store_ready (struct store *st)
{
  return ready (st);
}

int
store_lookup (struct store *st, const struct store_query *q, struct store_answer *ans)
{
  memset (ans, 0, sizeof *ans);
  int status = ready (st);
  if (status != STORE_OK)
    return status;
  return st->backend->lookup (st, q, ans);
}

void
store_set_batch (struct store *st, size_t max_deliveries, int max_ms)
{
  st->batch_max = max_deliveries;
  st->batch_ms = max_ms;
  if (max_deliveries <= 1)
    store_flush (st);
}

int
store_flush (struct store *st)
{
  return st->backend->flush ? st->backend->flush (st) : STORE_OK;
}

/* Every call but store_lookup runs in a transaction of its own: open the database if this is
   its first use, and commit an open batch first. */
#define FLUSH_FIRST(st)                         \
  do {                                          \
    int ready_ = ready (st);                    \
    if (ready_ != STORE_OK)                     \
      return ready_;                            \
    int flushed_ = store_flush (st);            \
    if (flushed_ != STORE_OK)                   \
      return flushed_;                          \
  } while (0)

int
store_learn (struct store *st, const struct fingerprint *fp, uint64_t sender, int64_t ts)
{
  FLUSH_FIRST (st);
  struct store_entry e = { .ts = ts, .sender = sender, .ntok = fp->ntok };
  memcpy (e.sig, fp->sig, sizeof e.sig);
  return st->backend->learn (st, &e, fp->band);
}

int
store_forget (struct store *st, const struct fingerprint *fp, size_t *removed)
{
  *removed = 0;
  FLUSH_FIRST (st);
  return st->backend->forget (st, fp, removed);
}

int
store_expire (struct store *st, int64_t now, int days, size_t *removed)
{
  *removed = 0;
  FLUSH_FIRST (st);
  if (days <= 0)
    days = STORE_DEFAULT_DAYS;
  return st->backend->expire (st, now - (int64_t) days * 86400, removed);
}

int
store_count (struct store *st, size_t *messages)
{
  *messages = 0;
  FLUSH_FIRST (st);
  return st->backend->count (st, messages);
}

int
store_export (struct store *st, FILE *out)
{
  FLUSH_FIRST (st);
  return st->backend->export_lines (st, out);
}

int
store_import (struct store *st, FILE *in, size_t *imported)
{
  *imported = 0;
  FLUSH_FIRST (st);
  return st->backend->import_lines (st, in, imported);
}

const char *
store_error (const struct store *st)
{
  return st && st->error[0] ? st->error : "no error";
}

void
store_close (struct store *st)
{
  if (st)
    st->backend->close (st);
}

/* ------------------------------------------------------------------ SQLite backend */

/* The statements deliveries run, each prepared when first needed: a mail hook whose message is
   too short to fingerprint prepares none (preparing them all at open cost a mail hook 0.22 M
   instructions). */
enum statement
{
  STMT_BAND_MSGS,               /* the message ids of 21 band keys */
  STMT_BAND_MSGS_OF_KEY,        /* the message ids of one band key */
  STMT_MSG_BY_ID,               /* one message */
  STMT_MSGS_BY_IDS,             /* up to MSGS_PER_READ messages */
  STMT_INSERT_MSG,
  STMT_INSERT_BAND,
  STMT_INSERT_BANDS,            /* a batch's band rows, all at once, at its commit */
  STMT_INSERT_MSGS,             /* a batch's message rows with their ids, likewise */
  STMT_MAX_ID,                  /* the highest message id */
  STMT_DATA_VERSION,            /* whether another connection has committed (the band filter) */
  STMT_COUNT
};

/* From a batch's second delivery on, its learning waits in memory until the batch is committed
   (write-behind, see sqlite_flush): a message row and 21 band rows with random keys, each
   inserted on its own, cost a batch delivery 170,000 instructions of B-tree work (1.05 G of a
   corpus run's 2.2 G in the store) and its savepoint a further 16,000; at the commit the band
   rows of all go in sorted by key, so consecutive inserts land on the same few pages.
   PENDING_MAX bounds the deliveries waiting (a full list commits the batch); PENDING_SLOTS is
   the size of the exact index from band key to waiting entry, a power of two at least twice
   the keys it can hold.  Each commit rewrites most of the band index's pages, whatever the
   number of rows it adds: with 1,024 deliveries a corpus run made 6 commits, and their flushes
   took 63 ms of its 0.62 s; with 2,048 the 200 ms window ends most batches first, 4 commits
   (see doc/PERFORMANCE.md, sixth round). */
enum
{
  PENDING_MAX = STORE_BATCH_DELIVERIES,
  PENDING_SLOTS_LOG2 = 17,
  PENDING_SLOTS = 1 << PENDING_SLOTS_LOG2,
  /* The commit's sorting space: a copy of the band rows and the counts of 4 passes of 2,049
     (see sort_rows). */
  PENDING_SORT_WORDS = PENDING_MAX * FP_BANDS + (4 * 2049 + 1) / 2
};
_Static_assert (PENDING_SLOTS >= 2 * FP_BANDS * PENDING_MAX && PENDING_MAX < (1 << 26),
                "the pending index must stay at most half full; a slot holds entry << 5 | band");

/* A band row of the waiting entries is named by one 64-bit number: its key's top bits, then
   ROW_REF_BITS bits of entry << 5 | band (see sort_rows). */
enum { ROW_REF_BITS = 19 };

/* One delivery's learning, waiting for the batch's commit. */
struct pending_entry
{
  struct store_entry e;
  uint64_t band[FP_BANDS];      /* its band keys as stored: masked to 63 bits */
  sqlite3_int64 id;             /* its message row's, once written */
};

/* A Bloom filter of every band key in the database, for the lookups of a batch: most
   deliveries share no band with any stored message, and a lookup whose keys the filter all
   rules out skips SQL.  Split-block: a key sets one bit in each of the 8 words of one 64-byte
   block, so a test reads one cache line.  It must never miss a stored key, so it is rebuilt
   from the database when another connection has committed since it was last checked (keys
   deleted since only leave positives, which SQL then answers: harmless). */
struct band_filter
{
  uint64_t *words;              /* 8 per block; NULL: no filter */
  unsigned blocks_log2;
  size_t capacity;              /* keys it holds at 16 bits each; more: rebuild it larger */
  size_t keys;                  /* keys added (repeats included) */
  bool stale;                   /* rebuild it before the next use */
};

/* An exact in-memory copy of the band index, for the lookups of a batch in place of the filter
   and SQL: the message ids of every stored band key.  Built from the database like the filter
   (and when the filter would be), kept up to date with what this connection writes, and dropped
   when it might differ from the database: another connection committed (data_version), a
   transaction was rolled back, this connection deleted rows, or a message id outgrew the rows'
   bits.  A row is one 64-bit number: the key's bits below the bucket's, then the message id in
   ID_BITS bits; rows are grouped by bucket, the key's top DIR_BITS bits (at least ID_BITS - 1,
   so that both fit), and START gives each bucket's first row.  8 bytes a band row: 0.9 MB for
   the 108,600 rows of the corpus, about 0.6 MB more than the filter it replaces. */
struct band_index
{
  uint64_t *rows;
  uint32_t *start;              /* (1 << dir_bits) + 1 */
  size_t n, cap;
  unsigned dir_bits, id_bits;
  bool live;                    /* the rows are those of the database */
  bool outgrown;                /* dropped for an id too large: build it again, larger */
};

struct sqlite_store
{
  struct store base;            /* first, so a struct store * is one of these */
  sqlite3 *db;                  /* NULL until the first call that needs it (sqlite_ready) */
  int ready_status;             /* STORE_OK, or why opening the database failed: for good */
  char *path;
  sqlite3_stmt *stmt[STMT_COUNT];       /* NULL until first used */
  bool batch_tuned;             /* the batch settings (checkpoints, waiting list, filter) apply */
  int log_frames;               /* frames in the log after this connection's last commit */
  bool batch_open;              /* a batch's write transaction is open */
  size_t batched;               /* deliveries in it */
  int64_t batch_start_ms;       /* when it began (CLOCK_MONOTONIC) */
  /* Write-behind, allocated with the batch settings: */
  struct pending_entry *pending;        /* PENDING_MAX; the first npending wait, oldest first */
  size_t npending;
  uint32_t *pending_index;      /* PENDING_SLOTS: (entry + 1) << 5 | band; 0: empty */
  uint32_t *pending_seen;       /* per entry: the last lookup that counted it */
  uint64_t *pending_sort;       /* the commit's sorting space (see sort_rows) */
  uint32_t lookup_serial;
  const uint64_t *commit_rows;  /* during a commit: its sorted band rows (see write_pending) */
  size_t commit_nrows;
  size_t commit_nmsgs;          /* during a commit: its message rows (the waiting entries) */
  bool small_cache;             /* the page cache is the smaller one (see fit_page_cache) */
  bool index_fits;              /* the batch's lookups can have the exact index */
  bool batch_tables_registered; /* the tables of both are known to the connection */
  struct band_filter filter;
  struct band_index index;      /* in place of the filter where the message ids allow it */
  int64_t data_version;         /* PRAGMA data_version when the filter was last checked */
  size_t filter_misses;         /* batch lookups without a filter that SQL found nothing for */
  size_t sql_lookups;           /* batch lookups without a filter or index (SQL asked) */
  size_t filter_next_try;       /* weigh building the filter again at this many */
};

static int
status_of (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
      return STORE_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return STORE_BUSY;
    case SQLITE_FULL:
      return STORE_FULL;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return STORE_CORRUPT;
    default:
      return STORE_ERROR;
    }
}

/* Record the database's error for RC while doing WHAT; return the status. */
static int
fail (struct sqlite_store *s, int rc, const char *what)
{
  snprintf (s->base.error, sizeof s->base.error, "%s: %s: %s", s->path, what,
            s->db ? sqlite3_errmsg (s->db) : sqlite3_errstr (rc));
  return status_of (rc) == STORE_OK ? STORE_ERROR : status_of (rc);
}

static int
exec (struct sqlite_store *s, const char *sql)
{
  return sqlite3_exec (s->db, sql, NULL, NULL, NULL);
}

static void index_drop (struct band_index *x);

/* Undo the open transaction; the index may hold its rows, so it goes too. */
static void
rollback (struct sqlite_store *s)
{
  index_drop (&s->index);
  if (!sqlite3_get_autocommit (s->db))
    exec (s, "ROLLBACK");
}

/* Record the failure RC of WHAT as fail does, then undo the open transaction; the status. */
static int
fail_and_roll_back (struct sqlite_store *s, int rc, const char *what)
{
  int status = fail (s, rc, what);
  rollback (s);
  return status;
}

/* End the transaction of one store call: commit it if STATUS is STORE_OK, else (or if the
   commit fails) roll it back; return the final status. */
static int
end_transaction (struct sqlite_store *s, int status)
{
  int rc;
  if (status == STORE_OK && (rc = exec (s, "COMMIT")) != SQLITE_OK)
    status = fail (s, rc, "commit");
  if (status != STORE_OK)
    rollback (s);
  return status;
}

/* The band lookup names its 21 band keys ?1 to ?21; a batch reads the messages MSGS_PER_READ
   at once. */
_Static_assert (FP_BANDS == 21, "the band lookup's text must follow FP_BANDS");
enum { MSGS_PER_READ = 16 };

/* The connection-only virtual tables a batch's commit reads its rows from (see batch_connect). */
#define BATCH_MSG_TABLE "rittberger_batch_msg"
#define BATCH_BAND_TABLE "rittberger_batch_band"

static const char *const statement_sql[STMT_COUNT] = {
  /* A lookup's candidates were once one statement, "SELECT ... FROM msg WHERE id IN (SELECT
     msg FROM band WHERE key IN (...)) AND ts ... ORDER BY id DESC LIMIT 5000": SQLite put the
     message id of every band row found into a temporary B-tree first, 190,000 instructions a
     lookup in a store where each finds a dozen messages.  Now the ids are collected, sorted and
     made unique here, and the messages read newest first until enough are in the window. */
  /* The keys come as a list of values joined with the band index, not as "key IN (...)": an
     IN list that drives an index search is first copied into a temporary B-tree, created and
     freed at each lookup (81,000 instructions of a batch lookup's 105,000); here each key is
     one search with one cursor.  A key bound as NULL is skipped without a search. */
  [STMT_BAND_MSGS] = "SELECT b.msg FROM (VALUES (?1),(?2),(?3),(?4),(?5),(?6),(?7),(?8),(?9),"
    "(?10),(?11),(?12),(?13),(?14),(?15),(?16),(?17),(?18),(?19),(?20),(?21)) AS k"
    " CROSS JOIN band AS b ON b.key = k.column1",
  [STMT_BAND_MSGS_OF_KEY] = "SELECT msg FROM band WHERE key = ?",
  [STMT_MSG_BY_ID] = "SELECT ts, sender, sig, id FROM msg WHERE id = ?",
  /* A batch reads a lookup's candidates 16 at once, in the order of the ids bound (NULL: none):
     one statement each cost 3,350 instructions a message, most of it its start and end. */
  [STMT_MSGS_BY_IDS] = "SELECT m.ts, m.sender, m.sig, m.id FROM (VALUES (?1),(?2),(?3),(?4),(?5),"
    "(?6),(?7),(?8),(?9),(?10),(?11),(?12),(?13),(?14),(?15),(?16)) AS k"
    " CROSS JOIN msg AS m ON m.id = k.column1",
  [STMT_INSERT_MSG] = "INSERT INTO msg (ts, sender, ntok, sig) VALUES (?, ?, ?, ?)",
  /* One row per statement: one statement inserting all 21 rows (VALUES (..), (..), ...) ran
     no faster and cost 0.16 M instructions more to prepare. */
  [STMT_INSERT_BAND] = "INSERT OR IGNORE INTO band (key, msg) VALUES (?, ?)",
  /* A batch's commit inserts thousands of band rows: a statement per row cost 1,800
     instructions of statement overhead each (sqlite3_step, sqlite3VdbeHalt, reset), so they
     come from the table of the commit's rows (see batch_band_module), all in one statement. */
  [STMT_INSERT_BANDS] = "INSERT OR IGNORE INTO band (key, msg)"
    " SELECT key, msg FROM " BATCH_BAND_TABLE,
  /* A batch's commit inserts its message rows all at once too, from the table of its waiting
     entries, each with the id that SQLite would have given it (one more than the highest),
     read first: a statement per row cost 9,200 instructions a message. */
  [STMT_INSERT_MSGS] = "INSERT INTO msg (id, ts, sender, ntok, sig)"
    " SELECT id, ts, sender, ntok, sig FROM " BATCH_MSG_TABLE,
  [STMT_MAX_ID] = "SELECT max(id) FROM msg",
  [STMT_DATA_VERSION] = "PRAGMA data_version",
};

/* Set *OUT to the statement WHICH, prepared now if this is its first use; return SQLITE_OK or
   the error of preparing it. */
static int
statement (struct sqlite_store *s, enum statement which, sqlite3_stmt **out)
{
  *out = s->stmt[which];
  if (*out)
    return SQLITE_OK;
  int rc = sqlite3_prepare_v3 (s->db, statement_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                               &s->stmt[which], NULL);
  if (rc != SQLITE_OK)
    {
      sqlite3_finalize (s->stmt[which]);
      s->stmt[which] = NULL;
    }
  *out = s->stmt[which];
  return rc;
}

static int64_t
monotonic_ms (void)
{
  struct timespec ts;
  if (clock_gettime (CLOCK_MONOTONIC, &ts) < 0)
    return 0;
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The write-ahead log is kept between processes and bounded by hand (see sqlite_ready).
   A connection that leaves more than LOG_TRUNCATE_FRAMES frames (512 KB) in it checkpoints
   and empties it at close.  Every process opening the store reads the whole log to rebuild
   its index (0.3 M instructions for 128 frames), so the bound is small; a mail hook learning
   one message adds 4 to 10 frames, so one delivery in 13 to 30 pays the checkpoint's syncs.
   Within one long-lived connection a passive checkpoint every LOG_AUTOCHECKPOINT_FRAMES
   frames (SQLite's default), or LOG_BATCH_FRAMES (16 MB) in a batch, keeps the log from
   growing, as SQLite's automatic checkpoint did: inside one process the log restarts once it
   has all been copied; a batch's close then empties it.
   LOG_CHECKPOINT_WAIT_MS: how long the closing checkpoint waits for other connections to
   finish; if it cannot complete, a later process tries again. */
enum
{
  LOG_TRUNCATE_FRAMES = 128,
  LOG_AUTOCHECKPOINT_FRAMES = 1000,
  LOG_BATCH_FRAMES = 4096,
  LOG_CHECKPOINT_WAIT_MS = 100
};

/* The write-ahead log hook: remember the log's size after each commit of this connection, and
   checkpoint passively as SQLite's automatic checkpoint would. */
static int
note_log_size (void *arg, sqlite3 *db, const char *schema, int frames)
{
  struct sqlite_store *s = arg;
  s->log_frames = frames;
  if (frames >= (s->batch_tuned ? LOG_BATCH_FRAMES : LOG_AUTOCHECKPOINT_FRAMES))
    sqlite3_wal_checkpoint_v2 (db, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  return SQLITE_OK;
}

/* If this connection left the log above its bound, or ran a batch (whose many deliveries
   share the cost), copy the log into the database and truncate it to nothing; failing that
   (another connection is using it) leave it to the next one. */
static void
bound_log (struct sqlite_store *s)
{
  if (!s->log_frames || (s->log_frames <= LOG_TRUNCATE_FRAMES && !s->batch_tuned)
      || !sqlite3_get_autocommit (s->db))
    return;
  sqlite3_busy_timeout (s->db, LOG_CHECKPOINT_WAIT_MS);
  if (sqlite3_wal_checkpoint_v2 (s->db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL)
      == SQLITE_OK)
    s->log_frames = 0;
}

static int
random_key (uint8_t *key, size_t n)
{
  size_t got = 0;
  while (got < n)
    {
      ssize_t r = getrandom (key + got, n - got, 0);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      got += r;
    }
  if (got == n)
    return 0;
  int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  got = 0;
  while (got < n)
    {
      ssize_t r = read (fd, key + got, n - got);
      if (r <= 0)
        {
          if (r < 0 && errno == EINTR)
            continue;
          close (fd);
          return -1;
        }
      got += r;
    }
  close (fd);
  return 0;
}

/* The usual case, an existing store of this version: read its key without taking the write
   lock that creating the schema needs.  Return true if that worked. */
static bool
read_existing_store (struct sqlite_store *s)
{
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2 (s->db, "SELECT k, v FROM meta WHERE k IN ('key', 'version')", -1, &q,
                          NULL) != SQLITE_OK)
    return false;               /* no meta table yet: a new store */
  bool have_key = false, right_version = false;
  while (sqlite3_step (q) == SQLITE_ROW)
    {
      const char *k = (const char *) sqlite3_column_text (q, 0);
      if (k && strcmp (k, "key") == 0 && sqlite3_column_bytes (q, 1) == FP_KEY_BYTES)
        {
          memcpy (s->base.key.bytes, sqlite3_column_blob (q, 1), FP_KEY_BYTES);
          have_key = true;
        }
      else if (k && strcmp (k, "version") == 0)
        {
          const char *v = (const char *) sqlite3_column_text (q, 1);
          right_version = v && strcmp (v, SCHEMA_VERSION) == 0;
        }
    }
  sqlite3_finalize (q);
  return have_key && right_version;
}

/* Create the schema and the key if this is a new store, check the version, read the key. */
static int
setup_schema (struct sqlite_store *s)
{
  if (read_existing_store (s))
    return STORE_OK;
  static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB);"
    "CREATE TABLE IF NOT EXISTS msg (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
    " sender INTEGER NOT NULL, ntok INTEGER NOT NULL, sig BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS band (key INTEGER NOT NULL, msg INTEGER NOT NULL,"
    " PRIMARY KEY (key, msg)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS msg_ts ON msg(ts);"
    "INSERT OR IGNORE INTO meta VALUES ('version', '" SCHEMA_VERSION "');"
    "INSERT OR IGNORE INTO meta VALUES ('k', 64);"
    "INSERT OR IGNORE INTO meta VALUES ('rows', 3);";
  int rc = exec (s, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK)
    return fail (s, rc, "begin");
  rc = exec (s, schema);
  if (rc != SQLITE_OK)
    return fail_and_roll_back (s, rc, "create schema");
  sqlite3_stmt *q = NULL;
  rc = sqlite3_prepare_v2 (s->db, "SELECT v FROM meta WHERE k = 'key'", -1, &q, NULL);
  if (rc != SQLITE_OK)
    return fail_and_roll_back (s, rc, "read key");
  rc = sqlite3_step (q);
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_bytes (q, 0) != FP_KEY_BYTES)
        {
          sqlite3_finalize (q);
          rollback (s);
          snprintf (s->base.error, sizeof s->base.error, "%s: the stored key is damaged", s->path);
          return STORE_CORRUPT;
        }
      memcpy (s->base.key.bytes, sqlite3_column_blob (q, 0), FP_KEY_BYTES);
      sqlite3_finalize (q);
    }
  else if (rc == SQLITE_DONE)
    {
      sqlite3_finalize (q);
      /* A new store: a random 128-bit key of its own, kept in meta. */
      if (random_key (s->base.key.bytes, FP_KEY_BYTES) < 0)
        {
          rollback (s);
          snprintf (s->base.error, sizeof s->base.error, "%s: no random key: %s", s->path,
                    strerror (errno));
          return STORE_ERROR;
        }
      rc = sqlite3_prepare_v2 (s->db, "INSERT INTO meta VALUES ('key', ?)", -1, &q, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_blob (q, 1, s->base.key.bytes, FP_KEY_BYTES, SQLITE_TRANSIENT);
          rc = sqlite3_step (q);
        }
      sqlite3_finalize (q);
      if (rc != SQLITE_DONE)
        return fail_and_roll_back (s, rc, "store key");
    }
  else
    {
      sqlite3_finalize (q);
      return fail_and_roll_back (s, rc, "read key");
    }
  rc = sqlite3_prepare_v2 (s->db, "SELECT v FROM meta WHERE k = 'version'", -1, &q, NULL);
  if (rc == SQLITE_OK && sqlite3_step (q) == SQLITE_ROW)
    {
      const char *v = (const char *) sqlite3_column_text (q, 0);
      if (!v || strcmp (v, SCHEMA_VERSION) != 0)
        {
          snprintf (s->base.error, sizeof s->base.error,
                    "%s: store version %s, this program knows version " SCHEMA_VERSION,
                    s->path, v ? v : "(none)");
          sqlite3_finalize (q);
          rollback (s);
          return STORE_ERROR;
        }
    }
  sqlite3_finalize (q);
  rc = exec (s, "COMMIT");
  if (rc != SQLITE_OK)
    return fail_and_roll_back (s, rc, "commit");
  return STORE_OK;
}

/* What a look at PATH shows without opening the database: a file that is not a database, a
   directory, no way to create the file.  These still fail store_open, with the words SQLite
   used when store_open opened the database, so the tools' messages are unchanged.  ":memory:"
   and "" (a temporary database) are left to SQLite.  Return STORE_OK or the status, with the
   reason in ERR. */
static int
check_path (const char *path, char *err, size_t errlen)
{
  if (!*path || strcmp (path, ":memory:") == 0)
    return STORE_OK;
  /* O_NONBLOCK: a FIFO must not make the open wait for a writer. */
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      if (errno == ENOENT)
        {
          /* A new store: SQLite will create the file in its directory. */
          char *dir = strdup (path);
          if (!dir)
            {
              set_error (err, errlen, "%s: %s", path, strerror (ENOMEM));
              return STORE_ERROR;
            }
          char *slash = strrchr (dir, '/');
          const char *where = !slash ? "." : slash == dir ? "/" : dir;
          if (slash && slash != dir)
            *slash = '\0';
          bool creatable = access (where, W_OK | X_OK) == 0;
          free (dir);
          if (creatable)
            return STORE_OK;
        }
      set_error (err, errlen, "%s: open: %s", path, sqlite3_errstr (SQLITE_CANTOPEN));
      return STORE_ERROR;
    }
  static const char magic[16] = "SQLite format 3";       /* with its NUL: 16 bytes */
  char head[sizeof magic];
  struct stat sb;
  int status = STORE_OK;
  if (fstat (fd, &sb) < 0 || S_ISDIR (sb.st_mode))
    {
      set_error (err, errlen, "%s: open: %s", path, sqlite3_errstr (SQLITE_CANTOPEN));
      status = STORE_ERROR;
    }
  else if (S_ISREG (sb.st_mode) && sb.st_size > 0
           && (pread (fd, head, sizeof head, 0) != (ssize_t) sizeof head
               || memcmp (head, magic, sizeof magic) != 0))
    {
      /* An empty file is a new database to SQLite; anything else must start so. */
      set_error (err, errlen, "%s: journal_mode=WAL: %s", path, sqlite3_errstr (SQLITE_NOTADB));
      status = STORE_CORRUPT;
    }
  close (fd);
  return status;
}

/* Open the database of S, set it up and read the key; on failure close it again and remember
   the status, which every later call returns: a store that failed is not tried again. */
static int
sqlite_ready (struct store *st)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  if (s->db || s->ready_status != STORE_OK)
    return s->ready_status;
  int rc = sqlite3_open_v2 (s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                            | SQLITE_OPEN_NOMUTEX, NULL);
  int status = STORE_OK;
  if (rc != SQLITE_OK)
    status = fail (s, rc, "open");
  if (status == STORE_OK)
    {
      sqlite3_busy_timeout (s->db, STORE_BUSY_TIMEOUT_MS);
      /* Switching a new store to WAL needs a moment alone with the file.  SQLite does not
         always call the busy handler for that (another process may be reading the new file),
         so wait here too, up to the same timeout. */
      int64_t give_up = monotonic_ms () + STORE_BUSY_TIMEOUT_MS;
      while ((rc = exec (s, "PRAGMA journal_mode=WAL")) == SQLITE_BUSY
             && monotonic_ms () < give_up)
        {
          struct timespec pause = { 0, 5 * 1000 * 1000 };
          nanosleep (&pause, NULL);
        }
      if (rc != SQLITE_OK)
        status = fail (s, rc, "journal_mode=WAL");
    }
  if (status == STORE_OK)
    {
      /* The write-ahead log and its index (-wal, -shm) stay between processes, and the last
         connection does not checkpoint at close: creating, initialising and removing both
         files and the checkpoint's two syncs were most of a mail hook's store cost.  SQLite's
         automatic checkpoint cannot bound such a log: every process is the first connection,
         so it rebuilds the index from the log, and the rebuilt index counts nothing of the log
         as copied to the database already; the log only restarts when a write begins with all
         of it copied, which then never happens, and once past 1,000 frames every commit
         copied the whole log again.  Left to it, the log grew by 40 KB a delivery without
         bound (12 MB after 300, the database 39 pages) and every process read it all.  So
         the automatic checkpoint is replaced by note_log_size and bound_log: a connection
         that leaves the log above a small bound checkpoints and truncates it at close.
         synchronous=NORMAL: a commit is not synced, the checkpoint syncs the log before it
         writes the database and the database after; a power failure may lose the last
         deliveries' learning but cannot damage the store (synchronous=OFF could).
         temp_store=MEMORY: the temporary tables here hold the message ids of one lookup (at
         most 5,000) or of one expire, and any statement journal only serves to undo a failed
         statement; nothing needs either after a crash.  (When each batch delivery was a
         savepoint, its journal spilled to a temporary file from 64 KB on: 9 in 10 of the
         write calls of a corpus run went there.  It must be set outside a transaction.) */
      rc = exec (s, "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY");
      if (rc != SQLITE_OK)
        status = fail (s, rc, "pragma");
      int persist = 1;
      sqlite3_db_config (s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *) NULL);
      sqlite3_file_control (s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
      sqlite3_wal_hook (s->db, note_log_size, s);
    }
  if (status == STORE_OK)
    status = setup_schema (s);
  if (status != STORE_OK)
    {
      sqlite3_close_v2 (s->db);
      s->db = NULL;
      s->ready_status = status;
    }
  return status;
}

/* Only look at the path here (check_path); sqlite_ready opens the database when a call first
   needs it.  A mail hook whose message is too short to fingerprint so saves the open, the
   switch to WAL (which reads the schema), creating and initialising the -wal and -shm files,
   the locks and the checkpoint and removal of both files at close: about 60 system calls and
   0.4 ms. */
static int
sqlite_open (const char *path, struct store **out, char *err, size_t errlen)
{
  int status = check_path (path, err, errlen);
  if (status != STORE_OK)
    return status;
  struct sqlite_store *s = calloc (1, sizeof *s);
  if (!s || !(s->path = strdup (path)))
    {
      free (s);
      set_error (err, errlen, "%s: %s", path, strerror (ENOMEM));
      return STORE_ERROR;
    }
  s->base.backend = &store_sqlite_backend;
  *out = &s->base;
  return STORE_OK;
}

/* Signatures are stored big-endian, 2 bytes per slot, so the file reads the same everywhere. */
static void
sig_to_blob (const uint16_t sig[FP_SLOTS], uint8_t blob[2 * FP_SLOTS])
{
  for (int j = 0; j < FP_SLOTS; j++)
    {
      blob[2 * j] = sig[j] >> 8;
      blob[2 * j + 1] = sig[j] & 0xff;
    }
}

static bool
blob_to_sig (const void *p, int n, uint16_t sig[FP_SLOTS])
{
  const uint8_t *b = p;
  if (!b || n != 2 * FP_SLOTS)
    return false;
  for (int j = 0; j < FP_SLOTS; j++)
    sig[j] = (uint16_t) (b[2 * j] << 8 | b[2 * j + 1]);
  return true;
}

/* ------------------------------------------------------------------ the band filter */

enum
{
  FILTER_BITS_PER_KEY = 16,     /* about 0.1 % false positives with 8 bits set a key */
  FILTER_MIN_BLOCKS_LOG2 = 12,  /* 256 KB: 131,072 keys, a corpus run of 6,000 messages */
  FILTER_MAX_BLOCKS_LOG2 = 16,  /* 4 MB: 2 M keys, a store of 100,000 messages; a larger one
                                   is filtered with fewer bits a key, down to 8, then not at all */
  /* Building the filter reads every band row, about 11,000 instructions a stored message; a
     lookup that SQL finds nothing for costs about 100,000.  So the filter is built once the
     lookups it would have saved have cost what building it will: when the batch lookups
     without one that found nothing, times FILTER_BUILD_RATIO, reach the store's messages.
     A batch in a small or new store builds it at once; a store that most lookups find
     something in (a second run over the same mail) or a short batch over a large store never
     pays for it. */
  FILTER_BUILD_RATIO = 8,
};
#define FILTER_KEYS_PER_BLOCK (512 / FILTER_BITS_PER_KEY)

/* The block of F that holds KEY: the top bits of one multiplicative hash (the keys are SipHash
   values already; the multiplication only spreads them), and the 8 bits it sets there: 6-bit
   fields of the top 48 bits of another. */
static uint64_t *
filter_block (const struct band_filter *f, uint64_t key)
{
  return f->words + 8 * (size_t) ((key * UINT64_C (0x9e3779b97f4a7c15)) >> (64 - f->blocks_log2));
}

static uint64_t
filter_bits (uint64_t key)
{
  return key * UINT64_C (0xc2b2ae3d27d4eb4f);
}

static void
filter_set (struct band_filter *f, uint64_t key)
{
  uint64_t *w = filter_block (f, key), m = filter_bits (key);
  for (int j = 0; j < 8; j++)
    w[j] |= UINT64_C (1) << ((m >> (16 + 6 * j)) & 63);
}

static bool
filter_may_contain (const struct band_filter *f, uint64_t key)
{
  const uint64_t *w = filter_block (f, key);
  uint64_t m = filter_bits (key);
  uint64_t all = 1;
  for (int j = 0; j < 8; j++)
    all &= w[j] >> ((m >> (16 + 6 * j)) & 63);
  return all & 1;
}

/* Add KEY (masked, as stored), which this connection is writing, to the filter if there is one;
   once it holds more keys than it was sized for, rebuild it larger before its next use. */
static void
filter_note_key (struct band_filter *f, uint64_t key)
{
  if (!f->words)
    return;
  filter_set (f, key);
  if (++f->keys > f->capacity && f->blocks_log2 < FILTER_MAX_BLOCKS_LOG2)
    f->stale = true;
}

/* Read PRAGMA data_version into *OUT: it changes when another connection has committed since
   the last reading. */
static bool
read_data_version (struct sqlite_store *s, int64_t *out)
{
  sqlite3_stmt *q;
  if (statement (s, STMT_DATA_VERSION, &q) != SQLITE_OK)
    return false;
  bool ok = sqlite3_step (q) == SQLITE_ROW;
  if (ok)
    *out = sqlite3_column_int64 (q, 0);
  sqlite3_reset (q);
  return ok;
}

/* The highest message id given out so far (0 for none), or -1 on an error. */
static sqlite3_int64
max_message_id (struct sqlite_store *s)
{
  sqlite3_stmt *q = NULL;
  sqlite3_int64 max_id = -1;
  if (sqlite3_prepare_v2 (s->db, "SELECT max(id) FROM msg", -1, &q, NULL) == SQLITE_OK
      && sqlite3_step (q) == SQLITE_ROW)
    max_id = sqlite3_column_int64 (q, 0);
  sqlite3_finalize (q);
  return max_id;
}

/* A growing list of message ids. */
struct ids
{
  int64_t *v;
  size_t n, cap;
};

/* Append ID to IDS; false if memory is short. */
static bool
ids_push (struct ids *ids, int64_t id)
{
  if (ids->n == ids->cap)
    {
      size_t ncap = ids->cap ? 2 * ids->cap : 64;
      int64_t *nv = realloc (ids->v, ncap * sizeof *nv);
      if (!nv)
        return false;
      ids->v = nv;
      ids->cap = ncap;
    }
  ids->v[ids->n++] = id;
  return true;
}

/* ------------------------------------------------------------------ the exact band index */

enum
{
  INDEX_MIN_ID_BITS = 13,
  INDEX_MAX_ID_BITS = 17,       /* message ids below 131,072 (a store with larger ids uses the
                                   filter), with 65,536 buckets (256 KB) */
  INDEX_MIN_DIR_BITS = 14,      /* 16,384 buckets (64 KB): the corpus's 108,600 rows are 6.6 a
                                   bucket (with 4,096 buckets, scanning the buckets cost 14 M
                                   instructions of a corpus run, with these 5 M) */
};

/* The most rows the index holds: 4 MB, the filter's largest size (about 25,000 messages).  The
   message ids alone would allow 131,072 messages, 22 MB of rows, more than a process may
   take; a store with more rows uses the filter.  (A test builds store.c with a small value.) */
#ifndef STORE_INDEX_MAX_ROWS
# define STORE_INDEX_MAX_ROWS ((size_t) 1 << 19)
#endif

static void
index_drop (struct band_index *x)
{
  free (x->rows);
  free (x->start);
  bool outgrown = x->outgrown;
  *x = (struct band_index) { 0 };
  x->outgrown = outgrown;
}

/* The bits that hold message ids up to MAX_ID, with room for growth; 0 if too many. */
static unsigned
index_id_bits (uint64_t max_id)
{
  unsigned bits = INDEX_MIN_ID_BITS;
  while (bits <= INDEX_MAX_ID_BITS && (max_id >> bits) != 0)
    bits++;
  return bits <= INDEX_MAX_ID_BITS ? bits : 0;
}

static size_t
index_bucket (const struct band_index *x, uint64_t key)
{
  return key >> (63 - x->dir_bits);
}

static uint64_t
index_row (const struct band_index *x, uint64_t key, uint64_t id)
{
  return (key & ((UINT64_C (1) << (63 - x->dir_bits)) - 1)) << x->id_bits | id;
}

/* Make room for N rows in X; false if memory is short or N is more than the index may hold. */
static bool
index_reserve (struct band_index *x, size_t n)
{
  if (n <= x->cap)
    return true;
  if (n > STORE_INDEX_MAX_ROWS)
    return false;
  size_t cap = x->cap ? x->cap + x->cap / 2 : 4096;
  if (cap < n)
    cap = n;
  if (cap > STORE_INDEX_MAX_ROWS)
    cap = STORE_INDEX_MAX_ROWS;
  uint64_t *rows = realloc (x->rows, cap * sizeof *rows);
  if (!rows)
    return false;
  x->rows = rows;
  x->cap = cap;
  return true;
}

/* Build S's index from every band row of the database, whose highest message id is MAX_ID,
   inside the batch's transaction; true if it is live. */
static bool
index_build (struct sqlite_store *s, sqlite3_int64 max_id)
{
  struct band_index *x = &s->index;
  index_drop (x);
  x->outgrown = false;
  if (max_id < 0)
    return false;
  /* Room for the ids of the next batches too: max_id plus a few full batches. */
  unsigned id_bits = index_id_bits ((uint64_t) max_id + 4 * PENDING_MAX);
  if (!id_bits)
    return false;
  x->id_bits = id_bits;
  x->dir_bits = id_bits - 1 > INDEX_MIN_DIR_BITS ? id_bits - 1 : INDEX_MIN_DIR_BITS;
  size_t buckets = (size_t) 1 << x->dir_bits;
  if (!(x->start = calloc (buckets + 1, sizeof *x->start)))
    return false;
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2 (s->db, "SELECT key, msg FROM band ORDER BY key", -1, &q, NULL);
  bool ok = rc == SQLITE_OK;
  while (ok && (rc = sqlite3_step (q)) == SQLITE_ROW)
    {
      sqlite3_int64 key = sqlite3_column_int64 (q, 0), id = sqlite3_column_int64 (q, 1);
      if (key < 0)
        continue;               /* no lookup asks for it (keys are masked to 63 bits) */
      if (id <= 0 || (uint64_t) id >> id_bits || x->n >= UINT32_MAX
          || !index_reserve (x, x->n + 1))
        {
          ok = false;
          break;
        }
      x->rows[x->n++] = index_row (x, (uint64_t) key, (uint64_t) id);
      x->start[index_bucket (x, (uint64_t) key) + 1]++;
    }
  sqlite3_finalize (q);
  if (!ok || rc != SQLITE_DONE)
    {
      index_drop (x);
      return false;
    }
  for (size_t b = 0; b < buckets; b++)
    x->start[b + 1] += x->start[b];
  x->live = true;
  return true;
}

/* Where index_add takes its rows from: KEYS and IDS, or the commit's row numbers REFS into
   PENDING (see sort_rows). */
struct index_source
{
  const uint64_t *keys;
  const sqlite3_int64 *ids;
  const uint64_t *refs;
  const struct pending_entry *pending;
  sqlite3_int64 min_id, max_id; /* of all its rows */
};

static uint64_t
source_key (const struct index_source *src, size_t j)
{
  if (!src->refs)
    return src->keys[j];
  return src->pending[(src->refs[j] & ((1 << ROW_REF_BITS) - 1)) >> 5].band[src->refs[j] & 31];
}

static sqlite3_int64
source_id (const struct index_source *src, size_t j)
{
  if (!src->refs)
    return src->ids[j];
  return src->pending[(src->refs[j] & ((1 << ROW_REF_BITS) - 1)) >> 5].id;
}

/* Add the M band rows of SRC (keys masked), which this connection has just written, in the
   order of their buckets (their keys' top bits), to the index X if it is live; drop it if a
   row does not fit. */
static void
index_add (struct band_index *x, const struct index_source *src, size_t m)
{
  if (!x->live || m == 0)
    return;
  if (src->min_id <= 0 || (uint64_t) src->max_id >> x->id_bits)
    {
      index_drop (x);
      x->outgrown = true;       /* built again, with more bits, at the next lookup */
      return;
    }
  if (x->n + m >= UINT32_MAX || !index_reserve (x, x->n + m))
    {
      index_drop (x);
      return;
    }
  /* Merge from the end, a bucket at a time: each bucket's old rows move up by the number of
     new rows in the buckets below it, its new rows go above them, so nothing is overwritten
     before it has moved; once no new row is left, the buckets below stay where they are. */
  size_t end = x->n + m;        /* one past the free place */
  size_t old_end = x->n;        /* of bucket b's old rows */
  size_t j = m;
  x->start[(size_t) 1 << x->dir_bits] = x->n + m;
  for (size_t b = (size_t) 1 << x->dir_bits; j > 0 && b-- > 0;)
    {
      size_t old_begin = x->start[b];
      for (; j > 0; j--)
        {
          uint64_t key = source_key (src, j - 1);
          if (index_bucket (x, key) != b)
            break;
          x->rows[--end] = index_row (x, key, (uint64_t) source_id (src, j - 1));
        }
      size_t len = old_end - old_begin;
      end -= len;
      if (end != old_begin)
        memmove (x->rows + end, x->rows + old_begin, len * sizeof *x->rows);
      x->start[b] = end;
      old_end = old_begin;
    }
  x->n += m;
  if (j > 0)
    index_drop (x);             /* (rows out of order: cannot happen) */
}

/* Append to IDS the message ids of the band rows of KEY (masked) in the index X; false if
   memory is short. */
static bool
index_find (const struct band_index *x, uint64_t key, struct ids *ids)
{
  size_t b = index_bucket (x, key);
  uint64_t low = index_row (x, key, 0), id_mask = (UINT64_C (1) << x->id_bits) - 1;
  for (size_t r = x->start[b]; r < x->start[b + 1]; r++)
    if ((x->rows[r] & ~id_mask) == low && !ids_push (ids, (int64_t) (x->rows[r] & id_mask)))
      return false;
  return true;
}

static void
filter_drop (struct band_filter *f)
{
  free (f->words);
  *f = (struct band_filter) { 0 };
}

/* The page cache for what S's lookups need: SQLite's default of 2 MB, or, in a batch whose
   lookups the exact index answers or will answer once it pays (they then no longer read the
   band index's pages), 256 KB, so that the index's memory does not add to the peak.  (Set
   from the batch's start: memory the cache once held stays with the process.)  There the
   cache serves only the commits, which rewrite most of the band index whatever its size: with
   batches of 2,048, a corpus run into an empty store makes 10,648 page writes and 11,112 page
   reads with it against 5,254 and 3,161 with 1 MB, all from the system's file cache, at the
   same CPU time (0.603 s, median of 7), and its peak falls from 14.7 to 14.1 MiB; over a store
   holding the corpus, from 15.7 to 14.8 MiB.  (The 1 MB cache of the fifth round took 0.9 MB
   off the 2 MB one's peak.) */
static void
fit_page_cache (struct sqlite_store *s)
{
  bool small = s->index_fits;
  if (small != s->small_cache
      && exec (s, small ? "PRAGMA cache_size=-256" : "PRAGMA cache_size=-2000") == SQLITE_OK)
    s->small_cache = small;
}

/* (Re)build S's exact index, or where the message ids do not allow it its filter, from every
   band row in the database, whose highest message id is MAX_ID, inside the batch's
   transaction, so that nothing can be written meanwhile (the waiting entries' rows are added as
   they are written).  On any failure there is neither and lookups ask SQL for every key, as
   without one: it only costs speed. */
static void
filter_build (struct sqlite_store *s, sqlite3_int64 max_id)
{
  struct band_filter *f = &s->filter;
  filter_drop (f);
  s->index_fits = index_build (s, max_id);
  fit_page_cache (s);
  if (s->index_fits)
    {
      if (!read_data_version (s, &s->data_version))
        index_drop (&s->index);
      return;
    }
  /* Sized from the band rows there can be (21 per message id given out, an upper bound, even
     after deletions) and a full list of waiting entries, twice over for what is learnt next. */
  if (max_id < 0 || (uint64_t) max_id > SIZE_MAX / (4 * FP_BANDS))
    return;
  size_t want = 2 * ((size_t) max_id * FP_BANDS + PENDING_MAX * FP_BANDS);
  unsigned log2 = FILTER_MIN_BLOCKS_LOG2;
  while (log2 < FILTER_MAX_BLOCKS_LOG2 && ((size_t) FILTER_KEYS_PER_BLOCK << log2) < want)
    log2++;
  size_t capacity = (size_t) FILTER_KEYS_PER_BLOCK << log2;
  if (want / 2 > 2 * capacity || !(f->words = calloc ((size_t) 8 << log2, sizeof *f->words)))
    {
      s->filter_next_try = SIZE_MAX;    /* too large to be of use, or no memory: never */
      return;
    }
  f->blocks_log2 = log2;
  f->capacity = capacity;
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2 (s->db, "SELECT key FROM band", -1, &q, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (q)) == SQLITE_ROW)
    {
      filter_set (f, (uint64_t) sqlite3_column_int64 (q, 0));
      f->keys++;
      rc = SQLITE_OK;
    }
  sqlite3_finalize (q);
  /* (A store larger than its estimate is only filtered worse.) */
  if (rc != SQLITE_DONE || !read_data_version (s, &s->data_version))
    {
      filter_drop (f);
      s->filter_next_try = SIZE_MAX;
    }
}

/* At the start of a batch's transaction: if another connection committed since the filter was
   built or last checked, the filter may miss its keys; drop it (it is built again when it
   pays, as at first). */
static void
filter_check (struct sqlite_store *s)
{
  int64_t version;
  if ((s->filter.words || s->index.live)
      && (!read_data_version (s, &version) || version != s->data_version))
    {
      filter_drop (&s->filter);
      index_drop (&s->index);
      s->filter_misses = 0;
      s->sql_lookups = 0;
      s->filter_next_try = 0;
    }
}

/* S's filter if it may be used now (inside a batch, where it was checked), built or rebuilt
   first if that pays (and the index in its place where it can be: see batch_index); NULL: no
   filter. */
static const struct band_filter *
usable_filter (struct sqlite_store *s)
{
  if (!s->batch_open || !s->batch_tuned)
    return NULL;
  struct band_filter *f = &s->filter;
  if (f->stale || s->index.outgrown)
    filter_build (s, max_message_id (s));
  else if (!f->words && !s->index.live && s->sql_lookups >= s->filter_next_try)
    {
      /* The index saves every lookup its SQL, the filter only those that find nothing: the
         lookups that would have paid for it are counted so. */
      sqlite3_int64 max_id = max_message_id (s);
      bool fits = max_id >= 0 && index_id_bits ((uint64_t) max_id + 4 * PENDING_MAX);
      size_t paid = fits ? s->sql_lookups : s->filter_misses;
      if (max_id >= 0 && (uint64_t) max_id <= (uint64_t) paid * FILTER_BUILD_RATIO)
        filter_build (s, max_id);
      else if (max_id >= 0)
        s->filter_next_try = s->sql_lookups + 1 + ((size_t) max_id / FILTER_BUILD_RATIO - paid);
      else
        s->filter_next_try = SIZE_MAX;
    }
  return f->words && f->keys <= 2 * f->capacity ? f : NULL;
}

/* S's index if it may be used now: after usable_filter, which builds it. */
static const struct band_index *
batch_index (const struct sqlite_store *s)
{
  return s->batch_open && s->batch_tuned && s->index.live ? &s->index : NULL;
}

/* ------------------------------------------------------------------ writing */

/* Insert the message row of E; its id goes to *ID. */
static int
insert_message (struct sqlite_store *s, const struct store_entry *e, sqlite3_int64 *id)
{
  uint8_t blob[2 * FP_SLOTS];
  sig_to_blob (e->sig, blob);
  sqlite3_stmt *im;
  int rc = statement (s, STMT_INSERT_MSG, &im);
  if (rc != SQLITE_OK)
    return fail (s, rc, "prepare insert");
  sqlite3_reset (im);
  sqlite3_bind_int64 (im, 1, e->ts);
  sqlite3_bind_int64 (im, 2, (sqlite3_int64) (e->sender & INT64_MAX));
  sqlite3_bind_int64 (im, 3, e->ntok);
  sqlite3_bind_blob (im, 4, blob, sizeof blob, SQLITE_TRANSIENT);
  rc = sqlite3_step (im);
  sqlite3_reset (im);
  if (rc != SQLITE_DONE)
    return fail (s, rc, "insert message");
  *id = sqlite3_last_insert_rowid (s->db);
  return STORE_OK;
}

/* Insert the band row KEY (masked) of message ID. */
static int
insert_band (struct sqlite_store *s, sqlite3_int64 key, sqlite3_int64 id)
{
  sqlite3_stmt *ib;
  int rc = statement (s, STMT_INSERT_BAND, &ib);
  if (rc != SQLITE_OK)
    return fail (s, rc, "prepare insert");
  sqlite3_bind_int64 (ib, 1, key);
  sqlite3_bind_int64 (ib, 2, id);
  rc = sqlite3_step (ib);
  sqlite3_reset (ib);
  return rc == SQLITE_DONE ? STORE_OK : fail (s, rc, "insert band");
}

/* Insert one message and its band rows inside the caller's transaction. */
static int
insert_entry (struct sqlite_store *s, const struct store_entry *e, const uint64_t band[FP_BANDS])
{
  sqlite3_int64 id;
  int status = insert_message (s, e, &id);
  for (int b = 0; status == STORE_OK && b < FP_BANDS; b++)
    {
      filter_note_key (&s->filter, band[b] & INT64_MAX);
      status = insert_band (s, (sqlite3_int64) (band[b] & INT64_MAX), id);
    }
  if (status == STORE_OK && s->index.live)
    {
      /* The index takes rows in the order of their keys. */
      uint64_t keys[FP_BANDS];
      sqlite3_int64 ids[FP_BANDS];
      for (int b = 0; b < FP_BANDS; b++)
        {
          uint64_t key = band[b] & INT64_MAX;
          int k = b;
          for (; k > 0 && keys[k - 1] > key; k--)
            keys[k] = keys[k - 1];
          keys[k] = key;
          ids[b] = id;
        }
      index_add (&s->index, &(struct index_source) { .keys = keys, .ids = ids, .min_id = id,
                                                     .max_id = id }, FP_BANDS);
    }
  return status;
}

/* ------------------------------------------------------------------ write-behind */

/* Allocate the waiting list and its index; false if memory is short (the batch's deliveries
   are then written as they come). */
static bool
pending_alloc (struct sqlite_store *s)
{
  s->pending = malloc (PENDING_MAX * sizeof *s->pending);
  s->pending_index = calloc (PENDING_SLOTS, sizeof *s->pending_index);
  s->pending_seen = calloc (PENDING_MAX, sizeof *s->pending_seen);
  s->pending_sort = malloc (PENDING_SORT_WORDS * sizeof *s->pending_sort);
  if (s->pending && s->pending_index && s->pending_seen && s->pending_sort)
    return true;
  free (s->pending);
  free (s->pending_index);
  free (s->pending_seen);
  free (s->pending_sort);
  s->pending = NULL;
  s->pending_index = NULL;
  s->pending_seen = NULL;
  s->pending_sort = NULL;
  return false;
}

/* The index slot where the search for KEY starts. */
static size_t
pending_home (uint64_t key)
{
  return (key * UINT64_C (0x9e3779b97f4a7c15)) >> (64 - PENDING_SLOTS_LOG2);
}

/* Let the delivery E with band keys BAND wait for the commit (the list has room). */
static void
pending_add (struct sqlite_store *s, const struct store_entry *e, const uint64_t band[FP_BANDS])
{
  size_t i = s->npending++;
  struct pending_entry *p = &s->pending[i];
  p->e = *e;
  s->pending_seen[i] = 0;
  for (int b = 0; b < FP_BANDS; b++)
    {
      uint64_t key = band[b] & INT64_MAX;
      p->band[b] = key;
      size_t slot = pending_home (key);
      while (s->pending_index[slot])
        slot = (slot + 1) & (PENDING_SLOTS - 1);
      s->pending_index[slot] = (uint32_t) (i + 1) << 5 | (uint32_t) b;
    }
}

static int
compare_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
  return x < y ? -1 : x > y;
}

/* The order in which the band rows of the waiting entries are written: by the top 48 bits of
   their key, then entry and band, all in one 64-bit number that names the row.  The order only
   serves the B-tree's locality (the rows are the same in any order). */
_Static_assert (PENDING_MAX <= 1 << (ROW_REF_BITS - 5) && FP_BANDS <= 32,
                "a row's entry and band fit in its low bits");

/* Sort the N row numbers ROWS (made in increasing order of their low ROW_REF_BITS bits, with
   bit 63 clear) into increasing order, with TMP (N numbers) as scratch and COUNT
   (RADIX_PASSES * RADIX_COUNTS) for the counts.  Least significant digit first, 11 bits a pass
   over bits ROW_REF_BITS to 62; each pass is stable, so rows of equal key bits stay in the
   order they were made, that of their low bits.  qsort took 9.4 M instructions for the 21,504
   rows of a batch of 1,024, this about 2 M. */
enum
{
  RADIX_BITS = 11,
  RADIX_PASSES = (63 - ROW_REF_BITS) / RADIX_BITS,
  RADIX_COUNTS = (1 << RADIX_BITS) + 1,
  RADIX_MASK = (1 << RADIX_BITS) - 1
};
_Static_assert (RADIX_PASSES * RADIX_BITS == 63 - ROW_REF_BITS && RADIX_PASSES % 2 == 0,
                "the passes cover the key bits, and the sorted rows end up back in ROWS");
_Static_assert (RADIX_PASSES * RADIX_COUNTS * sizeof (uint32_t)
                <= (PENDING_SORT_WORDS - PENDING_MAX * FP_BANDS) * sizeof (uint64_t),
                "the counts fit behind the rows' copy");
static void
sort_rows (uint64_t *rows, uint64_t *tmp, uint32_t *count, size_t n)
{
  memset (count, 0, RADIX_PASSES * RADIX_COUNTS * sizeof *count);
  for (size_t i = 0; i < n; i++)
    {
      uint64_t digits = rows[i] >> ROW_REF_BITS;
      for (int p = 0; p < RADIX_PASSES; p++)
        count[p * RADIX_COUNTS + ((digits >> (RADIX_BITS * p)) & RADIX_MASK) + 1]++;
    }
  for (int p = 0; p < RADIX_PASSES; p++)
    {
      uint32_t *start = count + p * RADIX_COUNTS;
      for (int d = 1; d < RADIX_COUNTS; d++)
        start[d] += start[d - 1];
      int shift = ROW_REF_BITS + RADIX_BITS * p;
      for (size_t i = 0; i < n; i++)
        tmp[start[(rows[i] >> shift) & RADIX_MASK]++] = rows[i];
      uint64_t *swap = rows;
      rows = tmp;
      tmp = swap;
    }
}

/* ------------------------------------------------------------------ the commit's rows as tables */

/* A batch's commit hands its rows to SQLite as two eponymous virtual tables, each read by one
   INSERT ... SELECT: SQLite's own loop then takes each row from here, where statements of 32
   band rows (16 message rows) of bound values cost each row its binds, a share of a
   statement's start and end and the values' copies.  The tables live in this connection only:
   they are not in the schema, so the file is the same as before and older programs read it as
   ever.  The band table's rows are the sorted row numbers that write_pending made (see
   sort_rows), the message table's the waiting entries; both are empty outside a commit. */
struct batch_table
{
  sqlite3_vtab base;
  struct sqlite_store *s;
  bool messages;                /* the message rows, else the band rows */
};

struct batch_cursor
{
  sqlite3_vtab_cursor base;
  size_t row;
  uint8_t sig[2 * FP_SLOTS];    /* the current message's signature as stored */
};

/* The two tables are one module registered under two names (BATCH_MSG_TABLE,
   BATCH_BAND_TABLE); SQLite passes the name it was registered under as ARGV[0]. */
static int
batch_connect (sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
               char **err)
{
  (void) err;
  bool messages = argc > 0 && strcmp (argv[0], BATCH_MSG_TABLE) == 0;
  int rc = sqlite3_declare_vtab (db, messages
                                 ? "CREATE TABLE x (id INTEGER, ts INTEGER, sender INTEGER,"
                                   " ntok INTEGER, sig BLOB)"
                                 : "CREATE TABLE x (key INTEGER, msg INTEGER)");
  if (rc != SQLITE_OK)
    return rc;
#ifdef SQLITE_VTAB_DIRECTONLY
  /* Not for a view or trigger that a file might bring along (SQLite 3.31 on). */
  sqlite3_vtab_config (db, SQLITE_VTAB_DIRECTONLY);
#endif
  struct batch_table *t = sqlite3_malloc (sizeof *t);
  if (!t)
    return SQLITE_NOMEM;
  memset (t, 0, sizeof *t);
  t->s = aux;
  t->messages = messages;
  *out = &t->base;
  return SQLITE_OK;
}

static int
batch_disconnect (sqlite3_vtab *vt)
{
  sqlite3_free (vt);
  return SQLITE_OK;
}

/* Only ever read whole, in its order. */
static int
batch_best_index (sqlite3_vtab *vt, sqlite3_index_info *info)
{
  (void) vt;
  info->estimatedCost = (double) PENDING_MAX * FP_BANDS;
  info->estimatedRows = PENDING_MAX * FP_BANDS;
  return SQLITE_OK;
}

static int
batch_open (sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
  (void) vt;
  struct batch_cursor *c = sqlite3_malloc (sizeof *c);
  if (!c)
    return SQLITE_NOMEM;
  memset (c, 0, sizeof *c);
  *out = &c->base;
  return SQLITE_OK;
}

static int
batch_close (sqlite3_vtab_cursor *cur)
{
  sqlite3_free (cur);
  return SQLITE_OK;
}

static int
batch_filter (sqlite3_vtab_cursor *cur, int idx, const char *idx_str, int argc,
              sqlite3_value **argv)
{
  (void) idx, (void) idx_str, (void) argc, (void) argv;
  ((struct batch_cursor *) cur)->row = 0;
  return SQLITE_OK;
}

static int
batch_next (sqlite3_vtab_cursor *cur)
{
  ((struct batch_cursor *) cur)->row++;
  return SQLITE_OK;
}

static int
batch_eof (sqlite3_vtab_cursor *cur)
{
  const struct batch_table *t = (const struct batch_table *) cur->pVtab;
  return ((struct batch_cursor *) cur)->row
         >= (t->messages ? t->s->commit_nmsgs : t->s->commit_nrows);
}

static int
batch_column (sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
  const struct batch_table *t = (const struct batch_table *) cur->pVtab;
  const struct sqlite_store *s = t->s;
  struct batch_cursor *c = (struct batch_cursor *) cur;
  if (!t->messages)
    {
      uint64_t ref = s->commit_rows[c->row];
      const struct pending_entry *p = &s->pending[(ref & ((1 << ROW_REF_BITS) - 1)) >> 5];
      sqlite3_result_int64 (ctx, col == 0 ? (sqlite3_int64) p->band[ref & 31] : p->id);
      return SQLITE_OK;
    }
  const struct pending_entry *p = &s->pending[c->row];
  switch (col)
    {
    case 0:
      sqlite3_result_int64 (ctx, p->id);
      break;
    case 1:
      sqlite3_result_int64 (ctx, p->e.ts);
      break;
    case 2:
      sqlite3_result_int64 (ctx, (sqlite3_int64) (p->e.sender & INT64_MAX));
      break;
    case 3:
      sqlite3_result_int64 (ctx, p->e.ntok);
      break;
    default:
      sig_to_blob (p->e.sig, c->sig);
      sqlite3_result_blob (ctx, c->sig, sizeof c->sig, SQLITE_TRANSIENT);
      break;
    }
  return SQLITE_OK;
}

static int
batch_rowid (sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
  *rowid = (sqlite3_int64) ((struct batch_cursor *) cur)->row;
  return SQLITE_OK;
}

/* Eponymous only (no xCreate): each name exists in every connection that registers it, as a
   table of that name, and can never be created in the file. */
static const sqlite3_module batch_module = {
  .iVersion = 1,
  .xConnect = batch_connect,
  .xBestIndex = batch_best_index,
  .xDisconnect = batch_disconnect,
  .xOpen = batch_open,
  .xClose = batch_close,
  .xFilter = batch_filter,
  .xNext = batch_next,
  .xEof = batch_eof,
  .xColumn = batch_column,
  .xRowid = batch_rowid,
};

/* The statement WHICH (STMT_INSERT_BANDS or STMT_INSERT_MSGS) that reads a batch table,
   prepared (and the tables registered) when a commit first needs it; SQLITE_OK or the error. */
static int
batch_statement (struct sqlite_store *s, enum statement which, sqlite3_stmt **out)
{
  *out = s->stmt[which];
  if (*out)
    return SQLITE_OK;
  if (!s->batch_tables_registered)
    {
      int rc = sqlite3_create_module (s->db, BATCH_BAND_TABLE, &batch_module, s);
      if (rc == SQLITE_OK)
        rc = sqlite3_create_module (s->db, BATCH_MSG_TABLE, &batch_module, s);
      if (rc != SQLITE_OK)
        return rc;
      s->batch_tables_registered = true;
    }
  return statement (s, which, out);
}

/* Insert the message rows of the waiting entries in order, each with the id SQLite would
   give it one by one (one more than the highest), which goes to the entry. */
static int
write_pending_messages (struct sqlite_store *s)
{
  sqlite3_stmt *q, *all;
  int rc = statement (s, STMT_MAX_ID, &q);
  if (rc != SQLITE_OK)
    return fail (s, rc, "prepare insert");
  rc = sqlite3_step (q);
  sqlite3_int64 max_id = sqlite3_column_int64 (q, 0);   /* 0 for an empty table */
  sqlite3_reset (q);
  if (rc != SQLITE_ROW)
    return fail (s, rc, "insert message");
  /* (Beyond the largest id SQLite picks ids at random; and without the table, a statement a
     row: both left to insert_message.) */
  if (max_id < INT64_MAX - PENDING_MAX
      && batch_statement (s, STMT_INSERT_MSGS, &all) == SQLITE_OK)
    {
      for (size_t i = 0; i < s->npending; i++)
        s->pending[i].id = max_id + (sqlite3_int64) i + 1;
      s->commit_nmsgs = s->npending;
      rc = sqlite3_step (all);
      sqlite3_reset (all);
      s->commit_nmsgs = 0;
      return rc == SQLITE_DONE ? STORE_OK : fail (s, rc, "insert message");
    }
  for (size_t i = 0; i < s->npending; i++)
    {
      int status = insert_message (s, &s->pending[i].e, &s->pending[i].id);
      if (status != STORE_OK)
        return status;
    }
  return STORE_OK;
}

/* Write the waiting deliveries inside the caller's transaction: their message rows in order,
   so that they get the ids they would have got one by one, then all their band rows in the
   order of their keys, so that consecutive inserts find their B-tree pages in the cache.
   The list of rows to sort takes the index's memory (8 bytes a row, 21 rows an entry: less
   than its 4 bytes a slot, 42 slots an entry); the index is emptied after. */
static int
write_pending (struct sqlite_store *s)
{
  int status = write_pending_messages (s);
  if (status != STORE_OK)
    return status;
  _Static_assert (sizeof (uint64_t) * FP_BANDS * PENDING_MAX
                  <= sizeof (uint32_t) * PENDING_SLOTS, "the rows fit in the index");
  uint64_t *rows = (uint64_t *) (void *) s->pending_index;
  size_t nrows = 0;
  for (size_t i = 0; i < s->npending; i++)
    for (int b = 0; b < FP_BANDS; b++)
      {
        filter_note_key (&s->filter, s->pending[i].band[b]);
        rows[nrows++] = (s->pending[i].band[b] >> ROW_REF_BITS << ROW_REF_BITS) | i << 5 | b;
      }
  sort_rows (rows, s->pending_sort,
             (uint32_t *) (void *) (s->pending_sort + PENDING_MAX * FP_BANDS), nrows);
  sqlite3_stmt *all;
  int rc = batch_statement (s, STMT_INSERT_BANDS, &all);
  if (rc == SQLITE_OK)
    {
      s->commit_rows = rows;
      s->commit_nrows = nrows;
      rc = sqlite3_step (all);
      sqlite3_reset (all);
      s->commit_rows = NULL;
      s->commit_nrows = 0;
      status = rc == SQLITE_DONE ? STORE_OK : fail (s, rc, "insert band");
    }
  else
    {
      /* Without the table (an SQLite built without virtual tables, or short of memory): a
         statement a row, slower but the same rows. */
      for (size_t r = 0; status == STORE_OK && r < nrows; r++)
        {
          const struct pending_entry *p
            = &s->pending[(rows[r] & ((1 << ROW_REF_BITS) - 1)) >> 5];
          status = insert_band (s, (sqlite3_int64) p->band[rows[r] & 31], p->id);
        }
    }
  if (status == STORE_OK && s->index.live && s->npending)
    {
      struct index_source src = { .refs = rows, .pending = s->pending,
                                  .min_id = s->pending[0].id, .max_id = s->pending[0].id };
      for (size_t i = 1; i < s->npending; i++)
        {
          if (s->pending[i].id < src.min_id)
            src.min_id = s->pending[i].id;
          if (s->pending[i].id > src.max_id)
            src.max_id = s->pending[i].id;
        }
      index_add (&s->index, &src, nrows);
    }
  return status;
}

/* Empty the waiting list and its index (whose memory write_pending may have used). */
static void
pending_clear (struct sqlite_store *s)
{
  memset (s->pending_index, 0, PENDING_SLOTS * sizeof *s->pending_index);
  s->npending = 0;
}

/* Commit the open batch: write its waiting deliveries and end its transaction.  If that fails,
   the batch's learning is lost, all of it, and the failure is this call's. */
static int
sqlite_flush (struct store *st)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  if (!s->batch_open)
    return STORE_OK;
  if (sqlite3_get_autocommit (s->db))
    index_drop (&s->index);     /* SQLite ended the batch's transaction: its rows are gone */
  s->batch_open = false;
  s->batched = 0;
  int status = STORE_OK;
  if (s->npending)
    {
      /* If SQLite has already ended the batch's transaction (after an I/O error), the waiting
         deliveries go into a new one. */
      int rc;
      if (sqlite3_get_autocommit (s->db) && (rc = exec (s, "BEGIN IMMEDIATE")) != SQLITE_OK)
        status = fail (s, rc, "begin");
      if (status == STORE_OK)
        status = write_pending (s);
      pending_clear (s);
    }
  if (sqlite3_get_autocommit (s->db))
    return status;
  return end_transaction (s, status);
}

static void
sqlite_close (struct store *st)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  if (s->db)
    {
      sqlite_flush (st);
      bound_log (s);
    }
  for (int i = 0; i < STMT_COUNT; i++)
    sqlite3_finalize (s->stmt[i]);
  sqlite3_close_v2 (s->db);
  free (s->pending);
  free (s->pending_index);
  free (s->pending_seen);
  free (s->pending_sort);
  free (s->filter.words);
  index_drop (&s->index);
  free (s->path);
  free (s);
}

/* ------------------------------------------------------------------ lookups */

/* A learned message that shares a band with the query. */
struct candidate
{
  sqlite3_int64 id;             /* 0 for a waiting one */
  uint64_t sender;
  uint16_t sig[FP_SLOTS];
};

struct candidates
{
  struct candidate *v;
  size_t n, cap;
};

/* A new last element of C, or NULL if memory is short. */
static struct candidate *
candidates_push (struct candidates *c)
{
  if (c->n == c->cap)
    {
      size_t cap = c->cap ? 2 * c->cap : 16;
      struct candidate *nv = realloc (c->v, cap * sizeof *nv);
      if (!nv)
        return NULL;
      c->v = nv;
      c->cap = cap;
    }
  return &c->v[c->n++];
}

static int
out_of_memory (struct sqlite_store *s)
{
  snprintf (s->base.error, sizeof s->base.error, "%s: %s", s->path, strerror (ENOMEM));
  return STORE_ERROR;
}

/* Append to C the waiting entries that share a band key of BAND, with time in (SINCE, UNTIL]:
   once written they will have the highest ids, so SQL would return them first, and all of them
   (there are fewer than STORE_MAX_CANDIDATES); the order of candidates does not matter. */
_Static_assert ((int) PENDING_MAX < (int) STORE_MAX_CANDIDATES, "all waiting candidates count");
static int
pending_candidates (struct sqlite_store *s, const uint64_t band[FP_BANDS], int64_t since,
                    int64_t until, struct candidates *c)
{
  if (!s->npending)
    return STORE_OK;
  if (++s->lookup_serial == 0)
    {
      memset (s->pending_seen, 0, PENDING_MAX * sizeof *s->pending_seen);
      s->lookup_serial = 1;
    }
  for (int b = 0; b < FP_BANDS; b++)
    {
      uint64_t key = band[b] & INT64_MAX;
      uint32_t v;
      for (size_t slot = pending_home (key); (v = s->pending_index[slot]) != 0;
           slot = (slot + 1) & (PENDING_SLOTS - 1))
        {
          size_t i = (v >> 5) - 1;
          const struct pending_entry *p = &s->pending[i];
          if (p->band[v & 31] != key || s->pending_seen[i] == s->lookup_serial)
            continue;
          s->pending_seen[i] = s->lookup_serial;
          if (p->e.ts <= since || p->e.ts > until)
            continue;
          struct candidate *cand = candidates_push (c);
          if (!cand)
            return out_of_memory (s);
          cand->id = 0;
          cand->sender = p->e.sender & INT64_MAX;
          memcpy (cand->sig, p->e.sig, sizeof cand->sig);
        }
    }
  return STORE_OK;
}

static int
compare_i64_desc (const void *a, const void *b)
{
  int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
  return (x < y) - (x > y);
}

/* Append to IDS the message ids that the bound statement Q returns, then reset Q; return
   SQLITE_DONE, the error of a step, or SQLITE_NOMEM. */
static int
collect_ids (sqlite3_stmt *q, struct ids *ids)
{
  int rc;
  while ((rc = sqlite3_step (q)) == SQLITE_ROW)
    if (!ids_push (ids, sqlite3_column_int64 (q, 0)))
      {
        rc = SQLITE_NOMEM;
        break;
      }
  sqlite3_reset (q);
  return rc;
}

/* Append to C the messages FOUND (ids, in any order, repeats allowed; freed here) with time in
   (SINCE, UNTIL], newest first, at most LIMIT; ONE_BY_ONE: read each with its own statement
   (outside a batch's many lookups). */
static int
read_candidates (struct sqlite_store *s, struct ids *found, bool one_by_one, int64_t since,
                 int64_t until, size_t limit, struct candidates *c)
{
  sqlite3_stmt *m;
  int rc;
  int64_t *ids = found->v;
  size_t n = found->n;
  if (n == 0)
    {
      free (ids);
      return STORE_OK;
    }
  /* Newest first, each once. */
  qsort (ids, n, sizeof *ids, compare_i64_desc);
  size_t distinct = 1;
  for (size_t i = 1; i < n; i++)
    if (ids[i] != ids[distinct - 1])
      ids[distinct++] = ids[i];
  n = distinct;
  /* Read them until LIMIT are in the window (a damaged signature counts there, then is
     skipped rather than failing the delivery); a missing one is passed over. */
  rc = statement (s, one_by_one ? STMT_MSG_BY_ID : STMT_MSGS_BY_IDS, &m);
  if (rc != SQLITE_OK)
    {
      free (ids);
      return fail (s, rc, "prepare band lookup");
    }
  int per_read = one_by_one ? 1 : MSGS_PER_READ;
  int status = STORE_OK;
  size_t in_window = 0;
  for (size_t i = 0; status == STORE_OK && i < n && in_window < limit; i += per_read)
    {
      for (int k = 0; k < per_read; k++)
        if (i + k < n)
          sqlite3_bind_int64 (m, k + 1, ids[i + k]);
        else
          sqlite3_bind_null (m, k + 1);
      while (status == STORE_OK && in_window < limit && (rc = sqlite3_step (m)) == SQLITE_ROW)
        {
          int64_t ts = sqlite3_column_int64 (m, 0);
          if (ts > since && ts <= until)
            {
              in_window++;
              struct candidate *cand = candidates_push (c);
              if (!cand)
                status = out_of_memory (s);
              else
                {
                  cand->id = sqlite3_column_int64 (m, 3);
                  cand->sender = (uint64_t) sqlite3_column_int64 (m, 1);
                  if (!blob_to_sig (sqlite3_column_blob (m, 2), sqlite3_column_bytes (m, 2),
                                    cand->sig))
                    c->n--;
                }
            }
        }
      if (status == STORE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        status = fail (s, rc, "band lookup");
      sqlite3_reset (m);
    }
  free (ids);
  return status;
}

/* band_candidates with the ids from the exact index X: no SQL but for reading the messages. */
static int
indexed_candidates (struct sqlite_store *s, const uint64_t band[FP_BANDS], int64_t since,
                    int64_t until, const struct band_index *x, size_t limit,
                    struct candidates *c)
{
  struct ids found = { 0 };
  for (int b = 0; b < FP_BANDS; b++)
    if (!index_find (x, band[b] & INT64_MAX, &found))
      {
        free (found.v);
        return out_of_memory (s);
      }
  return read_candidates (s, &found, false, since, until, limit, c);
}

/* Append to C the stored messages sharing a band key of BAND with time in (SINCE, UNTIL],
   newest first, at most LIMIT.  With INDEX (NULL: none) the message ids come from it; else keys
   that FILTER (NULL: none) rules out are not asked for, and if it rules them all out, SQL is
   not asked. */
/* A batch lookup whose filter lets through at most FEW_KEYS keys asks for each alone: the list
   statement costs about 21,500 instructions whatever it asks, one key about 14,000 (in a corpus
   run into an empty store, 1.3 keys a lookup pass: 103 M instructions of lookups became 96 M). */
enum { FEW_KEYS = 4 };
static int
band_candidates (struct sqlite_store *s, const uint64_t band[FP_BANDS], int64_t since,
                 int64_t until, const struct band_filter *filter,
                 const struct band_index *index, size_t limit, struct candidates *c)
{
  if (limit == 0)
    return STORE_OK;
  if (index)
    return indexed_candidates (s, band, since, until, index, limit, c);
  bool maybe[FP_BANDS];
  int asked = 0;
  for (int b = 0; b < FP_BANDS; b++)
    {
      maybe[b] = !filter || filter_may_contain (filter, band[b] & INT64_MAX);
      asked += maybe[b];
    }
  if (!asked)
    return STORE_OK;
  /* Outside a batch's many lookups (a single delivery, a batch's first, forget) each key is
     asked on its own: the list statement costs 68,000 instructions more to prepare than the
     one-key statement, which one lookup does not earn back (asked 21 times, the one-key
     statement costs some 1,700 instructions a key more than the list). */
  bool one_by_one = !(s->batch_open && s->batch_tuned);
  bool few = asked <= FEW_KEYS;
  sqlite3_stmt *q;
  int rc = statement (s, one_by_one || few ? STMT_BAND_MSGS_OF_KEY : STMT_BAND_MSGS, &q);
  if (rc != SQLITE_OK)
    return fail (s, rc, "prepare band lookup");
  struct ids found = { 0 };
  rc = SQLITE_DONE;
  if (one_by_one || few)
    {
      for (int b = 0; rc == SQLITE_DONE && b < FP_BANDS; b++)
        if (maybe[b])
          {
            sqlite3_bind_int64 (q, 1, (sqlite3_int64) (band[b] & INT64_MAX));
            rc = collect_ids (q, &found);
          }
    }
  else
    {
      for (int b = 0; b < FP_BANDS; b++)
        if (maybe[b])
          sqlite3_bind_int64 (q, b + 1, (sqlite3_int64) (band[b] & INT64_MAX));
        else
          sqlite3_bind_null (q, b + 1);
      rc = collect_ids (q, &found);
    }
  if (rc == SQLITE_NOMEM)
    {
      free (found.v);
      return out_of_memory (s);
    }
  if (rc != SQLITE_DONE)
    {
      free (found.v);
      return fail (s, rc, "band lookup");
    }
  return read_candidates (s, &found, one_by_one, since, until, limit, c);
}

/* Settings for a run that learns many messages, made when a batch gets its second delivery:
   the waiting list (and the band index or filter when it pays, see usable_filter).  The page cache
   stays at SQLite's default of 2 MB.  A 4 MB cache was needed while every delivery inserted
   its 21 band rows at random places in the index; now that a commit writes a batch's rows in
   key order, the smaller cache costs nothing measurable in a corpus run into an empty store
   and 6 % in a run over a store already holding the corpus (1.06 s against 1.00 s), and it
   keeps that run's peak memory at 15.0 MiB instead of 16.9 MiB.  (The log's checkpoints are
   note_log_size's.)  A failure here only costs speed. */
static void
tune_for_batch (struct sqlite_store *s)
{
  s->batch_tuned = true;
  pending_alloc (s);
  sqlite3_int64 max_id = max_message_id (s);
  s->index_fits = max_id >= 0 && index_id_bits ((uint64_t) max_id + 4 * PENDING_MAX);
  fit_page_cache (s);
}

/* Fill *ANS for Q from the waiting entries and the database. */
static int
answer (struct sqlite_store *s, const struct store_query *qr, struct store_answer *ans)
{
  int days = qr->days > 0 ? qr->days : STORE_DEFAULT_DAYS;
  int64_t since = qr->now - (int64_t) days * 86400, until = qr->now;
  struct candidates c = { 0 };
  int status = pending_candidates (s, qr->fp->band, since, until, &c);
  const struct band_filter *filter = usable_filter (s);
  const struct band_index *index = batch_index (s);
  size_t waiting = c.n;
  if (status == STORE_OK)
    status = band_candidates (s, qr->fp->band, since, until, filter, index,
                              STORE_MAX_CANDIDATES - c.n, &c);
  if (status == STORE_OK && !filter && !index && s->batch_open)
    {
      s->sql_lookups++;
      s->filter_misses += c.n == waiting;
    }
  uint64_t own = qr->sender & INT64_MAX;
  uint64_t *senders = NULL;
  size_t nsenders = 0;
  if (status == STORE_OK && c.n && !(senders = malloc (c.n * sizeof *senders)))
    status = out_of_memory (s);
  for (size_t i = 0; status == STORE_OK && i < c.n; i++)
    {
      ans->candidates++;
      int equal = fp_equal_slots (c.v[i].sig, qr->fp->sig);
      if (equal > ans->best_equal)
        ans->best_equal = equal;
      if (fp_is_near_duplicate (equal))
        {
          ans->matches++;
          if (c.v[i].sender != own)
            senders[nsenders++] = c.v[i].sender;
        }
    }
  if (status == STORE_OK && nsenders)
    {
      qsort (senders, nsenders, sizeof *senders, compare_u64);
      size_t distinct = 1;
      for (size_t i = 1; i < nsenders; i++)
        distinct += senders[i] != senders[i - 1];
      ans->senders = distinct;
    }
  free (c.v);
  free (senders);
  return status;
}

static int
sqlite_lookup (struct store *st, const struct store_query *qr, struct store_answer *ans)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  if (!qr->lookup && !qr->learn)
    return STORE_OK;
  /* A learning delivery takes the write lock up front, so that lookup and learn see one state
     and concurrent deliveries queue instead of failing on a lock upgrade.  In a batch the lock
     is already held. */
  if (!s->batch_open)
    {
      int rc = exec (s, qr->learn ? "BEGIN IMMEDIATE" : "BEGIN");
      if (rc != SQLITE_OK)
        return fail (s, rc, "begin");
      if (qr->learn && st->batch_max > 1)
        {
          s->batch_open = true;
          s->batched = 0;
          s->batch_start_ms = monotonic_ms ();
          filter_check (s);
        }
    }
  /* The first delivery of a batch is written at once, alone in its transaction, so that a
     single delivery (a mail hook's) costs no more than without batching and a failure of its
     writing can roll the transaction back; the later ones wait for the commit.  The batch
     settings wait for a second delivery likewise. */
  bool later = s->batch_open && s->batched > 0;
  if (later && !s->batch_tuned)
    tune_for_batch (s);
  int status = STORE_OK;
  if (qr->lookup)
    status = answer (s, qr, ans);
  bool written = false;
  if (status == STORE_OK && qr->learn)
    {
      struct store_entry e = { .ts = qr->now, .sender = qr->sender, .ntok = qr->fp->ntok };
      memcpy (e.sig, qr->fp->sig, sizeof e.sig);
      if (later && s->pending)
        pending_add (s, &e, qr->fp->band);
      else
        {
          status = insert_entry (s, &e, qr->fp->band);
          written = true;
        }
    }
  if (!s->batch_open)
    return end_transaction (s, status);
  /* A delivery written at once that failed takes its transaction with it: nothing waits (the
     waiting list is only used after the first delivery, and only if it could be allocated), and
     the batch's earlier deliveries written at once are lost too, the case of a short memory. */
  if (written && status != STORE_OK)
    rollback (s);
  s->batched++;
  if (sqlite3_get_autocommit (s->db) || s->batched >= st->batch_max
      || s->npending == PENDING_MAX || monotonic_ms () - s->batch_start_ms >= st->batch_ms)
    {
      int flushed = sqlite_flush (st);
      if (status == STORE_OK)
        status = flushed;
    }
  return status;
}

static int
sqlite_learn (struct store *st, const struct store_entry *e, const uint64_t band[FP_BANDS])
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  int rc = exec (s, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK)
    return fail (s, rc, "begin");
  return end_transaction (s, insert_entry (s, e, band));
}

/* Delete message ID and its band rows (inside the caller's transaction). */
static int
delete_message (struct sqlite_store *s, sqlite3_int64 id, const uint64_t band[FP_BANDS])
{
  sqlite3_stmt *d = NULL;
  int rc = sqlite3_prepare_v2 (s->db, "DELETE FROM band WHERE key = ? AND msg = ?", -1, &d, NULL);
  for (int b = 0; rc == SQLITE_OK && b < FP_BANDS; b++)
    {
      sqlite3_reset (d);
      sqlite3_bind_int64 (d, 1, (sqlite3_int64) (band[b] & INT64_MAX));
      sqlite3_bind_int64 (d, 2, id);
      rc = sqlite3_step (d);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
  sqlite3_finalize (d);
  if (rc != SQLITE_OK)
    return fail (s, rc, "delete band");
  rc = sqlite3_prepare_v2 (s->db, "DELETE FROM msg WHERE id = ?", -1, &d, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (d, 1, id);
      rc = sqlite3_step (d);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
  sqlite3_finalize (d);
  return rc == SQLITE_OK ? STORE_OK : fail (s, rc, "delete message");
}

static int
sqlite_forget (struct store *st, const struct fingerprint *fp, size_t *removed)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  index_drop (&s->index);       /* it would keep the deleted rows (data_version only tells of
                                   other connections' writes) */
  int rc = exec (s, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK)
    return fail (s, rc, "begin");
  struct candidates c = { 0 };
  int status = band_candidates (s, fp->band, INT64_MIN, INT64_MAX, NULL, NULL,
                                STORE_MAX_CANDIDATES, &c);
  for (size_t i = 0; status == STORE_OK && i < c.n; i++)
    if (memcmp (c.v[i].sig, fp->sig, sizeof c.v[i].sig) == 0
        && (status = delete_message (s, c.v[i].id, fp->band)) == STORE_OK)
      (*removed)++;
  free (c.v);
  status = end_transaction (s, status);
  if (status != STORE_OK)
    *removed = 0;
  return status;
}

static int
sqlite_expire (struct store *st, int64_t cutoff, size_t *removed)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  index_drop (&s->index);       /* it would keep the deleted rows (data_version only tells of
                                   other connections' writes) */
  int rc = exec (s, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK)
    return fail (s, rc, "begin");
  sqlite3_stmt *d = NULL;
  rc = sqlite3_prepare_v2 (s->db, "DELETE FROM band WHERE msg IN (SELECT id FROM msg WHERE ts <= ?1)",
                           -1, &d, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (d, 1, cutoff);
      rc = sqlite3_step (d);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
  sqlite3_finalize (d);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (s->db, "DELETE FROM msg WHERE ts <= ?1", -1, &d, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (d, 1, cutoff);
      rc = sqlite3_step (d);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
      *removed = sqlite3_changes (s->db);
      sqlite3_finalize (d);
    }
  if (rc == SQLITE_OK)
    rc = exec (s, "COMMIT");
  if (rc != SQLITE_OK)
    {
      *removed = 0;
      return fail_and_roll_back (s, rc, "expire");
    }
  return STORE_OK;
}

static int
sqlite_count (struct store *st, size_t *messages)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2 (s->db, "SELECT count(*) FROM msg", -1, &q, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (q)) == SQLITE_ROW)
    {
      *messages = (size_t) sqlite3_column_int64 (q, 0);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (q);
  return rc == SQLITE_OK ? STORE_OK : fail (s, rc, "count");
}

static void
key_to_hex (const struct fp_key *key, char hex[2 * FP_KEY_BYTES + 1])
{
  for (int i = 0; i < FP_KEY_BYTES; i++)
    snprintf (hex + 2 * i, 3, "%02x", key->bytes[i]);
}

static int
sqlite_export (struct store *st, FILE *out)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  char khex[2 * FP_KEY_BYTES + 1];
  key_to_hex (&st->key, khex);
  /* One read transaction: a consistent snapshot while deliveries go on. */
  int rc = exec (s, "BEGIN");
  if (rc != SQLITE_OK)
    return fail (s, rc, "begin");
  fprintf (out, "#rittberger-templates 1 key=%s\n", khex);
  sqlite3_stmt *q = NULL;
  rc = sqlite3_prepare_v2 (s->db, "SELECT ts, sender, ntok, sig FROM msg ORDER BY id", -1, &q, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (q)) == SQLITE_ROW)
    {
      uint16_t sig[FP_SLOTS];
      char hex[4 * FP_SLOTS + 1];
      rc = SQLITE_OK;
      if (!blob_to_sig (sqlite3_column_blob (q, 3), sqlite3_column_bytes (q, 3), sig))
        continue;
      fp_sig_to_hex (sig, hex);
      fprintf (out, "%" PRId64 " %016" PRIx64 " %" PRId64 " %s\n",
               (int64_t) sqlite3_column_int64 (q, 0), (uint64_t) sqlite3_column_int64 (q, 1),
               (int64_t) sqlite3_column_int64 (q, 2), hex);
    }
  sqlite3_finalize (q);
  exec (s, "COMMIT");
  if (rc != SQLITE_DONE)
    return fail (s, rc, "export");
  if (ferror (out))
    {
      snprintf (s->base.error, sizeof s->base.error, "export: write error: %s", strerror (errno));
      return STORE_ERROR;
    }
  return STORE_OK;
}

/* Parse one export line into E; return NULL, or the reason it is malformed. */
static const char *
parse_export_line (char *line, struct store_entry *e)
{
  char *fields[4];
  size_t n = 0;
  for (char *tok = strtok (line, " \t\r\n"); tok; tok = strtok (NULL, " \t\r\n"))
    {
      if (n == 4)
        return "too many fields";
      fields[n++] = tok;
    }
  if (n != 4)
    return "expected 4 fields: ts sender ntok signature";
  char *end;
  errno = 0;
  long long ts = strtoll (fields[0], &end, 10);
  if (*end || errno || ts < 0)
    return "bad time";
  unsigned long long sender = strtoull (fields[1], &end, 16);
  if (*end || errno || strlen (fields[1]) != 16)
    return "bad sender hash (16 hex digits)";
  unsigned long long ntok = strtoull (fields[2], &end, 10);
  if (*end || errno || ntok > UINT32_MAX)
    return "bad token count";
  if (fp_sig_from_hex (fields[3], strlen (fields[3]), e->sig) < 0)
    return "bad signature (256 hex digits)";
  e->ts = ts;
  e->sender = sender & INT64_MAX;
  e->ntok = (uint32_t) ntok;
  return NULL;
}

/* Compare the header's key with the store's; adopt it when the store is empty. */
static int
import_key (struct sqlite_store *s, const char *line, unsigned long lineno)
{
  const char *k = strstr (line, "key=");
  if (strncmp (line, "#rittberger-templates 1", 23) != 0 || !k)
    {
      snprintf (s->base.error, sizeof s->base.error, "line %lu: not a rittberger-templates 1 header",
                lineno);
      return STORE_ERROR;
    }
  struct fp_key key;
  k += 4;
  for (int i = 0; i < FP_KEY_BYTES; i++)
    {
      unsigned v;
      if (sscanf (k + 2 * i, "%2x", &v) != 1)
        {
          snprintf (s->base.error, sizeof s->base.error, "line %lu: bad key", lineno);
          return STORE_ERROR;
        }
      key.bytes[i] = (uint8_t) v;
    }
  if (memcmp (&key, &s->base.key, sizeof key) == 0)
    return STORE_OK;
  size_t n;
  int status = sqlite_count (&s->base, &n);
  if (status != STORE_OK)
    return status;
  if (n > 0)
    {
      snprintf (s->base.error, sizeof s->base.error,
                "line %lu: the export was made under another store key; "
                "its signatures cannot be compared with this store's", lineno);
      return STORE_ERROR;
    }
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2 (s->db, "UPDATE meta SET v = ? WHERE k = 'key'", -1, &q, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_blob (q, 1, key.bytes, FP_KEY_BYTES, SQLITE_TRANSIENT);
      rc = sqlite3_step (q);
    }
  sqlite3_finalize (q);
  if (rc != SQLITE_DONE)
    return fail (s, rc, "adopt key");
  s->base.key = key;
  return STORE_OK;
}

static int
sqlite_import (struct store *st, FILE *in, size_t *imported)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  int rc = exec (s, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK)
    return fail (s, rc, "begin");
  struct fp_key saved_key = st->key;
  char *line = NULL;
  size_t size = 0;
  ssize_t len;
  unsigned long lineno = 0;
  int status = STORE_OK;
  bool header = false;
  while (status == STORE_OK && (len = getline (&line, &size, in)) >= 0)
    {
      lineno++;
      if (memchr (line, '\0', len))
        {
          snprintf (s->base.error, sizeof s->base.error, "line %lu: NUL byte", lineno);
          status = STORE_ERROR;
          break;
        }
      if (!header)
        {
          status = import_key (s, line, lineno);
          header = true;
          continue;
        }
      if (line[0] == '#' || line[0] == '\n')
        continue;
      struct store_entry e;
      const char *why = parse_export_line (line, &e);
      if (why)
        {
          snprintf (s->base.error, sizeof s->base.error, "line %lu: %s", lineno, why);
          status = STORE_ERROR;
          break;
        }
      uint64_t band[FP_BANDS];
      fp_band_keys (e.sig, &st->key, band);
      status = insert_entry (s, &e, band);
      if (status == STORE_OK)
        (*imported)++;
    }
  free (line);
  if (status == STORE_OK && ferror (in))
    {
      snprintf (s->base.error, sizeof s->base.error, "read error: %s", strerror (errno));
      status = STORE_ERROR;
    }
  status = end_transaction (s, status);
  if (status != STORE_OK)
    {
      st->key = saved_key;
      *imported = 0;
    }
  return status;
}

const struct store_backend store_sqlite_backend = {
  .name = "sqlite",
  .open = sqlite_open,
  .lookup = sqlite_lookup,
  .learn = sqlite_learn,
  .forget = sqlite_forget,
  .expire = sqlite_expire,
  .count = sqlite_count,
  .export_lines = sqlite_export,
  .import_lines = sqlite_import,
  .close = sqlite_close,
  .flush = sqlite_flush,
  .ready = sqlite_ready,
};
