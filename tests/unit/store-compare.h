/* store-compare.h: made-up fingerprints, and the check that a batch's in-memory band index (or
   the filter in its place) answers every lookup as SQL does, for test-store and test-store-cap. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_STORE_COMPARE_H
#define RITTBERGER_STORE_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "store.h"
#include "unit.h"
#include "../splitmix64.h"

/* Fill FP with made-up band keys and signature from the generator state *SEED: a message
   that shares nothing with another made so. */
static void
made_up (struct fingerprint *fp, uint64_t *seed)
{
  for (int b = 0; b < FP_BANDS; b++)
    {
      *seed = *seed * UINT64_C (6364136223846793005) + UINT64_C (1442695040888963407);
      fp->band[b] = *seed ^ *seed >> 29;
    }
  for (int j = 0; j < FP_SLOTS; j++)
    {
      *seed = *seed * UINT64_C (6364136223846793005) + UINT64_C (1442695040888963407);
      fp->sig[j] = (uint16_t) (*seed >> 48);
    }
  fp->ntok = 100;
}

/* Whether stores A and B export the same lines, all but the first (which names each store's
   key) unless SAME_KEY, and more than MIN_BYTES of them. */
static bool
same_exports (struct store *a, struct store *b, bool same_key, size_t min_bytes)
{
  char *ea = NULL, *eb = NULL;
  size_t la = 0, lb = 0;
  FILE *fa = open_memstream (&ea, &la), *fb = open_memstream (&eb, &lb);
  bool ok = fa && fb && store_export (a, fa) == STORE_OK && store_export (b, fb) == STORE_OK;
  if (fa)
    fclose (fa);
  if (fb)
    fclose (fb);
  const char *ba = ea, *bb = eb;
  if (ok && !same_key)
    {
      ba = memchr (ea, '\n', la);
      bb = memchr (eb, '\n', lb);
    }
  ok = ok && ba && bb && la - (ba - ea) == lb - (bb - eb) && la > min_bytes
       && memcmp (ba, bb, la - (ba - ea)) == 0;
  free (ea);
  free (eb);
  return ok;
}

/* A batch's lookups answer from an exact in-memory copy of the band index; it must give the
   same answers as SQL through everything that changes the rows: commits, the first delivery of
   each batch (written at once), message ids that outgrow the copy's bits (more than 8,192
   messages), store_forget of the newest message (whose id the next message then reuses: a copy
   that kept its rows would count the new message as a candidate), store_expire, and another
   connection's learning between two batches.  10,000 made-up messages, half of them with 3 of
   their 21 band keys from a pool of 5,000 (so their lookups find a few candidates, and the
   other half's find none, which makes the copy pay), into a batched store and, one by one,
   into another store. */
static void
check_index_like_sql (const char *dir)
{
  char pa[256], pb[256], err[512];
  snprintf (pa, sizeof pa, "%s/indexed.sqlite", dir);
  snprintf (pb, sizeof pb, "%s/plain.sqlite", dir);
  struct store *a, *b, *other;
  if (store_open (pa, NULL, &a, err, sizeof err) != STORE_OK
      || store_open (pb, NULL, &b, err, sizeof err) != STORE_OK
      || store_open (pa, NULL, &other, err, sizeof err) != STORE_OK)
    {
      CHECK (!"store_open");
      return;
    }
  store_set_batch (a, 700, 600 * 1000);
  uint64_t pool_seed = 99, seed = 7;
  static uint64_t pool[5000];
  for (int k = 0; k < 5000; k++)
    pool[k] = next_random (&pool_seed);
  int64_t now = 1700000000;
  size_t unequal = 0, with_candidates = 0;
  struct fingerprint last = { 0 };
  for (int i = 0; i < 10000; i++)
    {
      struct fingerprint fp;
      made_up (&fp, &seed);
      uint64_t r = next_random (&seed);
      for (int k = 0; r >> 20 & 1 && k < 3; k++)
        fp.band[next_random (&seed) % FP_BANDS] = pool[next_random (&seed) % 5000];
      struct store_query q = { .fp = &fp, .sender = r % 50, .now = now + i,
                               .lookup = true, .learn = (r >> 8) % 16 != 0 };
      struct store_answer x, y;
      int ra = store_lookup (a, &q, &x), rb = store_lookup (b, &q, &y);
      CHECK (ra == STORE_OK && rb == STORE_OK);
      unequal += memcmp (&x, &y, sizeof x) != 0;
      with_candidates += x.candidates > 0;
      if (q.learn)
        last = fp;
      size_t removed_a, removed_b;
      if (i == 1000 || i == 2000)
        {
          /* The newest message goes (its id comes again), in both stores. */
          CHECK (store_forget (a, &last, &removed_a) == STORE_OK
                 && store_forget (b, &last, &removed_b) == STORE_OK
                 && removed_a == 1 && removed_b == 1);
          store_set_batch (a, 700, 600 * 1000);
        }
      if (i == 2500)
        {
          CHECK (store_expire (a, now + 1000 + 86400, 1, &removed_a) == STORE_OK
                 && store_expire (b, now + 1000 + 86400, 1, &removed_b) == STORE_OK
                 && removed_a == removed_b && removed_a > 900);
          store_set_batch (a, 700, 600 * 1000);
        }
      if (i == 3000)
        {
          /* Another connection learns between two batches (in both stores). */
          CHECK (store_flush (a) == STORE_OK);
          made_up (&fp, &seed);
          fp.band[3] = pool[i % 5000];
          CHECK (store_learn (other, &fp, 3, now + i) == STORE_OK
                 && store_learn (b, &fp, 3, now + i) == STORE_OK);
        }
    }
  CHECK (unequal == 0);
  CHECK (with_candidates > 3000);
  CHECK (store_flush (a) == STORE_OK);
  CHECK (same_exports (a, b, false, 7000 * 250));
  store_close (other);
  store_close (a);
  store_close (b);
}

#endif
