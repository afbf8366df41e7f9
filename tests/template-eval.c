/* template-eval.c: replay messages through one fingerprint store for bench/eval-template. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* Usage: template-eval variants STORE MBOX
            one line per message: "V<TAB>TEMPLATE<TAB>VARIANT<TAB>FLAGGED<TAB>SENDERS<TAB>TOKENS"
            (TEMPLATE and VARIANT from the X-Template header that tests/template/gen-variants writes)
          template-eval replay STORE DIR...
            every *.txt / *.eml / mbox file of the DIRs, sorted by Date, one line per message:
            "R<TAB>GROUP<TAB>FILE<TAB>FLAGGED<TAB>ALLOWED<TAB>SENDERS<TAB>TOKENS<TAB>SUBSCRIBED"
            (GROUP = the DIR's last path component), then summary lines
            "S<TAB>spam-clusters<TAB>N<TAB>MESSAGES" for the near-duplicate clusters (>= 2
            messages, >= 26 equal slots) among groups whose name starts with "spam".
   FLAGGED means a counted TEMPLATE_BULK finding, ALLOWED one marked allowed (subscribed mail).
   Exit 0, or 2 on trouble. */

#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

struct item
{
  char *path;
  char *group;
  int64_t when;
};

static int
compare_items (const void *a, const void *b)
{
  const struct item *x = a, *y = b;
  if (x->when != y->when)
    return x->when < y->when ? -1 : 1;
  return strcmp (x->path, y->path);
}

/* Analyse message M with the store; report flagged/allowed counts of TEMPLATE_BULK. */
static int
one_message (struct store *st, const struct msg *m, struct template_result *res, int *flagged,
             int *allowed, struct fingerprint *fp)
{
  struct text t;
  if (text_analyze (&t, m->body, m->body_len) < 0)
    return STORE_ERROR;
  struct findings f = { 0 };
  memset (res, 0, sizeof *res);
  int64_t when = template_message_time (m);
  struct template_bulk_options o = { .mode = TEMPLATE_LOOKUP_LEARN, .now = when ? when : 1 };
  int rc = template_bulk (NULL, st, m, &t, NULL, &o, &f, res);
  *flagged = *allowed = 0;
  for (size_t i = 0; i < f.n; i++)
    if (strcmp (f.v[i].rule, TEMPLATE_RULE_BULK) == 0)
      {
        if (f.v[i].flags & FIND_ALLOWED)
          (*allowed)++;
        else
          (*flagged)++;
      }
  if (fp && template_fingerprint (store_key (st), m, &t, NULL, fp) < 0)
    rc = STORE_ERROR;
  findings_clear (&f);
  free (f.v);
  text_free (&t);
  return rc;
}

static int
run_variants (struct store *st, const char *mbox)
{
  struct msg_input *in = msg_input_open (mbox);
  if (!in)
    {
      fprintf (stderr, "template-eval: %s: %s\n", mbox, strerror (errno));
      return 2;
    }
  struct msg m;
  int r, status = 0;
  while ((r = msg_input_next (in, &m)) > 0)
    {
      const char *tag = msg_header (&m, "X-Template");
      char name[64] = "?";
      int variant = 0;
      if (tag)
        sscanf (tag, "%63s %d", name, &variant);
      struct template_result res;
      int flagged, allowed;
      int rc = one_message (st, &m, &res, &flagged, &allowed, NULL);
      if (rc != STORE_OK)
        {
          fprintf (stderr, "template-eval: %s\n", store_error (st));
          status = 2;
        }
      printf ("V\t%s\t%d\t%d\t%zu\t%zu\n", name, variant, flagged, res.senders, res.tokens);
      msg_free (&m);
    }
  if (r < 0)
    status = 2;
  msg_input_close (in);
  return status;
}

/* Add the message files of DIR to *ITEMS. */
static int
collect (const char *dir, struct item **items, size_t *n, size_t *cap)
{
  DIR *d = opendir (dir);
  if (!d)
    {
      fprintf (stderr, "template-eval: %s: %s\n", dir, strerror (errno));
      return -1;
    }
  const char *group = strrchr (dir, '/');
  group = group && group[1] ? group + 1 : dir;
  struct dirent *e;
  while ((e = readdir (d)))
    {
      size_t len = strlen (e->d_name);
      if (e->d_name[0] == '.' || len < 5
          || (strcmp (e->d_name + len - 4, ".txt") && strcmp (e->d_name + len - 4, ".eml")))
        continue;
      if (*n == *cap)
        {
          *cap = *cap ? 2 * *cap : 1024;
          struct item *v = realloc (*items, *cap * sizeof *v);
          if (!v)
            {
              closedir (d);
              return -1;
            }
          *items = v;
        }
      struct item *it = &(*items)[(*n)++];
      size_t need = strlen (dir) + len + 2;
      it->path = malloc (need);
      it->group = strdup (group);
      if (!it->path || !it->group)
        {
          closedir (d);
          return -1;
        }
      snprintf (it->path, need, "%s/%s", dir, e->d_name);
      it->when = 0;
    }
  closedir (d);
  return 0;
}

