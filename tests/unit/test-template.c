/* test-template.c: detect-template's library side: rule examples, code checks, traps, and the bulk store. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "template.h"
#include "unit.h"

static struct ruleset rules;

/* Analyse RAW (mail or text) with profile P; return the findings (caller clears them). */
static struct findings
analyse (const char *raw, const struct profile *p, struct template_result *res)
{
  struct findings f = { 0 };
  struct msg m;
  struct template_result local;
  if (!res)
    res = &local;
  if (msg_parse (&m, raw, strlen (raw)) < 0)
    return f;
  struct text t;
  if (text_analyze (&t, m.body, m.body_len) == 0)
    {
      if (template_analyze (&rules, &m, &t, p, &f, res) < 0)
        fprintf (stderr, "template_analyze failed\n");
      text_free (&t);
    }
  msg_free (&m);
  return f;
}

/* True if F has a finding of RULE with all of the flags WANT_FLAGS (0: counted ones only). */
static bool
has (const struct findings *f, const char *rule, unsigned want_flags)
{
  for (size_t i = 0; i < f->n; i++)
    if (strcmp (f->v[i].rule, rule) == 0
        && (want_flags ? (f->v[i].flags & want_flags) == want_flags
            : !(f->v[i].flags & (FIND_ALLOWED | FIND_QUOTED))))
      return true;
  return false;
}

/* findings_clear keeps the array for reuse; the tests release it. */
static void
release (struct findings *f)
{
  findings_clear (f);
  free (f->v);
  memset (f, 0, sizeof *f);
}

static size_t
count_template (const char *raw, const struct profile *p)
{
  struct template_result res;
  struct findings f = analyse (raw, p, &res);
  release (&f);
  return res.count;
}

static void
test_traps (void)
{
  const struct profile *p = template_example_profile ();
  /* A technical mail quoting templates in code. */
  CHECK (count_template ("Hi Anna,\n\nthe chart renders this:\n\n    name: {{ .Values.name }}\n"
                         "    greeting: \"Hi {{firstName}}\";\n\nand in the docs `{{first_name}}` is "
                         "replaced per user.\n\nCheers, Tom\n", p) == 0);
  CHECK (count_template ("Hi Anna,\n\n```\nHello {{ contact.firstname }},\n{Hi|Hey} there\n```\n\n"
                         "That is the template we use for the newsletter.\n", p) == 0);
  /* A counter in a log line. */
  CHECK (count_template ("Hallo Anna,\n\nim Log steht: cache {{1 hit}} nach dem Neustart.\n", p) == 0);
  /* A handle after "Hallo," greets a community member by name on purpose; "Greetings from"
     names a place, not an addressee. */
  CHECK (count_template ("Hallo, @anna_b!\n\nDanke für deinen Beitrag im Forum.\n", p) == 0);
  CHECK (count_template ("Greetings from Geocaching.com -\n\nYour weekly notification is here.\n", p) == 0);
  /* One weak cue alone is a finding, not a template verdict. */
  struct template_result res;
  struct findings f = analyse ("Hallo Anna,\n\nich bin auf dein Profil gestoßen. Hast du morgen Zeit "
                               "für das Review?\n", p, &res);
  CHECK (has (&f, "TEMPLATE_FLATTERY_DE", 0) && res.verdict == TEMPLATE_VERDICT_NONE);
  release (&f);
  /* Quoted text is not the sender's own. */
  CHECK (count_template ("Hallo Anna,\n\ndanke, erledigt.\n\n> Hi {{firstName}}, just bumping this "
                         "to the top of your inbox.\n", p) == 0);
}

