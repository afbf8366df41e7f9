/* test-store.c: unit tests for lib/store.c: learn, lookup, forget, expire, export and import. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fingerprint.h"
#include "store.h"
#include "unit.h"
#include "store-compare.h"

static const char tpl[] =
  "Hi %s,\n\nI came across %s on LinkedIn and was impressed by what your team is building. "
  "We help B2B companies book qualified meetings every month with a fully done-for-you "
  "outbound system. %s Would you be open to a quick call next week to see if it's a fit? "
  "If you're not the right person, could you point me to who handles growth?\n\nBest,\n%s\n";

static const char unrelated[] =
  "The build of the release branch failed again last night because the test runner ran out "
  "of disk space on the second worker. I cleaned the cache directory and restarted the job; "
  "please check tomorrow whether the nightly artefacts were uploaded.";

static struct fingerprint
variant (struct store *st, const char *name, const char *company, const char *extra,
         const char *sender)
{
  char body[2048];
  snprintf (body, sizeof body, tpl, name, company, extra, sender);
  struct fingerprint fp;
  if (fp_fingerprint (body, strlen (body), NULL, NULL, store_key (st), &fp) < 0)
    memset (&fp, 0, sizeof fp);
  return fp;
}

/* The number of band rows of message ID in the store at PATH that carry one of FP's band
   keys, and into *TOTAL the number of all its band rows; -1 on an error. */
static int
band_rows (const char *path, sqlite3_int64 id, const struct fingerprint *fp, int *total)
{
  sqlite3 *db;
  sqlite3_stmt *q = NULL;
  int found = -1;
  *total = -1;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK
      && sqlite3_prepare_v2 (db, "SELECT key FROM band WHERE msg = ?", -1, &q, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (q, 1, id);
      found = *total = 0;
      while (sqlite3_step (q) == SQLITE_ROW)
        {
          uint64_t key = (uint64_t) sqlite3_column_int64 (q, 0);
          (*total)++;
          for (int b = 0; b < FP_BANDS; b++)
            if ((fp->band[b] & INT64_MAX) == key)
              {
                found++;
                break;
              }
        }
    }
  sqlite3_finalize (q);
  sqlite3_close (db);
  return found;
}

/* The number of distinct band keys of FP. */
static int
distinct_bands (const struct fingerprint *fp)
{
  int n = 0;
  for (int b = 0; b < FP_BANDS; b++)
    {
      bool seen = false;
      for (int c = 0; c < b; c++)
        seen |= (fp->band[c] & INT64_MAX) == (fp->band[b] & INT64_MAX);
      n += !seen;
    }
  return n;
}

static size_t
lookup (struct store *st, const struct fingerprint *fp, const char *from, int64_t now, bool learn)
{
  struct store_query q = { .fp = fp, .sender = fp_sender_key (from, store_key (st)), .now = now,
                           .lookup = true, .learn = learn };
  struct store_answer a;
  int rc = store_lookup (st, &q, &a);
  if (rc != STORE_OK)
    {
      fprintf (stderr, "lookup: %s\n", store_error (st));
      return (size_t) -1;
    }
  return a.senders;
}

/* Other templates, for messages that share no band with tpl's. */
static const char tpl_x[] =
  "Dear %s, our agency %s has helped over two hundred dentists fill their appointment books "
  "with patients from local search. %s We would love to show you the numbers from practices "
  "like yours in a short video call; reply with a time that suits you. Kind regards, %s\n";
static const char tpl_y[] =
  "Hallo %s, ich bin auf %s gestossen und finde, dass eure Webseite mit ein paar Anpassungen "
  "deutlich mehr Anfragen bringen koennte. %s Hast du diese Woche zehn Minuten fuer ein kurzes "
  "Telefonat, in dem ich dir drei konkrete Ideen zeige? Viele Gruesse, %s\n";
static const char tpl_w[] =
  "Good morning %s, I noticed that %s is hiring engineers again. Our recruiting platform "
  "matches senior developers with startups within nine days on average. %s Could we set up "
  "a fifteen minute chat on Thursday or Friday to walk through how it works? Cheers, %s\n";

static struct fingerprint
variant_of (struct store *st, const char *fmt, const char *name, const char *company,
            const char *extra, const char *sender)
{
  char body[2048];
  snprintf (body, sizeof body, fmt, name, company, extra, sender);
  struct fingerprint fp;
  if (fp_fingerprint (body, strlen (body), NULL, NULL, store_key (st), &fp) < 0)
    memset (&fp, 0, sizeof fp);
  return fp;
}

