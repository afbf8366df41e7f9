/* bench-store.c: time normalise + fingerprint + store lookup per message against a 100,000-message store. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* Usage: bench-store [--messages N] [--queries Q] [--store PATH] [--batch] [DIR...]

   Fills a fresh store (PATH, default a temporary file) with N (default 100,000) fingerprints of
   synthetic messages made of word windows cut from the real bodies in DIR (default
   ~/.cache/rittberger-corpus/spam-assassin/data/easy-ham-1; every second body), through one
   import, then answers Q (default 2,000) of the other bodies from DIR as deliveries do: fingerprint (normalisation included),
   then lookup + learn in one transaction.  Prints median, mean and 99th percentile of each step
   in microseconds; text_analyze is shown apart, since every detector shares it.  Goal: < 1 ms
   per message for fingerprint + lookup.  --batch: the deliveries are batched as in a batch run
   (store_set_batch), so most of the writing happens at the commits; the total time of all of
   them, the final commit included, is printed too. */

#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "template.h"
#include "../tests/splitmix64.h"

static double
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
report (const char *what, double *v, size_t n)
{
  if (n == 0)
    return;
  double sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += v[i];
  qsort (v, n, sizeof *v, compare_doubles);
  printf ("%-34s median %8.1f us   mean %8.1f us   p99 %8.1f us\n", what, v[n / 2], sum / n,
          v[(size_t) (n * 0.99)]);
}

struct body
{
  char *raw;                    /* the file, kept for msg_parse */
  size_t len;
};

static char *
read_file (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  if (!f)
    return NULL;
  size_t cap = 8192, n = 0;
  char *buf = malloc (cap);
  size_t got;
  while (buf && (got = fread (buf + n, 1, cap - n, f)) > 0)
    {
      n += got;
      if (n == cap)
        {
          char *nb = realloc (buf, cap *= 2);
          if (!nb)
            {
              free (buf);
              buf = NULL;
            }
          buf = nb;
        }
    }
  fclose (f);
  *len = n;
  return buf;
}

