/* test-text.c: unit tests for lib/text.c: words, sentences, greeting lines and masks. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "text.h"
#include "unit.h"

/* The analysed text of the last call to analyze, so the helpers can find words and masks.  */
static struct text cur;

static void
analyze (const char *s)
{
  text_free (&cur);
  if (text_analyze (&cur, s, strlen (s)) < 0)
    {
      fprintf (stderr, "text_analyze failed: %s\n", strerror (errno));
      exit (1);
    }
}

/* Index of the Nth (0-based) word spelled exactly W, or -1.  */
static long
word_n (const char *w, int nth)
{
  size_t n = strlen (w);
  for (size_t i = 0; i < cur.ntok; i++)
    if (cur.tok[i].len == n && memcmp (text_word (&cur, i), w, n) == 0 && nth-- == 0)
      return (long) i;
  return -1;
}

static long
word (const char *w)
{
  return word_n (w, 0);
}

/* Word W's token; a missing word gives a token no check accepts, so the test fails, not crashes.  */
static const struct text_token *
tok_of (const char *w)
{
  static const struct text_token missing = { UINT32_MAX, 0, 0, UINT32_MAX, 0, 0xFF, 0xFF };
  long i = word (w);
  return i < 0 ? &missing : &cur.tok[i];
}

/* Word W's lower-cased form, or "(missing)".  */
static const char *
lower_of (const char *w)
{
  long i = word (w);
  return i < 0 ? "(missing)" : text_lower (&cur, (size_t) i);
}

static bool
has_flag (const char *w, unsigned f)
{
  long i = word (w);
  return i >= 0 && (cur.tok[i].flags & f);
}

static unsigned
mask_of (const char *w)
{
  long i = word (w);
  return i < 0 ? 0xFF : cur.tok[i].mask;
}

/* The sentence index of word W.  */
static long
sent_of (const char *w)
{
  long i = word (w);
  return i < 0 ? -1 : (long) cur.tok[i].sentence;
}

/* The byte mask at the first occurrence of substring NEEDLE in the text.  */
static unsigned
mask_at (const char *needle)
{
  const char *p = strstr (cur.s, needle);
  return p ? cur.mask[p - cur.s] : 0xFF;
}

/* The words of sentence I joined by spaces, into a static buffer.  */
static const char *
sentence_words (size_t i)
{
  static char buf[1024];
  size_t n = 0;
  buf[0] = '\0';
  if (i >= cur.nsent)
    return "(none)";
  for (size_t k = cur.sent[i].first_tok; k < cur.sent[i].first_tok + cur.sent[i].ntok; k++)
    {
      if (n && n < sizeof buf - 1)
        buf[n++] = ' ';
      size_t l = cur.tok[k].len;
      if (n + l >= sizeof buf)
        break;
      memcpy (buf + n, text_word (&cur, k), l);
      n += l;
      buf[n] = '\0';
    }
  return buf;
}

