/* test-duzen.c: unit tests of the du/ihr/Sie detector (lib/duzen.c) over text_analyze'd sentences. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duzen.h"
#include "duzen-lexicon.h"
#include "findings.h"
#include "text.h"

static int failures;

#define CHECK(cond, ...)                                        \
  do                                                            \
    {                                                           \
      if (!(cond))                                              \
        {                                                       \
          failures++;                                           \
          fprintf (stderr, "%s:%d: ", __FILE__, __LINE__);      \
          fprintf (stderr, __VA_ARGS__);                        \
          fputc ('\n', stderr);                                 \
        }                                                       \
    }                                                           \
  while (0)

struct sample
{
  const char *text;
  enum duzen_verdict verdict;
  const char *rule;             /* a counted finding with this id must exist, or NULL */
  const char *absent;           /* no finding at all with this id, or NULL */
};

/* Sentences written for these tests, one or more per section of duzen.md. */
static const struct sample samples[] = {
  /* §2 closed classes */
  {"Ich melde mich morgen bei dir wegen des Termins.", DUZEN_DU, "DU_PRON", NULL},
  {"Dein Vortrag auf der Konferenz war klasse.", DUZEN_DU, "DU_POSS", NULL},
  {"Das ist deinetwegen so spät geworden.", DUZEN_DU, "DU_POSS", NULL},
  {"Wir haben euch ein Muster geschickt.", DUZEN_IHR_PLURAL, "IHR_PRON", NULL},
  {"Euer neuer Onlineshop sieht gut aus.", DUZEN_IHR_PLURAL, "IHR_POSS", NULL},
  {"Wir haben Ihnen ein Muster geschickt.", DUZEN_SIE_FORMAL, "SIE_IHNEN", NULL},
  /* §3 ihr */
  {"Seid ihr am Donnerstag auf der Messe?", DUZEN_IHR_PLURAL, "IHR_VERB", NULL},
  {"Was plant ihr denn für das nächste Quartal?", DUZEN_IHR_PLURAL, "IHR_VERB", NULL},
  {"Sagt mir, ob ihr noch Fragen zum Vertrag habt.", DUZEN_IHR_PLURAL, "IHR_NOM", NULL},
  {"Hey ihr zwei, schön euch zu sehen!", DUZEN_IHR_PLURAL, "IHR_NOM", NULL},
  {"Ich habe ihr den Link zur Präsentation geschickt.", DUZEN_NONE, NULL, "IHR_VERB"},
  {"Zusammen mit ihr planen wir das Sommerfest.", DUZEN_NONE, NULL, "IHR_NOM"},
  {"Die Agentur hat ihr Portfolio erweitert.", DUZEN_NONE, NULL, "IHR_NOM"},
  {"Der Verein und ihr Vorstand treffen sich morgen.", DUZEN_NONE, NULL, NULL},
  {"Ich glaube, Ihr habt das Problem schon gelöst.", DUZEN_IHR_PLURAL, "IHR_VERB", "SIE_POSS"},
  {"Danke für Ihr Vertrauen in unser Team.", DUZEN_SIE_FORMAL, "SIE_POSS", NULL},
  {"Eure Exzellenz, der Empfang beginnt um acht.", DUZEN_NONE, NULL, "IHR_POSS"},
  /* §3 Sie, Ihnen */
  {"Morgen rufe ich Sie wegen der Rechnung an.", DUZEN_SIE_FORMAL, "SIE_MID", NULL},
  {"Sie ist ab Montag wieder im Büro.", DUZEN_NONE, NULL, "SIE_INIT"},
  {"Sie können den Bericht jederzeit herunterladen, Ihre Daten bleiben gespeichert.",
   DUZEN_SIE_FORMAL, "SIE_INIT", NULL},
  {"Die Monteure? Sie kommen beide erst nächste Woche.", DUZEN_NONE, NULL, "SIE_INIT"},
  {"Sie haben ihr Geschäft an die Tochter übergeben.", DUZEN_NONE, NULL, "SIE_INIT"},
  {"Wir schreiben ihnen morgen eine Karte.", DUZEN_NONE, NULL, "SIE_IHNEN"},
  {"könnten sie mir die rechnung nochmal schicken? danke", DUZEN_NONE, "SIE_MID", NULL},
  /* §4 verbs */
  {"Arbeitest du noch bei der Sparkasse?", DUZEN_DU, "DU_VERB", NULL},
  {"Hast noch Zeit am Freitag?", DUZEN_DU, "DU_PRODROP", NULL},
  {"Ok, schaffst das schon.", DUZEN_DU, "DU_PRODROP", NULL},
  {"Biste am Wochenende in der Stadt?", DUZEN_DU, "DU_CLITIC", NULL},
  {"Musste das wirklich so teuer sein?", DUZEN_NONE, NULL, "DU_CLITIC"},
  {"Bin morgen den ganzen Tag unterwegs.", DUZEN_NONE, NULL, NULL},
  {"Schreibe dir später die Zugangsdaten.", DUZEN_DU, "DU_PRON", NULL},
  {"Der Ernst der Lage ist allen klar.", DUZEN_NONE, NULL, NULL},
  {"Gestartet wurde das Projekt im Mai.", DUZEN_NONE, NULL, NULL},
  /* §5 imperatives */
  {"Ruf mich einfach morgen an.", DUZEN_DU, "DU_IMP", NULL},
  {"Nimm dir die Zeit, die du brauchst.", DUZEN_DU, "DU_IMP", NULL},
  {"Lass uns das nächste Woche besprechen.", DUZEN_DU, "DU_IMP", NULL},
  {"Lasst uns das nächste Woche besprechen.", DUZEN_IHR_PLURAL, "IHR_IMP", NULL},
  {"Lassen Sie uns das nächste Woche besprechen.", DUZEN_SIE_FORMAL, "SIE_IMP", NULL},
  {"Meldet euch, sobald die Zahlen da sind.", DUZEN_IHR_PLURAL, "IHR_IMP", NULL},
  {"Schaut mal auf unserer Seite vorbei.", DUZEN_IHR_PLURAL, "IHR_IMP", NULL},
  {"Klingt doch gut!", DUZEN_NONE, NULL, "IHR_IMP"},
  {"Kommt die Lieferung noch diese Woche?", DUZEN_NONE, NULL, "IHR_IMP"},
  {"Entschuldige die späte Antwort.", DUZEN_DU, "DU_IMP", NULL},
  {"Schöne Grüße an das ganze Team!", DUZEN_NONE, NULL, "DU_IMP"},
  /* §6 masks */
  {"Der Kunde schrieb: „Kannst du mir helfen?“", DUZEN_NONE, NULL, NULL},
  {"> Kannst du mir helfen?\nGerne helfen wir Ihnen weiter.", DUZEN_SIE_FORMAL, "SIE_IHNEN", NULL},
  {"Danke für deine Mail.\n-- \nMax Muster\nSie erreichen mich unter 0123 456.", DUZEN_DU, "DU_POSS",
   NULL},
  {"Mit dem Befehl `du -sh` siehst du die Größe.", DUZEN_DU, "DU_VERB", NULL},
  {"Für Kunden wie euch gilt der Rabatt.", DUZEN_IHR_PLURAL, "IHR_PRON", NULL},
  {"In unserer Firma ist man per Du.", DUZEN_NONE, "CUE_T_CULTURE", "DU_PRON"},
  {"Die Duz-Kultur und die Du-Form passen nicht zu jeder Bank.", DUZEN_NONE, NULL, "DU_PRON"},
  /* §7 language gate, names, lookalikes */
  {"Nous sommes ouverts du lundi au samedi.", DUZEN_NONE, NULL, "DU_PRON"},
  {"Vill du följa med på lunch i morgon?", DUZEN_NONE, NULL, "DU_PRON"},
  {"Das Gespräch führt Herr Du aus dem Vertrieb.", DUZEN_NONE, NULL, "DU_PRON"},
  {"Wir waren im Restaurant Chez du Port essen.", DUZEN_NONE, NULL, "DU_PRON"},
  {"Der Durchbruch kam mit dem Dudelsack-Festival in Dubai.", DUZEN_NONE, NULL, NULL},
  {"Bitte beachten Sie die Sendung DU-8812.", DUZEN_SIE_FORMAL, NULL, "DU_PRON"},
  {"Hast du Bock auf ein quick sync next week?", DUZEN_DU, "DU_VERB", NULL},
  /* §8 capitalised T, lowercase chat */
  {"Ich hoffe, Dir geht es gut und Deine Reise war schön.", DUZEN_DU, "DU_POSS", NULL},
  {"ihr habt echt einen tollen laden", DUZEN_IHR_PLURAL, "IHR_VERB", NULL},
  /* §9 cues */
  {"Moin Jana, wie war dein Urlaub?", DUZEN_DU, "CUE_T_GREETING", NULL},
  {"Sehr geehrter Herr Braun, hast du am Montag Zeit?", DUZEN_DU, "REGISTER_MISMATCH", NULL},
  {"Hi Tom, könnten Sie mir das Angebot schicken?", DUZEN_SIE_FORMAL, "REGISTER_MISMATCH", NULL},
  {"Servus!", DUZEN_NONE, "CUE_T_GREETING", NULL},
  /* §10 mixed */
  {"Können Sie mir sagen, wann du Zeit hast?", DUZEN_MIXED, "SIE_MID", NULL},
  {"Danke für Ihre Geduld, meldet euch bei Fragen.", DUZEN_MIXED, "IHR_IMP", NULL},
};

