/* explain.c: group findings by Schulz von Thun's four sides, interpret them for a person, draft a reply. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "explain.h"
#include "strbuf.h"
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>
#include <uniwidth.h>

#include "gettext.h"
#include "lang.h"
#include "severity-names.h"
#include "text.h"

/* How much of the source line around a match a report keeps, each side, in bytes. */
enum { CONTEXT_BYTES = 240 };

#define _(msgid) gettext (msgid)
/* The context budget in display columns when the output is not wrapped. */
enum { UNWRAPPED_CONTEXT = 160 };
/* Narrower than this, wrapping would only make a mess. */
enum { MIN_WIDTH = 30 };

/* ---- texts ----

   The report's own prose comes in both languages here, as the rules' texts do in the rule
   files, so --lang=de works without an installed message catalogue and the output does not
   depend on which catalogues a machine has.  The interpretation is per side, never per rule:
   what a rule means is the rule file's describe text. */

struct side_text
{
  const char *name;             /* the side's name in both languages */
  const char *title[2];
  const char *reading[2];       /* what findings on this side tell the reader */
  const char *reason[3];        /* the reply's reason: German Sie, German du, English */
};

static const struct side_text side_texts[] = {
  [SIDE_NONE] = {
    "none",
    { "Ohne Zuordnung", "Not assigned to a side" },
    { "Diese Funde stammen von Regeln, die keiner Seite zugeordnet sind.",
      "These findings come from rules that are not assigned to a side." },
    { NULL, NULL, NULL },
  },
  [SIDE_SACH] = {
    "Sachinhalt",
    { "Sachinhalt: worüber die Nachricht informiert",
      "Sachinhalt (factual content): what the message says about the matter" },
    { "Sachlich sagt die Nachricht wenig, das Sie betrifft: Was hier steht, könnte an jeden "
      "gehen. Der Absender hat sich nicht damit befasst, wer Sie sind und was Sie tun.",
      "On the factual level the message says little that concerns you: what is written here "
      "could go to anyone. The sender has not looked into who you are or what you do." },
    { "Ihre Nachricht nichts enthält, was sich auf mich und meine Arbeit bezieht",
      "deine Nachricht nichts enthält, was sich auf mich und meine Arbeit bezieht",
      "your message says nothing that concerns me or my work" },
  },
  [SIDE_SELBST] = {
    "Selbstkundgabe",
    { "Selbstkundgabe: was der Absender von sich zeigt",
      "Selbstkundgabe (self-disclosure): what the sender reveals about themselves" },
    { "Hier verrät der Absender etwas über sich: Er hat nicht herausgefunden, wem er schreibt, "
      "und will mit möglichst wenig Aufwand möglichst viele erreichen.",
      "Here the sender reveals something about themselves: they did not find out whom they are "
      "writing to, and they want to reach as many people as possible with as little effort as "
      "possible." },
    { "Sie sich offenbar nicht damit befasst haben, wer ich bin und was ich tue",
      "du dich offenbar nicht damit befasst hast, wer ich bin und was ich tue",
      "you have evidently not looked into who I am or what I do" },
  },
  [SIDE_BEZIEHUNG] = {
    "Beziehung",
    { "Beziehung: wie der Absender zu Ihnen steht",
      "Beziehung (relationship): how the sender stands towards you" },
    { "So sieht der Absender die Beziehung zu Ihnen: Er setzt eine Vertrautheit voraus, die "
      "Sie ihm nicht angeboten haben, und entscheidet ungefragt, wie Sie angesprochen werden.",
      "This is how the sender sees the relationship with you: they assume a familiarity you "
      "never offered, and decide without asking how you are to be addressed." },
    { "Sie eine Vertrautheit voraussetzen, die zwischen uns nicht besteht",
      "du eine Vertrautheit voraussetzt, die zwischen uns nicht besteht",
      "it assumes a familiarity that does not exist between us" },
  },
  [SIDE_APPELL] = {
    "Appell",
    { "Appell: wozu der Absender Sie bringen will",
      "Appell (appeal): what the sender wants you to do" },
    { "Das will der Absender von Ihnen: Zeit und Auskunft – antworten, sich einordnen, ein "
      "Gespräch vereinbaren –, bevor er selbst etwas angeboten hat.",
      "This is what the sender wants from you: your time and information – to answer, to "
      "qualify yourself, to book a call – before they have offered anything themselves." },
    { "Sie etwas von mir erwarten, ohne selbst ein konkretes Angebot zu machen",
      "du etwas von mir erwartest, ohne selbst ein konkretes Angebot zu machen",
      "it asks something of me without making a concrete offer" },
  },
};

/* The order the sides are explained in: what is said, who says it, to whom, wanting what. */
static const enum rule_side side_order[] = { SIDE_SACH, SIDE_SELBST, SIDE_BEZIEHUNG, SIDE_APPELL,
                                             SIDE_NONE };
enum { NSIDES = sizeof side_order / sizeof *side_order };

enum phrase
{
  P_VERDICT,
  P_SCORE,
  P_THRESHOLDS,
  P_TUNE,
  P_SIDES,
  P_NOTHING_HERE,
  P_NEUTRAL_HERE,
  P_NOT_COUNTED_QUOTED,
  P_NOT_COUNTED_ALLOWED,
  P_NO_WEIGHT,
  P_ADVICE,
  P_IN_SHORT,
  P_CLEAN_TITLE,
  P_CLEAN_NOTHING,
  P_CLEAN_SEEN,
  P_CLEAN_ALLOWED,
  P_REPLY,
  P_NO_REPLY,
  P_FROM_STREAM,
  P_NO_SCORE_RULES,
  P_OMITTED,
  P_COUNT,
};

static const char *const phrases[P_COUNT][2] = {
  [P_VERDICT] = { "Urteil", "Verdict" },
  [P_SCORE] = { "Punkte", "Score" },
  [P_THRESHOLDS] = { "Kaltakquise ab %s, unsicher ab %s", "outreach from %s, unsure from %s" },
  [P_TUNE] = { "Schwelle und Unsicherheitsbereich lassen sich im Profil einstellen (threshold, "
               "unsure); score-outreach --weight=REGEL=N gibt einer Regel ein anderes Gewicht.",
               "The threshold and the unsure band can be set in the profile (threshold, unsure); "
               "score-outreach --weight=RULE=N gives a rule another weight." },
  [P_SIDES] = { "Die vier Seiten der Nachricht (nach Schulz von Thun)",
                "The four sides of the message (after Schulz von Thun)" },
  [P_NOTHING_HERE] = { "Auf dieser Seite wurde nichts gefunden.",
                       "Nothing was found on this side." },
  [P_NEUTRAL_HERE] = { "Was hier gefunden wurde, spricht nicht gegen die Nachricht.",
                       "What was found here does not count against the message." },
  [P_NOT_COUNTED_QUOTED] = { "zitiert, zählt nicht", "quoted, not counted" },
  [P_NOT_COUNTED_ALLOWED] = { "erlaubt, zählt nicht", "allowed, not counted" },
  [P_NO_WEIGHT] = { "zählt nicht gegen die Nachricht", "does not count against the message" },
  [P_OMITTED] = { "Weitere %zu Funde derselben Regeln werden nicht einzeln gezeigt.",
                  "%zu further findings of the same rules are not shown one by one." },
  [P_ADVICE] = { "Was ein Absender, der es richtig macht, getan hätte",
                 "What a sender who does it right would have done" },
  [P_IN_SHORT] = { "Kurz: Er hätte ein konkretes Angebot gemacht, ein Problem genannt, das er "
                   "vorher bei Ihnen recherchiert hat, und gefragt, bevor er duzt.",
                   "In short: they would have made a concrete offer, named a problem of yours "
                   "they had researched beforehand, and asked before using \"du\"." },
  [P_CLEAN_TITLE] = { "Warum es nichts zu beanstanden gibt",
                      "Why there is nothing to object to" },
  [P_CLEAN_NOTHING] = { "Keine Regel, die gegen eine Nachricht zählt, hat angeschlagen: Die "
                        "Prüfungen auf ungefragtes Duzen und auf Köderfragen haben nichts "
                        "gefunden, das gegen diese Nachricht spricht.",
                        "No rule that counts against a message matched: the checks for "
                        "unasked informal address and for bait questions found nothing that "
                        "speaks against this message." },
  [P_CLEAN_SEEN] = { "Was sie gesehen haben, ist oben aufgeführt; es zählt nicht gegen die "
                     "Nachricht.",
                     "What they saw is listed above; none of it counts against the message." },
  [P_CLEAN_ALLOWED] = { "Das Duzen ist hier erwünscht (%s) und zählt deshalb nicht.",
                        "Informal address is wanted here (%s), so it does not count." },
  [P_REPLY] = { "Antwortentwurf (es wird nichts verschickt)",
                "Reply draft (nothing is sent)" },
  [P_NO_REPLY] = { "Kein Antwortentwurf: Es gibt nichts abzulehnen.",
                   "No reply drafted: there is nothing to decline." },
  [P_FROM_STREAM] = { "aus einem Befund-Strom", "from a findings stream" },
  [P_NO_SCORE_RULES] = { "keine", "none" },
};