static void
test_words (void)
{
  analyze ("Grüße an Jürgen, Öl und ÄRGER! 42 Straßen im Jahr 2024a.");
  CHECK (cur.ntok == 11);
  CHECK_STR (lower_of ("Grüße"), "grüße");
  CHECK_STR (lower_of ("ÄRGER"), "ärger");
  CHECK (has_flag ("ÄRGER", TOK_ALL_UPPER));
  CHECK (has_flag ("Öl", TOK_UPPER_INITIAL));
  CHECK (!has_flag ("Öl", TOK_ALL_UPPER));  /* one upper-case letter is not "all upper" */
  CHECK (has_flag ("an", TOK_ALL_LOWER));
  CHECK (has_flag ("Straßen", TOK_UPPER_INITIAL) && !has_flag ("Straßen", TOK_ALL_LOWER));
  CHECK (has_flag ("42", TOK_HAS_DIGIT) && !has_flag ("42", TOK_ALL_LOWER));
  CHECK (has_flag ("2024a", TOK_HAS_DIGIT));
  CHECK (word ("Jürgen") >= 0 && tok_of ("Jürgen")->len == strlen ("Jürgen"));
  CHECK (tok_of ("Öl")->punct_before == ',');
  CHECK (tok_of ("42")->punct_before == '!');
  CHECK (tok_of ("an")->punct_before == 0);

  /* Combining marks stay inside the word (NFC is msg.c's job, but a leftover mark must not split).  */
  analyze ("Cafe\xcc\x81 ist gut");
  CHECK (cur.ntok == 3);
  CHECK (cur.tok[0].len == 6);

  /* "hast's": the German clitic is dropped; English contractions stay whole.  */
  analyze ("Hast's gesehen? Wie geht\xe2\x80\x99s dir? Don't worry, it's fine, let's go. Wie geht\xc2\xb4s?");
  CHECK (word ("Hast") >= 0 && has_flag ("Hast", TOK_APOSTROPHE));
  CHECK_STR (lower_of ("Hast"), "hast");
  CHECK (word_n ("geht", 0) >= 0 && (cur.tok[word_n ("geht", 0)].flags & TOK_APOSTROPHE));
  CHECK (word_n ("geht", 1) >= 0 && (cur.tok[word_n ("geht", 1)].flags & TOK_APOSTROPHE));
  CHECK (word ("Don't") >= 0 && !has_flag ("Don't", TOK_APOSTROPHE));
  CHECK (word ("it's") >= 0 && word ("let's") >= 0);
  CHECK_STR (lower_of ("Don't"), "don't");
  CHECK (tok_of ("gesehen")->punct_before == 0);  /* the dropped "'s" is not punctuation */
  CHECK (word ("s") < 0);
  analyze ("It\xe2\x80\x99s ÜBER\xe2\x80\x99S Öl");
  CHECK_STR (lower_of ("It\xe2\x80\x99s"), "it\xe2\x80\x99s");
  CHECK_STR (lower_of ("ÜBER"), "über");
  CHECK (has_flag ("ÜBER", TOK_APOSTROPHE) && has_flag ("ÜBER", TOK_ALL_UPPER));

  /* Hyphen compounds.  */
  analyze ("Die Du-Form, eine E-Mail und die Du- und Sie-Kultur. 3-Zimmer");
  CHECK (has_flag ("Du", TOK_COMPOUND));
  CHECK (has_flag ("Form", TOK_AFTER_HYPHEN));
  CHECK (has_flag ("E", TOK_COMPOUND) && has_flag ("Mail", TOK_AFTER_HYPHEN));
  CHECK (word_n ("Du", 1) >= 0 && (cur.tok[word_n ("Du", 1)].flags & TOK_COMPOUND));
  CHECK (has_flag ("Sie", TOK_COMPOUND) && has_flag ("Kultur", TOK_AFTER_HYPHEN));
  CHECK (!has_flag ("Die", TOK_COMPOUND) && !has_flag ("eine", TOK_AFTER_HYPHEN));
  CHECK (!has_flag ("Zimmer", TOK_AFTER_HYPHEN));  /* after a digit, not a letter */
  CHECK (!has_flag ("und", TOK_AFTER_HYPHEN));
}

