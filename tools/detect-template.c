/* detect-template: catch copy-paste and bot templates, inside one message and across many. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "error.h"
#include "gettext.h"

#include "detector.h"
#include "store.h"
#include "template.h"

#define _(msgid) gettext (msgid)

enum
{
  OPT_STORE = DETECTOR_OPT_TOOL_BASE,
  OPT_NO_STORE,
  OPT_NO_LEARN,
  OPT_LEARN_ONLY,
  OPT_FORGET,
  OPT_EXPIRE,
  OPT_DAYS,
  OPT_MIN_SENDERS,
  OPT_EXPORT,
  OPT_IMPORT,
};

static const struct option long_options[] = {
  DETECTOR_LONG_OPTIONS,
  {"store", required_argument, NULL, OPT_STORE},
  {"no-store", no_argument, NULL, OPT_NO_STORE},
  {"no-learn", no_argument, NULL, OPT_NO_LEARN},
  {"learn-only", no_argument, NULL, OPT_LEARN_ONLY},
  {"forget", no_argument, NULL, OPT_FORGET},
  {"expire", no_argument, NULL, OPT_EXPIRE},
  {"days", required_argument, NULL, OPT_DAYS},
  {"min-senders", required_argument, NULL, OPT_MIN_SENDERS},
  {"export", no_argument, NULL, OPT_EXPORT},
  {"import", required_argument, NULL, OPT_IMPORT},
  {NULL, 0, NULL, 0}
};

/* What this tool adds to the shared detector run. */
struct template_run
{
  const char *store_path;       /* NULL: the default */
  bool no_store, forget, expire, export;
  const char *import;
  struct template_bulk_options bulk;
  struct store *store;          /* NULL when there is none (or it failed) */
  bool store_failed;
  bool expired;                 /* this process has already removed what aged out */
};

static void
usage (void)
{
  printf (_("Usage: %s [OPTION]... [FILE]...\n"), TEMPLATE_TOOL);
  fputs (_("\
Catch copy-paste and bot templates: unrendered merge tags and spintax, a handle\n\
or mailbox where a name belongs, the wrong category for the reader, generic\n\
flattery, follow-up and opt-out lines, a fake \"Re:\"; and the same text arriving\n\
from many senders, remembered in a local fingerprint store.  FILE is a text\n\
file, a mail, an mbox or a maildir; with no FILE, or when FILE is -, read\n\
standard input.\n\
\n\
      --verdict           one line per message: FILE, TEMPLATE or NONE, details\n\
      --known=FILE        addresses of known correspondents, one per line\n\
      --store=PATH        the fingerprint store (default\n\
                          $XDG_DATA_HOME/rittberger/templates.sqlite)\n\
      --no-store          look inside each message only\n\
      --no-learn          look messages up without remembering them\n\
      --learn-only        remember messages without looking them up\n\
      --forget            remove the messages given from the store\n\
      --days=N            count senders of the last N days (default 30)\n\
      --min-senders=K     flag a text K or more other senders sent (default 3)\n\
      --expire            remove what is older than --days, and exit\n\
      --export            write the store's fingerprints to stdout, and exit\n\
      --import=FILE       learn the fingerprints of FILE (- = stdin), and exit\n"), stdout);
  cli_print_common_help ();
  fputs (_("\
\n\
Exit status is 0 if a message reads as a template, 1 if none does, 2 on\n\
trouble (with -q, a finding wins over trouble).  A store that is locked, full\n\
or corrupt costs the cross-message finding, never the message: the tool warns\n\
and goes on.\n"), stdout);
}

static int
parse_count (const char *arg, long min, long *out)
{
  char *end;
  errno = 0;
  long v = strtol (arg, &end, 10);
  if (errno || end == arg || *end || v < min || v > 100000)
    {
      error (0, 0, _("invalid number %s"), quote (arg));
      return -1;
    }
  *out = v;
  return 0;
}

static int
option (struct detector_run *run, int c, const char *arg)
{
  struct template_run *tr = run->state;
  long v;
  switch (c)
    {
    case OPT_STORE: tr->store_path = arg; return 0;
    case OPT_NO_STORE: tr->no_store = true; return 0;
    case OPT_NO_LEARN: tr->bulk.mode = TEMPLATE_NO_LEARN; return 0;
    case OPT_LEARN_ONLY: tr->bulk.mode = TEMPLATE_LEARN_ONLY; return 0;
    case OPT_FORGET: tr->forget = true; return 0;
    case OPT_EXPIRE: tr->expire = true; return 0;
    case OPT_EXPORT: tr->export = true; return 0;
    case OPT_IMPORT: tr->import = arg; return 0;
    case OPT_DAYS:
      if (parse_count (arg, 1, &v) < 0)
        return -1;
      tr->bulk.days = v;
      return 0;
    case OPT_MIN_SENDERS:
      if (parse_count (arg, 1, &v) < 0)
        return -1;
      tr->bulk.min_senders = v;
      return 0;
    default:
      return -1;
    }
}

/* Warn that the store failed; the messages are still analysed in themselves. */
static void
store_warning (struct template_run *tr, const char *what)
{
  /* Once per run, as score-outreach does: a store that cannot be opened fails every message
     alike (it is opened when the first fingerprinted message needs it). */
  if (!tr->store_failed)
    error (0, 0, _("warning: template store: %s"), what);
  tr->store_failed = true;
}