static const char *
verdict_word (enum score_verdict v, enum explain_lang lang)
{
  static const char *const words[3][2] = {
    [SCORE_CLEAN] = { "unbedenklich", "clean" },
    [SCORE_UNSURE] = { "unsicher", "unsure" },
    [SCORE_OUTREACH] = { "Kaltakquise", "outreach" },
  };
  return words[v][lang];
}

static const char *
why_words (const char *why, enum explain_lang lang)
{
  if (!why)
    return "";
  if (strcmp (why, "known-correspondent") == 0)
    return lang == EXPLAIN_DE ? "bekannter Absender" : "a known correspondent";
  if (strcmp (why, "offered") == 0)
    return lang == EXPLAIN_DE ? "das Du wurde angeboten" : "du was offered";
  if (strcmp (why, "profile") == 0)
    return lang == EXPLAIN_DE ? "laut Profil" : "as the profile says";
  return why;
}

/* ---- language ---- */

/* True if the locale or language name S is language CODE ("de_AT.UTF-8" is "de"). */
static bool
names_language (const char *s, const char *code)
{
  size_t n = strlen (code);
  return strncmp (s, code, n) == 0 && (s[n] == '\0' || s[n] == '_' || s[n] == '.'
                                       || s[n] == '@' || s[n] == '-');
}

int
explain_parse_lang (const char *s, enum explain_lang *lang)
{
  if (names_language (s, "de"))
    *lang = EXPLAIN_DE;
  else if (names_language (s, "en"))
    *lang = EXPLAIN_EN;
  else
    return -1;
  return 0;
}

enum explain_lang
explain_lang_from_env (void)
{
  static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
  const char *locale = NULL;
  for (size_t i = 0; i < 3 && !locale; i++)
    {
      const char *v = getenv (vars[i]);
      if (v && *v)
        locale = v;
    }
  /* gettext ignores LANGUAGE in the C locale; so do we, to match the translated messages. */
  bool c_locale = !locale || strcmp (locale, "C") == 0 || strcmp (locale, "POSIX") == 0
                  || strncmp (locale, "C.", 2) == 0;
  const char *language = getenv ("LANGUAGE");
  if (!c_locale && language)
    for (const char *p = language; *p;)
      {
        size_t n = strcspn (p, ":");
        char entry[64];
        if (n < sizeof entry)
          {
            memcpy (entry, p, n);
            entry[n] = '\0';
            enum explain_lang lang;
            if (explain_parse_lang (entry, &lang) == 0)
              return lang;
          }
        p += n + (p[n] == ':');
      }
  return locale && names_language (locale, "de") ? EXPLAIN_DE : EXPLAIN_EN;
}

/* ---- safe text ---- */

static bool
must_replace (ucs4_t c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)
         || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

char *
explain_sanitize (const char *s, size_t len)
{
  /* U+FFFD is three bytes: a replaced byte grows at most threefold. */
  if (len > (SIZE_MAX - 1) / 3)
    {
      errno = ENOMEM;
      return NULL;
    }
  char *out = malloc (3 * len + 1);
  if (!out)
    return NULL;
  const uint8_t *p = (const uint8_t *) s, *end = p + len;
  uint8_t *q = (uint8_t *) out;
  while (p < end)
    {
      ucs4_t c;
      int n = u8_mbtouc (&c, p, end - p);
      if (c == '\t' || c == '\n' || c == '\r')
        *q++ = ' ';
      else if (must_replace (c))
        q += u8_uctomb (q, 0xfffd, 3);
      else if (c == 0xfffd)
        q += u8_uctomb (q, 0xfffd, 3);
      else
        {
          memcpy (q, p, n);
          q += n;
        }
      p += n;
    }
  *q = '\0';
  return out;
}

/* Inline markup of report strings: bytes sanitised text never holds, zero columns wide. */
enum
{
  MK_END = 1,
  MK_STRONG,                    /* headings */
  MK_MATCH,                     /* the matched text */
  MK_DIM,                       /* rule ids, positions */
  MK_BAD,                       /* an outreach verdict */
  MK_DOUBT,                     /* an unsure verdict */
  MK_GOOD,                      /* a clean verdict */
  MK_LAST = MK_GOOD
};

/* Display columns of the UTF-8 character at S (NUL-free, sanitised); *LEN gets its bytes. */
static int
char_columns (const char *s, size_t avail, int *len)
{
  ucs4_t c;
  *len = u8_mbtouc (&c, (const uint8_t *) s, avail);
  if ((unsigned char) *s <= MK_LAST)
    return 0;
  int w = uc_width (c, "UTF-8");
  return w < 0 ? 1 : w;
}

static size_t
columns (const char *s, size_t len)
{
  size_t w = 0;
  for (size_t i = 0; i < len;)
    {
      int n;
      w += char_columns (s + i, len - i, &n);
      i += n;
    }
  return w;
}

/* ---- a growing string (strbuf.h) ---- */

/* Add S sanitised, through ADD (strbuf_str, or an escaping one such as buf_markdown). */
static void
buf_sanitized (struct strbuf *b, const char *s, void (*add) (struct strbuf *, const char *))
{
  char *t = explain_sanitize (s, strlen (s));
  if (!t)
    {
      b->failed = true;
      return;
    }
  add (b, t);
  free (t);
}

/* Add S sanitised. */
static void
buf_safe (struct strbuf *b, const char *s)
{
  buf_sanitized (b, s, strbuf_str);
}

/* Add the score X with one decimal, a decimal comma in German prose. */
static void
buf_number (struct strbuf *b, double x, enum explain_lang lang)
{
  char tmp[32];
  score_format (x, tmp);
  if (lang == EXPLAIN_DE)
    {
      char *dot = strchr (tmp, '.');
      if (dot)
        *dot = ',';
    }
  strbuf_str (b, tmp);
}

/* ---- building a report ---- */

static int
compare_items (const void *a, const void *b)
{
  const struct explain_item *x = a, *y = b;
  if (x->f.line != y->f.line)
    return x->f.line < y->f.line ? -1 : 1;
  if (x->f.col != y->f.col)
    return x->f.col < y->f.col ? -1 : 1;
  int c = strcmp (x->f.rule, y->f.rule);
  if (c)
    return c;
  return strcmp (x->f.match, y->f.match);
}

static int
compare_findings_by_position (const void *a, const void *b)
{
  const struct finding *x = a, *y = b;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  if (x->col != y->col)
    return x->col < y->col ? -1 : 1;
  int c = strcmp (x->rule, y->rule);
  if (c)
    return c;
  if ((x->flags != y->flags))
    return x->flags < y->flags ? -1 : 1;
  return strcmp (x->match, y->match);
}