/* A batch's lookups see what the batch learnt before it was committed (the deliveries after the
   first wait in memory), what it committed (asked of SQL through the band filter), and what
   another connection or another process learnt between two batches (the filter is rebuilt). */
static void
check_write_behind (const char *dir)
{
  char path[256], err[512];
  snprintf (path, sizeof path, "%s/behind.sqlite", dir);
  struct store *st, *other;
  if (store_open (path, NULL, &st, err, sizeof err) != STORE_OK)
    {
      CHECK (!"store_open");
      return;
    }
  store_set_batch (st, STORE_BATCH_DELIVERIES, 600 * 1000);
  int64_t now = 1700000000;
  static const char *const names[] = { "Tom", "Sarah", "Lena", "Ali", "Kim", "Olga" };
  static const char *const from[] = { "a@1.example", "b@2.example", "c@3.example",
                                      "d@4.example", "e@5.example", "f@6.example" };
  struct fingerprint t[6];
  for (int i = 0; i < 6; i++)
    t[i] = variant (st, names[i], "Acme", "Loved your recent post about pricing pages.", names[i]);
  for (int i = 0; i < 5; i++)
    CHECK (lookup (st, &t[i], from[i], now + i, true) == (size_t) i);
  /* A message of another template, waiting, that only the filter's own additions know. */
  struct fingerprint w1 = variant_of (st, tpl_w, "Eva", "evas-cafe.de", "", "Tim");
  struct fingerprint w2 = variant_of (st, tpl_w, "Udo", "udos-bikes.de", "", "Tim");
  CHECK (lookup (st, &w1, "tim@w.example", now + 4, true) == 0);
  size_t n;
  CHECK (store_open (path, NULL, &other, err, sizeof err) == STORE_OK);
  CHECK (store_count (other, &n) == STORE_OK && n == 0);        /* nothing committed yet */
  CHECK (lookup (st, &t[5], from[5], now + 5, false) == 5);
  CHECK (store_flush (st) == STORE_OK);
  CHECK (store_count (other, &n) == STORE_OK && n == 6);
  /* A new batch: its first delivery and a later one. */
  CHECK (lookup (st, &t[5], from[5], now + 6, true) == 5);
  CHECK (lookup (st, &t[5], "g@7.example", now + 7, true) == 6);
  CHECK (lookup (st, &w2, "tom@w.example", now + 8, true) == 1);
  CHECK (store_flush (st) == STORE_OK);

  /* Another connection learns a new template between two batches. */
  struct fingerprint x1 = variant_of (st, tpl_x, "Dr. Weber", "SmileGrow", "", "Jim");
  struct fingerprint x2 = variant_of (st, tpl_x, "Dr. Braun", "SmileGrow",
                                      "Your reviews are great.", "Jim");
  struct fingerprint x3 = variant_of (st, tpl_x, "Dr. Klein", "SmileGrow", "", "Jon");
  CHECK (lookup (other, &x1, "jim@x.example", now + 10, true) == 0);
  CHECK (lookup (st, &x2, "jam@x.example", now + 11, true) == 1);
  CHECK (lookup (st, &x3, "jon@x.example", now + 12, true) == 2);
  CHECK (store_flush (st) == STORE_OK);
  store_close (other);

  /* And another process. */
  struct fingerprint y1 = variant_of (st, tpl_y, "Mia", "mias-laden.de", "", "Ben");
  struct fingerprint y2 = variant_of (st, tpl_y, "Leo", "leos-werkstatt.de", "Tolle Fotos!", "Ben");
  fflush (NULL);
  pid_t pid = fork ();
  if (pid == 0)
    {
      struct store *child;
      int ok = store_open (path, NULL, &child, err, sizeof err) == STORE_OK
               && lookup (child, &y1, "ben@y.example", now + 20, true) == 0;
      store_close (child);
      _exit (ok ? 0 : 1);
    }
  int wstatus = -1;
  CHECK (pid > 0 && waitpid (pid, &wstatus, 0) == pid && WIFEXITED (wstatus)
         && WEXITSTATUS (wstatus) == 0);
  CHECK (lookup (st, &y2, "bea@y.example", now + 21, true) == 1);
  CHECK (lookup (st, &y2, "bob@y.example", now + 22, true) == 2);
  CHECK (store_flush (st) == STORE_OK);
  CHECK (store_count (st, &n) == STORE_OK && n == 15);
  store_close (st);
}