static void
test_sentences (void)
{
  analyze ("Das ist gut. Hast du Zeit? Ja! Und dann…  Vielleicht.");
  CHECK (cur.nsent == 5);
  CHECK (cur.sent[1].flags & SENT_QUESTION);
  CHECK (cur.sent[2].flags & SENT_EXCLAIM);
  CHECK (!(cur.sent[0].flags & (SENT_QUESTION | SENT_EXCLAIM)));
  CHECK (has_flag ("Hast", TOK_INITIAL) && has_flag ("Ja", TOK_INITIAL) && !has_flag ("du", TOK_INITIAL));
  CHECK (cur.sent[0].off == 0 && cur.sent[0].end == strlen ("Das ist gut."));
  CHECK (cur.sent[1].first_tok == 3 && cur.sent[1].ntok == 3);

  /* Abbreviations do not end sentences.  */
  analyze ("Wir haben z.B. Äpfel, z. B. Birnen, d.h. Obst usw. und Dr. Meier kommt ca. um 5. Das ist alles.");
  CHECK (cur.nsent == 2);
  CHECK_STR (sentence_words (1), "Das ist alles");
  analyze ("Sehr geehrter Herr Dr. med. Müller, Dipl.-Ing. Huber und Abt. Vertrieb sind da. Gut.");
  CHECK (cur.nsent == 2 && sent_of ("Gut") == 1);
  analyze ("Sehr geehrter Herr Dr. Müller,\nwie besprochen.");
  CHECK (cur.nsent == 2 && (cur.sent[0].flags & SENT_GREETING));
  analyze ("Hallo. Ich bin Max\nund du");
  CHECK (cur.nsent == 2 && (cur.sent[0].flags & SENT_GREETING) && !(cur.sent[1].flags & SENT_GREETING));
  analyze ("Bitte ggf. Herrn Meier fragen, bzw. Frau Nr. 5 e.g. Anna, i.e. Bob vs. Carl. Mr. Smith etc. Ende.");
  CHECK (cur.nsent == 2);
  CHECK (has_flag ("Mr", TOK_INITIAL) && !has_flag ("Smith", TOK_INITIAL) && !has_flag ("Ende", TOK_INITIAL));

  analyze ("Das gilt m.E. auch für Äpfel o.Ä. und Birnen. „Kommst du?“, fragte er. \"Ja!\" rief sie. Gut.");
  CHECK (cur.nsent == 4);
  CHECK (sent_of ("Birnen") == 0 && sent_of ("fragte") == 1 && sent_of ("rief") == 2 && sent_of ("Gut") == 3);

  /* Emoji and smileys end chat sentences before a capital.  */
  analyze ("Super \xf0\x9f\x98\x8a Hast du Zeit :) Wir sehen uns \xf0\x9f\x91\x8d bis dann");
  CHECK (cur.nsent == 3 && has_flag ("Hast", TOK_INITIAL) && has_flag ("Wir", TOK_INITIAL));
  CHECK (!has_flag ("bis", TOK_INITIAL));
  CHECK (cur.sent[0].end == strlen ("Super \xf0\x9f\x98\x8a"));

  /* No-break spaces, as HTML conversion leaves them, separate like spaces.  */
  analyze ("Siehe\xc2\xa0www.x.de und z.\xc2\xa0" "B. gut. Ende.\xc2\xa0Neu hier.");
  CHECK (cur.nsent == 3 && sent_of ("gut") == 0 && sent_of ("Neu") == 2);
  CHECK (!(mask_of ("Siehe") & TEXT_URL) && (mask_of ("www") & TEXT_URL));

  /* Numbers: an ordinal before a month or a lower-case word stays, a plain number ends.  */
  analyze ("Am 1. Oktober und am 3. Mai kommen wir, am 12.03. auch. Es kostet 3.5 Euro. Wir sind 30. Du bist 20.");
  CHECK (cur.nsent == 4);
  CHECK (sent_of ("Oktober") == 0 && sent_of ("Mai") == 0);
  CHECK (sent_of ("Euro") == 1);
  CHECK (has_flag ("Du", TOK_INITIAL));

  /* Line breaks: blank lines, bullets, an unpunctuated short line before a capital.  */
  analyze ("Danke\nIch melde mich\n\nneue Zeile\n- erster Punkt\n- zweiter Punkt\n* dritter\n1. vierter");
  CHECK_STR (sentence_words (0), "Danke");
  CHECK_STR (sentence_words (1), "Ich melde mich");
  CHECK_STR (sentence_words (2), "neue Zeile");
  CHECK_STR (sentence_words (3), "erster Punkt");
  CHECK_STR (sentence_words (4), "zweiter Punkt");
  CHECK_STR (sentence_words (5), "dritter");
  CHECK (has_flag ("erster", TOK_INITIAL) && has_flag ("dritter", TOK_INITIAL) && has_flag ("vierter", TOK_INITIAL));

  /* A hard-wrapped long line continues its sentence even before a capitalised noun.  */
  analyze ("Ich wollte Ihnen eigentlich schon letzte Woche die versprochenen\n"
           "Unterlagen schicken, bin aber nicht dazu gekommen.");
  CHECK (cur.nsent == 1);
  CHECK (!has_flag ("Unterlagen", TOK_INITIAL));

  /* A greeting line is its own sentence; the next line starts a new one.  */
  analyze ("Hallo Anna,\nich wollte fragen, ob du Zeit hast.\nViele Grüße\nBen");
  CHECK (cur.nsent == 4);
  CHECK (cur.sent[0].flags & SENT_GREETING);
  CHECK_STR (sentence_words (0), "Hallo Anna");
  CHECK (has_flag ("ich", TOK_INITIAL));
  CHECK (!(cur.sent[1].flags & SENT_GREETING));
  CHECK (cur.sent[2].flags & SENT_GREETING);  /* the closing formula */
  CHECK_STR (sentence_words (3), "Ben");

  analyze ("Sehr geehrte Frau Meier,\nwie besprochen sende ich Ihnen die Unterlagen.");
  CHECK (cur.nsent == 2 && (cur.sent[0].flags & SENT_GREETING));
  analyze ("Hey!\nhast du kurz Zeit?");
  CHECK (cur.nsent == 2 && (cur.sent[0].flags & SENT_GREETING) && (cur.sent[0].flags & SENT_EXCLAIM));
  CHECK (cur.sent[1].flags & SENT_QUESTION);
  analyze ("Bist du dabei? Liebe Grüße");
  CHECK (cur.nsent == 2 && (cur.sent[1].flags & SENT_GREETING) && !(cur.sent[0].flags & SENT_GREETING));
  analyze ("Hey! Lasst uns reden. Hallo sagen wir.");
  CHECK (cur.nsent == 3 && (cur.sent[0].flags & SENT_GREETING));
  CHECK (!(cur.sent[1].flags & SENT_GREETING) && !(cur.sent[2].flags & SENT_GREETING));
  analyze ("Hey Max, hast du Zeit?\nIch frage nur.");
  CHECK (!(cur.sent[0].flags & SENT_GREETING));  /* a greeting with a question is a sentence */
  analyze ("Hallo Anna, wie geht es dir\nIch wollte fragen");
  CHECK (!(cur.sent[0].flags & SENT_GREETING));
  analyze ("Hallo Anna, hallo Ben,\nich wollte fragen");
  CHECK ((cur.sent[0].flags & SENT_GREETING) && cur.nsent == 2);
  analyze ("Hier ist der Plan, Hallo sagen wir später.");
  CHECK (!(cur.sent[0].flags & SENT_GREETING));

  /* TOK_INITIAL after ':', quotes, dashes and brackets.  */
  analyze ("Er sagte: Hast du Zeit – Sie wissen schon (Du weißt) „Kommst du“ \"Wir\" »Ihr« ok");
  CHECK (has_flag ("Hast", TOK_INITIAL));
  CHECK (has_flag ("Sie", TOK_INITIAL));
  CHECK (has_flag ("Du", TOK_INITIAL));
  CHECK (has_flag ("Kommst", TOK_INITIAL));
  CHECK (has_flag ("Wir", TOK_INITIAL));
  CHECK (has_flag ("Ihr", TOK_INITIAL));
  CHECK (!has_flag ("ok", TOK_INITIAL));
  CHECK (!has_flag ("du", TOK_INITIAL));
  CHECK (tok_of ("Hast")->punct_before == ':');
  analyze ("Treffen um 10:15 Uhr");
  CHECK (!has_flag ("15", TOK_INITIAL));

  /* Case flags.  */
  analyze ("RUFEN SIE UNS AN! hallo wie gehts. Normal Satz.");
  CHECK (cur.sent[0].flags & SENT_ALL_UPPER);
  CHECK (cur.sent[1].flags & SENT_ALL_LOWER);
  CHECK (!(cur.sent[2].flags & (SENT_ALL_LOWER | SENT_ALL_UPPER)));
  CHECK (!cur.all_lower);
  analyze ("A. b");
  CHECK (!(cur.sent[0].flags & (SENT_ALL_LOWER | SENT_ALL_UPPER)));
  analyze ("hey, hast du zeit? ich wollte fragen\nob du kommst");
  CHECK (cur.all_lower);
  analyze ("hey, hast du zeit?\n\n-- \nAnna Meier\nhttps://Example.com/X");
  CHECK (cur.all_lower);  /* the signature and URLs are not the sender's own words */
}