/* Sort F by position and drop repeated records, as two concatenated streams repeat them. */
static void
dedupe_findings (struct findings *f)
{
  if (f->n < 2)
    return;
  qsort (f->v, f->n, sizeof *f->v, compare_findings_by_position);
  size_t kept = 1;
  for (size_t i = 1; i < f->n; i++)
    if (compare_findings_by_position (&f->v[kept - 1], &f->v[i]) == 0)
      free (f->v[i].match);     /* the rule and class are the set's */
    else
      f->v[kept++] = f->v[i];
  f->n = kept;
}

/* Keep the source line around body bytes [OFF, OFF+LEN) of M in ITEM, sanitised; for a finding
   in the Subject field (IN_SUBJECT), the subject around its bytes. */
static int
capture_context (struct explain_item *item, const struct msg *m, size_t off, size_t len,
                 bool in_subject)
{
  const char *body = m->body;
  size_t body_len = m->body_len;
  if (in_subject)
    {
      body = msg_header (m, "Subject");
      body = body ? body : "";
      body_len = strlen (body);
      /* Subject rules report the words they matched, not always where: find them. */
      const char *at = *item->f.match ? strstr (body, item->f.match) : NULL;
      if (at)
        {
          off = at - body;
          len = strlen (item->f.match);
        }
    }
  size_t end = off + len > body_len ? body_len : off + len;
  if (off > end)
    off = end;
  size_t start = off;
  while (start > 0 && off - start < CONTEXT_BYTES && body[start - 1] != '\n')
    start--;
  /* Never begin inside a character. */
  while (start < off && ((unsigned char) body[start] & 0xc0) == 0x80)
    start++;
  item->cut_before = start > 0 && body[start - 1] != '\n';
  size_t stop = end;
  while (stop < body_len && stop - end < CONTEXT_BYTES && body[stop] != '\n')
    stop++;
  while (stop > end && stop < body_len && ((unsigned char) body[stop] & 0xc0) == 0x80)
    stop--;
  item->cut_after = stop < body_len && body[stop] != '\n';
  item->before = explain_sanitize (body + start, off - start);
  item->after = explain_sanitize (body + end, stop - end);
  return item->before && item->after ? 0 : -1;
}

/* Move the findings of F into R's items (F is left without findings, its names to be released
   by findings_clear), with their rules and, if M is non-NULL, their context; then sort them. */
static int
take_items (struct explain_report *r, struct findings *f, const struct ruleset *rs,
            const struct score_config *cfg, const struct msg *m)
{
  if (f->n == 0)
    return 0;
  r->items = calloc (f->n, sizeof *r->items);
  if (!r->items)
    return -1;
  int status = 0;
  for (size_t i = 0; i < f->n; i++)
    {
      /* Past a few findings of one rule, more say nothing new and would cost memory and
         paper: they were scored, and are only counted here. */
      size_t seen = 0;
      for (size_t j = 0; j < r->nitems && seen < EXPLAIN_MAX_PER_RULE; j++)
        seen += strcmp (r->items[j].f.rule, f->v[i].rule) == 0;
      if (seen >= EXPLAIN_MAX_PER_RULE)
        {
          free (f->v[i].match);
          r->omitted++;
          continue;
        }
      /* The rule and class belong to F, which is cleared before the report is done with: an
         item gets its own copies (a report lists few items, so this costs little). */
      char *rule = strdup (f->v[i].rule);
      char *cls = strdup (f->v[i].cls);
      if (!rule || !cls)
        {
          free (rule);
          free (cls);
          free (f->v[i].match);
          status = -1;
          continue;
        }
      struct explain_item *it = &r->items[r->nitems++];
      it->f = f->v[i];
      it->f.rule = rule;
      it->f.cls = cls;
      if (!it->f.match && !(it->f.match = strdup ("")))
        status = -1;
      it->rule = rs ? rules_find (rs, it->f.rule) : NULL;
      it->side = it->rule ? it->rule->side : SIDE_NONE;
      if ((unsigned) it->side >= sizeof side_texts / sizeof *side_texts)
        it->side = SIDE_NONE;
      it->weight = score_rule_weight (rs, cfg, it->f.rule, it->f.weight);
      it->counted = !(it->f.flags & (FIND_QUOTED | FIND_ALLOWED));
      if (m && status == 0
          && capture_context (it, m, it->f.off, it->f.len, rules_in_subject (rs, &it->f)) < 0)
        status = -1;
    }
  free (f->v);
  f->v = NULL;
  f->n = f->cap = 0;
  if (status == 0 && r->nitems > 1)
    qsort (r->items, r->nitems, sizeof *r->items, compare_items);
  return status;
}

int
explain_message (struct explain_report *r, const struct analyzer *a,
                 const struct score_config *cfg, const struct msg *m, const char *label)
{
  memset (r, 0, sizeof *r);
  if (!(r->label = strdup (label)))
    return -1;
  struct text t;
  if (text_analyze (&t, m->body, m->body_len) < 0)
    return -1;
  struct findings f = { 0 };
  struct analysis res;
  int status = analyze_message (a, m, &t, &f, &res);
  r->allowed_why = res.du_wanted;
  r->message_lang = lang_guess (&t, LANG_WHOLE_TEXT);
  text_free (&t);
  if (status == 0)
    {
      findings_sort (&f);
      cli_locate (m, a->rules, &f);
      struct score_context ctx;
      score_context_from_msg (&ctx, m, a->profile);
      status = score_compute (a->rules, &f, &ctx, cfg, &r->score);
    }
  if (status == 0)
    {
      r->verdict = r->score.verdict;
      r->score_value = r->score.score;
      status = take_items (r, &f, a->rules, cfg, m);
    }
  findings_clear (&f);
  free (f.v);
  if (status < 0)
    errno = ENOMEM;
  return status;
}

bool
explain_is_stream (const char *data, size_t len)
{
  static const char prefix[] = "#rittberger-findings";
  return len >= sizeof prefix - 1 && memcmp (data, prefix, sizeof prefix - 1) == 0;
}

/* What explain_stream gathers for the message being read. */
struct stream_message
{
  char *label;
  struct findings f;
  bool have_verdict;            /* score-outreach's own verdict record was read */
  enum score_verdict verdict;
  double score;
};

static int
finish_stream_message (struct stream_message *sm, const struct ruleset *rs,
                       const struct score_config *cfg, explain_report_fn fn, void *arg)
{
  struct explain_report r = { 0 };
  r.label = sm->label;
  sm->label = NULL;
  r.from_stream = true;
  dedupe_findings (&sm->f);
  int status = score_compute (rs, &sm->f, NULL, cfg, &r.score);
  if (status == 0)
    {
      r.verdict = sm->have_verdict ? sm->verdict : r.score.verdict;
      r.score_value = sm->have_verdict ? sm->score : r.score.score;
      status = take_items (&r, &sm->f, rs, cfg, NULL);
    }
  if (status < 0)
    errno = ENOMEM;
  else
    status = fn (&r, arg);
  explain_report_free (&r);
  findings_clear (&sm->f);
  sm->have_verdict = false;
  return status;
}

static bool
parse_verdict_name (const char *s, enum score_verdict *v)
{
  for (enum score_verdict k = SCORE_CLEAN; k <= SCORE_OUTREACH; k++)
    if (strcmp (s, score_verdict_name (k)) == 0)
      {
        *v = k;
        return true;
      }
  return false;
}