static bool
has_rule (const struct findings *f, const char *rule, bool counted_only)
{
  for (size_t i = 0; i < f->n; i++)
    if (strcmp (f->v[i].rule, rule) == 0
        && (!counted_only || !(f->v[i].flags & (FIND_QUOTED | FIND_ALLOWED))))
      return true;
  return false;
}

static int
analyze (const char *s, struct findings *f, struct duzen_result *res)
{
  struct text t;
  if (text_analyze (&t, s, strlen (s)) < 0)
    return -1;
  findings_clear (f);
  int r = duzen_analyze (&t, f, res);
  text_free (&t);
  return r;
}

static void
test_samples (void)
{
  struct findings f = { 0 };
  for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
    {
      const struct sample *c = &samples[i];
      struct duzen_result res;
      if (analyze (c->text, &f, &res) < 0)
        {
          CHECK (false, "analysis failed: %s", c->text);
          continue;
        }
      CHECK (res.verdict == c->verdict, "%s: verdict %s, want %s [%s]", c->text,
             duzen_verdict_name (res.verdict), duzen_verdict_name (c->verdict), res.details);
      if (c->rule)
        CHECK (has_rule (&f, c->rule, true), "%s: no counted %s [%s]", c->text, c->rule, res.details);
      if (c->absent)
        CHECK (!has_rule (&f, c->absent, false), "%s: unexpected %s", c->text, c->absent);
    }
  findings_clear (&f);
  free (f.v);
}

