/*
 * ignore.h - which paths a scan leaves out: .plainsightignore files and the
 * config's `exclude:` list, both with gitignore(5) semantics.
 *
 * A pattern is one gitignore line: '#' starts a comment, blank lines and
 * unescaped trailing spaces are dropped, '\' escapes the next character, a
 * leading '!' re-includes, a trailing '/' matches directories only, and a
 * pattern with a '/' at its start or in its middle is anchored at the scan
 * root (otherwise it matches the last component at any depth).  '*' and '?'
 * never match '/'; "[...]" is a bracket expression ('!' or '^' negates,
 * ranges, [:alpha:] style classes; an unterminated '[' is a literal).
 * "**" matches across folders when it is a whole path component: leading
 * ("**" then '/': in any folder), inner ('/' "**" '/': zero or more folders)
 * or trailing ('/' then "**": everything inside).  Other runs of '*' are one
 * '*'.  A pattern that ends in a lone '\' never matches, as in git.
 *
 * Matching is a Thompson NFA simulation over the pattern's tokens, so its
 * cost is at most (path length) x (pattern length) whatever the pattern:
 * "a*a*a*a*a*a*b" cannot make it backtrack.  ps_ignore_match only reads
 * the set and uses no heap, so any number of threads may call it at once.
 *
 * Ownership: the set owns copies of its patterns and source names.
 */
#ifndef PS_IGNORE_H
#define PS_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

#include "plainsight.h"

/* The longest pattern line, the biggest file and the most patterns a set takes. */
#define PS_IGNORE_MAX_PATTERN  4096u
#define PS_IGNORE_MAX_FILE     (1024u * 1024u)
#define PS_IGNORE_MAX_PATTERNS 100000u

typedef struct ps_ignore ps_ignore;

ps_status ps_ignore_create(ps_ignore **out) PS_WARN_UNUSED;
/* Frees the set; NULL is a no-op. */
void ps_ignore_destroy(ps_ignore *ig);

/*
 * Add one gitignore line (without its line break).  Comments and blank
 * lines are accepted and add nothing.  source and line say where the
 * pattern was written; they are kept for ps_ignore_match_src.  Fails with
 * PS_ERR_LIMIT for a line longer than PS_IGNORE_MAX_PATTERN bytes or past
 * PS_IGNORE_MAX_PATTERNS patterns, PS_ERR_NOMEM when out of memory; the set
 * is unchanged on failure.
 */
ps_status ps_ignore_add(ps_ignore *ig, const char *pattern, const char *source,
                        unsigned line) PS_WARN_UNUSED;

/*
 * Add every line of a file (LF or CRLF line ends, a UTF-8 byte-order mark
 * is skipped).  PS_ERR_IO when it cannot be opened or read or is not a
 * regular file, PS_ERR_LIMIT past PS_IGNORE_MAX_FILE bytes or the pattern
 * limits, PS_ERR_RULE for a line holding a NUL byte; *diag then reads
 * "path: ..." or "path:line: ...".  On failure none of the file's lines stay
 * in the set.
 */
ps_status ps_ignore_load(ps_ignore *ig, const char *path, ps_diag *diag) PS_WARN_UNUSED;

/*
 * Is rel_path (relative to the scan root, '/'-separated, no leading "./")
 * left out?  is_dir says the entry is a directory.  As in git the last
 * matching pattern decides ('!' re-includes), and a path inside an excluded
 * directory is excluded whatever later patterns say: "dir/" followed by
 * "!dir/file" still leaves dir/file out; to re-include it, exclude the folder's
 * contents ("dir/" followed by "*") instead of the folder.
 */
bool ps_ignore_match(const ps_ignore *ig, const char *rel_path, bool is_dir);

/*
 * The same, and when the path is excluded, *source and *line (either may be
 * NULL) receive where the deciding pattern was written: for messages such as
 * "skipped: excluded by .plainsightignore:3".  The source string is owned
 * by the set.
 */
bool ps_ignore_match_src(const ps_ignore *ig, const char *rel_path, bool is_dir,
                         const char **source, unsigned *line);

#endif /* PS_IGNORE_H */