/* The same deliveries, in batches and one by one, into two stores with the same key: every
   answer is the same, and so is the export (the messages, their order and so their ids). */
static void
check_same_as_one_by_one (const char *dir)
{
  char pa[256], pb[256], err[512];
  snprintf (pa, sizeof pa, "%s/batched.sqlite", dir);
  snprintf (pb, sizeof pb, "%s/single.sqlite", dir);
  struct store *a, *b;
  if (store_open (pa, NULL, &a, err, sizeof err) != STORE_OK
      || store_open (pb, NULL, &b, err, sizeof err) != STORE_OK)
    {
      CHECK (!"store_open");
      return;
    }
  FILE *header = tmpfile ();
  size_t n;
  CHECK (header && store_export (a, header) == STORE_OK);
  if (header)
    {
      rewind (header);
      CHECK (store_import (b, header, &n) == STORE_OK && n == 0);
      fclose (header);
    }
  CHECK (memcmp (store_key (a), store_key (b), sizeof (struct fp_key)) == 0);
  store_set_batch (a, 64, 600 * 1000);
  static const char *const fmts[] = { tpl, tpl_x, tpl_y };
  static const char *const names[] = { "Tom", "Sarah", "Lena", "Ali", "Kim", "Olga", "Ute" };
  static const char *const extras[] = {
    "", "Loved your recent post about pricing pages and churn.",
    "Congrats on opening the new office in Berlin last spring, what a milestone for everyone.",
    "Your podcast episode on hiring was great, especially the part about onboarding interns.",
  };
  uint64_t rng = 42;
  int64_t base = 1700000000;
  size_t found = 0, unequal = 0;
  for (int i = 0; i < 700; i++)
    {
      char sender[64], company[32];
      snprintf (sender, sizeof sender, "s%u@x.example", (unsigned) (next_random (&rng) % 40));
      snprintf (company, sizeof company, "C%u", (unsigned) (next_random (&rng) % 3));
      struct fingerprint fp = variant_of (a, fmts[next_random (&rng) % 3],
                                          names[next_random (&rng) % 7], company,
                                          extras[next_random (&rng) % 4], "Max");
      uint64_t r = next_random (&rng);
      struct store_query q = {
        .fp = &fp, .sender = fp_sender_key (sender, store_key (a)),
        /* Out of order, over three days: some waiting entries fall outside the window. */
        .now = base + i * 60 - (int64_t) (r % 3) * 86400, .days = r & 8 ? 1 : 0,
        .lookup = (r >> 8) % 16 != 0, .learn = (r >> 12) % 8 != 0,
      };
      struct store_answer x, y;
      int ra = store_lookup (a, &q, &x), rb = store_lookup (b, &q, &y);
      CHECK (ra == STORE_OK && rb == STORE_OK);
      unequal += memcmp (&x, &y, sizeof x) != 0;
      found += x.matches > 0;
      if (i % 150 == 149)
        CHECK (store_count (a, &n) == STORE_OK);        /* commits the batch */
    }
  CHECK (unequal == 0);
  CHECK (found > 300);
  CHECK (store_flush (a) == STORE_OK);
  CHECK (same_exports (a, b, true, 500 * 300));
  store_close (a);
  store_close (b);
}

/* At most STORE_MAX_CANDIDATES candidates, the newest: the waiting ones first, then the stored
   ones, newest first.  1,000 copies of one text from 1,000 senders, then 4,000 from one
   sender, committed, then 1,000 from another sender in a batch not yet committed: a lookup
   counts 5,000 candidates from the last two senders only.  (The batch's size is not reached:
   a full waiting list, 2,048 entries, commits it.) */