static void
test_quotes (void)
{
  const char *reply =
    "Ja, gerne.\n"
    "\n"
    "Am 12.03.2024 um 10:15 schrieb Anna Meier\n"
    "<anna@example.de>:\n"
    "> Hast du Zeit?\n"
    ">> Alt\n"
    "> \n"
    "Meine Antwort.\n";
  analyze (reply);
  CHECK (!(mask_of ("Ja") & TEXT_QUOTED));
  CHECK (mask_of ("schrieb") & TEXT_QUOTED);
  CHECK (mask_of ("Am") & TEXT_QUOTED);
  CHECK (mask_of ("Hast") & TEXT_QUOTED);
  CHECK (mask_of ("Alt") & TEXT_QUOTED);
  CHECK (!(mask_of ("Meine") & TEXT_QUOTED));
  CHECK (sent_of ("Meine") != sent_of ("Alt"));

  analyze ("Danke!\nOn Mon, Mar 4, 2024 at 10:15 AM Bob <bob@example.com> wrote:\n> do you have time\n");
  CHECK (mask_of ("wrote") & TEXT_QUOTED);
  CHECK (mask_of ("On") & TEXT_QUOTED);
  CHECK (!(mask_of ("Danke") & TEXT_QUOTED));

  /* "X schrieb:" directly above the block; a colon line without reply words is not a header.  */
  analyze ("Kurz:\nAnna schrieb:\n> Du kommst?\nWie folgt:\n> zitat\n");
  CHECK (mask_of ("Anna") & TEXT_QUOTED);
  CHECK (!(mask_of ("Wie") & TEXT_QUOTED));
  CHECK (!(mask_of ("Kurz") & TEXT_QUOTED));

  /* Outlook header blocks and "Original Message" mask to the end.  */
  analyze ("Bitte prüfen.\n\nVon: Anna Meier <a@b.de>\nGesendet: Montag, 4. März 2024 10:15\nAn: Bob\n"
           "Betreff: Angebot\n\nHallo Bob, hast du Zeit?\n");
  CHECK (!(mask_of ("Bitte") & TEXT_QUOTED));
  CHECK (mask_of ("Von") & TEXT_QUOTED);
  CHECK (mask_of ("hast") & TEXT_QUOTED);
  analyze ("Ok.\n*From:* Anna\n*Sent:* Monday\n*To:* Bob\n*Subject:* x\nquoted you");
  CHECK (mask_of ("you") & TEXT_QUOTED);
  CHECK (!(mask_of ("Ok") & TEXT_QUOTED));
  analyze ("Ok.\nFrom: Anna Sent: Monday To: Bob Subject: x\nquoted you");
  CHECK (mask_of ("you") & TEXT_QUOTED);
  analyze ("Ok.\n\nGesendet: Montag, 4. März 2024 um 10:15 Uhr\nVon: \"Anna\" <a@b.de>\nAn: bob@c.de\n"
           "Betreff: Hallo\nhast du Zeit");
  CHECK (mask_of ("hast") & TEXT_QUOTED);
  CHECK (!(mask_of ("Ok") & TEXT_QUOTED));
  analyze ("Ok.\n-----Ursprüngliche Nachricht-----\nhast du Zeit");
  CHECK (mask_of ("hast") & TEXT_QUOTED);
  CHECK (!(mask_of ("Ok") & TEXT_QUOTED));
  analyze ("Ok.\n-----Original Message-----\ndo you");
  CHECK (mask_of ("you") & TEXT_QUOTED);
  /* A "Von:" line in prose is no header block.  */
  analyze ("Von: Anna\nDas ist eine Notiz.\n");
  CHECK (!(mask_of ("Das") & TEXT_QUOTED));

  /* Signature.  */
  analyze ("Hallo,\nkommst du?\n-- \nAnna Meier\nDu findest mich auf Insta\n");
  CHECK (!(mask_of ("kommst") & TEXT_SIGNATURE));
  CHECK (mask_of ("Anna") & TEXT_SIGNATURE);
  CHECK (mask_of ("findest") & TEXT_SIGNATURE);
  analyze ("Hallo,\n--\nAnna\n");
  CHECK (mask_of ("Anna") & TEXT_SIGNATURE);
  analyze ("Hallo -- das ist kein Trenner\n--- auch nicht\nAnna\n");
  CHECK (!(mask_of ("Anna") & TEXT_SIGNATURE));

  /* Forwards.  */
  analyze ("FYI\n---------- Forwarded message ---------\nFrom: X\nhast du\n");
  CHECK (mask_of ("hast") & TEXT_FORWARD);
  CHECK (!(mask_of ("FYI") & TEXT_FORWARD));
  analyze ("Siehe unten\n-------- Weitergeleitete Nachricht --------\nhast du\n");
  CHECK (mask_of ("hast") & TEXT_FORWARD);
  analyze ("Siehe unten\n\nAnfang der weitergeleiteten Nachricht:\n\nhast du\n");
  CHECK (mask_of ("hast") & TEXT_FORWARD);
  analyze ("Siehe unten\nBegin forwarded message:\nhast du\n");
  CHECK (mask_of ("hast") & TEXT_FORWARD);
  analyze ("Wie in der weitergeleiteten Nachricht steht, hast du recht.\n");
  CHECK (!(mask_of ("hast") & TEXT_FORWARD));

  /* Disclaimers mask their paragraph only.  */
  analyze ("Hast du Zeit?\n\nDiese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen.\n"
           "Wenn Sie nicht der richtige Adressat sind, informieren Sie bitte sofort den Absender.\n\n"
           "PS: Kommst du?\n\nThis e-mail (and any attachments) is\nconfidential. If you are not\n\n"
           "Sollten Sie nicht der richtige Adressat sein, löschen Sie diese Mail.\n");
  CHECK (!(mask_of ("Hast") & TEXT_DISCLAIMER));
  CHECK (mask_of ("Diese") & TEXT_DISCLAIMER);
  CHECK (mask_of ("informieren") & TEXT_DISCLAIMER);
  CHECK (!(mask_of ("Kommst") & TEXT_DISCLAIMER));
  CHECK (mask_of ("attachments") & TEXT_DISCLAIMER);
  CHECK (mask_of ("confidential") & TEXT_DISCLAIMER);
  CHECK (mask_of ("löschen") & TEXT_DISCLAIMER);
  analyze ("Diese Woche habe ich Zeit.\n");
  CHECK (!(mask_of ("Woche") & TEXT_DISCLAIMER));
}