int
explain_stream (const char *data, size_t len, const char *name, const struct ruleset *rs,
                const struct score_config *cfg, explain_report_fn fn, void *arg,
                const char *program, FILE *errs)
{
  struct stream_message sm = { 0 };
  char *line = NULL;
  size_t cap = 0, pos = 0;
  unsigned long lineno = 0;
  int problems = 0, status = 0;
  while (pos < len && status == 0)
    {
      const char *start = data + pos;
      const char *nl = memchr (start, '\n', len - pos);
      size_t n = nl ? (size_t) (nl - start) : len - pos;
      pos += n + (nl != NULL);
      lineno++;
      if (n + 1 > cap)
        {
          char *v = realloc (line, n + 1);
          if (!v)
            {
              status = -1;
              break;
            }
          line = v;
          cap = n + 1;
        }
      memcpy (line, start, n);
      line[n] = '\0';
      if (n > 0 && line[n - 1] == '\r')
        line[--n] = '\0';
      if (strlen (line) != n)
        {
          fprintf (errs, "%s: %s:%lu: %s\n", program, name, lineno,
                   _ ("NUL byte in findings stream"));
          problems++;
          continue;
        }
      if (explain_is_stream (line, n))
        {
          if (strcmp (line, FINDINGS_MAGIC) != 0)
            {
              fprintf (errs, "%s: %s:%lu: %s\n", program, name, lineno,
                       _ ("unsupported findings stream version"));
              errno = EINVAL;
              status = -1;
            }
          continue;
        }
      struct findings_record rec;
      int k = findings_parse_line (line, &rec);
      if (k < 0)
        {
          fprintf (errs, "%s: %s:%lu: %s\n", program, name, lineno, _ ("malformed findings line"));
          problems++;
          continue;
        }
      if (k == 0)
        continue;
      if (sm.label && strcmp (sm.label, rec.label) != 0)
        status = finish_stream_message (&sm, rs, cfg, fn, arg);
      if (status == 0 && !sm.label && !(sm.label = strdup (rec.label)))
        status = -1;
      if (status < 0)
        break;
      if (rec.kind == 'V')
        {
          if (strcmp (rec.tool, SCORE_TOOL) == 0
              && parse_verdict_name (rec.verdict, &sm.verdict))
            {
              sm.have_verdict = true;
              sm.score = rec.score;
            }
          continue;
        }
      /* The combination rules are recomputed from the findings, never read back. */
      if (strcmp (rec.f.cls, SCORE_CLASS) == 0)
        continue;
      if (findings_add (&sm.f, rec.f.match, rec.f.rule, rec.f.cls, rec.f.severity, rec.f.flags,
                        0, strlen (rec.f.match)) < 0)
        {
          status = -1;
          break;
        }
      struct finding *x = &sm.f.v[sm.f.n - 1];
      x->line = rec.f.line;
      x->col = rec.f.col;
      x->weight = rec.f.weight;
    }
  if (status == 0 && sm.label)
    status = finish_stream_message (&sm, rs, cfg, fn, arg);
  free (sm.label);
  findings_clear (&sm.f);
  free (sm.f.v);
  free (line);
  return status < 0 ? -1 : problems;
}

void
explain_report_free (struct explain_report *r)
{
  for (size_t i = 0; i < r->nitems; i++)
    {
      struct explain_item *it = &r->items[i];
      free (it->f.rule);
      free (it->f.cls);
      free (it->f.match);
      free (it->before);
      free (it->after);
    }
  free (r->items);
  free (r->label);
  score_result_free (&r->score);
  memset (r, 0, sizeof *r);
}

/* ---- judging ---- */

static bool
objectionable (const struct explain_item *it)
{
  return it->counted && it->weight > 0;
}

bool
explain_objects (const struct explain_report *r)
{
  if (r->verdict != SCORE_CLEAN)
    return true;
  for (size_t i = 0; i < r->nitems; i++)
    if (objectionable (&r->items[i]))
      return true;
  return false;
}

/* True if R has a finding of a German rule (German-only rules, or detect-duzen's). */
static bool
has_german_findings (const struct explain_report *r)
{
  for (size_t i = 0; i < r->nitems; i++)
    {
      const struct rule *rule = r->items[i].rule;
      if (rule && ((rule->lang && strcmp (rule->lang, "de") == 0)
                   || (rule->tool && strcmp (rule->tool, "detect-duzen") == 0)))
        return true;
    }
  return false;
}

static const char *
text_or_other (char *const texts[2], enum explain_lang lang)
{
  return texts[lang] ? texts[lang] : texts[!lang];
}

char *
explain_reply (const struct explain_report *r, enum explain_lang lang,
               enum profile_address_form form)
{
  errno = 0;
  if (!explain_objects (r))
    return NULL;
  enum explain_lang reply_lang = lang;
  if (r->message_lang)
    reply_lang = strcmp (r->message_lang, "de") == 0 ? EXPLAIN_DE : EXPLAIN_EN;
  else if (has_german_findings (r))
    reply_lang = EXPLAIN_DE;
  int variant = reply_lang == EXPLAIN_EN ? 2 : form == PROFILE_DU ? 1 : 0;

  /* The reason: the one or two sides that weigh most. */
  double weight[SIDE_APPELL + 1] = { 0 };
  for (size_t i = 0; i < r->nitems; i++)
    if (objectionable (&r->items[i]) && r->items[i].side != SIDE_NONE)
      weight[r->items[i].side] += r->items[i].weight;
  enum rule_side first = SIDE_NONE, second = SIDE_NONE;
  for (enum rule_side s = SIDE_SACH; s <= SIDE_APPELL; s++)
    if (weight[s] > 0)
      {
        if (first == SIDE_NONE || weight[s] > weight[first])
          {
            second = first;
            first = s;
          }
        else if (second == SIDE_NONE || weight[s] > weight[second])
          second = s;
      }
  if (first == SIDE_NONE)
    first = SIDE_SACH;

  static const char *const greeting[3] = { "Guten Tag,", "Hallo,", "Hello," };
  static const char *const decline[3] = {
    "vielen Dank für Ihre Nachricht. Ich gehe darauf nicht ein, weil ",
    "danke für deine Nachricht. Ich gehe darauf nicht ein, weil ",
    "Thank you for your message. I will not take this further, because ",
  };
  static const char *const closing[3] = { "Mit freundlichen Grüßen", "Viele Grüße",
                                          "Kind regards" };
  struct strbuf b = { 0 };
  strbuf_str (&b, greeting[variant]);
  strbuf_str (&b, "\n\n");
  strbuf_str (&b, decline[variant]);
  strbuf_str (&b, side_texts[first].reason[variant]);
  if (second != SIDE_NONE)
    {
      /* In German a clause that holds a comma is closed by one before "und". */
      bool comma = variant != 2 && strchr (side_texts[first].reason[variant], ',');
      strbuf_str (&b, variant == 2 ? " and " : comma ? ", und " : " und ");
      strbuf_str (&b, side_texts[second].reason[variant]);
    }
  strbuf_str (&b, ".\n\n");
  strbuf_str (&b, closing[variant]);
  strbuf_chr (&b, '\n');
  if (b.failed)
    {
      free (b.s);
      errno = ENOMEM;
      return NULL;
    }
  return b.s;
}

/* ---- output ---- */

struct out
{
  FILE *f;
  const struct explain_options *o;
  enum explain_lang lang;
};

static const char *
sgr (const struct out *o, int mark)
{
  if (o->o->style == EXPLAIN_PLAIN)
    return "";
  bool color = o->o->style == EXPLAIN_COLOR;
  switch (mark)
    {
    case MK_END: return "\033[0m";
    case MK_STRONG: return "\033[1m";
    case MK_MATCH: return color ? "\033[1;31m" : "\033[1;4m";
    case MK_DIM: return color ? "\033[2m" : "";
    case MK_BAD: return color ? "\033[1;31m" : "\033[1m";
    case MK_DOUBT: return color ? "\033[1;33m" : "\033[1m";
    case MK_GOOD: return color ? "\033[1;32m" : "\033[1m";
    default: return "";
    }
}

/* Write S, turning inline markup into escape sequences (or nothing); CUR tracks the open style. */
static void
put_marked (struct out *o, const char *s, size_t len, int *cur)
{
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = s[i];
      if (c >= MK_END && c <= MK_LAST)
        {
          /* A style that has no escape sequence here opens nothing that would need closing. */
          const char *open = c == MK_END ? "" : sgr (o, c);
          if (*cur && (c == MK_END || *open))
            {
              fputs (sgr (o, MK_END), o->f);
              *cur = 0;
            }
          if (*open)
            {
              fputs (open, o->f);
              *cur = c;
            }
        }
      else
        putc (c, o->f);
    }
}

static void
put_spaces (FILE *f, size_t n)
{
  while (n--)
    putc (' ', f);
}

/* Write TEXT as a paragraph: the first line indented FIRST columns, the rest HANG, broken at
   spaces so no line is wider than the width (a word wider than that is broken where it must). */