static void
check_candidate_limit (const char *dir)
{
  char path[256], err[512];
  snprintf (path, sizeof path, "%s/limit.sqlite", dir);
  struct store *st;
  if (store_open (path, NULL, &st, err, sizeof err) != STORE_OK)
    {
      CHECK (!"store_open");
      return;
    }
  store_set_batch (st, 100000, 600 * 1000);
  struct fingerprint fp = variant (st, "Tom", "Acme", "", "Dave");
  int64_t now = 1700000000;
  int status = STORE_OK;
  for (int i = 0; i < 6000; i++)
    {
      char sender[64];
      if (i < 1000)
        snprintf (sender, sizeof sender, "s%d@x.example", i);
      else
        strcpy (sender, i < 5000 ? "old@x.example" : "new@x.example");
      if (i == 5000 && store_flush (st) != STORE_OK)
        status = STORE_ERROR;
      struct store_query q = { .fp = &fp, .sender = fp_sender_key (sender, store_key (st)),
                               .now = now + i, .learn = true };
      struct store_answer a;
      if (store_lookup (st, &q, &a) != STORE_OK)
        status = STORE_ERROR;
    }
  CHECK (status == STORE_OK);
  struct store_query q = { .fp = &fp, .sender = 1, .now = now + 6000, .lookup = true };
  struct store_answer a;
  CHECK (store_lookup (st, &q, &a) == STORE_OK && a.candidates == STORE_MAX_CANDIDATES
         && a.matches == STORE_MAX_CANDIDATES && a.senders == 2);
  /* The window: the last 100 of the waiting ones are in the future. */
  q.now = now + 5899;
  CHECK (store_lookup (st, &q, &a) == STORE_OK && a.candidates == STORE_MAX_CANDIDATES
         && a.senders == 102);
  size_t n;
  CHECK (store_count (st, &n) == STORE_OK && n == 6000);
  q.now = now + 6000;
  CHECK (store_lookup (st, &q, &a) == STORE_OK && a.candidates == STORE_MAX_CANDIDATES
         && a.senders == 2);
  store_close (st);
}

/* A message that shares one band key, any of the 21, with a stored one finds it: by a single
   delivery (one statement a key), in a batch before the band filter is built and after (one
   statement for the keys, those the filter rules out left out). */
static void
check_each_band_alone (const char *dir)
{
  char path[256], err[512];
  snprintf (path, sizeof path, "%s/bands.sqlite", dir);
  struct store *st;
  if (store_open (path, NULL, &st, err, sizeof err) != STORE_OK)
    {
      CHECK (!"store_open");
      return;
    }
  uint64_t seed = 12345;
  int64_t now = 1700000000;
  struct fingerprint stored, fp;
  made_up (&stored, &seed);
  CHECK (store_learn (st, &stored, 7, now) == STORE_OK);
  for (int round = 0; round < 3; round++)
    {
      if (round == 1)
        {
          /* A batch: its first delivery is written at once; the lookups after it use the
             batch's statement, and with nothing missed yet there is no filter. */
          store_set_batch (st, 100000, 600 * 1000);
          made_up (&fp, &seed);
          struct store_query q = { .fp = &fp, .sender = 8, .now = now, .learn = true };
          struct store_answer a;
          CHECK (store_lookup (st, &q, &a) == STORE_OK);
        }
      int found = 0;
      for (int b = 0; b < FP_BANDS; b++)
        {
          made_up (&fp, &seed);
          fp.band[b] = stored.band[b];
          memcpy (fp.sig, stored.sig, sizeof fp.sig);
          struct store_query q = { .fp = &fp, .sender = 9, .now = now + 1, .lookup = true };
          struct store_answer a;
          found += store_lookup (st, &q, &a) == STORE_OK && a.candidates == 1 && a.matches == 1
                   && a.senders == 1;
        }
      CHECK (found == FP_BANDS);
      if (round == 1)
        for (int i = 0; i < 4; i++)
          {
            /* Lookups that find nothing: the filter pays and is built. */
            made_up (&fp, &seed);
            struct store_query q = { .fp = &fp, .sender = 10, .now = now + 2, .lookup = true,
                                     .learn = true };
            struct store_answer a;
            CHECK (store_lookup (st, &q, &a) == STORE_OK && a.candidates == 0);
          }
    }
  CHECK (store_flush (st) == STORE_OK);
  size_t n;
  CHECK (store_count (st, &n) == STORE_OK && n == 1 + 1 + 4);
  store_close (st);
}