static void
test_subscribed (void)
{
  const char *news =
    "From: news@shop.example\nTo: anna@brandt-consulting.de\nSubject: Neuigkeiten\n"
    "List-Id: <news.shop.example>\nList-Unsubscribe: <mailto:unsub@shop.example>\n\n"
    "Hallo *|FNAME|*,\n\nunsere Frühjahrsangebote sind da. Reply STOP to unsubscribe.\n";
  struct template_result res;
  struct findings f = analyse (news, template_example_profile (), &res);
  CHECK (has (&f, "TEMPLATE_MERGE_MAILCHIMP", FIND_ALLOWED));
  CHECK (!has (&f, "TEMPLATE_MERGE_MAILCHIMP", 0));
  CHECK (res.count == 0 && res.allowed >= 1 && res.subscribed);
  CHECK (res.verdict == TEMPLATE_VERDICT_NONE);
  release (&f);

  const char *cold =
    "From: tom@growth.example\nTo: anna@brandt-consulting.de\nSubject: Idee\n\n"
    "Hallo *|FNAME|*,\n\nwir helfen eurer Agentur, mehr Kunden zu gewinnen.\n";
  f = analyse (cold, template_example_profile (), &res);
  CHECK (has (&f, "TEMPLATE_MERGE_MAILCHIMP", 0));
  CHECK (has (&f, "TEMPLATE_WRONG_CATEGORY", 0));
  CHECK (res.verdict == TEMPLATE_VERDICT_TEMPLATE && !res.subscribed);
  release (&f);

  /* Without a profile there is no category and no wrong-name finding. */
  f = analyse ("Hallo Maria,\n\nwir helfen eurer Agentur, mehr Kunden zu gewinnen.\n", NULL, &res);
  CHECK (!has (&f, "TEMPLATE_WRONG_CATEGORY", 0));
  CHECK (!has (&f, "TEMPLATE_GREETING_WRONG_NAME", 0));
  release (&f);

  /* The To header's local part counts as a handle in the greeting. */
  f = analyse ("From: x@y.example\nTo: kontakt-4711@firma.example\nSubject: Hallo\n\n"
               "Hallo kontakt-4711,\n\nwir haben eine Idee.\n", NULL, &res);
  CHECK (has (&f, "TEMPLATE_GREETING_HANDLE", 0));
  release (&f);
}

static void
test_message_time (void)
{
  struct msg m;
  const char *raw = "From: a@b.example\nDate: Thu, 22 Aug 2002 18:26:25 +0700\nSubject: x\n\nbody\n";
  CHECK (msg_parse (&m, raw, strlen (raw)) == 0);
  CHECK (template_message_time (&m) == 1030040785 - 7 * 3600);
  msg_free (&m);
  raw = "From: a@b.example\nDate: 2 Sep 02 10:00 EDT\n\nbody\n";
  CHECK (msg_parse (&m, raw, strlen (raw)) == 0);
  CHECK (template_message_time (&m) == 1030960800 + 4 * 3600);
  msg_free (&m);
  raw = "From: a@b.example\nDate: garbage\n\nbody\n";
  CHECK (msg_parse (&m, raw, strlen (raw)) == 0);
  CHECK (template_message_time (&m) == 0);
  msg_free (&m);
}

static const char bulk_tpl[] =
  "From: %s\nTo: %s\nSubject: Kooperation\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\n"
  "Hallo %s,\n\nich bin auf dein Profil bei Instagram gestoßen und finde deinen Content super "
  "spannend. Wir sind eine Agentur für Influencer-Marketing und arbeiten mit Marken wie %s "
  "zusammen. Hättest du Lust auf eine bezahlte Kooperation? Wir zahlen %d Euro pro Post und "
  "übernehmen die komplette Abwicklung. Schreib mir einfach kurz zurück.\n\nViele Grüße\n%s\n";

static int
bulk_one (struct store *st, const char *from, const char *to, const char *name, const char *brand,
          int price, enum template_store_mode mode, size_t *senders, bool *flagged)
{
  char raw[2048];
  snprintf (raw, sizeof raw, bulk_tpl, from, to, name, brand, price, from);
  struct msg m;
  if (msg_parse (&m, raw, strlen (raw)) < 0)
    return -1;
  struct text t;
  if (text_analyze (&t, m.body, m.body_len) < 0)
    {
      msg_free (&m);
      return -1;
    }
  struct findings f = { 0 };
  struct template_result res = { 0 };
  struct template_bulk_options o = { .mode = mode, .now = template_message_time (&m) };
  int rc = template_bulk (&rules, st, &m, &t, NULL, &o, &f, &res);
  *senders = res.senders;
  *flagged = has (&f, TEMPLATE_RULE_BULK, 0);
  if (*flagged)
    for (size_t i = 0; i < f.n; i++)
      if (strcmp (f.v[i].rule, TEMPLATE_RULE_BULK) == 0)
        CHECK (strcmp (f.v[i].match, "3 senders") == 0 || strcmp (f.v[i].match, "4 senders") == 0);
  release (&f);
  text_free (&t);
  msg_free (&m);
  return rc;
}

