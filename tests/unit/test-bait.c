/* test-bait.c: unit tests for detect-bait-question's library: shipped rules, verdicts and the context rule. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bait.h"
#include "findings.h"
#include "rules.h"
#include "text.h"

static int failures;

#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond))                                                        \
      {                                                                 \
        fprintf (stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        failures++;                                                     \
      }                                                                 \
  } while (0)

static struct ruleset rules;

/* Analyse BODY in the given context; return the verdict and fill *RES and the rule list. */
static enum bait_verdict
analyse (const char *body, bool reply, bool known, const char *subject, struct bait_result *res,
         char *ids, size_t idslen)
{
  struct text t;
  struct findings f = { 0 };
  struct bait_context ctx = { .reply_thread = reply, .known_correspondent = known, .subject = subject };
  if (text_analyze (&t, body, strlen (body)) < 0 || bait_analyze (&rules, &t, &ctx, &f, res) < 0)
    {
      fprintf (stderr, "analysis failed for: %s\n", body);
      failures++;
      return BAIT_VERDICT_NONE;
    }
  if (ids)
    {
      ids[0] = '\0';
      for (size_t i = 0; i < f.n; i++)
        {
          size_t used = strlen (ids);
          snprintf (ids + used, idslen - used, "%s%s%s", used ? "," : "", f.v[i].rule,
                    f.v[i].flags & FIND_ALLOWED ? "(allowed)" : "");
        }
    }
  findings_clear (&f);
  free (f.v);
  text_free (&t);
  return res->verdict;
}

static void
expect (const char *body, bool reply, bool known, enum bait_verdict want, const char *line_note)
{
  struct bait_result res;
  char ids[512];
  enum bait_verdict got = analyse (body, reply, known, NULL, &res, ids, sizeof ids);
  if (got != want)
    {
      fprintf (stderr, "%s: want %s, got %s [%s] (%s) for: %s\n", line_note, bait_verdict_name (want),
               bait_verdict_name (got), ids, res.details, body);
      failures++;
    }
}

#define BAIT(body) expect (body, false, false, BAIT_VERDICT_BAIT, "line " #body)
#define NOT_BAIT(body) expect (body, false, false, BAIT_VERDICT_NONE, "line " #body)

static void
test_issue_shapes (void)
{
  /* Every shape named in the issue, in both languages. */
  BAIT ("Bist du selbstständig?");
  BAIT ("Sind Sie der richtige Ansprechpartner?");
  BAIT ("Are you the business owner?");
  BAIT ("Are you the right person to talk to about your marketing?");
  BAIT ("Ich könnte aktuell Deine Dienstleistung für meine Kunden gut gebrauchen, hättest Du "
        "Kapazitäten für neue Aufträge?");
  BAIT ("Passt euch lieber der nächste Montag oder der Dienstag?");
  BAIT ("Would Tuesday or Thursday work better for a quick call?");
  BAIT ("Lass uns telefonieren, damit du mir erklären kannst, was ihr macht.");
  BAIT ("Let's hop on a 15-minute call so I can learn about your business.");
  BAIT ("Kurze Frage:");
  BAIT ("Quick question:");
  BAIT ("Interesse?");
  BAIT ("Interested?");
  BAIT ("Darf ich dir etwas zeigen?");
  BAIT ("Willst du mehr Kunden?");
  BAIT ("Want to 10x your leads?");
}

static void
test_statements_and_lookalikes (void)
{
  /* The same words outside a question, or as a statement, are not bait. */
  NOT_BAIT ("Ich bin selbstständig.");
  NOT_BAIT ("I am the business owner.");
  NOT_BAIT ("Wir haben wieder Kapazitäten für neue Aufträge.");
  NOT_BAIT ("Montag oder Dienstag passt mir beides.");
  NOT_BAIT ("Wir wollen mehr Kunden gewinnen.");
  NOT_BAIT ("We want more leads this year.");
  NOT_BAIT ("Quick question about the PO number: is it 4471?");
  NOT_BAIT ("Kurze Frage zur Rechnung 2024-117: Stimmt der Betrag?");
  NOT_BAIT ("Passt Ihnen Dienstag oder Mittwoch für das vereinbarte Review?");
  NOT_BAIT ("Willst du mehr Kuchen?");
  NOT_BAIT ("Darf ich dir die Fotos vom Wochenende schicken?");
  NOT_BAIT ("Do you have time for a quick call about the server outage?");
  NOT_BAIT ("");
  /* Quoted and direct speech is reported but does not count. */
  NOT_BAIT ("Sie schrieb mir: „Bist du selbstständig?“ Ich habe nicht geantwortet.");
}