/* Commit what the store has batched. */
static void
flush_store (void *arg)
{
  struct detector_run *run = arg;
  struct template_run *tr = run->state;
  if (tr->store && store_flush (tr->store) != STORE_OK)
    store_warning (tr, store_error (tr->store));
}

static int
start (struct detector_run *run)
{
  struct template_run *tr = run->state;
  if (tr->no_store)
    return 0;
  char err[1024];
  bool action = tr->expire || tr->export || tr->import;
  if (store_open (tr->store_path, NULL, &tr->store, err, sizeof err) != STORE_OK)
    {
      tr->store = NULL;
      if (action || tr->forget)
        {
          error (0, 0, "%s", err);
          return -1;
        }
      store_warning (tr, err);
      return 0;
    }
  /* The store opens its database when first needed; an action must fail at once. */
  if ((action || tr->forget) && store_ready (tr->store) != STORE_OK)
    {
      error (0, 0, "%s", store_error (tr->store));
      return -1;
    }
  if (!action)
    {
      /* A batch run commits once per batch of deliveries, not per message; flush_store commits
         before waiting for input and at the end. */
      store_set_batch (tr->store, STORE_BATCH_DELIVERIES, STORE_BATCH_MS);
      run->cli.idle = flush_store;
      return 0;
    }
  size_t n = 0;
  int status = STORE_OK;
  if (tr->export)
    status = store_export (tr->store, stdout);
  else if (tr->import)
    {
      bool is_stdin = strcmp (tr->import, "-") == 0;
      FILE *in = is_stdin ? stdin : fopen (tr->import, "r");
      if (!in)
        {
          error (0, errno, "%s", quotef (tr->import));
          return -1;
        }
      status = store_import (tr->store, in, &n);
      if (!is_stdin)
        fclose (in);
    }
  else
    status = store_expire (tr->store, time (NULL), tr->bulk.days ? tr->bulk.days
                                                                  : STORE_DEFAULT_DAYS, &n);
  if (status != STORE_OK)
    {
      error (0, 0, "%s", store_error (tr->store));
      return -1;
    }
  return 1;
}

/* Now and then a delivery also removes what has aged out, so the store stays small without a
   cron job: on average once in 256 deliveries, and at most once a process.  In a batch run
   an expiry commits the batch and makes the store read its band index again: at once in 256
   deliveries, a tenth of a corpus run went to that, and the messages of one run do not age. */
static void
maybe_expire (struct template_run *tr)
{
  unsigned char dice;
  if (tr->expired || getrandom (&dice, 1, GRND_NONBLOCK) != 1 || dice != 0)
    return;
  tr->expired = true;
  size_t n;
  int days = tr->bulk.days ? tr->bulk.days : STORE_DEFAULT_DAYS;
  if (store_expire (tr->store, time (NULL), days, &n) != STORE_OK)
    store_warning (tr, store_error (tr->store));
}

static int
analyze (struct detector_run *run, const struct msg *m, const struct text *t,
         struct detector_verdict *v)
{
  struct template_run *tr = run->state;
  struct template_result res;
  if (tr->forget)
    {
      size_t removed = 0;
      if (m && tr->store && template_forget (tr->store, m, t, &run->profile, &removed) != STORE_OK)
        store_warning (tr, store_error (tr->store));
      v->name = "FORGOTTEN";
      snprintf (v->details, sizeof v->details, "removed=%zu", removed);
      return 0;
    }
  if (template_analyze (&run->rules, m, t, &run->profile, &run->findings, &res) < 0)
    return -1;
  if (m && tr->store)
    {
      if (template_bulk (&run->rules, tr->store, m, t, &run->profile, &tr->bulk, &run->findings,
                         &res) != STORE_OK)
        store_warning (tr, store_error (tr->store));
      else if (tr->bulk.mode != TEMPLATE_NO_LEARN)
        maybe_expire (tr);
    }
  if (tr->bulk.mode == TEMPLATE_LEARN_ONLY)
    {
      /* Seeding a store reports nothing: the messages are known, not judged. */
      v->name = "LEARNED";
      snprintf (v->details, sizeof v->details, "tokens=%zu", res.tokens);
      findings_clear (&run->findings);
      return 0;
    }
  v->name = template_verdict_name (res.verdict);
  v->score = res.score;
  v->found = res.verdict == TEMPLATE_VERDICT_TEMPLATE;
  snprintf (v->details, sizeof v->details, "%s", res.details);
  return 0;
}

static void
finish (struct detector_run *run)
{
  struct template_run *tr = run->state;
  store_close (tr->store);
  tr->store = NULL;
}

static int
check_example (const char *text, size_t len, struct findings *out, void *arg)
{
  struct detector_run *run = arg;
  return template_example_detector (text, len, out, &run->rules);
}

static const struct detector detect_template = {
  .tool = TEMPLATE_TOOL,
  .long_options = long_options,
  .usage = usage,
  .option = option,
  .start = start,
  .analyze = analyze,
  .finish = finish,
  .check_example = check_example,
};

int
main (int argc, char **argv)
{
  static struct template_run tr;
  return detector_main (&detect_template, &tr, argc, argv);
}
