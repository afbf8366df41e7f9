/* store.h: the fingerprint store behind detect-template: who sent near-duplicates, and when. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_STORE_H
#define RITTBERGER_STORE_H

/* A store remembers, per learned message, its time, its keyed sender hash, its token count and
   its 128-byte MinHash signature, indexed by the 21 LSH band keys (template-fingerprints.md
   §4).  It never holds text or addresses.  Every operation goes through a backend's table of
   functions, so a site-wide backend (Redis, PostgreSQL) can follow the SQLite one.

   Errors cost the finding, never the message: every call returns STORE_OK or a negative
   enum store_status, and store_error () says why; the tool warns and carries on.

   Export format, one learned message per line (a '#' line first names the format and the
   store's key, since signatures only compare under the same key):

     #rittberger-templates 1 key=<32 hex digits>
     <ts> <sender> <ntok> <sig>

   ts: seconds since the epoch (decimal); sender: the keyed sender hash, 16 hex digits; ntok:
   decimal token count; sig: 256 hex digits, 64 slots of 4 digits each, slot 0 first.  Import
   into a store with another key is refused, except into an empty store, which takes the key. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "fingerprint.h"

enum store_status
{
  STORE_OK = 0,
  STORE_ERROR = -1,             /* anything else: I/O, out of memory, bad input, wrong key */
  STORE_BUSY = -2,              /* locked by another process beyond the busy timeout */
  STORE_FULL = -3,              /* disk or quota full */
  STORE_CORRUPT = -4,           /* not a store, or a damaged one */
};

enum
{
  STORE_DEFAULT_DAYS = 30,      /* lookups look this far back; expire drops what is older */
  STORE_MAX_CANDIDATES = 5000,  /* most recent band hits verified per lookup: a bound on time */
  STORE_BUSY_TIMEOUT_MS = 30000,
  STORE_BATCH_DELIVERIES = 2048, /* a batch run's learning deliveries per write transaction */
  STORE_BATCH_MS = 200,         /* and the longest it keeps one open (each commit rewrites
                                   most of the band index: 50 ms made 50 commits of a corpus run) */
};

struct store;

/* One learned message. */
struct store_entry
{
  int64_t ts;
  uint64_t sender;              /* fp_sender_key of the From address */
  uint32_t ntok;
  uint16_t sig[FP_SLOTS];
};

/* A question to the store for one delivery. */
struct store_query
{
  const struct fingerprint *fp;
  uint64_t sender;
  int64_t now;                  /* the delivery's time, seconds since the epoch */
  int days;                     /* look back this many days; 0 = STORE_DEFAULT_DAYS */
  bool lookup;                  /* count earlier senders of near-duplicates */
  bool learn;                   /* then remember this message (same transaction) */
};

struct store_answer
{
  size_t senders;               /* distinct earlier senders other than query.sender */
  size_t matches;               /* verified near-duplicate messages seen */
  size_t candidates;            /* band hits verified */
  int best_equal;               /* most equal slots of any candidate */
};

/* The functions a backend provides; each returns STORE_OK or a negative enum store_status and
   leaves a message for store_error. */
struct store_backend
{
  const char *name;
  /* Open or create the store at LOCATION, or only check it and leave that to ready; on
     failure write the reason into ERR. */
  int (*open) (const char *location, struct store **out, char *err, size_t errlen);
  int (*lookup) (struct store *st, const struct store_query *q, struct store_answer *ans);
  int (*learn) (struct store *st, const struct store_entry *e, const uint64_t band[FP_BANDS]);
  int (*forget) (struct store *st, const struct fingerprint *fp, size_t *removed);
  int (*expire) (struct store *st, int64_t cutoff, size_t *removed);
  int (*count) (struct store *st, size_t *messages);
  int (*export_lines) (struct store *st, FILE *out);
  int (*import_lines) (struct store *st, FILE *in, size_t *imported);
  void (*close) (struct store *st);
  /* Commit what batched lookups learned (see store_set_batch); NULL: the backend never batches. */
  int (*flush) (struct store *st);
  /* Finish opening the store if open left that for its first use (every other function but
     flush and close is only called after it succeeded); NULL: open did everything. */
  int (*ready) (struct store *st);
};

/* What every backend's store starts with. */
struct store
{
  const struct store_backend *backend;
  struct fp_key key;            /* the per-store secret of every hash */
  char error[512];              /* the last error, for store_error */
  size_t batch_max;             /* learning lookups per write transaction; 0 or 1: one each */
  int batch_ms;                 /* most milliseconds a batch transaction stays open */
};