static void
test_bulk (void)
{
  char dir[] = "/tmp/test-template-XXXXXX";
  if (!mkdtemp (dir))
    return;
  char path[128], err[256];
  snprintf (path, sizeof path, "%s/t.sqlite", dir);
  struct store *st;
  CHECK (store_open (path, NULL, &st, err, sizeof err) == STORE_OK);
  size_t senders;
  bool flagged;
  static const char *const from[] = { "jana@a.example", "tim@b.example", "lea@c.example",
    "max@d.example", "ole@e.example" };
  static const char *const to[] = { "kerstin@x.example", "\"Maria Fit\" <fitmitmaria@y.example>",
    "info@z.example", "anna@brandt-consulting.de", "bob@w.example" };
  static const char *const name[] = { "Kerstin", "Maria", "info", "Anna", "Bob" };
  static const char *const brand[] = { "Nike", "Adidas", "Puma", "Asics", "Fila" };
  for (int i = 0; i < 3; i++)
    {
      CHECK (bulk_one (st, from[i], to[i], name[i], brand[i], 300 + 100 * i, TEMPLATE_LOOKUP_LEARN,
                       &senders, &flagged) == STORE_OK);
      CHECK (senders == (size_t) i && !flagged);
    }
  /* The 4th sender sees 3 others: flagged; a no-learn lookup does not change the store. */
  size_t before, after;
  store_count (st, &before);
  CHECK (bulk_one (st, from[3], to[3], name[3], brand[3], 650, TEMPLATE_NO_LEARN, &senders, &flagged)
         == STORE_OK);
  store_count (st, &after);
  CHECK (senders == 3 && flagged && before == after);
  CHECK (bulk_one (st, from[3], to[3], name[3], brand[3], 650, TEMPLATE_LOOKUP_LEARN, &senders,
                   &flagged) == STORE_OK);
  CHECK (senders == 3 && flagged);
  /* learn-only never flags. */
  CHECK (bulk_one (st, from[4], to[4], name[4], brand[4], 700, TEMPLATE_LEARN_ONLY, &senders,
                   &flagged) == STORE_OK);
  CHECK (!flagged);
  /* Forget one message by its text (variants that differ only in slot values can share its
     signature exactly; they go too). */
  size_t count_before_forget;
  store_count (st, &count_before_forget);
  char raw[2048];
  snprintf (raw, sizeof raw, bulk_tpl, from[4], to[4], name[4], brand[4], 700, from[4]);
  struct msg m;
  struct text t;
  size_t removed = 0;
  if (msg_parse (&m, raw, strlen (raw)) == 0)
    {
      if (text_analyze (&t, m.body, m.body_len) == 0)
        {
          CHECK (template_forget (st, &m, &t, NULL, &removed) == STORE_OK && removed >= 1);
          size_t count_after_forget;
          store_count (st, &count_after_forget);
          CHECK (count_after_forget + removed == count_before_forget);
          text_free (&t);
        }
      msg_free (&m);
    }
  /* A short body is neither looked up nor learned. */
  store_count (st, &before);
  const char *shortmsg = "From: a@b.example\nSubject: x\n\nHallo, kurze Frage: Zeit?\n";
  if (msg_parse (&m, shortmsg, strlen (shortmsg)) == 0)
    {
      if (text_analyze (&t, m.body, m.body_len) == 0)
        {
          struct findings f = { 0 };
          struct template_result res;
          memset (&res, 0, sizeof res);
          CHECK (template_bulk (&rules, st, &m, &t, NULL, NULL, &f, &res) == STORE_OK);
          CHECK (!res.fingerprinted && f.n == 0);
          release (&f);
          text_free (&t);
        }
      msg_free (&m);
    }
  store_count (st, &after);
  CHECK (before == after);
  store_close (st);
  char cmd[200];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", dir);
}

/* Whether a mail with subject "Re: Angebot", no threading headers and BODY gets the fake-reply
   finding. */
static bool
fake_re (const char *body)
{
  static char raw[4096];
  snprintf (raw, sizeof raw, "From: sales@vendor.example\nTo: anna@brandt-consulting.de\n"
            "Subject: Re: Angebot\n\n%s", body);
  struct findings f = analyse (raw, template_example_profile (), NULL);
  bool found = has (&f, TEMPLATE_RULE_FAKE_RE, FIND_SUBJECT);
  release (&f);
  return found;
}

/* The flags of the fake-reply finding of a mail with the header lines HEADERS (each ending in a
   newline) and a plain body, or -1 if there is none; P is the profile. */
static int
fake_re_flags (const char *headers, const struct profile *p)
{
  static char raw[4096];
  snprintf (raw, sizeof raw, "From: sales@vendor.example\nTo: anna@brandt-consulting.de\n"
            "%s\nWir haben ein Angebot.\n", headers);
  struct findings f = analyse (raw, p, NULL);
  int flags = -1;
  for (size_t i = 0; i < f.n; i++)
    if (strcmp (f.v[i].rule, TEMPLATE_RULE_FAKE_RE) == 0)
      flags = (int) f.v[i].flags;
  release (&f);
  return flags;
}

/* The subject's prefix is read before the headers and the body are: each check still decides
   on its own, whatever the order. */