/* Masked text is reported but not counted. */
static void
test_quoted_flag (void)
{
  struct findings f = { 0 };
  struct duzen_result res;
  CHECK (analyze ("Sie sagte: „Melde dich doch mal.“", &f, &res) == 0, "analysis failed");
  bool seen = false;
  for (size_t i = 0; i < f.n; i++)
    if (strncmp (f.v[i].rule, "DU_", 3) == 0)
      {
        seen = true;
        CHECK (f.v[i].flags & FIND_QUOTED, "quoted %s not flagged", f.v[i].rule);
      }
  CHECK (seen, "no finding reported inside direct speech");
  CHECK (res.verdict == DUZEN_NONE && res.du == 0, "direct speech counted: %s", res.details);
  findings_clear (&f);
  free (f.v);
}

/* A du offered in the quoted reply sets offered; the verdict stays descriptive. */
static void
test_offered (void)
{
  struct findings f = { 0 };
  struct duzen_result res;
  const char *mail = "Hast du am Freitag Zeit?\n\nAm 3. März schrieb Anna Berg:\n"
    "> Wir können uns gerne duzen.\n> Viele Grüße, Anna\n";
  CHECK (analyze (mail, &f, &res) == 0, "analysis failed");
  CHECK (res.offered, "offer in quoted reply not seen [%s]", res.details);
  CHECK (res.verdict == DUZEN_DU, "verdict %s", duzen_verdict_name (res.verdict));
  CHECK (analyze ("Hast du am Freitag Zeit?", &f, &res) == 0 && !res.offered, "offered without offer");
  CHECK (analyze ("> Bitte nicht duzen.\nHast du Zeit?", &f, &res) == 0 && !res.offered,
         "a refusal read as an offer");
  findings_clear (&f);
  free (f.v);
}

static void
test_details (void)
{
  struct findings f = { 0 };
  struct duzen_result res;
  CHECK (analyze ("Sehr geehrte Frau Roth, kannst du mir deine Nummer geben? Mit freundlichen Grüßen",
                  &f, &res) == 0, "analysis failed");
  CHECK (strncmp (res.details, "du=", 3) == 0 && strstr (res.details, " ihr=0 sie=0"),
         "details: %s", res.details);
  CHECK (strstr (res.details, "cues=V2") && strstr (res.details, "register-mismatch"),
         "details: %s", res.details);
  CHECK (analyze ("Hey! Schönes Wochenende!", &f, &res) == 0, "analysis failed");
  CHECK (strcmp (res.details, "du=0 ihr=0 sie=0 cues=T1 leaning-T") == 0, "details: %s", res.details);
  CHECK (analyze ("Wir danken Ihnen und freuen uns auf Ihren Besuch.", &f, &res) == 0, "failed");
  CHECK (res.verdict == DUZEN_SIE_FORMAL && res.consistent && strstr (res.details, "consistent"),
         "details: %s", res.details);
  findings_clear (&f);
  free (f.v);
}

static void
test_names (void)
{
  CHECK (strcmp (duzen_verdict_name (DUZEN_DU), "DU") == 0, "DU");
  CHECK (strcmp (duzen_verdict_name (DUZEN_IHR_PLURAL), "IHR_PLURAL") == 0, "IHR_PLURAL");
  CHECK (strcmp (duzen_verdict_name (DUZEN_MIXED), "MIXED") == 0, "MIXED");
  CHECK (strcmp (duzen_verdict_name (DUZEN_SIE_FORMAL), "SIE_FORMAL") == 0, "SIE_FORMAL");
  CHECK (strcmp (duzen_verdict_name (DUZEN_NONE), "NONE") == 0, "NONE");
  CHECK (duzen_is_t (DUZEN_DU) && duzen_is_t (DUZEN_IHR_PLURAL) && duzen_is_t (DUZEN_MIXED)
         && !duzen_is_t (DUZEN_SIE_FORMAL) && !duzen_is_t (DUZEN_NONE), "duzen_is_t");
}

