/* text-dump.c: show the sentences, words, flags and masks text_analyze finds in a file (debugging aid). */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* Usage: text-dump [-v] [FILE]   (no FILE or "-": standard input)
   One line per sentence:  S<n> <off>-<end> [flags]: words...
   Sentence flags: ? question, ! exclamation, U all upper, L all lower, G greeting or closing.
   A word is printed as ^word when TOK_INITIAL, followed by {masks} when masked
   (q quoted, s signature, f forward, d disclaimer, c code, u url, "speech), and by
   /flags for compound (C), after hyphen (H) and dropped apostrophe (A).
   With -v, each word also gets a line of its own: offset, length, lower-cased form, all
   flags in hex, the mask in hex and punct_before ("-" for none, "\n" for a line break).  */

#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

#include "text.h"

static char *
read_all (FILE *f, size_t *len)
{
  size_t cap = 65536, n = 0;
  char *buf = malloc (cap);
  if (!buf)
    return NULL;
  size_t got;
  while ((got = fread (buf + n, 1, cap - n, f)) > 0)
    {
      n += got;
      if (n == cap)
        {
          char *nb = realloc (buf, cap *= 2);
          if (!nb)
            {
              free (buf);
              return NULL;
            }
          buf = nb;
        }
    }
  /* '\r\n' to '\n', as msg.c delivers bodies.  */
  size_t w = 0;
  for (size_t r = 0; r < n; r++)
    if (!(buf[r] == '\r' && r + 1 < n && buf[r + 1] == '\n'))
      buf[w++] = buf[r];
  *len = w;
  return buf;
}

static void
print_mask (unsigned m)
{
  static const char letters[] = "qsfdcu\"";
  if (!m)
    return;
  putchar ('{');
  for (int i = 0; i < 7; i++)
    if (m & (1u << i))
      putchar (letters[i]);
  putchar ('}');
}

int
main (int argc, char **argv)
{
  FILE *f = stdin;
  bool verbose = argc > 1 && strcmp (argv[1], "-v") == 0;
  if (verbose)
    argc--, argv++;
  if (argc > 1 && strcmp (argv[1], "-") != 0 && !(f = fopen (argv[1], "rb")))
    {
      fprintf (stderr, "text-dump: %s: %s\n", argv[1], strerror (errno));
      return 2;
    }
  size_t raw_len;
  char *raw = read_all (f, &raw_len);
  if (!raw)
    {
      fprintf (stderr, "text-dump: %s\n", strerror (errno));
      return 2;
    }
  size_t len = 0;
  char *s = (char *) u8_normalize (UNINORM_NFC, (const uint8_t *) raw, raw_len, NULL, &len);
  if (!s)
    {
      /* Not valid UTF-8: analyse the bytes as they are, as the library must survive that too.  */
      s = raw;
      len = raw_len;
      raw = NULL;
    }

  struct text t;
  if (text_analyze (&t, s, len) < 0)
    {
      fprintf (stderr, "text-dump: %s\n", strerror (errno));
      return 2;
    }
  printf ("all_lower=%d words=%zu sentences=%zu\n", t.all_lower, t.ntok, t.nsent);
  for (size_t i = 0; i < t.nsent; i++)
    {
      const struct text_sentence *st = &t.sent[i];
      printf ("S%zu %u-%u", i, st->off, st->end);
      if (st->flags)
        printf (" [%s%s%s%s%s]", st->flags & SENT_QUESTION ? "?" : "", st->flags & SENT_EXCLAIM ? "!" : "",
                st->flags & SENT_ALL_UPPER ? "U" : "", st->flags & SENT_ALL_LOWER ? "L" : "",
                st->flags & SENT_GREETING ? "G" : "");
      putchar (':');
      for (size_t k = st->first_tok; k < st->first_tok + st->ntok; k++)
        {
          const struct text_token *tk = &t.tok[k];
          putchar (' ');
          if (tk->flags & TOK_INITIAL)
            putchar ('^');
          fwrite (text_word (&t, k), 1, tk->len, stdout);
          print_mask (tk->mask);
          if (tk->flags & (TOK_COMPOUND | TOK_AFTER_HYPHEN | TOK_APOSTROPHE))
            printf ("/%s%s%s", tk->flags & TOK_COMPOUND ? "C" : "", tk->flags & TOK_AFTER_HYPHEN ? "H" : "",
                    tk->flags & TOK_APOSTROPHE ? "A" : "");
        }
      putchar ('\n');
      if (verbose)
        for (size_t k = st->first_tok; k < st->first_tok + st->ntok; k++)
          {
            const struct text_token *tk = &t.tok[k];
            char punct[4] = "-";
            if (tk->punct_before == '\n')
              strcpy (punct, "\\n");
            else if (tk->punct_before)
              punct[0] = (char) tk->punct_before;
            printf ("  %u+%u %s flags=%#x mask=%#x punct=%s\n", tk->off, tk->len, text_lower (&t, k),
                    tk->flags, tk->mask, punct);
          }
    }
  text_free (&t);
  free (s);
  free (raw);
  return 0;
}