static void
test_code_and_addresses (void)
{
  analyze ("Tipp `dir /s` ein, dann ```x``` und geht`s? Ja.\n"
           "```\nhast du = 1\n```\n"
           "    $ ls -la /tmp\n    cd /etc && make\n\n"
           "    Das ist nur eingerückter Text, der wie ein Zitat aussieht.\n"
           "    Er hat mehrere Zeilen und endet mit Punkten, ganz normal.\n"
           "$ sudo apt install foo\n"
           "# Überschrift\n");
  CHECK (mask_of ("dir") & TEXT_CODE);
  CHECK (mask_of ("x") & TEXT_CODE);
  CHECK (!(mask_of ("Tipp") & TEXT_CODE));
  CHECK (word ("geht") >= 0 && !(mask_of ("geht") & TEXT_CODE) && has_flag ("geht", TOK_APOSTROPHE));
  CHECK (mask_of ("hast") & TEXT_CODE);
  CHECK (mask_of ("ls") & TEXT_CODE);
  CHECK (mask_of ("make") & TEXT_CODE);
  CHECK (!(mask_of ("Das") & TEXT_CODE));
  CHECK (!(mask_of ("Er") & TEXT_CODE));
  CHECK (mask_of ("sudo") & TEXT_CODE);
  CHECK (!(mask_of ("Überschrift") & TEXT_CODE));
  analyze ("    Anna Meier\n    Musterstr. 5\n    12345 Berlin\n    Tel. 0123/456\n");
  CHECK (!(mask_of ("Anna") & TEXT_CODE));

  analyze ("Siehe https://example.com/a?b=c, www.firma.de und shop.example.co.uk/x. "
           "Mail an anna.meier@example.de oder <bob@b.org>. Folge @gbcc_eu und gbcc_eu2 auf Insta. "
           "Das ist z.B. gut, d.h. ok. Kolleg@innen. Hast du Zeit?Ende.Neu");
  CHECK (mask_of ("https") & TEXT_URL);
  CHECK (mask_of ("www") & TEXT_URL);
  CHECK (mask_of ("firma") & TEXT_URL);
  CHECK (mask_of ("shop") & TEXT_URL);
  CHECK (mask_of ("anna") & TEXT_URL);
  CHECK (mask_of ("bob") & TEXT_URL);
  CHECK (mask_of ("gbcc") & TEXT_URL);
  CHECK (mask_at ("@gbcc") & TEXT_URL);
  CHECK (mask_of ("gbcc_eu2") == 0xFF || (mask_at ("gbcc_eu2") & TEXT_URL));
  CHECK (!(mask_of ("Siehe") & TEXT_URL));
  CHECK (!(mask_of ("z") & TEXT_URL));
  CHECK (!(mask_of ("Kolleg") & TEXT_URL));
  CHECK (!(mask_of ("Ende") & TEXT_URL));
  CHECK (!(mask_at (", www") & TEXT_URL));  /* the comma after the URL is not part of it */
}