static void
put_para (struct out *o, const char *text, size_t first, size_t hang)
{
  size_t width = o->o->width;
  int cur = 0;
  size_t col = first;
  put_spaces (o->f, first);
  bool line_empty = true;
  const char *p = text;
  while (*p)
    {
      if (*p == '\n')
        {
          if (cur)
            fputs (sgr (o, MK_END), o->f);
          putc ('\n', o->f);
          put_spaces (o->f, hang);
          if (cur)
            fputs (sgr (o, cur), o->f);
          col = hang;
          line_empty = true;
          p++;
          continue;
        }
      if (*p == ' ')
        {
          p++;
          continue;
        }
      size_t n = strcspn (p, " \n");
      size_t w = columns (p, n);
      if (!line_empty && width && col + 1 + w > width)
        {
          if (cur)
            fputs (sgr (o, MK_END), o->f);
          putc ('\n', o->f);
          put_spaces (o->f, hang);
          if (cur)
            fputs (sgr (o, cur), o->f);
          col = hang;
          line_empty = true;
        }
      else if (!line_empty)
        {
          putc (' ', o->f);
          col++;
        }
      /* A word wider than a whole line is broken at character boundaries. */
      size_t room = width > hang + 1 ? width - hang : 1;
      for (size_t i = 0; i < n;)
        {
          int len;
          int cw = char_columns (p + i, n - i, &len);
          if (width && cw && col + cw > width && col > hang && w > room)
            {
              if (cur)
                fputs (sgr (o, MK_END), o->f);
              putc ('\n', o->f);
              put_spaces (o->f, hang);
              if (cur)
                fputs (sgr (o, cur), o->f);
              col = hang;
            }
          put_marked (o, p + i, len, &cur);
          col += cw;
          i += len;
        }
      line_empty = false;
      p += n;
    }
  if (cur)
    fputs (sgr (o, MK_END), o->f);
  putc ('\n', o->f);
}

/* The last characters of S (LEN bytes) that fit in BUDGET columns: their byte offset. */
static size_t
tail_fitting (const char *s, size_t len, size_t budget)
{
  size_t start = len, used = 0;
  while (start > 0)
    {
      size_t k = start - 1;
      while (k > 0 && ((unsigned char) s[k] & 0xc0) == 0x80)
        k--;
      size_t w = columns (s + k, start - k);
      if (used + w > budget)
        break;
      used += w;
      start = k;
    }
  return start;
}

/* The first characters of S (LEN bytes) that fit in BUDGET columns: their length in bytes. */
static size_t
head_fitting (const char *s, size_t len, size_t budget)
{
  size_t end = 0, used = 0;
  while (end < len)
    {
      int n;
      size_t w = char_columns (s + end, len - end, &n);
      if (used + w > budget)
        break;
      used += w;
      end += n;
    }
  return end;
}

/* Cut S in place to at most BUDGET columns, ending in "…" if it was longer. */
static void
shorten (char *s, size_t budget)
{
  size_t len = strlen (s);
  if (columns (s, len) <= budget)
    return;
  size_t keep = head_fitting (s, len, budget - 1);
  strcpy (s + keep, "…");
}

/* The source line of IT cut to BUDGET columns around MATCH, the match between MK_MATCH and
   MK_END, into *LINE; return the columns before the match and set *MATCH_COLS. */
static size_t
context_line (const struct explain_item *it, const char *match, size_t budget, struct strbuf *line,
              size_t *match_cols)
{
  const char *ellipsis = "…";
  size_t mlen = strlen (match), blen = strlen (it->before), alen = strlen (it->after);
  size_t mw = columns (match, mlen);
  size_t bw = columns (it->before, blen), aw = columns (it->after, alen);
  if (mw + 2 > budget)
    {
      /* Only the match fits, and perhaps not all of it. */
      size_t keep = head_fitting (match, mlen, budget > 3 ? budget - 2 : 1);
      strbuf_str (line, ellipsis);
      strbuf_chr (line, MK_MATCH);
      strbuf_add (line, match, keep);
      strbuf_chr (line, MK_END);
      strbuf_str (line, ellipsis);
      *match_cols = columns (match, keep);
      return 1;
    }
  size_t room = budget - mw;
  /* Give the text before the match a third of the room, more if the rest is short. */
  size_t before_room = room / 3;
  if (aw + 1 < room - before_room)
    before_room = room - aw - 1;
  bool cut_b = it->cut_before, cut_a = it->cut_after;
  size_t bstart = 0, lead = 0;
  if (bw > before_room || (cut_b && bw + 1 > before_room))
    {
      bstart = tail_fitting (it->before, blen, before_room > 0 ? before_room - 1 : 0);
      cut_b = true;
    }
  /* A cut line starts and ends at a word where one is near. */
  if (cut_b)
    {
      const char *space = memchr (it->before + bstart, ' ', blen - bstart);
      if (space && space + 1 < it->before + blen && columns (it->before + bstart,
                                                             space - it->before - bstart) < 16)
        bstart = space + 1 - it->before;
      strbuf_str (line, ellipsis);
      lead++;
    }
  strbuf_str (line, it->before + bstart);
  lead += columns (it->before + bstart, blen - bstart);
  strbuf_chr (line, MK_MATCH);
  strbuf_str (line, match);
  strbuf_chr (line, MK_END);
  size_t used = lead + mw;
  size_t after_room = budget > used ? budget - used : 0;
  size_t aend = alen;
  if (aw > after_room || (cut_a && aw + 1 > after_room))
    {
      aend = head_fitting (it->after, alen, after_room > 0 ? after_room - 1 : 0);
      cut_a = true;
      size_t space = aend;
      while (space > 0 && it->after[space - 1] != ' ')
        space--;
      if (space > 1 && columns (it->after + space, aend - space) < 16)
        aend = space - 1;
    }
  strbuf_add (line, it->after, aend);
  if (cut_a)
    strbuf_str (line, ellipsis);
  *match_cols = mw;
  return lead;
}

static const char *
describe (const struct explain_item *it, enum explain_lang lang)
{
  return it->rule ? text_or_other (it->rule->describe, lang) : NULL;
}

/* The notes after a finding's rule id: not counted, or no weight. */
static void
item_notes (struct strbuf *b, const struct explain_item *it, enum explain_lang lang,
            bool side_objects)
{
  const char *note = NULL;
  if (it->f.flags & FIND_QUOTED)
    note = phrases[P_NOT_COUNTED_QUOTED][lang];
  else if (it->f.flags & FIND_ALLOWED)
    note = phrases[P_NOT_COUNTED_ALLOWED][lang];
  else if (it->weight <= 0 && side_objects)
    note = phrases[P_NO_WEIGHT][lang];
  if (note)
    {
      strbuf_str (b, " (");
      strbuf_str (b, note);
      strbuf_chr (b, ')');
    }
}

static int
verdict_mark (enum score_verdict v)
{
  return v == SCORE_OUTREACH ? MK_BAD : v == SCORE_UNSURE ? MK_DOUBT : MK_GOOD;
}

/* "Verdict: outreach, score 5.8 (outreach from 5.0, unsure from 3.0)" */
static void
verdict_line (struct strbuf *b, const struct explain_report *r, enum explain_lang lang, bool markup)
{
  strbuf_str (b, phrases[P_VERDICT][lang]);
  strbuf_str (b, ": ");
  if (markup)
    strbuf_chr (b, verdict_mark (r->verdict));
  strbuf_str (b, verdict_word (r->verdict, lang));
  if (markup)
    strbuf_chr (b, MK_END);
  strbuf_str (b, lang == EXPLAIN_DE ? ", Punktzahl " : ", score ");
  buf_number (b, r->score_value, lang);
  struct strbuf t = { 0 }, u = { 0 };
  buf_number (&t, r->score.threshold, lang);
  buf_number (&u, r->score.unsure, lang);
  char tmp[256];
  snprintf (tmp, sizeof tmp, phrases[P_THRESHOLDS][lang], t.s ? t.s : "", u.s ? u.s : "");
  free (t.s);
  free (u.s);
  strbuf_str (b, " (");
  strbuf_str (b, tmp);
  if (r->from_stream)
    {
      strbuf_str (b, "; ");
      strbuf_str (b, phrases[P_FROM_STREAM][lang]);
    }
  strbuf_chr (b, ')');
}

