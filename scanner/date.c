/*
 * date.c - day numbers, the date formats of user stores, and ages.
 *
 * Day numbers come from Howard Hinnant's days_from_civil / civil_from_days
 * (http://howardhinnant.github.io/date_algorithms.html): exact for the
 * proleptic Gregorian calendar, integer-only, no tables.  Nothing here calls
 * the libc time functions except ps_date_today, so a parse or an age never
 * depends on the machine's zone or locale.
 *
 * The parser is strict about shape (a date must be the whole value) because
 * its callers run it on every value of a birthdate or creation column: a
 * value that only starts like a date is not a date.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "date.h"

#define YEAR_MIN 1900
#define YEAR_MAX 2100
/* Seconds per day, for epochs. */
#define DAY_SECONDS 86400LL
/* Days in 400 Gregorian years: the calendar repeats after one such era. */
#define ERA_DAYS 146097
/* Day number of 0000-03-01, the start of Hinnant's March-based era 0. */
#define EPOCH_SHIFT 719468
/*
 * Eras added before dividing so that every operand is non-negative: then
 * the divisions are plain unsigned ones (a multiply and a shift) with no
 * rounding fix-ups for negative numbers.  ps_date_from_ymd's years start at
 * 0, so one era is enough there; ps_date_to_ymd takes any int32, down to
 * about 5.9 million years before 1970, hence 14700 eras (INT32_MIN +
 * EPOCH_SHIFT + 14700 * ERA_DAYS > 0).
 */
#define FROM_YMD_ERAS 1u
#define TO_YMD_ERAS 14700u

