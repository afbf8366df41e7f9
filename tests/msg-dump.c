/* msg-dump.c: show what the msg module makes of input files: bodies, positions, headers, checks. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "msg.h"

enum mode
{
  MODE_BODY,                    /* the decoded body */
  MODE_POSITIONS,               /* -p: each body line prefixed with LINE:COL of its first byte */
  MODE_HEADERS,                 /* -H: decoded header fields */
  MODE_CHECK,                   /* -c: one status line per message */
};

static void
usage (FILE *out)
{
  fputs ("Usage: msg-dump [-p | -H | -c] [-s] [FILE]...\n"
         "Decode each message of each FILE (plain text, mail or mbox; '-' or none: stdin)\n"
         "and print its analysable body.\n"
         "  -p  prefix each body line with LINE:COL of its first byte in the input\n"
         "  -H  print the decoded header fields, one 'Name: value' per line\n"
         "  -c  print one line per message: FILE:INDEX, kind, body bytes, html, utf8 check,\n"
         "      warnings; trouble and invalid UTF-8 make the exit status 2\n"
         "  -s  print a '==> FILE:INDEX <==' line before each message\n"
         "Exit status: 0 printed something, 1 nothing, 2 trouble.\n", out);
}

static bool
body_valid (const struct msg *m)
{
  if (u8_check ((const uint8_t *) m->body, m->body_len) != NULL
      || m->body[m->body_len] != '\0')
    return false;
  for (size_t i = 0; i < m->nfields; i++)
    if (u8_check ((const uint8_t *) m->fields[i].value, strlen (m->fields[i].value)) != NULL)
      return false;
  return true;
}

static bool
dump_message (const char *file, const struct msg *m, enum mode mode, bool separate)
{
  bool printed = false;
  if (separate)
    printf ("==> %s:%zu <==\n", file, m->index);
  switch (mode)
    {
    case MODE_BODY:
      fwrite (m->body, 1, m->body_len, stdout);
      if (m->body_len && m->body[m->body_len - 1] != '\n')
        putchar ('\n');
      printed = m->body_len > 0;
      break;
    case MODE_POSITIONS:
      for (size_t i = 0; i < m->body_len;)
        {
          const char *nl = memchr (m->body + i, '\n', m->body_len - i);
          size_t end = nl ? (size_t) (nl - m->body) : m->body_len;
          struct msg_pos pos = msg_position (m, i);
          printf ("%lu:%lu\t%.*s\n", pos.line, pos.col, (int) (end - i), m->body + i);
          i = end + 1;
          printed = true;
        }
      break;
    case MODE_HEADERS:
      for (size_t i = 0; i < m->nfields; i++)
        printf ("%s: %s\n", m->fields[i].name, m->fields[i].value);
      printed = m->nfields > 0;
      break;
    case MODE_CHECK:
      printf ("%s:%zu\t%s\t%zu\t%s\t%s\t%s\n", file, m->index,
              m->kind == MSG_MAIL ? "mail" : "text", m->body_len,
              m->body_from_html ? "html" : "plain", body_valid (m) ? "utf8" : "invalid-utf8",
              m->warning ? m->warning : "-");
      printed = true;
      break;
    }
  return printed;
}

int
main (int argc, char **argv)
{
  enum mode mode = MODE_BODY;
  bool separate = false;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        {
          i++;
          break;
        }
      if (strcmp (argv[i], "--help") == 0)
        {
          usage (stdout);
          return 0;
        }
      for (const char *o = argv[i] + 1; *o; o++)
        switch (*o)
          {
          case 'p': mode = MODE_POSITIONS; break;
          case 'H': mode = MODE_HEADERS; break;
          case 'c': mode = MODE_CHECK; break;
          case 's': separate = true; break;
          default:
            fprintf (stderr, "msg-dump: unknown option '-%c'\nTry 'msg-dump --help'\n", *o);
            return 2;
          }
    }
  char *stdin_only[] = { (char *) "-" };
  char **files = i < argc ? argv + i : stdin_only;
  int nfiles = i < argc ? argc - i : 1;
  bool printed = false, trouble = false;

  for (int f = 0; f < nfiles; f++)
    {
      struct msg_input *in = msg_input_open (files[f]);
      if (!in)
        {
          fprintf (stderr, "msg-dump: %s: %s\n", files[f], strerror (errno));
          trouble = true;
          continue;
        }
      struct msg m;
      int r;
      while ((r = msg_input_next (in, &m)) > 0)
        {
          if (dump_message (files[f], &m, mode, separate))
            printed = true;
          if (mode == MODE_CHECK && !body_valid (&m))
            trouble = true;
          msg_free (&m);
        }
      if (r < 0)
        {
          fprintf (stderr, "msg-dump: %s: %s\n", files[f], strerror (errno));
          trouble = true;
        }
      msg_input_close (in);
    }
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      fprintf (stderr, "msg-dump: write error: %s\n", strerror (errno));
      return 2;
    }
  return trouble ? 2 : printed ? 0 : 1;
}