static void
score_line (struct strbuf *b, const struct explain_report *r, enum explain_lang lang)
{
  strbuf_str (b, phrases[P_SCORE][lang]);
  strbuf_str (b, ": ");
  if (r->score.nhits == 0)
    strbuf_str (b, phrases[P_NO_SCORE_RULES][lang]);
  for (size_t i = 0; i < r->score.nhits; i++)
    {
      const struct score_hit *h = &r->score.hits[i];
      if (i > 0)
        strbuf_str (b, "; ");
      buf_safe (b, h->rule);
      strbuf_str (b, h->points >= 0 ? " +" : " ");
      buf_number (b, h->points, lang);
      if (h->count > 1)
        {
          char tmp[32];
          snprintf (tmp, sizeof tmp, " (%zu×)", h->count);
          strbuf_str (b, tmp);
        }
    }
}

/* Which sides have findings, objectionable ones, and whether some are not counted. */
struct side_summary
{
  size_t n[SIDE_APPELL + 1];
  size_t bad[SIDE_APPELL + 1];
};

static void
summarise (const struct explain_report *r, struct side_summary *s)
{
  memset (s, 0, sizeof *s);
  for (size_t i = 0; i < r->nitems; i++)
    {
      s->n[r->items[i].side]++;
      s->bad[r->items[i].side] += objectionable (&r->items[i]);
    }
}

/* The distinct advice texts of the objectionable findings, in side order. */
static size_t
collect_advice (const struct explain_report *r, enum explain_lang lang, const char **v,
                size_t max)
{
  size_t n = 0;
  for (size_t k = 0; k < NSIDES; k++)
    for (size_t i = 0; i < r->nitems && n < max; i++)
      {
        const struct explain_item *it = &r->items[i];
        if (it->side != side_order[k] || !objectionable (it) || !it->rule)
          continue;
        const char *a = text_or_other (it->rule->advice, lang);
        if (!a)
          continue;
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
          seen = strcmp (v[j], a) == 0;
        if (!seen)
          v[n++] = a;
      }
  return n;
}

enum { MAX_ADVICE = 64 };

static void
flush_para (struct out *o, struct strbuf *b, size_t first, size_t hang)
{
  if (b->s)
    put_para (o, b->s, first, hang);
  b->len = 0;
  if (b->s)
    b->s[0] = '\0';
}

static int
write_text (struct out *o, const struct explain_report *r, const char *reply)
{
  enum explain_lang lang = o->lang;
  size_t width = o->o->width;
  struct strbuf b = { 0 };
  bool failed = false;

  strbuf_chr (&b, MK_STRONG);
  buf_safe (&b, r->label);
  strbuf_chr (&b, MK_END);
  flush_para (o, &b, 0, 0);
  verdict_line (&b, r, lang, true);
  flush_para (o, &b, 0, 2);
  score_line (&b, r, lang);
  flush_para (o, &b, 0, 2);
  strbuf_chr (&b, MK_DIM);
  strbuf_str (&b, phrases[P_TUNE][lang]);
  strbuf_chr (&b, MK_END);
  flush_para (o, &b, 0, 0);

  putc ('\n', o->f);
  strbuf_chr (&b, MK_STRONG);
  strbuf_str (&b, phrases[P_SIDES][lang]);
  strbuf_chr (&b, MK_END);
  flush_para (o, &b, 0, 0);

  struct side_summary sum;
  summarise (r, &sum);
  for (size_t k = 0; k < NSIDES; k++)
    {
      enum rule_side side = side_order[k];
      if (side == SIDE_NONE && sum.n[side] == 0)
        continue;
      putc ('\n', o->f);
      strbuf_chr (&b, MK_STRONG);
      strbuf_str (&b, side_texts[side].title[lang]);
      strbuf_chr (&b, MK_END);
      flush_para (o, &b, 0, 2);
      if (sum.n[side] == 0)
        {
          strbuf_str (&b, phrases[P_NOTHING_HERE][lang]);
          flush_para (o, &b, 2, 2);
          continue;
        }
      strbuf_str (&b, sum.bad[side] ? side_texts[side].reading[lang] : phrases[P_NEUTRAL_HERE][lang]);
      flush_para (o, &b, 2, 2);
      for (size_t i = 0; i < r->nitems; i++)
        {
          const struct explain_item *it = &r->items[i];
          if (it->side != side)
            continue;
          putc ('\n', o->f);
          char pos[64];
          snprintf (pos, sizeof pos, "%lu:%lu", it->f.line, it->f.col);
          strbuf_chr (&b, MK_DIM);
          strbuf_str (&b, pos);
          strbuf_chr (&b, MK_END);
          strbuf_chr (&b, ' ');
          strbuf_chr (&b, MK_STRONG);
          buf_safe (&b, it->f.rule);
          strbuf_chr (&b, MK_END);
          item_notes (&b, it, lang, sum.bad[side] > 0);
          const char *d = describe (it, lang);
          if (d)
            {
              strbuf_str (&b, ": ");
              buf_safe (&b, d);
            }
          flush_para (o, &b, 2, 6);
          char *match = explain_sanitize (it->f.match, strlen (it->f.match));
          if (!match)
            {
              failed = true;
              continue;
            }
          shorten (match, UNWRAPPED_CONTEXT);
          size_t budget = width ? (width > 6 + MIN_WIDTH / 2 ? width - 6 : MIN_WIDTH / 2)
                                : UNWRAPPED_CONTEXT;
          if (it->before)
            {
              size_t mcols;
              struct strbuf line = { 0 };
              size_t lead = context_line (it, match, budget, &line, &mcols);
              put_spaces (o->f, 6);
              int cur = 0;
              if (line.s)
                put_marked (o, line.s, line.len, &cur);
              putc ('\n', o->f);
              failed |= line.failed;
              free (line.s);
              if (mcols > 0)
                {
                  put_spaces (o->f, 6 + lead);
                  fputs (sgr (o, MK_MATCH), o->f);
                  putc ('^', o->f);
                  for (size_t c = 1; c < mcols; c++)
                    putc ('~', o->f);
                  if (o->o->style != EXPLAIN_PLAIN)
                    fputs (sgr (o, MK_END), o->f);
                  putc ('\n', o->f);
                }
            }
          else if (*match)
            {
              strbuf_str (&b, lang == EXPLAIN_DE ? "„" : "“");
              strbuf_chr (&b, MK_MATCH);
              strbuf_str (&b, match);
              strbuf_chr (&b, MK_END);
              strbuf_str (&b, lang == EXPLAIN_DE ? "“" : "”");
              flush_para (o, &b, 6, 7);
            }
          free (match);
        }
    }

  putc ('\n', o->f);
  if (r->omitted)
    {
      char line[160];
      snprintf (line, sizeof line, phrases[P_OMITTED][lang], r->omitted);
      strbuf_str (&b, line);
      flush_para (o, &b, 0, 0);
      putc ('\n', o->f);
    }
  if (explain_objects (r))
    {
      strbuf_chr (&b, MK_STRONG);
      strbuf_str (&b, phrases[P_ADVICE][lang]);
      strbuf_chr (&b, MK_END);
      flush_para (o, &b, 0, 0);
      const char *advice[MAX_ADVICE];
      size_t n = collect_advice (r, lang, advice, MAX_ADVICE);
      for (size_t i = 0; i < n; i++)
        {
          strbuf_str (&b, "- ");
          buf_safe (&b, advice[i]);
          flush_para (o, &b, 2, 4);
        }
      strbuf_str (&b, phrases[P_IN_SHORT][lang]);
      flush_para (o, &b, 2, 2);
    }
  else
    {
      strbuf_chr (&b, MK_STRONG);
      strbuf_str (&b, phrases[P_CLEAN_TITLE][lang]);
      strbuf_chr (&b, MK_END);
      flush_para (o, &b, 0, 0);
      strbuf_str (&b, phrases[P_CLEAN_NOTHING][lang]);
      if (r->nitems)
        {
          strbuf_chr (&b, ' ');
          strbuf_str (&b, phrases[P_CLEAN_SEEN][lang]);
        }
      if (r->allowed_why)
        {
          char tmp[256];
          snprintf (tmp, sizeof tmp, phrases[P_CLEAN_ALLOWED][lang],
                    why_words (r->allowed_why, lang));
          strbuf_chr (&b, ' ');
          strbuf_str (&b, tmp);
        }
      flush_para (o, &b, 2, 2);
    }

  if (o->o->reply)
    {
      putc ('\n', o->f);
      strbuf_chr (&b, MK_STRONG);
      strbuf_str (&b, phrases[reply ? P_REPLY : P_NO_REPLY][lang]);
      strbuf_chr (&b, MK_END);
      flush_para (o, &b, 0, 0);
      if (reply)
        for (const char *p = reply; *p;)
          {
            size_t n = strcspn (p, "\n");
            if (n)
              {
                strbuf_add (&b, p, n);
                flush_para (o, &b, 4, 4);
              }
            else
              putc ('\n', o->f);
            p += n + (p[n] == '\n');
          }
    }
  int status = b.failed || failed ? -1 : 0;
  free (b.s);
  return status;
}