static void
test_speech (void)
{
  analyze ("Mein Chef sagt: „Du musst das machen“ und ich sage »Ihr auch« und «Sie» dazu. "
           "Er schrieb \"Hast du\" und ‚Du‘ und “Do you” – wie geht's 'so'?");
  CHECK (mask_of ("Du") & TEXT_SPEECH);
  CHECK (mask_of ("musst") & TEXT_SPEECH);
  CHECK (!(mask_of ("und") & TEXT_SPEECH));
  CHECK (mask_of ("Ihr") & TEXT_SPEECH);
  CHECK (mask_of ("Sie") & TEXT_SPEECH);
  CHECK (mask_of ("Hast") & TEXT_SPEECH);
  CHECK (word_n ("Du", 1) >= 0 && (cur.tok[word_n ("Du", 1)].mask & TEXT_SPEECH));
  CHECK (mask_of ("Do") & TEXT_SPEECH);
  CHECK (!(mask_of ("wie") & TEXT_SPEECH));
  CHECK (!(mask_of ("so") & TEXT_SPEECH));  /* ASCII single quotes are no speech marks */
  CHECK (!(mask_of ("geht") & TEXT_SPEECH));
  CHECK (!(mask_of ("Chef") & TEXT_SPEECH));
  CHECK (has_flag ("Du", TOK_INITIAL));

  /* Unbalanced: to the end of the line, not beyond.  */
  analyze ("Er rief „Du bist dran\nhast du gehört?\nEin \"halbes Zitat\nund ‚einzeln\n");
  CHECK (mask_of ("bist") & TEXT_SPEECH);
  CHECK (!(mask_of ("hast") & TEXT_SPEECH));
  CHECK (!(mask_of ("halbes") & TEXT_SPEECH));  /* lone ASCII quote: no pair on the line */
  CHECK (!(mask_of ("einzeln") & TEXT_SPEECH));
}

/* The scans for addresses and quotation marks skip sixteen or eight bytes at a time: marks at
   every offset of a long line, right at its end, and after umlauts (whose lead byte has the high
   bit, as the quotation marks' have) must still be found.  */