int
main (int argc, char **argv)
{
  size_t messages = 100000, queries = 2000;
  const char *store_path = NULL;
  bool batch = false;
  char default_dir[1024];
  const char *dirs[16];
  int ndirs = 0;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--messages") == 0 && i + 1 < argc)
        messages = strtoul (argv[++i], NULL, 10);
      else if (strcmp (argv[i], "--queries") == 0 && i + 1 < argc)
        queries = strtoul (argv[++i], NULL, 10);
      else if (strcmp (argv[i], "--store") == 0 && i + 1 < argc)
        store_path = argv[++i];
      else if (strcmp (argv[i], "--batch") == 0)
        batch = true;
      else if (ndirs < 16)
        dirs[ndirs++] = argv[i];
    }
  if (ndirs == 0)
    {
      const char *home = getenv ("HOME");
      snprintf (default_dir, sizeof default_dir,
                "%s/.cache/rittberger-corpus/spam-assassin/data/easy-ham-1", home ? home : "");
      dirs[ndirs++] = default_dir;
    }

  /* The real messages. */
  struct body *bodies = NULL;
  size_t nbodies = 0, cap = 0;
  for (int d = 0; d < ndirs; d++)
    {
      DIR *dir = opendir (dirs[d]);
      if (!dir)
        {
          fprintf (stderr, "bench-store: %s: %s\n", dirs[d], strerror (errno));
          return 2;
        }
      struct dirent *e;
      while ((e = readdir (dir)))
        {
          size_t len = strlen (e->d_name);
          if (len < 5 || strcmp (e->d_name + len - 4, ".txt"))
            continue;
          char path[2048];
          snprintf (path, sizeof path, "%s/%s", dirs[d], e->d_name);
          if (nbodies == cap)
            {
              cap = cap ? 2 * cap : 1024;
              bodies = realloc (bodies, cap * sizeof *bodies);
              if (!bodies)
                return 2;
            }
          size_t n;
          char *raw = read_file (path, &n);
          if (!raw)
            continue;
          /* Skip the mbox "From " line: msg_parse takes one message. */
          char *start = raw;
          if (n > 5 && memcmp (raw, "From ", 5) == 0)
            {
              char *nl = memchr (raw, '\n', n);
              if (nl)
                start = nl + 1;
            }
          memmove (raw, start, n - (start - raw));
          bodies[nbodies].raw = raw;
          bodies[nbodies].len = n - (start - raw);
          nbodies++;
        }
      closedir (dir);
    }
  if (nbodies == 0)
    {
      fprintf (stderr, "bench-store: no messages found\n");
      return 77;
    }

  /* A word stream from the decoded bodies, for synthetic fill messages with natural word
     frequencies. */
  char *stream = NULL;
  size_t slen = 0, scap = 0;
  for (size_t i = 0; i < nbodies; i += 2)
    {
      struct msg m;
      if (msg_parse (&m, bodies[i].raw, bodies[i].len) < 0)
        continue;
      if (slen + m.body_len + 2 > scap)
        {
          scap = (slen + m.body_len + 2) * 2;
          stream = realloc (stream, scap);
          if (!stream)
            return 2;
        }
      memcpy (stream + slen, m.body, m.body_len);
      slen += m.body_len;
      stream[slen++] = ' ';
      msg_free (&m);
    }

  char tmpdir[] = "/tmp/bench-store-XXXXXX";
  char path[1200];
  if (!store_path)
    {
      if (!mkdtemp (tmpdir))
        return 2;
      snprintf (path, sizeof path, "%s/templates.sqlite", tmpdir);
      store_path = path;
    }
  char err[512];
  struct store *st;
  if (store_open (store_path, NULL, &st, err, sizeof err) != STORE_OK)
    {
      fprintf (stderr, "bench-store: %s\n", err);
      return 2;
    }

  /* Fill through one import: fingerprint N synthetic messages into export lines. */
  double t0 = now_us ();
  FILE *lines = tmpfile ();
  if (!lines)
    return 2;
  char khex[2 * FP_KEY_BYTES + 1];
  for (int i = 0; i < FP_KEY_BYTES; i++)
    snprintf (khex + 2 * i, 3, "%02x", store_key (st)->bytes[i]);
  fprintf (lines, "#rittberger-templates 1 key=%s\n", khex);
  uint64_t rnd = 42;
  int64_t now = (int64_t) time (NULL);
  char text[4096];
  for (size_t i = 0; i < messages; i++)
    {
      size_t n = 0;
      for (int w = 0; w < 3; w++)
        {
          size_t at = next_random (&rnd) % (slen > 600 ? slen - 600 : 1);
          size_t take = 150 + next_random (&rnd) % 250;
          if (at + take > slen)
            take = slen - at;
          if (n + take + 2 >= sizeof text)
            break;
          memcpy (text + n, stream + at, take);
          n += take;
          text[n++] = '\n';
        }
      struct fingerprint fp;
      if (fp_fingerprint (text, n, NULL, NULL, store_key (st), &fp) < 0)
        return 2;
      char hex[4 * FP_SLOTS + 1];
      fp_sig_to_hex (fp.sig, hex);
      fprintf (lines, "%" PRId64 " %016" PRIx64 " %u %s\n",
               now - (int64_t) (next_random (&rnd) % (29 * 86400)),
               next_random (&rnd) >> 1, fp.ntok, hex);
    }
  rewind (lines);
  size_t imported;
  if (store_import (st, lines, &imported) != STORE_OK)
    {
      fprintf (stderr, "bench-store: %s\n", store_error (st));
      return 2;
    }
  fclose (lines);
  printf ("store filled with %zu messages in %.1f s\n", imported, (now_us () - t0) / 1e6);

  double *t_text = calloc (queries, sizeof (double));
  double *t_fp = calloc (queries, sizeof (double));
  double *t_lookup = calloc (queries, sizeof (double));
  double *t_total = calloc (queries, sizeof (double));
  double *t_read = calloc (queries, sizeof (double));
  if (!t_text || !t_fp || !t_lookup || !t_total || !t_read)
    return 2;
  size_t done = 0, skipped = 0, candidates = 0, tokens = 0;
  if (batch)
    store_set_batch (st, STORE_BATCH_DELIVERIES, STORE_BATCH_MS);
  double deliveries_us = 0;
  for (size_t q = 0; q < queries; q++)
    {
      /* The odd bodies: the fill was cut from the even ones. */
      struct body *b = &bodies[(2 * q + 1) % nbodies];
      struct msg m;
      if (msg_parse (&m, b->raw, b->len) < 0)
        continue;
      double a = now_us ();
      struct text t;
      if (text_analyze (&t, m.body, m.body_len) < 0)
        {
          msg_free (&m);
          continue;
        }
      double bt = now_us ();
      struct fingerprint fp;
      int rc = template_fingerprint (store_key (st), &m, &t, NULL, &fp);
      double c = now_us ();
      double fp_time = c - bt;
      if (rc < 0 || fp.ntok < FP_MIN_TOKENS)
        {
          skipped++;
          text_free (&t);
          msg_free (&m);
          continue;
        }
      struct store_query sq = { .fp = &fp, .sender = template_sender_key (store_key (st), &m),
                                .now = now, .lookup = true, .learn = true };
      struct store_answer ans;
      /* The delivery: lookup + learn in one transaction.  Then, for --no-learn, a read-only
         lookup of the same message (its pages are warm by then). */
      c = now_us ();
      rc = store_lookup (st, &sq, &ans);
      double d = now_us ();
      if (rc == STORE_OK)
        {
          struct store_answer again;
          sq.learn = false;
          double r0 = now_us ();
          rc = store_lookup (st, &sq, &again);
          t_read[done] = now_us () - r0;
        }
      if (rc != STORE_OK)
        {
          fprintf (stderr, "bench-store: %s\n", store_error (st));
          return 2;
        }
      t_text[done] = bt - a;
      t_fp[done] = fp_time;
      t_lookup[done] = d - c;
      deliveries_us += d - c;
      t_total[done] = fp_time + (d - c);
      candidates += ans.candidates;
      tokens += fp.ntok;
      done++;
      text_free (&t);
      msg_free (&m);
    }
  printf ("%zu deliveries (%zu short bodies skipped), %.1f tokens and %.1f band candidates on average\n",
          done, skipped, done ? (double) tokens / done : 0.0, done ? (double) candidates / done : 0.0);
  report ("text_analyze (shared, not counted)", t_text, done);
  report ("normalise + fingerprint", t_fp, done);
  report ("lookup only, warm (--no-learn)", t_read, done);
  report ("lookup + learn (one transaction)", t_lookup, done);
  report ("fingerprint + lookup + learn", t_total, done);
  if (batch)
    {
      double f0 = now_us ();
      if (store_flush (st) != STORE_OK)
        {
          fprintf (stderr, "bench-store: %s\n", store_error (st));
          return 2;
        }
      deliveries_us += now_us () - f0;
      printf ("batch: lookup + learn of %zu deliveries, commits included: %.1f ms, %.1f us each\n",
              done, deliveries_us / 1e3, done ? deliveries_us / done : 0.0);
    }
  store_close (st);
  free (t_text);
  free (t_fp);
  free (t_lookup);
  free (t_total);
  free (t_read);
  free (stream);
  for (size_t i = 0; i < nbodies; i++)
    free (bodies[i].raw);
  free (bodies);
  if (store_path == path)
    {
      char cmd[1300];
      snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
      if (system (cmd) != 0)
        fprintf (stderr, "bench-store: could not remove %s\n", tmpdir);
    }
  return 0;
}