/* Add S (sanitised) to B escaped for Markdown; the match markup becomes strong emphasis. */
static void
buf_markdown (struct strbuf *b, const char *s)
{
  for (; *s; s++)
    {
      unsigned char c = *s;
      if (c == MK_MATCH || c == MK_STRONG)
        strbuf_str (b, "**");
      else if (c == MK_END)
        strbuf_str (b, "**");
      else if (c <= MK_LAST)
        continue;
      else
        {
          if (strchr ("\\`*_[]<>#|~", c))
            strbuf_chr (b, '\\');
          strbuf_chr (b, c);
        }
    }
}

/* Add S sanitised and escaped for Markdown. */
static void
buf_markdown_safe (struct strbuf *b, const char *s)
{
  buf_sanitized (b, s, buf_markdown);
}

static int
write_markdown (struct out *o, const struct explain_report *r, const char *reply)
{
  enum explain_lang lang = o->lang;
  struct strbuf b = { 0 }, t = { 0 };
  strbuf_str (&b, "## ");
  buf_markdown_safe (&b, r->label);
  strbuf_str (&b, "\n\n**");
  verdict_line (&t, r, lang, false);
  size_t colon = t.s ? strcspn (t.s, ":") : 0;
  if (t.s)
    {
      strbuf_add (&b, t.s, colon);
      strbuf_str (&b, ":**");
      buf_markdown (&b, t.s + colon + 1);
    }
  strbuf_str (&b, "  \n**");
  t.len = 0;
  score_line (&t, r, lang);
  if (t.s)
    {
      colon = strcspn (t.s, ":");
      strbuf_add (&b, t.s, colon);
      strbuf_str (&b, ":**");
      buf_markdown (&b, t.s + colon + 1);
    }
  strbuf_str (&b, "\n\n_");
  buf_markdown (&b, phrases[P_TUNE][lang]);
  strbuf_str (&b, "_\n\n### ");
  strbuf_str (&b, phrases[P_SIDES][lang]);
  strbuf_str (&b, "\n");

  struct side_summary sum;
  summarise (r, &sum);
  for (size_t k = 0; k < NSIDES; k++)
    {
      enum rule_side side = side_order[k];
      if (side == SIDE_NONE && sum.n[side] == 0)
        continue;
      strbuf_str (&b, "\n#### ");
      buf_markdown (&b, side_texts[side].title[lang]);
      strbuf_str (&b, "\n\n");
      if (sum.n[side] == 0)
        {
          strbuf_str (&b, phrases[P_NOTHING_HERE][lang]);
          strbuf_str (&b, "\n");
          continue;
        }
      buf_markdown (&b, sum.bad[side] ? side_texts[side].reading[lang]
                                      : phrases[P_NEUTRAL_HERE][lang]);
      strbuf_str (&b, "\n\n");
      for (size_t i = 0; i < r->nitems; i++)
        {
          const struct explain_item *it = &r->items[i];
          if (it->side != side)
            continue;
          char pos[64];
          snprintf (pos, sizeof pos, "- `%lu:%lu` **", it->f.line, it->f.col);
          strbuf_str (&b, pos);
          buf_markdown_safe (&b, it->f.rule);
          strbuf_str (&b, "**");
          t.len = 0;
          item_notes (&t, it, lang, sum.bad[side] > 0);
          if (t.len)
            buf_markdown (&b, t.s);
          const char *d = describe (it, lang);
          if (d)
            {
              strbuf_str (&b, ": ");
              buf_markdown_safe (&b, d);
            }
          char *match = explain_sanitize (it->f.match, strlen (it->f.match));
          if (!match)
            {
              b.failed = true;
              break;
            }
          shorten (match, UNWRAPPED_CONTEXT);
          if (it->before)
            {
              size_t mcols;
              t.len = 0;
              context_line (it, match, UNWRAPPED_CONTEXT, &t, &mcols);
              strbuf_str (&b, "  \n  ");
              if (t.s)
                buf_markdown (&b, t.s);
            }
          else if (*match)
            {
              strbuf_str (&b, "  \n  ");
              strbuf_str (&b, lang == EXPLAIN_DE ? "„**" : "“**");
              buf_markdown (&b, match);
              strbuf_str (&b, lang == EXPLAIN_DE ? "**“" : "**”");
            }
          free (match);
          strbuf_str (&b, "\n");
        }
    }

  if (r->omitted)
    {
      char line[160];
      snprintf (line, sizeof line, phrases[P_OMITTED][lang], r->omitted);
      strbuf_str (&b, "\n_");
      strbuf_str (&b, line);
      strbuf_str (&b, "_\n");
    }
  if (explain_objects (r))
    {
      strbuf_str (&b, "\n### ");
      strbuf_str (&b, phrases[P_ADVICE][lang]);
      strbuf_str (&b, "\n\n");
      const char *advice[MAX_ADVICE];
      size_t n = collect_advice (r, lang, advice, MAX_ADVICE);
      for (size_t i = 0; i < n; i++)
        {
          strbuf_str (&b, "- ");
          buf_markdown_safe (&b, advice[i]);
          strbuf_str (&b, "\n");
        }
      strbuf_str (&b, "\n");
      buf_markdown (&b, phrases[P_IN_SHORT][lang]);
      strbuf_str (&b, "\n");
    }
  else
    {
      strbuf_str (&b, "\n### ");
      strbuf_str (&b, phrases[P_CLEAN_TITLE][lang]);
      strbuf_str (&b, "\n\n");
      buf_markdown (&b, phrases[P_CLEAN_NOTHING][lang]);
      if (r->nitems)
        {
          strbuf_chr (&b, ' ');
          buf_markdown (&b, phrases[P_CLEAN_SEEN][lang]);
        }
      if (r->allowed_why)
        {
          char tmp[256];
          snprintf (tmp, sizeof tmp, phrases[P_CLEAN_ALLOWED][lang],
                    why_words (r->allowed_why, lang));
          strbuf_chr (&b, ' ');
          buf_markdown (&b, tmp);
        }
      strbuf_str (&b, "\n");
    }
  if (o->o->reply)
    {
      strbuf_str (&b, "\n### ");
      strbuf_str (&b, phrases[reply ? P_REPLY : P_NO_REPLY][lang]);
      strbuf_str (&b, "\n");
      if (reply)
        {
          strbuf_str (&b, "\n```text\n");
          strbuf_str (&b, reply);
          strbuf_str (&b, "```\n");
        }
    }
  int status = b.failed || t.failed ? -1 : 0;
  if (b.s)
    fputs (b.s, o->f);
  free (b.s);
  free (t.s);
  return status;
}