static void
test_long_line_scans (void)
{
  char buf[512];
  for (int pad = 0; pad < 40; pad++)
    {
      snprintf (buf, sizeof buf, "%.*s „Du kommst“ und anna@example.de", pad,
                "Über Äpfel möchte ich gern über Öl und Übel, Öfen reden");
      analyze (buf);
      CHECK (mask_of ("kommst") & TEXT_SPEECH);
      CHECK (!(mask_of ("und") & TEXT_SPEECH));
      CHECK (mask_of ("anna") & TEXT_URL);
      CHECK (mask_at ("de") & TEXT_URL);
    }
  for (int pad = 0; pad < 24; pad++)
    {
      /* the mark in the last few bytes, where the wide steps no longer fit */
      snprintf (buf, sizeof buf, "%.*s „Du“", pad, "Sag mal, Anna, wie geht es");
      analyze (buf);
      CHECK (mask_of ("Du") & TEXT_SPEECH);
      snprintf (buf, sizeof buf, "%.*s x@y.de", pad, "Sag mal, Anna, wie geht es");
      analyze (buf);
      CHECK (mask_of ("x") & TEXT_URL);
    }
  analyze ("Ein sehr langer Satz über äußerst grüne Wiesen, und dann \"Hast du\"");
  CHECK (mask_of ("Hast") & TEXT_SPEECH && !(mask_of ("Wiesen") & TEXT_SPEECH));

  /* Closings and salutations matched in capitals, and phrases that share a first letter.  */
  analyze ("Das war es\nVIELE GRÜSSE\nAnna");
  CHECK (sent_of ("VIELE") != sent_of ("es") && sent_of ("VIELE") != sent_of ("Anna"));
  CHECK (sent_of ("VIELE") >= 0 && (cur.sent[sent_of ("VIELE")].flags & SENT_GREETING));
  analyze ("Das war es\nMit freundlichen Grüßen\nAnna");
  CHECK (sent_of ("Mit") >= 0 && (cur.sent[sent_of ("Mit")].flags & SENT_GREETING));
  analyze ("Das war es\nMit Freude dabei\nAnna");
  CHECK (sent_of ("Mit") >= 0 && !(cur.sent[sent_of ("Mit")].flags & SENT_GREETING));

  /* A disclaimer keyword late in a long line, and the Outlook header fields in upper case.  */
  analyze ("Hallo.\n\nThis message and everything attached to it, all of it, is strictly "
           "confidential.\n\nBis bald\n");
  CHECK (mask_of ("strictly") & TEXT_DISCLAIMER);
  CHECK (!(mask_of ("Hallo") & TEXT_DISCLAIMER));
  analyze ("Ok.\nVON: Anna\nGESENDET: Montag\nBETREFF: x\nquoted du");
  CHECK (mask_of ("du") & TEXT_QUOTED);
  analyze ("Ok.\nTOTAL: 5\nDATUM ist egal\nhier du");
  CHECK (!(mask_of ("du") & TEXT_QUOTED));
}

static void
test_robustness (void)
{
  analyze ("");
  CHECK (cur.ntok == 0 && cur.nsent == 0 && cur.all_lower);
  struct text t;
  CHECK (text_analyze (&t, NULL, 0) == 0 && t.ntok == 0 && t.nsent == 0);
  text_free (&t);
  analyze ("...!!!???");
  CHECK (cur.ntok == 0 && cur.nsent == 0);
  analyze ("kein Zeilenende");
  CHECK (cur.nsent == 1 && cur.sent[0].end == strlen ("kein Zeilenende"));

  /* NUL bytes, invalid UTF-8, lone continuation bytes.  */
  static const char bad[] = "a\0b \xff\xfe c\x80 \xc3 d\xe2\x80 e";
  CHECK (text_analyze (&t, bad, sizeof bad - 1) == 0);
  CHECK (t.ntok >= 4);
  text_free (&t);

  size_t big = 1 << 20;
  char *s = malloc (big + 1);
  if (!s)
    return;
  memset (s, '>', big);
  s[big] = '\0';
  analyze (s);
  CHECK (cur.ntok == 0 && cur.mask[big - 1] == TEXT_QUOTED);
  for (size_t i = 0; i < big; i++)
    s[i] = "ab. „c‚ \"d` e_f@g.h www."[i % 23];
  analyze (s);
  CHECK (cur.ntok > 100000);
  for (size_t i = 0; i < big; i++)
    s[i] = i % 2 ? '\n' : '-';
  analyze (s);
  CHECK (cur.ntok == 0);
  for (size_t i = 0; i < big; i++)
    s[i] = "İ"[i % 2];  /* lower-casing grows this word by half */
  analyze (s);
  CHECK (cur.ntok == 1 && strlen (text_lower (&cur, 0)) == big / 2 * 3);
  free (s);

#if SIZE_MAX > UINT32_MAX
  /* Offsets are 32 bits: longer input is refused before it is read.  */
  errno = 0;
  CHECK (text_analyze (&t, "x", (size_t) UINT32_MAX + 1) < 0 && errno == EOVERFLOW);
#endif
}

