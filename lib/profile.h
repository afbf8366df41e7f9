/* profile.h: the recipient profile (~/.config/rittberger/config): who the reader is and whom they know. */
#ifndef RITTBERGER_PROFILE_H
#define RITTBERGER_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

struct profile_list
{
  char **v;
  size_t n;
};

enum profile_address_form
{
  PROFILE_SIE,                  /* the default: strangers owe "Sie" */
  PROFILE_DU,                   /* the recipient is happy to be addressed with "du" */
};

struct profile
{
  struct profile_list names;    /* the recipient's names ("Kourosh", "Ghaffari") */
  struct profile_list addresses;  /* the recipient's own addresses */
  struct profile_list handles;  /* social media handles */
  struct profile_list company;  /* company names */
  struct profile_list is;       /* categories the recipient is ("Beratung") */
  struct profile_list is_not;   /* categories the recipient is not ("Agentur") */
  struct profile_list known;    /* known correspondents: addresses, or domains written "@example.org" */
  enum profile_address_form address_form;
  double threshold;             /* score-outreach threshold; 0 = default */
  double unsure;                /* start of the unsure band; 0 = default */
  char *path;                   /* the file read, or NULL */
};

/* Read the profile from PATH, or if PATH is NULL from $XDG_CONFIG_HOME/rittberger/config (a
   missing default file is no error).  On error return -1 and write "FILE:LINE: message" or
   "FILE: reason" into ERR. */
int profile_load (struct profile *p, const char *path, char *err, size_t errlen);

/* Add the addresses of FILE (one per line, as exported from an address book; '#' comments) to
   the known correspondents.  Same error contract as profile_load. */
int profile_add_known_file (struct profile *p, const char *file, char *err, size_t errlen);

/* True if the address in the From header value FROM is a known correspondent (address or domain). */
bool profile_is_known (const struct profile *p, const char *from);

/* Extract the bare, lower-cased address from a header value like "Anna <Anna@Example.org>" into
   BUF; return BUF, or NULL if none was found. */
char *profile_address (const char *header, char *buf, size_t size);

/* Release the profile. */
void profile_free (struct profile *p);

#endif