static bool is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in month m (1..12) of year y. */
static unsigned days_in_month(long y, unsigned m)
{
    static const unsigned char days[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return days[m] + (m == 2 && is_leap(y));
}

/*
 * Day number of a valid y-m-d with y in 0..9999: Hinnant's days_from_civil
 * counted from March (so that the leap day ends the year), the day of the
 * year in the March-based year from a table, and the year shifted by
 * FROM_YMD_ERAS so that it is never negative (year 0's January and February
 * belong to March-based year -1).
 */
static int32_t civil_days(unsigned y, unsigned m, unsigned d)
{
    /* Days from 1 March to the first of month m (1..12). */
    static const unsigned short from_march[13] = {
        0, 306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275
    };
    unsigned yy = y + FROM_YMD_ERAS * 400 - (m <= 2);
    unsigned days = yy * 365 + yy / 4 - yy / 100 + yy / 400 + from_march[m] + d - 1;

    return (int32_t)days - (int32_t)(FROM_YMD_ERAS * ERA_DAYS + EPOCH_SHIFT);
}

/*
 * Day number of y-m-d.  Years are limited to 0..9999 so that every result
 * fits an int32 with room to spare; other inputs and impossible dates give
 * PS_DAY_NONE.
 */
int32_t ps_date_from_ymd(int y, int m, int d)
{
    /* Unsigned compares fold each "at least 1 and at most N" into one test. */
    if ((unsigned)y > 9999 || (unsigned)m - 1 >= 12 ||
        (unsigned)d - 1 >= days_in_month(y, (unsigned)m))
        return PS_DAY_NONE;
    return civil_days((unsigned)y, (unsigned)m, (unsigned)d);
}

/*
 * The inverse of ps_date_from_ymd, for any int32 day number: Neri and
 * Schneider's civil_from_days ("Euclidean affine functions and their
 * application to calendar algorithms", 2022), which replaces Hinnant's
 * chain of divisions by multiplications and shifts.  The day is shifted by
 * TO_YMD_ERAS so that all of it is unsigned; only the division into
 * centuries needs 64 bits for that range, and the eras come off the year
 * at the end.  The year counts from 1 March, so that the leap day ends it;
 * its January and February fall in the next calendar year (jan_feb).
 */
void ps_date_to_ymd(int32_t day, int *y, int *m, int *d)
{
    uint64_t shifted = (uint64_t)((int64_t)day + EPOCH_SHIFT + (int64_t)TO_YMD_ERAS * ERA_DAYS);
    uint64_t n1 = 4 * shifted + 3;
    uint64_t century = n1 / ERA_DAYS;
    uint32_t n2 = (uint32_t)(n1 % ERA_DAYS) | 3;        /* 4 * day of the century + 3 */
    uint64_t p2 = (uint64_t)2939745 * n2;              /* 2939745 / 2^32 ~ 1 / 1461 */
    uint32_t year_of_century = (uint32_t)(p2 >> 32);
    uint32_t day_of_year = (uint32_t)p2 / 2939745 / 4; /* 0 = 1 March */
    uint32_t n3 = 2141 * day_of_year + 197913;         /* 2141 / 2^16 ~ 5 / 153 */
    uint32_t month = n3 >> 16;                         /* 3..14: March to February */
    uint32_t jan_feb = day_of_year >= 306;

    *d = (int)((n3 & 0xFFFF) / 2141 + 1);
    *m = (int)(jan_feb ? month - 12 : month);
    *y = (int)((int64_t)(100 * century + year_of_century) - (int64_t)TO_YMD_ERAS * 400 +
               jan_feb);
}

void ps_date_format(int32_t day, char *buf, size_t size)
{
    int y, m, d;

    if (size == 0)
        return;
    ps_date_to_ymd(day, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

int32_t ps_date_today(void)
{
    time_t now = time(NULL);

    /* Seconds since the epoch are UTC by definition; no zone applies. */
    return (int32_t)((long long)now / DAY_SECONDS);
}

int ps_age_years(int32_t birth, int32_t at)
{
    int by, bm, bd, ay, am, ad, age;

    if (at < birth)
        return -1;
    ps_date_to_ymd(birth, &by, &bm, &bd);
    ps_date_to_ymd(at, &ay, &am, &ad);
    /*
     * The birthday has passed once (month, day) reaches the birth's.  For a
     * 29 February birth in a common year that is 1 March, since 28 February
     * still comes before (2, 29): the rule date.h promises, with no special
     * case.
     */
    age = ay - by;
    if (am < bm || (am == bm && ad < bd))
        age--;
    return age;
}

/* --- parsing ------------------------------------------------------------- */

/* A cursor over the trimmed value. */
typedef struct cursor {
    const char *p, *end;
} cursor;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Length of the run of digits at the cursor. */
static size_t digit_run(const cursor *c)
{
    size_t n = 0;

    while (c->p + n < c->end && is_digit(c->p[n]))
        n++;
    return n;
}

/* Read exactly or at most `max` (and at least `min`) digits as a number. */
static bool take_num(cursor *c, size_t min, size_t max, long *out)
{
    size_t n = digit_run(c);
    long v = 0;

    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (c->p[i] - '0');
    c->p += n;
    *out = v;
    return true;
}

static bool take_char(cursor *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static bool at_end(const cursor *c)
{
    return c->p == c->end;
}

/* Day number of y-m-d when the year is in 1900..2100, else PS_DAY_NONE. */
static int32_t checked_day(long y, long m, long d)
{
    if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1 || d > 31)
        return PS_DAY_NONE;
    return ps_date_from_ymd((int)y, (int)m, (int)d);
}

/*
 * The time after a date: HH:MM[:SS[.fff]][Z|+hh:mm|-hh:mm|+hhmm|+hh].  Only
 * checked loosely (a value's date is what matters), and must end the value.
 */
static bool time_part(cursor *c)
{
    long hh, mm, ss;

    if (!take_num(c, 2, 2, &hh) || hh > 23 || !take_char(c, ':') ||
        !take_num(c, 2, 2, &mm) || mm > 59)
        return false;
    if (take_char(c, ':')) {
        if (!take_num(c, 2, 2, &ss) || ss > 60)
            return false;
        if (take_char(c, '.') || take_char(c, ',')) {
            long frac;
            if (!take_num(c, 1, 9, &frac))
                return false;
        }
    }
    if (take_char(c, 'Z') || take_char(c, 'z'))
        return at_end(c);
    if (take_char(c, '+') || take_char(c, '-')) {
        size_t run = digit_run(c);
        long zone;

        /* +hh, +hhmm or +hh:mm */
        if ((run != 2 && run != 4) || !take_num(c, run, run, &zone))
            return false;
        if (run == 2 && take_char(c, ':')) {
            if (!take_num(c, 2, 2, &mm))
                return false;
            zone = zone * 100 + mm;
        } else if (run == 2) {
            zone *= 100;
        }
        if (zone / 100 > 23 || zone % 100 > 59)
            return false;
    }
    return at_end(c);
}

/* YYYY-MM-DD or YYYY/MM/DD, optionally followed by 'T' or ' ' and a time. */
static int32_t parse_year_first(cursor *c)
{
    long y, m, d;
    char sep;

    if (!take_num(c, 4, 4, &y) || at_end(c))
        return PS_DAY_NONE;
    sep = *c->p;
    if (sep != '-' && sep != '/')
        return PS_DAY_NONE;
    c->p++;
    if (!take_num(c, 1, 2, &m) || !take_char(c, sep) || !take_num(c, 1, 2, &d))
        return PS_DAY_NONE;
    if (!at_end(c) && !((take_char(c, 'T') || take_char(c, 't') || take_char(c, ' ')) &&
                        time_part(c)))
        return PS_DAY_NONE;
    return checked_day(y, m, d);
}

/* YYYYMMDD, only for 19xx and 20xx years: other 8-digit numbers are ids. */
static int32_t parse_compact(cursor *c)
{
    long v;

    if (!(c->p[0] == '1' && c->p[1] == '9') && !(c->p[0] == '2' && c->p[1] == '0'))
        return PS_DAY_NONE;
    if (!take_num(c, 8, 8, &v) || !at_end(c))
        return PS_DAY_NONE;
    return checked_day(v / 10000, v / 100 % 100, v % 100);
}

/* Unix epoch seconds (9-10 digits) or milliseconds (12-13 digits). */
static int32_t parse_epoch(cursor *c, size_t ndigits)
{
    long long v = 0;
    long long secs;
    int32_t day;
    int y, m, d;

    for (size_t i = 0; i < ndigits; i++)
        v = v * 10 + (c->p[i] - '0');
    secs = ndigits >= 12 ? v / 1000 : v;
    /* Digits only, so secs >= 0 and truncation is the floor. */
    day = (int32_t)(secs / DAY_SECONDS);
    ps_date_to_ymd(day, &y, &m, &d);
    return y >= YEAR_MIN && y <= YEAR_MAX ? day : PS_DAY_NONE;
}

/* NN/NN/YYYY, NN.NN.YYYY or NN-NN-YYYY. */
static ps_date_result parse_day_first(cursor *c, int32_t *day, int32_t *alt)
{
    long a, b, y;
    char sep;

    if (!take_num(c, 1, 2, &a) || at_end(c))
        return PS_DATE_INVALID;
    sep = *c->p;
    if (sep != '/' && sep != '.' && sep != '-')
        return PS_DATE_INVALID;
    c->p++;
    if (!take_num(c, 1, 2, &b) || !take_char(c, sep) || !take_num(c, 4, 4, &y) ||
        !at_end(c))
        return PS_DATE_INVALID;
    /* Dots and dashes are European conventions: always day first. */
    if (sep != '/' || a > 12 || a == b) {
        *day = checked_day(y, b, a);
        return *day != PS_DAY_NONE ? PS_DATE_OK : PS_DATE_INVALID;
    }
    if (b > 12) {
        *day = checked_day(y, a, b);
        return *day != PS_DAY_NONE ? PS_DATE_OK : PS_DATE_INVALID;
    }
    /* Both at most 12 and different: both readings are real dates. */
    *day = checked_day(y, b, a);
    *alt = checked_day(y, a, b);
    if (*day == PS_DAY_NONE || *alt == PS_DAY_NONE)
        return PS_DATE_INVALID;
    return PS_DATE_AMBIGUOUS;
}

/*
 * An 8-byte shape for the fixed layouts below.  want holds '0' where a digit
 * goes and the byte itself elsewhere; mask and add are what the test in
 * fits() needs per byte (0xF0 and 6 for a digit, 0xFF and 0 for a fixed
 * byte).  Bytes, not integers, so the words come out right on either byte
 * order; the compiler folds them into constants.
 */
typedef struct shape8 {
    char want[8], mask[8], add[8];
} shape8;

static const shape8 date_head = { "0000-00-", "\xF0\xF0\xF0\xF0\xFF\xF0\xF0\xFF",
                                  "\6\6\6\6\0\6\6\0" };
static const shape8 date_tail = { "00-00-00", "\xF0\xF0\xFF\xF0\xF0\xFF\xF0\xF0",
                                  "\6\6\0\6\6\0\6\6" };
static const shape8 time_hms = { "00:00:00", "\xF0\xF0\xFF\xF0\xF0\xFF\xF0\xF0",
                                 "\6\6\0\6\6\0\6\6" };

/*
 * Whether the 8 bytes at p fit shape s, in one word.  x = bytes ^ want is 0
 * at a matching fixed byte and 0..9 at a digit, so x's high nibble must be
 * 0 everywhere and, at a digit, x + 6 must not reach 0x10.  No carry can
 * cross a byte unless some byte of x already fails, so the test is exact.
 */
static inline bool fits(const char *p, const shape8 *s)
{
    uint64_t w, want, mask, add, x;

    memcpy(&w, p, 8);
    memcpy(&want, s->want, 8);
    memcpy(&mask, s->mask, 8);
    memcpy(&add, s->add, 8);
    x = w ^ want;
    return ((x | (x + add)) & mask) == 0;
}

/* The two digits at p (already checked) as a number. */
static inline unsigned pair_at(const char *p)
{
    return (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
}

/*
 * Whether the two digits at p (already checked) are at most "hi": digits
 * sort as their values, so as text, which mostly settles on the first byte.
 */
static inline bool pair_at_most(const char *p, const char hi[2])
{
    return p[0] < hi[0] || (p[0] == hi[0] && p[1] <= hi[1]);
}

/*
 * The shapes nearly every store writes, YYYY-MM-DD alone or followed by
 * 'T', 't' or ' ' and HH:MM:SS with an optional 'Z' or 'z', checked a word
 * at a time at fixed places.  Returns false when v[0..n) has none of these
 * shapes (the general parser decides).  Otherwise the shape alone settles
 * the answer, exactly as the general parser would give it: *day is the day,
 * or PS_DAY_NONE for an impossible date or time.  Such a value starts with
 * a digit and ends with a digit or 'Z', so the general parser's trimming of
 * spaces and quotes would not have changed it.
 */
static bool fast_iso(const char *p, size_t n, int32_t *day)
{
    unsigned y, m, d;

    if (n != 10 && n != 19 && !(n == 20 && (p[19] | 0x20) == 'z'))
        return false;
    if (!fits(p, &date_head) || !fits(p + 2, &date_tail))
        return false;
    if (n > 10) {
        if (((p[10] | 0x20) != 't' && p[10] != ' ') || !fits(p + 11, &time_hms))
            return false;
        /* time_part's limits: hours to 23, minutes to 59, seconds to 60 */
        if (!pair_at_most(p + 11, "23") || !pair_at_most(p + 14, "59") ||
            !pair_at_most(p + 17, "60")) {
            *day = PS_DAY_NONE;
            return true;
        }
    }
    y = pair_at(p) * 100 + pair_at(p + 2);
    m = pair_at(p + 5);
    d = pair_at(p + 8);
    *day = checked_day(y, m, d);
    return true;
}

ps_date_result ps_date_parse_general(const char *v, size_t n, unsigned flags,
                                     int32_t *day, int32_t *alt)
{
    static const char none[1] = "";
    cursor c = { v != NULL ? v : none, v != NULL ? v + n : none };
    int32_t d = PS_DAY_NONE, a = PS_DAY_NONE;
    ps_date_result res = PS_DATE_INVALID;
    size_t run;

    while (c.p < c.end && is_space(*c.p))
        c.p++;
    while (c.end > c.p && is_space(c.end[-1]))
        c.end--;
    if (c.end - c.p >= 2 && *c.p == '"' && c.end[-1] == '"') {
        c.p++;
        c.end--;
        while (c.p < c.end && is_space(*c.p))
            c.p++;
        while (c.end > c.p && is_space(c.end[-1]))
            c.end--;
    }
    run = digit_run(&c);
    if (run == 4) {
        d = parse_year_first(&c);
    } else if (run == 8) {
        d = parse_compact(&c);
    } else if (run == 1 || run == 2) {
        res = parse_day_first(&c, &d, &a);
    } else if ((flags & PS_DATE_ALLOW_EPOCH) && c.p + run == c.end &&
               (run == 9 || run == 10 || run == 12 || run == 13)) {
        d = parse_epoch(&c, run);
    }
    if (run != 1 && run != 2)
        res = d != PS_DAY_NONE ? PS_DATE_OK : PS_DATE_INVALID;
    if (res == PS_DATE_INVALID)
        d = a = PS_DAY_NONE;
    else if (res == PS_DATE_OK)
        a = d;
    if (day != NULL)
        *day = d;
    if (alt != NULL)
        *alt = a;
    return res;
}

ps_date_result ps_date_parse(const char *v, size_t n, unsigned flags,
                             int32_t *day, int32_t *alt)
{
    int32_t d;

    if (v == NULL || !fast_iso(v, n, &d))
        return ps_date_parse_general(v, n, flags, day, alt);
    if (day != NULL)
        *day = d;
    if (alt != NULL)
        *alt = d;
    return d != PS_DAY_NONE ? PS_DATE_OK : PS_DATE_INVALID;
}
