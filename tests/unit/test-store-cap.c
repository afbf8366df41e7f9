/* test-store-cap.c: lib/store.c built with a small cap on its exact band index, so that a batch
   outgrows the index and goes on with the filter: every answer and the export must still be
   those of SQL alone, and the index must never hold more rows than the cap. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#define STORE_INDEX_MAX_ROWS ((size_t) 2048)
#include "../../lib/store.c"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "store-compare.h"

/* A batch into an empty store: the index is built (empty) and grows with each commit until the
   next would pass the cap; then the filter takes over. */
static void
check_index_gives_way (const char *dir)
{
  char path[256], err[512];
  snprintf (path, sizeof path, "%s/capped.sqlite", dir);
  struct store *st;
  if (store_open (path, NULL, &st, err, sizeof err) != STORE_OK)
    {
      CHECK (!"store_open");
      return;
    }
  struct sqlite_store *s = (struct sqlite_store *) st;
  /* Batches of 20 deliveries: 420 band rows a commit. */
  store_set_batch (st, 20, 600 * 1000);
  uint64_t seed = 11;
  bool seen_live = false;
  size_t most_rows = 0;
  for (int i = 0; i < 400; i++)
    {
      struct fingerprint fp;
      made_up (&fp, &seed);
      struct store_query q = { .fp = &fp, .sender = (uint64_t) i, .now = 1700000000 + i,
                               .lookup = true, .learn = true };
      struct store_answer ans;
      CHECK (store_lookup (st, &q, &ans) == STORE_OK);
      seen_live |= s->index.live;
      if (s->index.cap > most_rows)
        most_rows = s->index.cap;
    }
  CHECK (store_flush (st) == STORE_OK);
  CHECK (seen_live);                    /* the index was used while it fitted */
  CHECK (most_rows <= STORE_INDEX_MAX_ROWS);
  CHECK (!s->index.live && s->filter.words);    /* and the filter then took its place */
  store_close (st);
}

int
main (void)
{
  char dir[] = "/tmp/test-store-cap-XXXXXX";
  if (!mkdtemp (dir))
    return 77;
  check_index_gives_way (dir);
  check_index_like_sql (dir);
  char cmd[300];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", dir);
  UNIT_EXIT ();
}