/* The SQLite backend (WAL, synchronous=NORMAL, busy_timeout 30 s, BEGIN IMMEDIATE per delivery,
   or per batch of deliveries with store_set_batch; statements are prepared when first used).
   In a batch the first delivery is written at once, the later ones wait in memory, where
   lookups find them, and are written at the commit; lookups there take the message ids of their
   band keys from an exact in-memory copy of the band index (8 bytes a band row, at most 4 MB;
   in a store with more rows or message ids of 131,072 or more, a filter of the stored band
   keys, which lets SQL skip the keys it rules out), rebuilt when another connection has
   committed since.  Its open only looks at the file: the database is opened (and a new store
   created) by the first call that needs it, so a process that never looks a message up
   creates, locks and checkpoints nothing. */
extern const struct store_backend store_sqlite_backend;

/* The default store path, $XDG_DATA_HOME/rittberger/templates.sqlite (else
   ~/.local/share/...), into BUF; return BUF, or NULL if neither variable is set or it does not fit. */
char *store_default_path (char *buf, size_t size);

/* Open the store at PATH (NULL: the default path, whose directories are created) with BACKEND
   (NULL: SQLite).  Return STORE_OK and set *OUT, or a negative status with the reason in ERR.
   The SQLite backend fails here for what a look at the path shows (a file that is not a
   database, a directory, a place where no file can be created); a damaged database, another
   version's store or a lock held too long is found by the first call that needs the database,
   which then fails, as does every later call but store_flush and store_close. */
int store_open (const char *path, const struct store_backend *backend, struct store **out,
                char *err, size_t errlen);

/* The store's hash key, for fingerprints and sender keys that this store can compare.  This
   opens the database if no call has yet; if that fails, the key is all zero bits and the next
   call reports the failure. */
const struct fp_key *store_key (const struct store *st);

/* Open ST's database now if no call has yet (a tool that must fail at once on a broken store
   calls this after store_open); return STORE_OK or the failure, as every later call will. */
int store_ready (struct store *st);

/* Answer Q (lookup, then learn, in one transaction) into *ANS. */
int store_lookup (struct store *st, const struct store_query *q, struct store_answer *ans);

/* Remember the fingerprint FP of a message from SENDER at time TS without looking anything up. */
int store_learn (struct store *st, const struct fingerprint *fp, uint64_t sender, int64_t ts);

/* Delete every learned message whose signature equals FP's; the count goes to *REMOVED. */
int store_forget (struct store *st, const struct fingerprint *fp, size_t *removed);

/* Delete what was learned more than DAYS days before NOW; the count goes to *REMOVED. */
int store_expire (struct store *st, int64_t now, int days, size_t *removed);

/* The number of learned messages. */
int store_count (struct store *st, size_t *messages);

/* Write every learned message to OUT in the export format above. */
int store_export (struct store *st, FILE *out);

/* Learn the lines of IN (export format); the count goes to *IMPORTED.  A malformed line fails
   the whole import (nothing is learned) with "line N: reason". */
int store_import (struct store *st, FILE *in, size_t *imported);

/* Let learning lookups share one write transaction: it is committed after MAX_DELIVERIES
   lookups or once it has been open MAX_MS milliseconds (checked at each lookup), and by
   store_flush, every other call and store_close.  A batch run pays one commit per batch instead
   of one per message, and its learning is written at the commit, all at once (lookups see it
   before); readers are never blocked (WAL), other writers wait at most the busy timeout.  The
   caller must flush whenever it may wait for input (e.g. after each input file), so the write
   lock is never held while nothing happens.  MAX_DELIVERIES 0 or 1 turns batching off (the
   default: a mail hook's delivery is committed before store_lookup returns).  A lookup that
   fails fails its delivery alone; a commit that fails loses the whole batch's learning and is
   reported by the call that made it (the lookup that filled the batch or ran out its time,
   store_flush, or another call); a crash loses the open batch's learning. */
void store_set_batch (struct store *st, size_t max_deliveries, int max_ms);

/* Commit what the open batch has learned, if anything; return STORE_OK or a negative status. */
int store_flush (struct store *st);

/* The message of the last failed call on ST. */
const char *store_error (const struct store *st);

/* Close ST and release it, committing an open batch (call store_flush first to see whether
   that worked); NULL is allowed.  A store whose database was never opened leaves no trace
   (but the directories store_open made). */
void store_close (struct store *st);

/* The name of STATUS ("ok", "error", "busy", "full", "corrupt"). */
const char *store_status_name (int status);

#endif