static size_t
find_root (size_t *parent, size_t i)
{
  while (parent[i] != i)
    i = parent[i] = parent[parent[i]];
  return i;
}

static int
run_replay (struct store *st, char **dirs, int ndirs)
{
  struct item *items = NULL;
  size_t n = 0, cap = 0;
  for (int i = 0; i < ndirs; i++)
    if (collect (dirs[i], &items, &n, &cap) < 0)
      return 2;
  /* The Date of each message, for replay in time order. */
  for (size_t i = 0; i < n; i++)
    {
      struct msg_input *in = msg_input_open (items[i].path);
      struct msg m;
      if (in && msg_input_next (in, &m) > 0)
        {
          items[i].when = template_message_time (&m);
          msg_free (&m);
        }
      if (in)
        msg_input_close (in);
    }
  qsort (items, n, sizeof *items, compare_items);

  struct fingerprint *spam_fp = malloc ((n ? n : 1) * sizeof *spam_fp);
  size_t nspam = 0;
  int status = 0;
  for (size_t i = 0; i < n; i++)
    {
      struct msg_input *in = msg_input_open (items[i].path);
      struct msg m;
      if (!in || msg_input_next (in, &m) <= 0)
        {
          if (in)
            msg_input_close (in);
          continue;
        }
      bool spam = strncmp (items[i].group, "spam", 4) == 0;
      struct template_result res;
      int flagged, allowed;
      struct fingerprint fp;
      int rc = one_message (st, &m, &res, &flagged, &allowed, spam_fp ? &fp : NULL);
      if (rc != STORE_OK)
        {
          fprintf (stderr, "template-eval: %s: %s\n", items[i].path, store_error (st));
          status = 2;
        }
      if (spam && spam_fp && fp.ntok >= FP_MIN_TOKENS)
        spam_fp[nspam++] = fp;
      const char *base = strrchr (items[i].path, '/');
      printf ("R\t%s\t%s\t%d\t%d\t%zu\t%zu\t%d\n", items[i].group, base ? base + 1 : items[i].path,
              flagged, allowed, res.senders, res.tokens, res.subscribed);
      msg_free (&m);
      msg_input_close (in);
    }

  /* Near-duplicate clusters among the spam: connected components of verified pairs. */
  size_t *parent = malloc ((nspam ? nspam : 1) * sizeof *parent);
  if (parent && spam_fp)
    {
      for (size_t i = 0; i < nspam; i++)
        parent[i] = i;
      for (size_t i = 0; i < nspam; i++)
        for (size_t j = i + 1; j < nspam; j++)
          if (fp_is_near_duplicate (fp_equal_slots (spam_fp[i].sig, spam_fp[j].sig)))
            parent[find_root (parent, i)] = find_root (parent, j);
      size_t *size = calloc (nspam ? nspam : 1, sizeof *size);
      size_t clusters = 0, members = 0;
      if (size)
        {
          for (size_t i = 0; i < nspam; i++)
            size[find_root (parent, i)]++;
          for (size_t i = 0; i < nspam; i++)
            if (size[i] >= 2)
              {
                clusters++;
                members += size[i];
              }
        }
      printf ("S\tspam-clusters\t%zu\t%zu\n", clusters, members);
      free (size);
    }
  free (parent);
  free (spam_fp);
  for (size_t i = 0; i < n; i++)
    {
      free (items[i].path);
      free (items[i].group);
    }
  free (items);
  return status;
}

int
main (int argc, char **argv)
{
  if (argc < 4 || (strcmp (argv[1], "variants") && strcmp (argv[1], "replay")))
    {
      fprintf (stderr, "usage: template-eval variants STORE MBOX | replay STORE DIR...\n");
      return 2;
    }
  char err[512];
  struct store *st;
  int rc = store_open (argv[2], NULL, &st, err, sizeof err);
  if (rc != STORE_OK)
    {
      fprintf (stderr, "template-eval: %s\n", err);
      return 2;
    }
  int status = strcmp (argv[1], "variants") == 0 ? run_variants (st, argv[3])
    : run_replay (st, argv + 3, argc - 3);
  store_close (st);
  return status;
}