int
main (void)
{
  char dir[] = "/tmp/test-store-XXXXXX";
  if (!mkdtemp (dir))
    return 77;
  char path[256], path2[256], exported[256];
  snprintf (path, sizeof path, "%s/sub/dir/templates.sqlite", dir);
  snprintf (path2, sizeof path2, "%s/other.sqlite", dir);
  snprintf (exported, sizeof exported, "%s/export.txt", dir);
  char err[512];

  /* The default path follows XDG_DATA_HOME and its directories are created. */
  char xdg[256];
  snprintf (xdg, sizeof xdg, "%s/sub/dir", dir);
  setenv ("XDG_DATA_HOME", xdg, 1);
  struct store *st = NULL;
  int rc = store_open (NULL, NULL, &st, err, sizeof err);
  CHECK (rc == STORE_OK);
  if (rc != STORE_OK)
    {
      fprintf (stderr, "%s\n", err);
      return 1;
    }
  CHECK (access (path, F_OK) != 0);     /* it lives under rittberger/ */
  char def[512];
  CHECK (store_default_path (def, sizeof def) && strstr (def, "/sub/dir/rittberger/templates.sqlite"));
  struct fp_key first_key = *store_key (st);
  store_close (st);

  /* Reopening keeps the key. */
  CHECK (store_open (NULL, NULL, &st, err, sizeof err) == STORE_OK);
  CHECK (memcmp (&first_key, store_key (st), sizeof first_key) == 0);
  store_close (st);

  CHECK (store_open (path2, NULL, &st, err, sizeof err) == STORE_OK);
  CHECK (memcmp (&first_key, store_key (st), sizeof first_key) != 0);   /* a key per store */
  int64_t now = 1700000000;

  /* Lookup then learn: each new sender of the template sees the earlier ones. */
  struct fingerprint v1 = variant (st, "Tom", "Acme", "Loved your recent post about pricing pages and churn.", "Dave");
  struct fingerprint v2 = variant (st, "Sarah", "Globex", "Congrats on opening the new office in Berlin last spring, what a milestone for everyone.", "Mike");
  struct fingerprint v3 = variant (st, "Lena", "Initech", "Your podcast episode on hiring was great.", "Rob");
  struct fingerprint v4 = variant (st, "Ali", "Umbrella", "", "Kim");
  CHECK (lookup (st, &v1, "dave@a.example", now, true) == 0);
  CHECK (lookup (st, &v2, "mike@b.example", now + 10, true) == 1);
  CHECK (lookup (st, &v3, "rob@c.example", now + 20, true) == 2);
  /* The same sender again does not count itself; +tags are the same sender. */
  CHECK (lookup (st, &v4, "rob+x@c.example", now + 30, true) == 2);
  CHECK (lookup (st, &v4, "kim@d.example", now + 40, false) == 3);
  size_t n;
  CHECK (store_count (st, &n) == STORE_OK && n == 4);   /* the no-learn lookup learned nothing */

  /* Unrelated text finds nothing. */
  struct fingerprint u;
  CHECK (fp_fingerprint (unrelated, strlen (unrelated), NULL, NULL, store_key (st), &u) == 0);
  CHECK (lookup (st, &u, "x@y.example", now + 50, false) == 0);

  /* Only the last N days count. */
  struct store_query q = { .fp = &v4, .sender = 1, .now = now + 40 * 86400, .lookup = true };
  struct store_answer a;
  CHECK (store_lookup (st, &q, &a) == STORE_OK && a.senders == 0);
  q.days = 60;
  CHECK (store_lookup (st, &q, &a) == STORE_OK && a.senders == 3 && a.matches == 4);

  /* learn-only. */
  CHECK (store_learn (st, &u, 42, now + 60) == STORE_OK);
  CHECK (store_count (st, &n) == STORE_OK && n == 5);

  /* Export, then import into a fresh store (which takes the key) and an unrelated one (refused). */
  FILE *f = fopen (exported, "w");
  CHECK (f && store_export (st, f) == STORE_OK);
  if (f)
    fclose (f);
  f = fopen (exported, "r");
  char line[512];
  CHECK (f && fgets (line, sizeof line, f) && strncmp (line, "#rittberger-templates 1 key=", 28) == 0);
  CHECK (f && fgets (line, sizeof line, f) && strlen (line) == 10 + 1 + 16 + 1 + 2 + 1 + 256 + 1);
  if (f)
    fclose (f);

  char path3[256];
  snprintf (path3, sizeof path3, "%s/imported.sqlite", dir);
  struct store *st3;
  CHECK (store_open (path3, NULL, &st3, err, sizeof err) == STORE_OK);
  f = fopen (exported, "r");
  size_t imported = 0;
  CHECK (f && store_import (st3, f, &imported) == STORE_OK && imported == 5);
  if (f)
    fclose (f);
  CHECK (memcmp (store_key (st3), store_key (st), sizeof (struct fp_key)) == 0);
  CHECK (lookup (st3, &v4, "kim@d.example", now + 40, false) == 3);
  /* Importing again into the now non-empty store with the same key works; a foreign key does not. */
  struct store *st1;
  CHECK (store_open (NULL, NULL, &st1, err, sizeof err) == STORE_OK);
  CHECK (store_learn (st1, &v1, 7, now) == STORE_OK);
  f = fopen (exported, "r");
  CHECK (f && store_import (st1, f, &imported) == STORE_ERROR && imported == 0);
  CHECK (strstr (store_error (st1), "another store key") != NULL);
  if (f)
    fclose (f);
  store_close (st1);
  /* A malformed line fails the whole import. */
  FILE *bad = fopen (exported, "a");
  if (bad)
    {
      fputs ("1700000000 zz 10 abc\n", bad);
      fclose (bad);
    }
  size_t before;
  store_count (st3, &before);
  f = fopen (exported, "r");
  CHECK (f && store_import (st3, f, &imported) == STORE_ERROR && imported == 0);
  CHECK (strstr (store_error (st3), "line 7:") != NULL);
  if (f)
    fclose (f);
  CHECK (store_count (st3, &n) == STORE_OK && n == before);
  store_close (st3);

  /* Forget by fingerprint: the entries with that signature go, the others stay. */
  size_t removed;
  rc = store_forget (st, &v2, &removed);
  if (rc != STORE_OK)
    fprintf (stderr, "forget: %s\n", store_error (st));
  CHECK (rc == STORE_OK && removed == 1);
  CHECK (store_count (st, &n) == STORE_OK && n == 4);
  CHECK (lookup (st, &v4, "kim@d.example", now + 40, false) == 2);
  CHECK (store_forget (st, &v2, &removed) == STORE_OK && removed == 0);

  /* Expire: what is older than N days goes. */
  CHECK (store_expire (st, now + 31 * 86400 + 45, 31, &removed) == STORE_OK && removed == 3);
  CHECK (store_count (st, &n) == STORE_OK && n == 1);
  store_close (st);

  /* A batch: the deliveries share one write transaction, each sees the earlier ones, another
     connection sees none of them until the batch is committed. */
  char path4[256];
  snprintf (path4, sizeof path4, "%s/batch.sqlite", dir);
  struct store *sb, *reader;
  CHECK (store_open (path4, NULL, &sb, err, sizeof err) == STORE_OK);
  store_set_batch (sb, STORE_BATCH_DELIVERIES, 600 * 1000);
  struct fingerprint b1 = variant (sb, "Tom", "Acme", "Loved your recent post about pricing pages and churn.", "Dave");
  struct fingerprint b2 = variant (sb, "Sarah", "Globex", "Congrats on opening the new office in Berlin last spring, what a milestone for everyone.", "Mike");
  struct fingerprint b3 = variant (sb, "Lena", "Initech", "Your podcast episode on hiring was great.", "Rob");
  CHECK (lookup (sb, &b1, "dave@a.example", now, true) == 0);
  CHECK (lookup (sb, &b2, "mike@b.example", now + 10, true) == 1);
  CHECK (lookup (sb, &b3, "rob@c.example", now + 20, true) == 2);
  CHECK (store_open (path4, NULL, &reader, err, sizeof err) == STORE_OK);
  CHECK (store_count (reader, &n) == STORE_OK && n == 0);
  CHECK (store_flush (sb) == STORE_OK);
  CHECK (store_count (reader, &n) == STORE_OK && n == 3);
  /* A lookup that does not learn, after the batch, in a transaction of its own. */
  CHECK (lookup (sb, &b3, "kim@d.example", now + 30, false) == 3);
  store_close (reader);
  store_close (sb);
  /* Each message has one band row per distinct band key, all of them its own (one statement
     inserts the 21). */
  const struct fingerprint *learned[] = { &b1, &b2, &b3 };
  for (int i = 0; i < 3; i++)
    {
      int total;
      int found = band_rows (path4, i + 1, learned[i], &total);
      CHECK (found == distinct_bands (learned[i]) && total == found);
    }
  CHECK (distinct_bands (&b1) > FP_BANDS / 2);

  /* Failures in a batch.  A trigger refuses the band rows of messages learnt at a time ending
     in 999, after their message row went in.  The first delivery of a batch is written at once,
     alone in its transaction: if that fails, it fails alone.  The later ones wait in memory and
     are written when the batch is committed: if that fails, the whole batch's learning is lost
     (the first delivery's with it) and the call that committed reports it, whichever it is;
     the store then goes on. */
  char path5[256];
  snprintf (path5, sizeof path5, "%s/refusing.sqlite", dir);
  CHECK (store_open (path5, NULL, &sb, err, sizeof err) == STORE_OK);
  CHECK (store_ready (sb) == STORE_OK);   /* the schema, for the trigger */
  sqlite3 *db5 = NULL;
  CHECK (sqlite3_open_v2 (path5, &db5, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK
         && sqlite3_exec (db5, "CREATE TRIGGER refuse BEFORE INSERT ON band WHEN"
                          " (SELECT ts FROM msg WHERE id = NEW.msg) % 1000 = 999"
                          " BEGIN SELECT RAISE (ABORT, 'refused'); END", NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_close (db5);
  store_set_batch (sb, STORE_BATCH_DELIVERIES, 600 * 1000);
  int64_t base = now - now % 1000;
  CHECK (lookup (sb, &b1, "dave@a.example", base + 999, true) == (size_t) -1);
  CHECK (lookup (sb, &b1, "dave@a.example", base + 10, true) == 0);
  CHECK (lookup (sb, &b2, "mike@b.example", base + 20, true) == 1);
  CHECK (store_flush (sb) == STORE_OK);
  CHECK (store_count (sb, &n) == STORE_OK && n == 2);
  /* A refused delivery after the first: its lookup succeeds, the commit fails. */
  CHECK (lookup (sb, &b3, "rob@c.example", base + 30, true) == 2);
  CHECK (lookup (sb, &b3, "rob@c.example", base + 1999, true) == 2);
  CHECK (lookup (sb, &b3, "kim@d.example", base + 40, true) == 3);
  CHECK (store_flush (sb) == STORE_ERROR && strstr (store_error (sb), "refused"));
  CHECK (store_count (sb, &n) == STORE_OK && n == 2);
  /* The same through the batch's size (the third delivery commits it) and through another
     call (store_count commits first). */
  store_set_batch (sb, 3, 600 * 1000);
  CHECK (lookup (sb, &b3, "rob@c.example", base + 50, true) == 2);
  CHECK (lookup (sb, &b3, "rob@c.example", base + 2999, true) == 2);
  CHECK (lookup (sb, &b3, "kim@d.example", base + 60, true) == (size_t) -1);
  CHECK (strstr (store_error (sb), "refused") != NULL);
  CHECK (store_count (sb, &n) == STORE_OK && n == 2);
  CHECK (lookup (sb, &b3, "rob@c.example", base + 70, true) == 2);
  CHECK (lookup (sb, &b3, "rob@c.example", base + 3999, true) == 2);
  CHECK (store_count (sb, &n) == STORE_ERROR && strstr (store_error (sb), "refused"));
  CHECK (store_count (sb, &n) == STORE_OK && n == 2);
  /* And the store goes on. */
  CHECK (lookup (sb, &b3, "rob@c.example", base + 80, true) == 2);
  CHECK (lookup (sb, &b3, "kim@d.example", base + 90, true) == 3);
  CHECK (store_flush (sb) == STORE_OK);
  CHECK (store_count (sb, &n) == STORE_OK && n == 4);
  store_close (sb);
  /* No band row of a refused message stayed behind. */
  int total1 = -1, all = -1;
  int found1 = band_rows (path5, 1, &b1, &total1);
  CHECK (found1 == distinct_bands (&b1) && total1 == found1);
  if (sqlite3_open_v2 (path5, &db5, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
    {
      sqlite3_stmt *q = NULL;
      if (sqlite3_prepare_v2 (db5, "SELECT count(*) FROM band WHERE msg NOT IN (SELECT id FROM msg)",
                              -1, &q, NULL) == SQLITE_OK && sqlite3_step (q) == SQLITE_ROW)
        all = sqlite3_column_int (q, 0);
      sqlite3_finalize (q);
    }
  sqlite3_close (db5);
  CHECK (all == 0);

  check_write_behind (dir);
  check_same_as_one_by_one (dir);
  check_candidate_limit (dir);
  check_each_band_alone (dir);
  check_index_like_sql (dir);

  /* A store that no call needed leaves no trace: no file, no log, no shared memory. */
  char lazy[256], lazy_wal[300], lazy_shm[300];
  snprintf (lazy, sizeof lazy, "%s/lazy.sqlite", dir);
  snprintf (lazy_wal, sizeof lazy_wal, "%s-wal", lazy);
  snprintf (lazy_shm, sizeof lazy_shm, "%s-shm", lazy);
  CHECK (store_open (lazy, NULL, &st, err, sizeof err) == STORE_OK);
  store_set_batch (st, STORE_BATCH_DELIVERIES, STORE_BATCH_MS);
  CHECK (store_flush (st) == STORE_OK);
  CHECK (access (lazy, F_OK) != 0 && access (lazy_wal, F_OK) != 0 && access (lazy_shm, F_OK) != 0);
  store_close (st);
  CHECK (access (lazy, F_OK) != 0 && access (lazy_wal, F_OK) != 0 && access (lazy_shm, F_OK) != 0);
  /* The first call that needs the database creates it, store_key included. */
  CHECK (store_open (lazy, NULL, &st, err, sizeof err) == STORE_OK);
  struct fp_key lazy_key = *store_key (st);
  CHECK (access (lazy, F_OK) == 0);
  CHECK (store_count (st, &n) == STORE_OK && n == 0);
  store_close (st);
  CHECK (store_open (lazy, NULL, &st, err, sizeof err) == STORE_OK);
  CHECK (store_ready (st) == STORE_OK && memcmp (&lazy_key, store_key (st), sizeof lazy_key) == 0);
  store_close (st);
  /* The write-ahead log stays, below its bound (128 frames of a 4 KB page and 24 bytes). */
  struct stat lazy_sb;
  CHECK (stat (lazy_wal, &lazy_sb) < 0 || lazy_sb.st_size <= 32 + 128 * (4096 + 24));

  /* What only the database shows (here another version's store) fails the first call that needs
     it and every later one, with the reason; flush and close still work. */
  sqlite3 *dbv = NULL;
  CHECK (sqlite3_open_v2 (lazy, &dbv, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK
         && sqlite3_exec (dbv, "UPDATE meta SET v = '9' WHERE k = 'version'", NULL, NULL,
                          NULL) == SQLITE_OK);
  sqlite3_close (dbv);
  CHECK (store_open (lazy, NULL, &st, err, sizeof err) == STORE_OK);
  CHECK (store_count (st, &n) == STORE_ERROR && strstr (store_error (st), "store version 9"));
  CHECK (store_ready (st) == STORE_ERROR);
  CHECK (store_learn (st, &v1, 7, now) == STORE_ERROR);
  struct store_query lq = { .fp = &v1, .sender = 1, .now = now, .lookup = true, .learn = true };
  CHECK (store_lookup (st, &lq, &a) == STORE_ERROR && a.senders == 0);
  CHECK (strstr (store_error (st), "store version 9") != NULL);
  CHECK (store_flush (st) == STORE_OK);
  store_close (st);

  /* Not a store: a corrupt file is an error with a message, not a crash. */
  char junk[256];
  snprintf (junk, sizeof junk, "%s/junk.sqlite", dir);
  f = fopen (junk, "w");
  if (f)
    {
      for (int i = 0; i < 4096; i++)
        fputc ("garbage!"[i % 8], f);
      fclose (f);
    }
  st = NULL;
  rc = store_open (junk, NULL, &st, err, sizeof err);
  CHECK (rc == STORE_CORRUPT && st == NULL && strstr (err, "junk.sqlite") != NULL);
  /* An unwritable place. */
  rc = store_open ("/proc/no/such/dir/x.sqlite", NULL, &st, err, sizeof err);
  CHECK (rc != STORE_OK && st == NULL);
  /* A directory, and a file too short to be a database: both found by store_open itself. */
  rc = store_open (dir, NULL, &st, err, sizeof err);
  CHECK (rc == STORE_ERROR && st == NULL && strstr (err, "unable to open database file"));
  f = fopen (junk, "w");
  if (f)
    {
      fputs ("abc", f);
      fclose (f);
    }
  rc = store_open (junk, NULL, &st, err, sizeof err);
  CHECK (rc == STORE_CORRUPT && st == NULL && strstr (err, "file is not a database"));

  char cmd[300];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", dir);
  UNIT_EXIT ();
}
