/*
 * date.h - calendar dates as day numbers, parsing of the date formats found
 * in user stores, and ages.
 *
 * A day number is the count of days since 1970-01-01 in the proleptic
 * Gregorian calendar (negative before 1970).  Everything is integer
 * arithmetic: no time zones, no locale, no libc time functions, so results
 * never depend on the machine.
 */
#ifndef PS_DATE_H
#define PS_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PS_DAY_NONE INT32_MIN

typedef enum ps_date_result {
    PS_DATE_INVALID = 0, /* not a date in any supported format */
    PS_DATE_OK,          /* one reading */
    PS_DATE_AMBIGUOUS    /* NN/NN/YYYY where both DD/MM and MM/DD are valid and differ */
} ps_date_result;

/* Flags for ps_date_parse. */
#define PS_DATE_ALLOW_EPOCH 0x1u /* accept Unix epochs (seconds: 9-10 digits; ms: 12-13 digits) */

/*
 * Parse v[0..n) (surrounding white space and quotes ignored) as one of:
 *   YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD (only with 19xx/20xx years),
 *   ISO 8601 timestamps (YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+hh:mm|-hh:mm], also with
 *   a space instead of 'T'; the date part is taken as written),
 *   DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY, DD-MM-YYYY,
 *   Unix epochs when PS_DATE_ALLOW_EPOCH is set.
 * Years 1900..2100 only.  For PS_DATE_OK *day is the date; for
 * PS_DATE_AMBIGUOUS *day is the day-first reading and *alt the month-first
 * one (callers choose; see docs/people.md).
 */
ps_date_result ps_date_parse(const char *v, size_t n, unsigned flags,
                             int32_t *day, int32_t *alt);
/*
 * ps_date_parse without its fast path for the fixed ISO layouts: the same
 * answer for every input, only slower.  For the tests, which hold the fast
 * path to it.
 */
ps_date_result ps_date_parse_general(const char *v, size_t n, unsigned flags,
                                     int32_t *day, int32_t *alt);

int32_t ps_date_from_ymd(int y, int m, int d);  /* PS_DAY_NONE when invalid */
void ps_date_to_ymd(int32_t day, int *y, int *m, int *d);
/* "YYYY-MM-DD" into buf (at least 11 bytes). */
void ps_date_format(int32_t day, char *buf, size_t size);
/* Today (UTC) from the system clock. */
int32_t ps_date_today(void);

/*
 * Age in whole years on day `at` of someone born on `birth`; -1 when at is
 * before birth.  Someone born on 29 February has a birthday on 1 March in
 * common years (the rule of most jurisdictions, e.g. UK and NZ law).
 */
int ps_age_years(int32_t birth, int32_t at);

#endif /* PS_DATE_H */