/* Add S to B as a JSON string (S is valid UTF-8 after sanitising; controls are escaped first). */
static void
buf_json (struct strbuf *b, const char *s)
{
  if (!s)
    {
      strbuf_str (b, "null");
      return;
    }
  strbuf_chr (b, '"');
  const uint8_t *p = (const uint8_t *) s, *end = p + strlen (s);
  while (p < end)
    {
      ucs4_t c;
      int n = u8_mbtouc (&c, p, end - p);
      char tmp[8];
      if (c == '"' || c == '\\')
        {
          strbuf_chr (b, '\\');
          strbuf_chr (b, c);
        }
      else if (c == '\n')
        strbuf_str (b, "\\n");
      else if (c == '\t')
        strbuf_str (b, "\\t");
      else if (c < 0x20 || c == 0x7f)
        {
          snprintf (tmp, sizeof tmp, "\\u%04x", (unsigned) c);
          strbuf_str (b, tmp);
        }
      else if (c == 0xfffd && !(n == 3 && p[0] == 0xef))
        strbuf_str (b, "\xef\xbf\xbd");
      else
        strbuf_add (b, (const char *) p, n);
      p += n;
    }
  strbuf_chr (b, '"');
}

static void
buf_json_number (struct strbuf *b, double x)
{
  char tmp[32];
  strbuf_str (b, score_format (x, tmp));
}

static int
write_json (struct out *o, const struct explain_report *r, const char *reply)
{
  enum explain_lang lang = o->lang;
  struct strbuf b = { 0 };
  strbuf_str (&b, "{\"file\":");
  buf_json (&b, r->label);
  strbuf_str (&b, ",\"language\":");
  buf_json (&b, lang == EXPLAIN_DE ? "de" : "en");
  strbuf_str (&b, ",\"message_language\":");
  buf_json (&b, r->message_lang);
  strbuf_str (&b, ",\"from_stream\":");
  strbuf_str (&b, r->from_stream ? "true" : "false");
  strbuf_str (&b, ",\"verdict\":");
  buf_json (&b, score_verdict_name (r->verdict));
  strbuf_str (&b, ",\"score\":");
  buf_json_number (&b, r->score_value);
  strbuf_str (&b, ",\"threshold\":");
  buf_json_number (&b, r->score.threshold);
  strbuf_str (&b, ",\"unsure\":");
  buf_json_number (&b, r->score.unsure);
  strbuf_str (&b, ",\"allowed\":");
  buf_json (&b, r->allowed_why);
  strbuf_str (&b, ",\"objects\":");
  strbuf_str (&b, explain_objects (r) ? "true" : "false");
  strbuf_str (&b, ",\"score_rules\":[");
  for (size_t i = 0; i < r->score.nhits; i++)
    {
      const struct score_hit *h = &r->score.hits[i];
      strbuf_str (&b, i ? ",{\"rule\":" : "{\"rule\":");
      buf_json (&b, h->rule);
      strbuf_str (&b, ",\"points\":");
      buf_json_number (&b, h->points);
      char tmp[48];
      snprintf (tmp, sizeof tmp, ",\"count\":%zu}", h->count);
      strbuf_str (&b, tmp);
    }
  {
    char tmp[48];
    snprintf (tmp, sizeof tmp, "],\"omitted\":%zu", r->omitted);
    strbuf_str (&b, tmp);
  }
  strbuf_str (&b, ",\"sides\":[");
  struct side_summary sum;
  summarise (r, &sum);
  bool first_side = true;
  for (size_t k = 0; k < NSIDES; k++)
    {
      enum rule_side side = side_order[k];
      if (side == SIDE_NONE && sum.n[side] == 0)
        continue;
      strbuf_str (&b, first_side ? "{\"side\":" : ",{\"side\":");
      first_side = false;
      buf_json (&b, rules_side_name (side));
      strbuf_str (&b, ",\"name\":");
      buf_json (&b, side_texts[side].name);
      strbuf_str (&b, ",\"title\":");
      buf_json (&b, side_texts[side].title[lang]);
      strbuf_str (&b, ",\"reading\":");
      buf_json (&b, sum.n[side] == 0 ? NULL
                    : sum.bad[side] ? side_texts[side].reading[lang]
                    : phrases[P_NEUTRAL_HERE][lang]);
      strbuf_str (&b, ",\"findings\":[");
      bool first_item = true;
      for (size_t i = 0; i < r->nitems; i++)
        {
          const struct explain_item *it = &r->items[i];
          if (it->side != side)
            continue;
          char tmp[96];
          snprintf (tmp, sizeof tmp, "%s{\"line\":%lu,\"column\":%lu,\"rule\":",
                    first_item ? "" : ",", it->f.line, it->f.col);
          first_item = false;
          strbuf_str (&b, tmp);
          buf_json (&b, it->f.rule);
          strbuf_str (&b, ",\"class\":");
          buf_json (&b, it->f.cls);
          strbuf_str (&b, ",\"severity\":");
          buf_json (&b, severity_name (it->f.severity));
          strbuf_str (&b, ",\"quoted\":");
          strbuf_str (&b, it->f.flags & FIND_QUOTED ? "true" : "false");
          strbuf_str (&b, ",\"allowed\":");
          strbuf_str (&b, it->f.flags & FIND_ALLOWED ? "true" : "false");
          strbuf_str (&b, ",\"counted\":");
          strbuf_str (&b, objectionable (it) ? "true" : "false");
          strbuf_str (&b, ",\"weight\":");
          buf_json_number (&b, it->weight);
          strbuf_str (&b, ",\"match\":");
          char *match = explain_sanitize (it->f.match, strlen (it->f.match));
          if (!match)
            b.failed = true;
          buf_json (&b, match ? match : "");
          free (match);
          strbuf_str (&b, ",\"before\":");
          buf_json (&b, it->before);
          strbuf_str (&b, ",\"after\":");
          buf_json (&b, it->after);
          strbuf_str (&b, ",\"describe\":");
          buf_json (&b, describe (it, lang));
          strbuf_str (&b, ",\"advice\":");
          buf_json (&b, it->rule ? text_or_other (it->rule->advice, lang) : NULL);
          strbuf_chr (&b, '}');
        }
      strbuf_str (&b, "]}");
    }
  strbuf_str (&b, "],\"advice\":[");
  if (explain_objects (r))
    {
      const char *advice[MAX_ADVICE];
      size_t n = collect_advice (r, lang, advice, MAX_ADVICE);
      for (size_t i = 0; i < n; i++)
        {
          if (i)
            strbuf_chr (&b, ',');
          buf_json (&b, advice[i]);
        }
    }
  strbuf_str (&b, "],\"summary\":");
  if (explain_objects (r))
    buf_json (&b, phrases[P_IN_SHORT][lang]);
  else
    buf_json (&b, phrases[P_CLEAN_NOTHING][lang]);
  if (o->o->reply)
    {
      strbuf_str (&b, ",\"reply\":");
      buf_json (&b, reply);
    }
  strbuf_str (&b, "}\n");
  int status = b.failed ? -1 : 0;
  if (b.s)
    fputs (b.s, o->f);
  free (b.s);
  return status;
}

int
explain_write (FILE *out, const struct explain_report *r, const struct explain_options *opt)
{
  struct explain_options adjusted = *opt;
  if (adjusted.width && adjusted.width < MIN_WIDTH)
    adjusted.width = MIN_WIDTH;
  struct out o = { out, &adjusted, opt->lang == EXPLAIN_DE ? EXPLAIN_DE : EXPLAIN_EN };
  char *reply = NULL;
  if (opt->reply)
    {
      reply = explain_reply (r, o.lang, opt->address_form);
      if (!reply && errno)
        return -1;
    }
  int status;
  switch (opt->format)
    {
    case EXPLAIN_FORMAT_MARKDOWN: status = write_markdown (&o, r, reply); break;
    case EXPLAIN_FORMAT_JSON: status = write_json (&o, r, reply); break;
    default: status = write_text (&o, r, reply); break;
    }
  free (reply);
  if (status < 0)
    errno = ENOMEM;
  return status < 0 || ferror (out) ? -1 : 0;
}