/* Check what every analysis must satisfy: words in order and inside the text, sentences that
   partition the words in order, lower-case forms that end inside the buffer.  */
static void
check_invariants (const char *what)
{
  size_t k = 0;
  int bad = 0;
  for (size_t i = 0; i < cur.ntok; i++)
    {
      const struct text_token *x = &cur.tok[i];
      if (x->len == 0 || x->off + x->len > cur.len || (i && x->off < cur.tok[i - 1].off + cur.tok[i - 1].len))
        bad |= 1;
      if (x->sentence >= cur.nsent || x->mask != cur.mask[x->off])
        bad |= 2;
    }
  for (size_t i = 0; i < cur.nsent; i++)
    {
      const struct text_sentence *st = &cur.sent[i];
      if (st->ntok == 0 || st->first_tok != k || st->end < st->off || st->end > cur.len
          || (i && st->off < cur.sent[i - 1].end))
        bad |= 4;
      for (size_t j = st->first_tok; j < st->first_tok + st->ntok && j < cur.ntok; j++)
        if (cur.tok[j].sentence != i || cur.tok[j].off < st->off
            || cur.tok[j].off + cur.tok[j].len > st->end)
          bad |= 8;
      if (st->first_tok < cur.ntok && !(cur.tok[st->first_tok].flags & TOK_INITIAL))
        bad |= 16;
      k += st->ntok;
    }
  if (k != cur.ntok)
    bad |= 32;
  if (bad)
    {
      fprintf (stderr, "invariants broken (%d) for: %s\n", bad, what);
      unit_failures++;
    }
}

/* Random texts made of the pieces the analysis cares about.  */
static void
test_invariants (void)
{
  static const char *const pieces[] = {
    "Hallo", "Anna", ",", ".", "!", "?", "…", " ", " ", " ", "\n", "\n\n", "> ", "-- \n", "z.B.", "z. B.",
    "1.", "Mai", "„", "“", "\"", "»", "«", "‚", "‘", "'", "’s", "geht", "Du", "-", "Form", "`", "```\n",
    "    ", "$ ls", "http://x.de/a", "a@b.de", "@h_x", "Von: a\nGesendet: b\nAn: c\n", "Am 1.2. schrieb X:\n",
    "-----Original Message-----\n", "Diese E-Mail enthält vertrauliche Daten\n", "İ", "ß", "Ä", "\xff",
    "\xc3", "\xe2\x80", "é", "e\xcc\x81", "ДА", "(", ")", ":", "–", "•", "*", "Viele Grüße\n", "LG",
  };
  const size_t npieces = sizeof pieces / sizeof pieces[0];
  uint32_t seed = 12345;
  char buf[4096];
  for (int round = 0; round < 3000; round++)
    {
      size_t n = 0;
      int count = 1 + round % 60;
      for (int i = 0; i < count; i++)
        {
          seed = seed * 1103515245 + 12345;
          const char *p = pieces[(seed >> 16) % npieces];
          size_t l = strlen (p);
          if (n + l >= sizeof buf)
            break;
          memcpy (buf + n, p, l);
          n += l;
        }
      buf[n] = '\0';
      analyze (buf);
      check_invariants (buf);
    }
}

/* text_has_quoted reads the mask eight bytes at a time, then the tail: a short quoted line at
   the end of texts of every length from 4 to 28 bytes, so that it falls in a block, across two,
   or in the tail alone; a block or tail it skipped would show. */
static void
test_has_quoted (void)
{
  analyze ("Guten Tag, wie geht es Ihnen?\n");
  CHECK (!text_has_quoted (&cur));
  analyze ("");
  CHECK (!text_has_quoted (&cur));
  char buf[64];
  for (size_t pad = 0; pad < 24; pad++)
    {
      memset (buf, 'x', pad);
      strcpy (buf + pad, pad ? "\n> ja" : "> ja");
      analyze (buf);
      bool any = false;
      for (size_t i = 0; i < cur.len; i++)
        any |= (cur.mask[i] & TEXT_QUOTED) != 0;
      CHECK (any);
      CHECK (text_has_quoted (&cur));
    }
}

int
main (void)
{
  test_words ();
  test_sentences ();
  test_quotes ();
  test_has_quoted ();
  test_code_and_addresses ();
  test_speech ();
  test_long_line_scans ();
  test_robustness ();
  test_invariants ();
  text_free (&cur);
  UNIT_EXIT ();
}