/* Binary search needs both tables in strcmp order. */
static void
test_tables_sorted (void)
{
  size_t nwords = sizeof duzen_words / sizeof duzen_words[0];
  for (size_t i = 1; i < nwords; i++)
    CHECK (strcmp (duzen_words[i - 1].word, duzen_words[i].word) < 0, "lexicon order at %s",
           duzen_words[i].word);
  CHECK (duzen_nverbforms > 5000, "verb table has %zu forms", duzen_nverbforms);
  /* every form is reachable through the hash the generator laid out in awk */
  for (size_t i = 0; i < duzen_nverbforms; i++)
    {
      uint32_t slot = duzen_hash (duzen_verbforms[i].form) % DUZEN_VERB_SLOTS;
      while (duzen_verbform_slot[slot] && duzen_verbform_slot[slot] != i + 1)
        slot = (slot + 1) % DUZEN_VERB_SLOTS;
      if (duzen_verbform_slot[slot] != i + 1)
        {
          CHECK (false, "verb hash misses %s", duzen_verbforms[i].form);
          break;
        }
    }
  /* the filter the generator computed in awk lets every form through, and few others */
  size_t blocked = 0, ones = 0;
  for (size_t i = 0; i < duzen_nverbforms; i++)
    if (!duzen_verb_maybe (duzen_word_key (duzen_verbforms[i].form)))
      blocked++;
  CHECK (blocked == 0, "the verb filter blocks %zu forms", blocked);
  for (size_t b = 0; b < DUZEN_VERB_FILTER_BITS / 8; b++)
    for (int k = 0; k < 8; k++)
      ones += duzen_verbform_filter[b] >> k & 1;
  CHECK (ones > duzen_nverbforms && ones < DUZEN_VERB_FILTER_BITS / 4,
         "the verb filter has %zu of %d bits set", ones, DUZEN_VERB_FILTER_BITS);
  for (size_t i = 1; i < duzen_nverbforms; i++)
    if (strcmp (duzen_verbforms[i - 1].form, duzen_verbforms[i].form) >= 0)
      {
        CHECK (false, "verb table order at %s", duzen_verbforms[i].form);
        break;
      }
}

/* Messages of more than 256 words take the heap, where the tokens that passes 1, 2 and 4 visit
   are listed after the per-token state: the pronouns, cues and words next to a du at the start,
   in the middle and at the very end must all be seen there. */
static void
test_long_message (void)
{
  static const char filler[] = "Das Wetter ist heute wieder schön. ";
  char body[8192] = "Hallo Anna,\nhast du morgen Zeit? ";
  for (int i = 0; i < 60; i++)
    strcat (body, filler);
  strcat (body, "Meldet euch, wenn ihr kommt! Das Du ist hier normal.\nLiebe Grüße\nTom hast du");
  struct findings f = { 0 };
  struct duzen_result res;
  if (analyze (body, &f, &res) < 0)
    {
      CHECK (false, "analysis failed");
      return;
    }
  CHECK (res.verdict == DUZEN_IHR_PLURAL && res.du == 6 && res.ihr == 9 && res.cue_t == 2,
         "long message: verdict %s [%s]", duzen_verdict_name (res.verdict), res.details);
  static const char *const rules[] = { "DU_VERB", "IHR_PRON", "IHR_VERB", "IHR_IMP",
    "CUE_T_GREETING", "CUE_T_CULTURE" };
  for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++)
    CHECK (has_rule (&f, rules[r], false), "long message: no %s [%s]", rules[r], res.details);
  /* the last two words: a verb and du at the end of the text */
  size_t at_end = 0;
  for (size_t i = 0; i < f.n; i++)
    if (strcmp (f.v[i].rule, "DU_VERB") == 0 && f.v[i].off + f.v[i].len == strlen (body))
      at_end++;
  CHECK (at_end == 1, "long message: %zu DU_VERB findings at the end", at_end);
  findings_clear (&f);
  free (f.v);
}

/* Print the initializer of a table that is stale, items separated like the ones in
   lib/duzen-lexicon.h, at most 100 columns wide. */
static void
print_items (const char *const *items, size_t n)
{
  int col = 2;
  fputs ("  ", stderr);
  for (size_t k = 0; k < n; k++)
    {
      int len = (int) strlen (items[k]);
      if (col > 2 && col + 1 + len > 100)
        {
          fputs ("\n  ", stderr);
          col = 2;
        }
      else if (col > 2)
        {
          fputc (' ', stderr);
          col++;
        }
      fputs (items[k], stderr);
      col += len;
    }
  fputc ('\n', stderr);
}

/* duzen_keys and duzen_key_slot must be what the list gives: rebuild them (the distinct keys in
   list order; each put in its first slot, or pushing out the key there into its other slot, as
   cuckoo hashing does) and compare.  On a mismatch, print both to paste into
   lib/duzen-lexicon.h. */
