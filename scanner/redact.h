/*
 * redact.h - show the shape of a value without the value.
 *
 * A privacy scanner whose report becomes the next breach has failed, so
 * every value that reaches a report goes through here unless the user asked
 * for --show-values.  The output keeps enough to recognise the kind of data
 * ("j***@e***.com", "\"Hi gr*** ...\"", "5f4d***") and never enough to
 * recover it: at most a short prefix is shown, never a whole word of a name,
 * password, message or number.
 */
#ifndef PS_REDACT_H
#define PS_REDACT_H

#include <stddef.h>

#include "plainsight.h"
#include "util.h"

/* Append the redacted form of v[0..n) to out.  Binary bytes never pass through. */
ps_status ps_redact(const char *v, size_t n, ps_buf *out) PS_WARN_UNUSED;

#endif /* PS_REDACT_H */
