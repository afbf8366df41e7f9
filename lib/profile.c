/* profile.c: parse the recipient profile and answer "is this a known correspondent?". */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c-ctype.h"
#include "c-strcase.h"

static int
list_add (struct profile_list *l, const char *s, size_t len)
{
  char **v = realloc (l->v, (l->n + 1) * sizeof *v);
  if (!v)
    return -1;
  l->v = v;
  char *copy = malloc (len + 1);
  if (!copy)
    return -1;
  memcpy (copy, s, len);
  copy[len] = '\0';
  l->v[l->n++] = copy;
  return 0;
}

static void
list_free (struct profile_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free (l->v[i]);
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

/* Add each whitespace-separated word of VALUE to L. */
static int
list_add_words (struct profile_list *l, const char *value)
{
  const char *p = value;
  while (*p)
    {
      while (c_isspace (*p) || *p == ',')
        p++;
      const char *start = p;
      while (*p && !c_isspace (*p) && *p != ',')
        p++;
      if (p > start && list_add (l, start, p - start) < 0)
        return -1;
    }
  return 0;
}

static char *
trim (char *s)
{
  while (c_isspace (*s))
    s++;
  char *end = s + strlen (s);
  while (end > s && c_isspace (end[-1]))
    *--end = '\0';
  return s;
}

static void
lower_ascii (char *s)
{
  for (; *s; s++)
    *s = c_tolower (*s);
}

/* Expand a leading "~/" with $HOME. */
static char *
expand_home (const char *path)
{
  const char *home = getenv ("HOME");
  if (path[0] == '~' && path[1] == '/' && home)
    {
      char *s = malloc (strlen (home) + strlen (path));
      if (s)
        sprintf (s, "%s%s", home, path + 1);
      return s;
    }
  return strdup (path);
}

int
profile_add_known_file (struct profile *p, const char *file, char *err, size_t errlen)
{
  FILE *f = fopen (file, "r");
  if (!f)
    {
      snprintf (err, errlen, "%s: %s", file, strerror (errno));
      return -1;
    }
  char *line = NULL;
  size_t size = 0;
  int status = 0;
  while (getline (&line, &size, f) > 0)
    {
      char *s = trim (line);
      if (*s == '\0' || *s == '#')
        continue;
      char buf[320];
      const char *addr = strchr (s, '@') && s[0] != '@' ? profile_address (s, buf, sizeof buf) : s;
      if (!addr)
        continue;
      if (list_add (&p->known, addr, strlen (addr)) < 0)
        {
          snprintf (err, errlen, "%s: %s", file, strerror (ENOMEM));
          status = -1;
          break;
        }
      lower_ascii (p->known.v[p->known.n - 1]);
    }
  if (ferror (f) && status == 0)
    {
      snprintf (err, errlen, "%s: %s", file, strerror (errno));
      status = -1;
    }
  free (line);
  fclose (f);
  return status;
}

static int
parse_number (const char *s, double *out)
{
  char *end;
  errno = 0;
  double d = strtod (s, &end);
  if (end == s || *trim (end) || errno)
    return -1;
  *out = d;
  return 0;
}

int
profile_load (struct profile *p, const char *path, char *err, size_t errlen)
{
  memset (p, 0, sizeof *p);
  char *owned = NULL;
  bool explicit = path != NULL;
  if (!path)
    {
      const char *xdg = getenv ("XDG_CONFIG_HOME");
      const char *home = getenv ("HOME");
      size_t size = 64 + (xdg ? strlen (xdg) : home ? strlen (home) : 0);
      owned = malloc (size);
      if (!owned)
        return -1;
      if (xdg && *xdg)
        snprintf (owned, size, "%s/rittberger/config", xdg);
      else if (home)
        snprintf (owned, size, "%s/.config/rittberger/config", home);
      else
        {
          free (owned);
          return 0;
        }
      path = owned;
    }
  FILE *f = fopen (path, "r");
  if (!f)
    {
      int e = errno;
      if (!explicit && e == ENOENT)
        {
          free (owned);
          return 0;
        }
      snprintf (err, errlen, "%s: %s", path, strerror (e));
      free (owned);
      return -1;
    }
  p->path = owned ? owned : strdup (path);
  char *line = NULL;
  size_t size = 0;
  unsigned long lineno = 0;
  int status = 0;
  while (status == 0 && getline (&line, &size, f) > 0)
    {
      lineno++;
      char *s = trim (line);
      if (*s == '\0' || *s == '#')
        continue;
      char *key = s;
      while (*s && !c_isspace (*s) && *s != '=')
        s++;
      char *value = s;
      if (*value)
        {
          *value++ = '\0';
          value = trim (value);
          if (*value == '=')
            value = trim (value + 1);
        }
      const char *problem = NULL;
      int r = 0;
      if (strcmp (key, "name") == 0)
        r = list_add_words (&p->names, value);
      else if (strcmp (key, "address") == 0)
        {
          r = list_add_words (&p->addresses, value);
          for (size_t i = 0; i < p->addresses.n; i++)
            lower_ascii (p->addresses.v[i]);
        }
      else if (strcmp (key, "handle") == 0)
        r = list_add_words (&p->handles, value);
      else if (strcmp (key, "company") == 0)
        r = list_add (&p->company, value, strlen (value));
      else if (strcmp (key, "is") == 0)
        r = list_add_words (&p->is, value);
      else if (strcmp (key, "is-not") == 0)
        r = list_add_words (&p->is_not, value);
      else if (strcmp (key, "known") == 0)
        {
          r = list_add_words (&p->known, value);
          for (size_t i = 0; i < p->known.n; i++)
            lower_ascii (p->known.v[i]);
        }
      else if (strcmp (key, "known-file") == 0)
        {
          char *file = expand_home (value);
          if (!file)
            r = -1;
          else
            {
              if (profile_add_known_file (p, file, err, errlen) < 0)
                status = -1;
              free (file);
            }
        }
      else if (strcmp (key, "address-form") == 0)
        {
          if (c_strcasecmp (value, "sie") == 0)
            p->address_form = PROFILE_SIE;
          else if (c_strcasecmp (value, "du") == 0)
            p->address_form = PROFILE_DU;
          else
            problem = "address-form must be 'sie' or 'du'";
        }
      else if (strcmp (key, "threshold") == 0)
        {
          if (parse_number (value, &p->threshold) < 0)
            problem = "threshold must be a number";
        }
      else if (strcmp (key, "unsure") == 0)
        {
          if (parse_number (value, &p->unsure) < 0)
            problem = "unsure must be a number";
        }
      else
        problem = "unknown key";
      if (r < 0)
        problem = strerror (ENOMEM);
      if (problem)
        {
          snprintf (err, errlen, "%s:%lu: %s: %s", path, lineno, problem, key);
          status = -1;
        }
    }
  free (line);
  fclose (f);
  if (status < 0)
    {
      char *keep = strdup (err);
      profile_free (p);
      if (keep)
        {
          snprintf (err, errlen, "%s", keep);
          free (keep);
        }
    }
  return status;
}

char *
profile_address (const char *header, char *buf, size_t size)
{
  if (!header || size == 0)
    return NULL;
  const char *lt = strrchr (header, '<');
  const char *start, *end;
  if (lt && strchr (lt, '>'))
    {
      start = lt + 1;
      end = strchr (lt, '>');
    }
  else
    {
      const char *at = strchr (header, '@');
      if (!at)
        return NULL;
      start = at;
      while (start > header && !c_isspace (start[-1]) && start[-1] != '"' && start[-1] != '(')
        start--;
      end = at;
      while (*end && !c_isspace (*end) && *end != '>' && *end != ')' && *end != ',')
        end++;
    }
  size_t len = end - start;
  if (len == 0 || len >= size || !memchr (start, '@', len))
    return NULL;
  for (size_t i = 0; i < len; i++)
    buf[i] = c_tolower (start[i]);
  buf[len] = '\0';
  return buf;
}

bool
profile_is_known (const struct profile *p, const char *from)
{
  /* Most profiles know no one: then there is no address to work out. */
  if (p->known.n == 0)
    return false;
  char buf[320];
  const char *addr = profile_address (from, buf, sizeof buf);
  if (!addr)
    return false;
  const char *domain = strchr (addr, '@');
  for (size_t i = 0; i < p->known.n; i++)
    {
      const char *k = p->known.v[i];
      if (k[0] == '@' ? strcmp (domain, k) == 0 : strcmp (addr, k) == 0)
        return true;
    }
  return false;
}

void
profile_free (struct profile *p)
{
  list_free (&p->names);
  list_free (&p->addresses);
  list_free (&p->handles);
  list_free (&p->company);
  list_free (&p->is);
  list_free (&p->is_not);
  list_free (&p->known);
  free (p->path);
  p->path = NULL;
}