static void
test_word_keys (void)
{
  enum { NWORDS = sizeof duzen_words / sizeof duzen_words[0] };
  static struct duzen_key keys[NWORDS + 1];
  static uint16_t slots[DUZEN_KEY_SLOTS];
  size_t nkeys = 1;
  memset (keys, 0, sizeof keys);
  memset (slots, 0, sizeof slots);
  bool placed = true;
  for (size_t i = 0; i < NWORDS && placed; i++)
    {
      uint64_t key = duzen_word_key (duzen_words[i].word);
      size_t k = 1;
      while (k < nkeys && keys[k].key != key)
        k++;
      if (k < nkeys)
        continue;               /* a long word sharing its first eight bytes */
      keys[nkeys].key = key;
      keys[nkeys].classes = strlen (duzen_words[i].word) < 8 ? duzen_words[i].classes : 0;
      uint16_t moving = (uint16_t) nkeys++;
      uint32_t slot = duzen_key_slot1 (key);
      placed = false;
      for (int kick = 0; kick < 500 && !placed; kick++)
        {
          uint16_t there = slots[slot];
          slots[slot] = moving;
          if (there == 0)
            placed = true;
          else
            {
              moving = there;
              uint64_t mk = keys[moving].key;
              slot = slot == duzen_key_slot1 (mk) ? duzen_key_slot2 (mk) : duzen_key_slot1 (mk);
            }
        }
    }
  CHECK (placed, "the keys do not fit duzen_key_slot: change DUZEN_KEY_MULT or DUZEN_KEY_BITS");
  if (!placed)
    return;
  if (nkeys != sizeof duzen_keys / sizeof duzen_keys[0]
      || memcmp (keys, duzen_keys, nkeys * sizeof keys[0]) != 0)
    {
      CHECK (false, "duzen_keys is stale; replace its initializer in lib/duzen-lexicon.h with:");
      static char buf[NWORDS + 1][64];
      static const char *items[NWORDS + 1];
      for (size_t k = 0; k < nkeys; k++)
        {
          if (k == 0)
            snprintf (buf[k], sizeof buf[k], "{0, 0},");
          else
            snprintf (buf[k], sizeof buf[k], "{UINT64_C (0x%llx), UINT64_C (0x%llx)},",
                      (unsigned long long) keys[k].key, (unsigned long long) keys[k].classes);
          items[k] = buf[k];
        }
      print_items (items, nkeys);
    }
  if (memcmp (slots, duzen_key_slot, sizeof slots) != 0)
    {
      CHECK (false, "duzen_key_slot is stale; replace its initializer in lib/duzen-lexicon.h with:");
      static char buf[DUZEN_KEY_SLOTS][24];
      static const char *items[DUZEN_KEY_SLOTS];
      size_t n = 0;
      for (size_t slot = 0; slot < DUZEN_KEY_SLOTS; slot++)
        if (slots[slot])
          {
            snprintf (buf[n], sizeof buf[n], "[%zu] = %u,", slot, (unsigned) slots[slot]);
            items[n] = buf[n];
            n++;
          }
      print_items (items, n);
    }
}