static void
test_fake_re_headers (void)
{
  const struct profile *ex = template_example_profile ();
  CHECK (fake_re_flags ("Subject: Re: Angebot\n", ex) == FIND_SUBJECT);
  CHECK (fake_re_flags ("Subject:   AW[Ticket 7] : Angebot\n", ex) == FIND_SUBJECT);
  CHECK (fake_re_flags ("Subject: Reise: Angebot\n", ex) == -1);
  CHECK (fake_re_flags ("Subject: Re Angebot\n", ex) == -1);
  CHECK (fake_re_flags ("", ex) == -1);
  CHECK (fake_re_flags ("Subject: Re: Angebot\nIn-Reply-To: <a@b>\n", ex) == -1);
  CHECK (fake_re_flags ("Subject: Re: Angebot\nReferences: <a@b>\n", ex) == -1);
  CHECK (fake_re_flags ("Subject: Re: Angebot\nAuto-Submitted: auto-replied\n", ex) == -1);
  CHECK (fake_re_flags ("Subject: Re: Angebot\nAuto-Submitted: no\n", ex) == FIND_SUBJECT);
  CHECK (fake_re_flags ("Subject: Re: Angebot\nX-Autoreply: yes\n", ex) == -1);
  CHECK (fake_re_flags ("Subject: Re: Angebot\nList-Id: <l.example>\n", ex)
         == (FIND_SUBJECT | FIND_ALLOWED));
  /* From a known correspondent the finding stays, allowed; from a stranger it counts. */
  struct profile known = *ex;
  char *known_list[] = { (char *) "@vendor.example" };
  known.known.v = known_list;
  known.known.n = 1;
  CHECK (fake_re_flags ("Subject: Re: Angebot\n", &known) == (FIND_SUBJECT | FIND_ALLOWED));
  known_list[0] = (char *) "@other.example";
  CHECK (fake_re_flags ("Subject: Re: Angebot\n", &known) == FIND_SUBJECT);
}

/* A "Re:" without a thread is a fake reply unless the text is quoted or an out-of-office answer
   says so in its first 400 bytes (in any ASCII case); the edges of both checks. */
static void
test_fake_re_edges (void)
{
  char body[1024];
  CHECK (fake_re ("Hallo Anna, wir haben ein Angebot.\n"));
  CHECK (!fake_re ("Out Of Office: ich bin bis Montag weg.\n"));
  CHECK (!fake_re ("Diese Nachricht ist eine AUTOMATISCHE Antwort.\n"));
  CHECK (!fake_re ("Ich bin nicht im B\u00fcro.\n"));
  CHECK (fake_re ("Ich bin nicht im B\u00dcRO.\n"));      /* only ASCII letters are folded */
  /* "autoreply" ending at byte 400, and one byte later. */
  for (int shift = 0; shift < 2; shift++)
    {
      size_t lead = 400 - strlen ("autoreply") + (size_t) shift;
      memset (body, 'x', lead);
      body[lead - 1] = ' ';
      snprintf (body + lead, sizeof body - lead, "AutoReply\n");
      CHECK (fake_re (body) == (shift == 1));
    }
  /* A quoted line anywhere, also in the last bytes past a multiple of eight. */
  for (size_t lead = 40; lead < 48; lead++)
    {
      memset (body, 'y', lead);
      body[lead - 1] = '\n';
      snprintf (body + lead, sizeof body - lead, "> ok\n");
      CHECK (!fake_re (body));
    }
}

int
main (void)
{
  const char *srcdir = getenv ("srcdir");
  char path[1024], err[512];
  snprintf (path, sizeof path, "%s/rules/template.rules", srcdir ? srcdir : ".");
  if (rules_load_file (&rules, path, err, sizeof err) < 0)
    {
      fprintf (stderr, "%s\n", err);
      return 1;
    }
  CHECK (rules_compile_all (&rules, stderr) == 0);
  CHECK (rules_check_examples (&rules, TEMPLATE_TOOL, template_example_detector, &rules, stderr) == 0);
  /* Every rule is a TEMPLATE_ rule with both descriptions and advice. */
  for (size_t i = 0; i < rules.n; i++)
    {
      const struct rule *r = &rules.v[i];
      CHECK (strncmp (r->id, "TEMPLATE_", 9) == 0);
      CHECK (r->advice[0] && r->advice[1]);
      if (r->pattern)
        CHECK (r->nmatch >= 1 && r->nnomatch >= 1);
    }
  test_traps ();
  test_fake_re_edges ();
  test_fake_re_headers ();
  test_subscribed ();
  test_message_time ();
  test_bulk ();
  rules_free (&rules);
  UNIT_EXIT ();
}
