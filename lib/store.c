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
   too short to fingerprint prepares none, a single delivery no savepoint (preparing all six at
   open cost a mail hook 0.22 M instructions). */
enum statement
{
  STMT_BAND_LOOKUP,             /* the messages of 21 band keys in a time window, newest first */
  STMT_INSERT_MSG,
  STMT_INSERT_BAND,
  STMT_SAVEPOINT,               /* one delivery inside a batch */
  STMT_RELEASE,
  STMT_ROLLBACK_TO,
  STMT_COUNT
};

struct sqlite_store
{
  struct store base;            /* first, so a struct store * is one of these */
  sqlite3 *db;                  /* NULL until the first call that needs it (sqlite_ready) */
  int ready_status;             /* STORE_OK, or why opening the database failed: for good */
  char *path;
  sqlite3_stmt *stmt[STMT_COUNT];       /* NULL until first used */
  bool batch_tuned;             /* the batch settings (cache, checkpoints) are in effect */
  int log_frames;               /* frames in the log after this connection's last commit */
  bool batch_open;              /* a batch's write transaction is open */
  size_t batched;               /* deliveries in it */
  int64_t batch_start_ms;       /* when it began (CLOCK_MONOTONIC) */
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

static void
rollback (struct sqlite_store *s)
{
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

/* The band lookup names its 21 band keys ?1 to ?21 and its time window ?22 and ?23. */
_Static_assert (FP_BANDS == 21 && STORE_MAX_CANDIDATES == 5000,
                "the band lookup's text must follow FP_BANDS and STORE_MAX_CANDIDATES");

static const char *const statement_sql[STMT_COUNT] = {
  [STMT_BAND_LOOKUP] =
    "SELECT id, ts, sender, sig FROM msg WHERE id IN (SELECT msg FROM band WHERE key IN"
    " (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21))"
    " AND ts > ?22 AND ts <= ?23 ORDER BY id DESC LIMIT 5000",
  [STMT_INSERT_MSG] = "INSERT INTO msg (ts, sender, ntok, sig) VALUES (?, ?, ?, ?)",
  /* One row per statement: one statement inserting all 21 rows (VALUES (..), (..), ...) ran
     no faster and cost 0.16 M instructions more to prepare. */
  [STMT_INSERT_BAND] = "INSERT OR IGNORE INTO band (key, msg) VALUES (?, ?)",
  [STMT_SAVEPOINT] = "SAVEPOINT delivery",
  [STMT_RELEASE] = "RELEASE delivery",
  [STMT_ROLLBACK_TO] = "ROLLBACK TO delivery",
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

/* Run the one-shot statement WHICH (a savepoint command). */
static int
step_once (struct sqlite_store *s, enum statement which)
{
  sqlite3_stmt *q;
  int rc = statement (s, which, &q);
  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step (q);
  sqlite3_reset (q);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
sqlite_flush (struct store *st)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  if (!s->batch_open)
    return STORE_OK;
  s->batch_open = false;
  s->batched = 0;
  if (sqlite3_get_autocommit (s->db))
    return STORE_OK;            /* SQLite already ended it (after an I/O error) */
  int rc = exec (s, "COMMIT");
  if (rc != SQLITE_OK)
    return fail_and_roll_back (s, rc, "commit");
  return STORE_OK;
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
  free (s->path);
  free (s);
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
         temp_store=MEMORY: each delivery in a batch but the first is a savepoint, whose journal
         of the pages it changes (about 100 KB once the store has a few hundred messages)
         spilled to a temporary file from 64 KB on: 9 in 10 of the write calls of a corpus run
         went there, and a file was created and removed per batch.  The journal only serves to
         undo a failed delivery; nothing needs it after a crash.  The only other temporary tables
         here hold the message ids of one lookup (at most 5,000) or of one expire.  (It must be
         set outside a transaction.) */
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

/* Insert one message and its band rows inside the caller's transaction. */
static int
insert_entry (struct sqlite_store *s, const struct store_entry *e, const uint64_t band[FP_BANDS])
{
  uint8_t blob[2 * FP_SLOTS];
  sig_to_blob (e->sig, blob);
  sqlite3_stmt *im, *ib;
  int rc;
  if ((rc = statement (s, STMT_INSERT_MSG, &im)) != SQLITE_OK
      || (rc = statement (s, STMT_INSERT_BAND, &ib)) != SQLITE_OK)
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
  sqlite3_int64 id = sqlite3_last_insert_rowid (s->db);
  for (int b = 0; b < FP_BANDS; b++)
    {
      sqlite3_reset (ib);
      sqlite3_bind_int64 (ib, 1, (sqlite3_int64) (band[b] & INT64_MAX));
      sqlite3_bind_int64 (ib, 2, id);
      rc = sqlite3_step (ib);
      sqlite3_reset (ib);
      if (rc != SQLITE_DONE)
        return fail (s, rc, "insert band");
    }
  return STORE_OK;
}

/* A learned message that shares a band with the query. */
struct candidate
{
  sqlite3_int64 id;
  uint64_t sender;
  uint16_t sig[FP_SLOTS];
};

/* The messages sharing a band key of BAND with time in (SINCE, UNTIL], newest first, into a
   new array *OUT of *N (at most STORE_MAX_CANDIDATES). */
static int
band_candidates (struct sqlite_store *s, const uint64_t band[FP_BANDS], int64_t since,
                 int64_t until, struct candidate **out, size_t *n)
{
  *out = NULL;
  *n = 0;
  sqlite3_stmt *q;
  int rc = statement (s, STMT_BAND_LOOKUP, &q);
  if (rc != SQLITE_OK)
    return fail (s, rc, "prepare band lookup");
  sqlite3_reset (q);
  for (int b = 0; b < FP_BANDS; b++)
    sqlite3_bind_int64 (q, b + 1, (sqlite3_int64) (band[b] & INT64_MAX));
  sqlite3_bind_int64 (q, FP_BANDS + 1, since);
  sqlite3_bind_int64 (q, FP_BANDS + 2, until);
  size_t cap = 0;
  while ((rc = sqlite3_step (q)) == SQLITE_ROW)
    {
      if (*n == cap)
        {
          cap = cap ? 2 * cap : 16;
          struct candidate *nv = realloc (*out, cap * sizeof *nv);
          if (!nv)
            {
              sqlite3_reset (q);
              snprintf (s->base.error, sizeof s->base.error, "%s: %s", s->path, strerror (ENOMEM));
              return STORE_ERROR;
            }
          *out = nv;
        }
      struct candidate *c = &(*out)[*n];
      c->id = sqlite3_column_int64 (q, 0);
      c->sender = (uint64_t) sqlite3_column_int64 (q, 2);
      /* A damaged signature is skipped rather than failing the delivery. */
      if (blob_to_sig (sqlite3_column_blob (q, 3), sqlite3_column_bytes (q, 3), c->sig))
        (*n)++;
    }
  sqlite3_reset (q);
  if (rc != SQLITE_DONE)
    return fail (s, rc, "band lookup");
  return STORE_OK;
}

static int
compare_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
  return x < y ? -1 : x > y;
}

/* Settings for a run that learns many messages, made when a batch gets its second delivery.
   cache_size: a batch dirties nearly every page of the band index (its keys are random), so
   the default 2 MB cache made a corpus run read 8,000 pages back and spill; 4 MB holds a store
   of 1,000 pages and bounds what a larger store adds to the peak memory.
   (The log's checkpoints are note_log_size's.)  A failure here only costs speed. */
static void
tune_for_batch (struct sqlite_store *s)
{
  s->batch_tuned = true;
  exec (s, "PRAGMA cache_size=-4096");
}

static int
sqlite_lookup (struct store *st, const struct store_query *qr, struct store_answer *ans)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
  if (!qr->lookup && !qr->learn)
    return STORE_OK;
  /* A learning delivery takes the write lock up front, so that lookup and learn see one state
     and concurrent deliveries queue instead of failing on a lock upgrade.  In a batch the lock
     is already held, and the delivery is a savepoint: it fails alone. */
  bool batching = qr->learn && st->batch_max > 1;
  bool in_batch = s->batch_open;
  int rc = SQLITE_OK;
  if (!in_batch)
    {
      rc = exec (s, qr->learn ? "BEGIN IMMEDIATE" : "BEGIN");
      if (rc != SQLITE_OK)
        return fail (s, rc, "begin");
      if (batching)
        {
          s->batch_open = in_batch = true;
          s->batched = 0;
          s->batch_start_ms = monotonic_ms ();
        }
    }
  /* The first delivery of a batch is alone in its transaction, so rolling that back undoes it
     alone; without a savepoint SQLite keeps no copy of the pages it changes (a mail hook's one
     delivery is such a batch).  The batch settings wait for a second delivery likewise. */
  bool savepoint = in_batch && s->batched > 0;
  if (savepoint && !s->batch_tuned)
    tune_for_batch (s);
  if (savepoint && (rc = step_once (s, STMT_SAVEPOINT)) != SQLITE_OK)
    {
      int status = fail (s, rc, "savepoint");
      sqlite_flush (st);
      return status;
    }
  int status = STORE_OK;
  struct candidate *cands = NULL;
  uint64_t *senders = NULL;
  if (qr->lookup)
    {
      size_t n;
      int days = qr->days > 0 ? qr->days : STORE_DEFAULT_DAYS;
      status = band_candidates (s, qr->fp->band, qr->now - (int64_t) days * 86400, qr->now,
                                &cands, &n);
      uint64_t own = qr->sender & INT64_MAX;
      size_t nsenders = 0;
      if (status == STORE_OK && n && !(senders = malloc (n * sizeof *senders)))
        {
          snprintf (s->base.error, sizeof s->base.error, "%s: %s", s->path, strerror (ENOMEM));
          status = STORE_ERROR;
        }
      for (size_t i = 0; status == STORE_OK && i < n; i++)
        {
          ans->candidates++;
          int equal = fp_equal_slots (cands[i].sig, qr->fp->sig);
          if (equal > ans->best_equal)
            ans->best_equal = equal;
          if (fp_is_near_duplicate (equal))
            {
              ans->matches++;
              if (cands[i].sender != own)
                senders[nsenders++] = cands[i].sender;
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
    }
  if (status == STORE_OK && qr->learn)
    {
      struct store_entry e = { .ts = qr->now, .sender = qr->sender, .ntok = qr->fp->ntok };
      memcpy (e.sig, qr->fp->sig, sizeof e.sig);
      status = insert_entry (s, &e, qr->fp->band);
    }
  free (cands);
  free (senders);
  if (in_batch)
    {
      if (status != STORE_OK)
        {
          /* Undo this delivery only; the batch's earlier ones stay, unless SQLite has
             already rolled the whole transaction back. */
          if (!sqlite3_get_autocommit (s->db))
            {
              if (savepoint)
                step_once (s, STMT_ROLLBACK_TO);
              else
                rollback (s);
            }
        }
      if (savepoint && !sqlite3_get_autocommit (s->db)
          && (rc = step_once (s, STMT_RELEASE)) != SQLITE_OK && status == STORE_OK)
        status = fail (s, rc, "release");
      s->batched++;
      if (sqlite3_get_autocommit (s->db) || s->batched >= st->batch_max
          || monotonic_ms () - s->batch_start_ms >= st->batch_ms)
        {
          int flushed = sqlite_flush (st);
          if (status == STORE_OK)
            status = flushed;
        }
      return status;
    }
  return end_transaction (s, status);
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
  int rc = exec (s, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK)
    return fail (s, rc, "begin");
  struct candidate *cands;
  size_t n;
  int status = band_candidates (s, fp->band, INT64_MIN, INT64_MAX, &cands, &n);
  for (size_t i = 0; status == STORE_OK && i < n; i++)
    if (memcmp (cands[i].sig, fp->sig, sizeof cands[i].sig) == 0
        && (status = delete_message (s, cands[i].id, fp->band)) == STORE_OK)
      (*removed)++;
  free (cands);
  status = end_transaction (s, status);
  if (status != STORE_OK)
    *removed = 0;
  return status;
}

static int
sqlite_expire (struct store *st, int64_t cutoff, size_t *removed)
{
  struct sqlite_store *s = (struct sqlite_store *) st;
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