/* The plain look-up: a binary search of the sorted list. */
static uint64_t
classes_by_search (const char *w)
{
  size_t lo = 0, hi = sizeof duzen_words / sizeof duzen_words[0];
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = strcmp (w, duzen_words[mid].word);
      if (c == 0)
        return duzen_words[mid].classes;
      if (c < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return 0;
}

static uint32_t rng_state = 12345;

static uint32_t
rng (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* duzen_word_classes_padded on W, from a buffer that holds W and then eight bytes of the
   given junk after its NUL, as text.lower may hold the next word there. */
static uint64_t
classes_padded (const char *w, char junk)
{
  char buf[48];
  size_t n = strlen (w);
  if (n + 9 > sizeof buf)
    return duzen_word_search (w);
  memcpy (buf, w, n + 1);
  memset (buf + n + 1, junk, 8);
  return duzen_word_classes_padded (buf);
}

/* duzen_word_classes_padded (the keys, then a binary search for long words) must agree with
   this file's own binary search on every listed word, on each with a byte changed, cut or
   added, on random byte strings of up to 20 bytes, and whatever follows the NUL. */
static void
test_word_classes (void)
{
  enum { NWORDS = sizeof duzen_words / sizeof duzen_words[0] };
  static const char alphabet[] = "abcdeghilmnorstuwz\xc3\xa4\xb6\xbc\x9f\xff\x80";
  static const char junk[] = { 0, 'a', 'n', '\x80', '\xff', '\x01' };
  char w[32];
  int mismatches = 0;
  for (size_t i = 0; i < NWORDS; i++)
    {
      const char *word = duzen_words[i].word;
      size_t n = strlen (word);
      for (size_t j = 0; j < sizeof junk; j++)
        if (classes_padded (word, junk[j]) != duzen_words[i].classes)
          mismatches++;
      for (int k = 0; k < 40; k++)
        {
          memcpy (w, word, n + 1);
          size_t m = n;
          size_t at = rng () % (n + 1);
          switch (rng () % 3)
            {
            case 0:
              if (at < n)
                w[at] = alphabet[rng () % (sizeof alphabet - 1)];
              break;
            case 1:
              m = at;
              break;
            default:
              if (n + 1 < sizeof w)
                {
                  memmove (w + at + 1, w + at, n - at);
                  w[at] = alphabet[rng () % (sizeof alphabet - 1)];
                  m = n + 1;
                }
            }
          w[m] = '\0';
          if (classes_padded (w, junk[rng () % sizeof junk]) != classes_by_search (w))
            mismatches++;
        }
    }
  for (int k = 0; k < 200000; k++)
    {
      size_t m = rng () % (k % 2 ? 7 : 21);
      for (size_t j = 0; j < m; j++)
        w[j] = alphabet[rng () % (sizeof alphabet - 1)];
      w[m] = '\0';
      if (classes_padded (w, junk[rng () % sizeof junk]) != classes_by_search (w))
        mismatches++;
    }
  CHECK (mismatches == 0, "duzen_word_classes_padded differs from a binary search %d times",
         mismatches);
}

/* Whether duzen_analyze, with its shortcuts, gives what the plain duzen_analyze_eager gives
   on the LEN bytes at BODY, finding for finding: 1 if so, 0 if not, -1 (and a failure) if the
   text cannot be analysed. */
static int
fast_equals_eager (const char *body, size_t len)
{
  struct text t;
  if (text_analyze (&t, body, len) < 0)
    {
      CHECK (false, "analysis failed");
      return -1;
    }
  struct findings fast = { 0 }, eager = { 0 };
  struct duzen_result rf, re;
  int a = duzen_analyze (&t, &fast, &rf), b = duzen_analyze_eager (&t, &eager, &re);
  bool same = a == b && rf.verdict == re.verdict && strcmp (rf.details, re.details) == 0
    && rf.du == re.du && rf.ihr == re.ihr && rf.sie == re.sie && rf.offered == re.offered
    && fast.n == eager.n;
  for (size_t k = 0; same && k < fast.n; k++)
    same = strcmp (fast.v[k].rule, eager.v[k].rule) == 0 && fast.v[k].off == eager.v[k].off
      && fast.v[k].len == eager.v[k].len && fast.v[k].severity == eager.v[k].severity
      && fast.v[k].flags == eager.v[k].flags;
  /* The details as the earlier snprintf wrote their start. */
  char head[80], cues[40] = "";
  if (rf.cue_t && rf.cue_v)
    snprintf (cues, sizeof cues, " cues=T%d,V%d", rf.cue_t, rf.cue_v);
  else if (rf.cue_t)
    snprintf (cues, sizeof cues, " cues=T%d", rf.cue_t);
  else if (rf.cue_v)
    snprintf (cues, sizeof cues, " cues=V%d", rf.cue_v);
  int hn = snprintf (head, sizeof head, "du=%d ihr=%d sie=%d%s", rf.du, rf.ihr, rf.sie, cues);
  if (strncmp (rf.details, head, (size_t) hn) != 0)
    same = false;
  text_free (&t);
  findings_clear (&fast);
  findings_clear (&eager);
  free (fast.v);
  free (eager.v);
  return same;
}

/* Messages put together from German du/ihr/Sie sentences, English and French lines, code,
   quotes and odd bytes, in random case: duzen_analyze, with its shortcuts, must give what the
   plain duzen_analyze_eager gives, finding for finding. */
static void
test_fast_equals_eager (void)
{
  static const char *const pieces[] = {
    "Hallo Anna,\n", "hast du morgen Zeit? ", "Kannst du mir helfen? ", "Melden Sie sich bitte. ",
    "Habt ihr Lust auf ein Gespräch? ", "Ich würde dir gern zeigen, wie das geht. ",
    "Schau mal rein! ", "Ruf mich an. ", "Ihr Team ist toll. ", "Sie hat ihr Buch vergessen. ",
    "Lass uns telefonieren. ", "Liebe Grüße\nJonas\n", "Mit freundlichen Grüßen\n",
    "Sehr geehrte Frau Albers,\n", "Thank you for your message and the files. ",
    "We will get back to you as soon as possible. ", "Please see the attached document. ",
    "Merci pour votre message, je suis du avis que ", "Hi all, do you have a minute? ",
    "Run du -sh /var and dir /w to check.\n", "    $ du -h --max-depth=1\n", "`du -s`",
    "http://example.com/du/dir?ihr=1 ", "mail me at du@example.de ", "> hast du das gesehen?\n",
    "> Gern per du!\n", "-- \nJonas Keller\n", "Straße, Grüße, Fuß, Maß. ",
    "ÄÖÜ äöü ß ẞ ",
    "DU BIST DRAN! ", "du bist dran ", "Du-Form und das Du ", "Café du Monde. ",
    "\xff\xfe\xc3 du \xe2\x80 ", "Seid gegrüßt! ", "Haste Zeit? ", "Wie geht's dir? ",
    "packet.c lock/nolock [=payload|packet] <Ende> ", "(dir) -lock --dir du+g ", ": ", "\n\n",
    "Probier es doch mal aus! ", "Sagt einfach Bescheid! ", "wenn du magst, melde dich ",
    /* words at a line's start: a command with an option glues, a capitalised word does not */
    "\ndu -sh *\n", "\nlock -f dir\n", "\nSchau -x mal\n", "\ndu, ", "\nhast du. Ja\n",
  };
  enum { NPIECES = sizeof pieces / sizeof pieces[0] };
  char body[4096];
  int mismatches = 0;
  for (int round = 0; round < 3000; round++)
    {
      size_t len = 0;
      int npieces = 1 + (int) (rng () % 14);
      for (int p = 0; p < npieces; p++)
        {
          const char *piece = pieces[rng () % NPIECES];
          size_t n = strlen (piece);
          if (len + n >= sizeof body)
            break;
          memcpy (body + len, piece, n);
          /* change the case of some ASCII letters, put in the odd NUL */
          for (size_t j = len; j < len + n; j++)
            {
              uint32_t r = rng () % 64;
              if (r == 0 && body[j] >= 'a' && body[j] <= 'z')
                body[j] -= 'a' - 'A';
              else if (r == 1 && body[j] >= 'A' && body[j] <= 'Z')
                body[j] += 'a' - 'A';
              else if (r == 2 && rng () % 16 == 0)
                body[j] = '\0';
            }
          len += n;
        }
      int same = fast_equals_eager (body, len);
      if (same < 0)
        return;
      if (!same && mismatches++ < 3)
        fprintf (stderr, "differs on: %.*s\n", (int) len, body);
    }
  CHECK (mismatches == 0, "duzen_analyze differs from duzen_analyze_eager on %d messages",
         mismatches);
}

/* Code glue decided by the bytes around a word: du, Du and dir with every two bytes before
   and after them from a set that holds a byte of each case glued_to_code tells apart (code
   marks before and after, '(' and ')', a dash, blanks and line ends for a command at a line's
   start, a full stop or colon and what follows it, NUL), also at the text's start and end;
   duzen_analyze's table-driven test must give what duzen_analyze_eager's full one gives. */
static void
test_glue_contexts (void)
{
  static const char around[] = " \t\n()-.:[]+/,a>!'|$\0";
  enum { NAROUND = sizeof around - 1 };
  static const char *const words[] = { "du", "Du", "dir" };
  int mismatches = 0, messages = 0;
  for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
    for (int p2 = -1; p2 < NAROUND; p2++)
      for (int p1 = -1; p1 < NAROUND; p1++)
        for (int n1 = -1; n1 < NAROUND; n1++)
          for (int n2 = -1; n2 < NAROUND; n2++)
            {
              /* -1: no byte there; the text starts or ends at the word's side */
              if ((p1 < 0 && p2 >= 0) || (n1 < 0 && n2 >= 0))
                continue;
              char body[64];
              size_t len = 0;
              if (p1 >= 0)
                {
                  len += (size_t) sprintf (body, "Hallo Anna");
                  if (p2 >= 0)
                    body[len++] = around[p2];
                  body[len++] = around[p1];
                }
              len += (size_t) sprintf (body + len, "%s", words[w]);
              if (n1 >= 0)
                {
                  body[len++] = around[n1];
                  if (n2 >= 0)
                    body[len++] = around[n2];
                  len += (size_t) sprintf (body + len, "bist gut");
                }
              int same = fast_equals_eager (body, len);
              if (same < 0)
                return;
              messages++;
              if (!same && mismatches++ < 3)
                fprintf (stderr, "differs on: %.*s\n", (int) len, body);
            }
  CHECK (messages > 100000, "only %d contexts", messages);
  CHECK (mismatches == 0, "duzen_analyze's code glue differs from duzen_analyze_eager's on %d "
         "of %d contexts", mismatches, messages);
}

/* Empty input, NUL bytes, invalid UTF-8 and a long line must not crash or hang. */
static void
test_robustness (void)
{
  struct findings f = { 0 };
  struct duzen_result res;
  struct text t;
  static const char odd[] = "du\0dir \xff\xfe Sie\xc3 hast du \xe2\x80 ihr habt";
  CHECK (text_analyze (&t, "", 0) == 0, "empty text");
  CHECK (duzen_analyze (&t, &f, &res) == 0 && res.verdict == DUZEN_NONE, "empty verdict");
  text_free (&t);
  CHECK (text_analyze (&t, odd, sizeof odd - 1) == 0, "odd bytes");
  CHECK (duzen_analyze (&t, &f, &res) == 0, "odd bytes analysis");
  text_free (&t);
  size_t n = 1 << 20;
  char *big = malloc (n + 1);
  if (big)
    {
      for (size_t i = 0; i < n; i++)
        big[i] = "hast du ihr Sie "[i % 16];
      big[n] = '\0';
      findings_clear (&f);
      CHECK (text_analyze (&t, big, n) == 0, "1 MB line");
      CHECK (duzen_analyze (&t, &f, &res) == 0 && res.verdict == DUZEN_MIXED, "1 MB verdict %s",
             duzen_verdict_name (res.verdict));
      text_free (&t);
      free (big);
    }
  findings_clear (&f);
  free (f.v);
}

/* A typical 2 KB body (a few hits in neutral prose) must take well under 30 microseconds;
   checked loosely (200) so that a loaded machine does not fail the test. */
static void
test_speed (void)
{
  static const char *const paragraphs[] = {
    "Hallo Frau Albers,\n\nich bin über Ihr Profil auf Xing gestoßen und war beeindruckt, wie "
    "stark Ihr Team im letzten Jahr gewachsen ist. Wir begleiten seit einigen Jahren Betriebe aus "
    "dem Handwerk bei der Umstellung auf digitale Auftragsmappen, von der ersten Anfrage bis zur "
    "Schlussrechnung. ",
    "Dabei geht es nicht um ein weiteres Programm, das im Alltag niemand öffnet, sondern um "
    "einfache Abläufe: Aufmaße direkt auf der Baustelle erfassen, Fotos dem Auftrag zuordnen und "
    "Rechnungen schreiben, ohne Zahlen zweimal einzutippen. Ein Dachdecker aus Münster spart so "
    "nach eigener Rechnung jede Woche einen halben Tag im Büro. ",
    "Hast du nächste Woche Zeit für ein kurzes Gespräch? Ich würde dir gern zeigen, wie das bei "
    "euch aussehen könnte, ganz unverbindlich und in zwanzig Minuten. ",
    "Unser Vorgehen ist bewusst schlank. Zuerst schauen wir uns an, wie Anfragen heute ankommen, "
    "wer sie bearbeitet und wo Informationen verloren gehen. Daraus entsteht ein kurzer Bericht "
    "mit drei bis fünf Vorschlägen, die sich ohne großen Aufwand umsetzen lassen. Viele Betriebe "
    "merken dabei, dass schon kleine Änderungen viel bewirken: eine gemeinsame Vorlage für "
    "Angebote, klare Zuständigkeiten oder eine Erinnerung, wenn ein Angebot liegen bleibt. ",
    "Zum Abschluss erhalten alle Beteiligten eine kurze Schulung, damit die neuen Abläufe im "
    "Alltag auch wirklich genutzt werden. Die meisten Betriebe sind nach zwei bis drei Wochen so "
    "weit, dass niemand mehr zu den alten Zetteln greift, und die Rückfragen aus dem Büro an die "
    "Baustelle werden spürbar seltener. Die Kosten richten sich nach der Zahl der Mitarbeiter und "
    "werden vorab fest vereinbart, damit es später keine Überraschungen gibt. ",
    "Falls Sie Fragen haben, erreichen Sie mich jederzeit telefonisch oder per E-Mail.\n\n"
    "Viele Grüße\nJonas Keller\n-- \nKeller Prozessberatung, Hafenweg 3, 48155 Münster\n",
  };
  char body[2400] = "";
  for (size_t i = 0; i < sizeof paragraphs / sizeof paragraphs[0]; i++)
    strcat (body, paragraphs[i]);
  struct text t;
  struct findings f = { 0 };
  struct duzen_result res;
  if (text_analyze (&t, body, strlen (body)) < 0)
    {
      CHECK (false, "analysis failed");
      return;
    }
  int rounds = getenv ("TEST_DUZEN_ROUNDS") ? atoi (getenv ("TEST_DUZEN_ROUNDS")) : 2000;
  clock_t start = clock ();
  for (int i = 0; i < rounds; i++)
    {
      findings_clear (&f);
      duzen_analyze (&t, &f, &res);
    }
  double us = 1e6 * (double) (clock () - start) / CLOCKS_PER_SEC / (rounds > 0 ? rounds : 1);
  if (getenv ("TEST_DUZEN_VERBOSE"))
    printf ("duzen_analyze: %.1f us per %zu-byte body, %zu findings\n", us, strlen (body), f.n);
  CHECK (us < 200, "duzen_analyze takes %.1f us on a 2 KB body", us);
  CHECK (res.verdict == DUZEN_MIXED, "speed sample verdict %s [%s]", duzen_verdict_name (res.verdict),
         res.details);
  text_free (&t);
  findings_clear (&f);
  free (f.v);
}

int
main (void)
{
  test_samples ();
  test_quoted_flag ();
  test_offered ();
  test_details ();
  test_names ();
  test_tables_sorted ();
  test_word_keys ();
  test_word_classes ();
  test_fast_equals_eager ();
  test_glue_contexts ();
  test_long_message ();
  test_robustness ();
  test_speed ();
  if (failures)
    {
      fprintf (stderr, "test-duzen: %d failure(s)\n", failures);
      return 1;
    }
  return 0;
}