static void
test_context (void)
{
  struct bait_result res;
  char ids[512];

  /* The client's scheduling question in a reply thread is allowed, not dropped silently. */
  CHECK (analyse ("Would Tuesday or Thursday work better for a quick call?", true, false, NULL, &res,
                  ids, sizeof ids) == BAIT_VERDICT_NONE);
  CHECK (res.count == 0 && res.allowed == 2);   /* the choice and the call */
  CHECK (strstr (ids, "BAIT_CHOICE_EN(allowed)") != NULL);
  CHECK (strstr (res.details, "context=reply") != NULL);

  /* The same from a known correspondent. */
  CHECK (analyse ("Passt dir lieber Montag oder Dienstag?", false, true, NULL, &res, NULL, 0)
         == BAIT_VERDICT_NONE);
  CHECK (res.allowed == 1);
  expect ("Quick question: can we move the standup?", false, true, BAIT_VERDICT_NONE, "known opener");
  expect ("Hast du Zeit für ein kurzes Telefonat?", true, false, BAIT_VERDICT_NONE, "reply call");

  /* Unless the question makes the recipient's business its object. */
  expect ("Hast du Zeit für einen kurzen Call, um über euer Unternehmen zu sprechen?", true, false,
          BAIT_VERDICT_BAIT, "reply call about your business");
  expect ("Do you have 15 minutes for a quick call about your business?", false, true,
          BAIT_VERDICT_BAIT, "known call about your business");

  /* Discovery, fake demand and desire count whatever the context. */
  expect ("Lass uns telefonieren, damit du mir erklären kannst, was ihr macht.", true, true,
          BAIT_VERDICT_BAIT, "discovery in context");
  expect ("Hättest du Kapazitäten für neue Aufträge?", true, false, BAIT_VERDICT_BAIT,
          "demand in reply");
  expect ("Want to 10x your leads?", false, true, BAIT_VERDICT_BAIT, "desire from known");

  /* Quoted text makes a reply thread even without headers. */
  expect ("Passt Ihnen Montag oder Dienstag besser?\n\n> Können wir uns nächste Woche treffen?\n",
          false, false, BAIT_VERDICT_NONE, "quoted text means reply");

  /* A subject-only teaser. */
  CHECK (analyse ("Hallo Anna, anbei die Unterlagen.", false, false, "Kurze Frage", &res, ids,
                  sizeof ids) == BAIT_VERDICT_BAIT);
  CHECK (strstr (ids, "BAIT_OPENER_SUBJECT") != NULL);
  CHECK (analyse ("Hallo Anna, anbei die Unterlagen.", false, false, "Kurze Frage zur Rechnung 12",
                  &res, NULL, 0) == BAIT_VERDICT_NONE);
}

static void
test_scoring (void)
{
  struct bait_result res;
  /* Two shapes add up; one rule counts once however often it fires (no cap in the file). */
  CHECK (analyse ("Kurze Frage: Bist du selbstständig?", false, false, NULL, &res, NULL, 0)
         == BAIT_VERDICT_BAIT);
  CHECK (res.count == 2 && res.score == 2.5);
  CHECK (analyse ("Interesse? Interesse? Interesse?", false, false, NULL, &res, NULL, 0)
         == BAIT_VERDICT_BAIT);
  CHECK (res.count == 3 && res.score == 1.0);
  CHECK (analyse ("Guten Tag, anbei die Rechnung für März.", false, false, NULL, &res, NULL, 0)
         == BAIT_VERDICT_NONE);
  CHECK (res.count == 0 && res.score == 0);
}

static void
test_names (void)
{
  CHECK (bait_rule_context_sensitive ("BAIT_CALL_DE"));
  CHECK (bait_rule_context_sensitive ("BAIT_CHOICE"));
  CHECK (!bait_rule_context_sensitive ("BAIT_CALLBACK"));
  CHECK (!bait_rule_context_sensitive ("BAIT_DESIRE_EN"));
  CHECK (!bait_rule_context_sensitive ("BAIT_DISCOVERY_DE"));
  CHECK (strcmp (bait_verdict_name (BAIT_VERDICT_BAIT), "BAIT") == 0);
  CHECK (strcmp (bait_verdict_name (BAIT_VERDICT_NONE), "NONE") == 0);
}

static int
detect_example (const char *text, size_t len, struct findings *out, void *arg)
{
  struct text t;
  struct bait_result res;
  if (text_analyze (&t, text, len) < 0)
    return -1;
  int st = bait_analyze (arg, &t, NULL, out, &res);
  text_free (&t);
  return st;
}

static void
test_shipped_rules_check (void)
{
  CHECK (rules_compile_all (&rules, stderr) == 0);
  CHECK (rules_check_examples (&rules, BAIT_TOOL, detect_example, &rules, stderr) == 0);
  size_t with_examples = 0;
  for (size_t i = 0; i < rules.n; i++)
    {
      const struct rule *r = &rules.v[i];
      CHECK (r->describe[0] && r->describe[1] && r->advice[0] && r->advice[1]);
      CHECK (r->side != SIDE_NONE);
      if (r->scope != SCOPE_SUBJECT)
        {
          CHECK (r->ntrigger > 0);
          with_examples += r->nmatch >= 2 && r->nnomatch >= 2;
        }
    }
  CHECK (with_examples + 1 >= rules.n);   /* every rule but the subject rule has examples */
}

int
main (void)
{
  const char *srcdir = getenv ("srcdir");
  char path[1024];
  snprintf (path, sizeof path, "%s/rules/bait.rules", srcdir ? srcdir : ".");
  char err[512];
  if (rules_load_file (&rules, path, err, sizeof err) < 0)
    {
      fprintf (stderr, "test-bait: %s (skipped)\n", err);
      return 77;
    }
  test_issue_shapes ();
  test_statements_and_lookalikes ();
  test_context ();
  test_scoring ();
  test_names ();
  test_shipped_rules_check ();
  rules_free (&rules);
  if (failures)
    fprintf (stderr, "test-bait: %d failures\n", failures);
  return failures ? 1 : 0;
}
