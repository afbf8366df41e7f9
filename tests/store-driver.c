/* store-driver.c: drive the fingerprint store from a shell script (tests/store-stress.sh). */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* Usage: store-driver STORE learn WRITER COUNT    learn COUNT distinct messages of WRITER
          store-driver STORE batch WRITER COUNT    the same in batches, as score-outreach does
          store-driver STORE query WRITER COUNT    check that each of them is found again
          store-driver STORE recall WRITER COUNT   learn them in batches, and after each look
                                                   up (not learning) the one before it and
                                                   the one half-way back, which must be found
          store-driver STORE count                 print the number of learned messages
   Each message is a deterministic pseudo-random text of 40 words, so writers never collide.
   Exit 0 on success, 1 if a check failed, 2 on a store error. */

#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fingerprint.h"
#include "store.h"
#include "splitmix64.h"

static const char *const words[] = {
  "anfrage", "angebot", "termin", "projekt", "rechnung", "lieferung", "budget", "kunde", "team",
  "woche", "montag", "bericht", "entwurf", "freigabe", "vertrag", "meeting", "deadline", "invoice",
  "report", "release", "server", "backup", "schedule", "review", "draft", "update", "launch",
  "garden", "river", "window", "yellow", "ticket", "museum", "concert", "holiday", "kitchen",
  "bicycle", "library", "coffee", "mountain", "harbour", "station", "lantern", "meadow", "orchard",
  "violin", "pebble", "thunder", "compass", "feather", "granite", "harvest", "island", "jigsaw",
};

static void
message_text (int writer, int i, char *buf, size_t size)
{
  uint64_t state = (uint64_t) writer << 32 | (uint32_t) i;
  size_t n = 0;
  buf[0] = '\0';
  for (int w = 0; w < 40 && n + 20 < size; w++)
    n += snprintf (buf + n, size - n, "%s%s", w ? " " : "",
                   words[next_random (&state) % (sizeof words / sizeof *words)]);
}

int
main (int argc, char **argv)
{
  if (argc < 3)
    {
      fprintf (stderr, "usage: store-driver STORE learn|batch|query WRITER COUNT | STORE count\n");
      return 2;
    }
  char err[512];
  struct store *st;
  int rc = store_open (argv[1], NULL, &st, err, sizeof err);
  if (rc != STORE_OK)
    {
      fprintf (stderr, "store-driver: %s (%s)\n", err, store_status_name (rc));
      return 2;
    }
  int status = 0;
  if (strcmp (argv[2], "count") == 0)
    {
      size_t n;
      if (store_count (st, &n) != STORE_OK)
        {
          fprintf (stderr, "store-driver: %s\n", store_error (st));
          status = 2;
        }
      else
        printf ("%zu\n", n);
    }
  else if (argc == 5 && (strcmp (argv[2], "learn") == 0 || strcmp (argv[2], "batch") == 0
                          || strcmp (argv[2], "query") == 0 || strcmp (argv[2], "recall") == 0))
    {
      bool learn = argv[2][0] != 'q', recall = argv[2][0] == 'r';
      if (argv[2][0] == 'b' || recall)
        store_set_batch (st, STORE_BATCH_DELIVERIES, STORE_BATCH_MS);
      int writer = atoi (argv[3]), count = atoi (argv[4]);
      char from[64];
      snprintf (from, sizeof from, "writer%d@example.org", writer);
      uint64_t sender = fp_sender_key (from, store_key (st));
      int64_t now = time (NULL);
      for (int i = 0; i < count && status == 0; i++)
        {
          char text[1024];
          message_text (writer, i, text, sizeof text);
          struct fingerprint fp;
          if (fp_fingerprint (text, strlen (text), NULL, NULL, store_key (st), &fp) < 0)
            {
              perror ("store-driver");
              status = 2;
              break;
            }
          /* Queries come from another sender, so the writer's own copy counts as one. */
          struct store_query q = { .fp = &fp, .sender = learn ? sender : 0, .now = now,
                                   .lookup = true, .learn = learn };
          struct store_answer a;
          rc = store_lookup (st, &q, &a);
          if (rc != STORE_OK)
            {
              fprintf (stderr, "store-driver: writer %d message %d: %s (%s)\n", writer, i,
                       store_error (st), store_status_name (rc));
              status = 2;
            }
          else if (!learn && (a.matches < 1 || a.best_equal != FP_SLOTS))
            {
              fprintf (stderr, "store-driver: writer %d message %d not found (best %d)\n", writer,
                       i, a.best_equal);
              status = 1;
            }
          for (int back = 0; recall && status == 0 && i > 0 && back < 2; back++)
            {
              int earlier = back ? i / 2 : i - 1;
              message_text (writer, earlier, text, sizeof text);
              struct fingerprint old;
              struct store_query oq = { .fp = &old, .sender = 0, .now = now, .lookup = true };
              if (fp_fingerprint (text, strlen (text), NULL, NULL, store_key (st), &old) < 0
                  || store_lookup (st, &oq, &a) != STORE_OK)
                {
                  fprintf (stderr, "store-driver: writer %d message %d: %s\n", writer, earlier,
                           store_error (st));
                  status = 2;
                }
              else if (a.matches < 1 || a.best_equal != FP_SLOTS)
                {
                  fprintf (stderr, "store-driver: writer %d message %d not found after %d\n",
                           writer, earlier, i);
                  status = 1;
                }
            }
        }
      /* A batch's last commit happens here; store_close would only drop its error. */
      if (status == 0 && store_flush (st) != STORE_OK)
        {
          fprintf (stderr, "store-driver: writer %d: %s\n", writer, store_error (st));
          status = 2;
        }
    }
  else
    {
      fprintf (stderr, "store-driver: bad arguments\n");
      status = 2;
    }
  store_close (st);
  return status;
}
