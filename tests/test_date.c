/*
 * test_date.c - day numbers, every accepted date format, the strings that
 * must not parse, and ages around birthdays (29 February included).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

#define D(y, m, d) ps_date_from_ymd((y), (m), (d))

/* --- day numbers --------------------------------------------------------- */

static void test_known_day_numbers(void **state)
{
    static const struct { int y, m, d; int32_t day; } cases[] = {
        { 1970, 1, 1, 0 },
        { 1970, 1, 2, 1 },
        { 1969, 12, 31, -1 },
        { 2000, 1, 1, 10957 },
        { 2000, 3, 1, 11017 },
        { 1900, 1, 1, -25567 },
        { 2015, 11, 3, 16742 },
        { 2100, 12, 31, 47846 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(D(cases[i].y, cases[i].m, cases[i].d), cases[i].day);
}

/* Leap years: 2000 is one (divisible by 400), 1900 and 2100 are not. */
static void test_impossible_dates(void **state)
{
    (void)state;
    assert_int_not_equal(D(2000, 2, 29), PS_DAY_NONE);
    assert_int_not_equal(D(2016, 2, 29), PS_DAY_NONE);
    assert_int_equal(D(1900, 2, 29), PS_DAY_NONE);
    assert_int_equal(D(2100, 2, 29), PS_DAY_NONE);
    assert_int_equal(D(2015, 2, 29), PS_DAY_NONE);
    assert_int_equal(D(2015, 2, 30), PS_DAY_NONE);
    assert_int_equal(D(2015, 4, 31), PS_DAY_NONE);
    assert_int_equal(D(2015, 13, 1), PS_DAY_NONE);
    assert_int_equal(D(2015, 0, 1), PS_DAY_NONE);
    assert_int_equal(D(2015, 1, 0), PS_DAY_NONE);
    assert_int_equal(D(-1, 1, 1), PS_DAY_NONE);
    assert_int_equal(D(10000, 1, 1), PS_DAY_NONE);
}

/* Every day of 1900..2100 survives day -> ymd -> day and day -> text -> day. */
static void test_round_trip(void **state)
{
    int32_t first = D(1900, 1, 1), last = D(2100, 12, 31);
    int y, m, d, py = 1899, pm = 12, pd = 31;
    char buf[16];
    int32_t parsed, alt;

    (void)state;
    for (int32_t day = first; day <= last; day++) {
        ps_date_to_ymd(day, &y, &m, &d);
        assert_int_equal(D(y, m, d), day);
        /* consecutive days are consecutive calendar dates */
        if (d != 1) {
            assert_int_equal(y, py);
            assert_int_equal(m, pm);
            assert_int_equal(d, pd + 1);
        }
        py = y, pm = m, pd = d;
        ps_date_format(day, buf, sizeof(buf));
        assert_int_equal(strlen(buf), 10);
        assert_int_equal(ps_date_parse(buf, strlen(buf), 0, &parsed, &alt), PS_DATE_OK);
        assert_int_equal(parsed, day);
    }
    assert_int_equal(py, 2100);
    assert_int_equal(pm, 12);
    assert_int_equal(pd, 31);
}

static void test_format(void **state)
{
    char buf[11], small[5];

    (void)state;
    ps_date_format(D(2015, 11, 3), buf, sizeof(buf));
    assert_string_equal(buf, "2015-11-03");
    ps_date_format(-25567, buf, sizeof(buf));
    assert_string_equal(buf, "1900-01-01");
    /* a short buffer is cut, never overrun */
    ps_date_format(0, small, sizeof(small));
    assert_string_equal(small, "1970");
}

static void test_today(void **state)
{
    int32_t t = ps_date_today();

    (void)state;
    /* after this code was written, and before 2100 */
    assert_true(t >= D(2024, 1, 1));
    assert_true(t <= D(2100, 12, 31));
}

/* --- parsing ------------------------------------------------------------- */

typedef struct parse_case {
    const char *in;
    unsigned flags;
    ps_date_result res;
    int y, m, d;          /* the (day-first) reading */
    int ay, am, ad;       /* the month-first reading when ambiguous */
} parse_case;

#define OK(s, y, m, d) { s, 0, PS_DATE_OK, y, m, d, y, m, d }
#define EPOCH(s, y, m, d) { s, PS_DATE_ALLOW_EPOCH, PS_DATE_OK, y, m, d, y, m, d }
#define BAD(s) { s, 0, PS_DATE_INVALID, 0, 0, 0, 0, 0, 0 }
#define BAD_EPOCH(s) { s, PS_DATE_ALLOW_EPOCH, PS_DATE_INVALID, 0, 0, 0, 0, 0, 0 }

static const parse_case parse_cases[] = {
    /* ISO dates and timestamps */
    OK("2015-11-03", 2015, 11, 3),
    OK("2015/11/03", 2015, 11, 3),
    OK("2015-1-3", 2015, 1, 3),
    OK("2015-11-03T17:22:41Z", 2015, 11, 3),
    OK("2015-11-03 17:22:41", 2015, 11, 3),
    OK("2015-11-03T17:22:41.123+01:00", 2015, 11, 3),
    OK("2015-11-03T23:59:59-08:00", 2015, 11, 3), /* taken as written, no shift */
    OK("2015-11-03T17:22", 2015, 11, 3),
    OK("2015-11-03T17:22:60Z", 2015, 11, 3),      /* a leap second */
    OK("2015-11-03t00:00:00z", 2015, 11, 3),
    OK("2015-11-03 23:59:59", 2015, 11, 3),
    OK("2015-11-03 12:00-00", 2015, 11, 3),       /* 19 bytes, a zone: the general path */
    OK("2015-11-03T17:22:41+0100", 2015, 11, 3),
    OK("2015-11-03T17:22:41-05", 2015, 11, 3),
    BAD("2015-11-03T17:22:41+0160"),
    BAD("2015-11-03T17:22:41+2400"),
    BAD("2015-11-03T17:22:41+1"),
    BAD("2015-11-03T17:22:41+01:"),
    OK("  2015-11-03 ", 2015, 11, 3),
    OK("\"2015-11-03\"", 2015, 11, 3),
    OK(" \" 2015-11-03 \" ", 2015, 11, 3),
    OK("1900-01-01", 1900, 1, 1),
    OK("2100-12-31", 2100, 12, 31),
    /* 29 February */
    OK("2000-02-29", 2000, 2, 29),
    BAD("1900-02-29"),
    BAD("2100-02-29"),
    BAD("2015-02-29"),
    OK("2016-02-29", 2016, 2, 29),
    /* compact */
    OK("20151103", 2015, 11, 3),
    OK("19991231", 1999, 12, 31),
    BAD("21001231"),                              /* only 19xx and 20xx */
    BAD("20151303"),
    BAD("12345678"),
    /* day and month */
    OK("13/04/2010", 2010, 4, 13),
    OK("04/13/2010", 2010, 4, 13),
    { "03/04/2010", 0, PS_DATE_AMBIGUOUS, 2010, 4, 3, 2010, 3, 4 },
    { "1/2/2010", 0, PS_DATE_AMBIGUOUS, 2010, 2, 1, 2010, 1, 2 },
    OK("05/05/2010", 2010, 5, 5),
    OK("03.04.2010", 2010, 4, 3),
    OK("03-04-2010", 2010, 4, 3),
    OK("31.12.1999", 1999, 12, 31),
    OK("29/02/2000", 2000, 2, 29),
    BAD("29/02/1900"),
    BAD("31/02/2015"),
    BAD("02/31/2015"),
    BAD("13/13/2010"),
    BAD("04.13.2010"),                            /* dots are day first */
    BAD("03/04-2010"),                            /* mixed separators */
    BAD("03/04/10"),
    BAD("03/04/1899"),
    /* epochs */
    EPOCH("1446571361", 2015, 11, 3),
    EPOCH("1446571361123", 2015, 11, 3),
    EPOCH("946684800", 2000, 1, 1),
    EPOCH("0946684800", 2000, 1, 1),
    EPOCH("946684799999", 1999, 12, 31),
    BAD("1446571361"),                            /* epochs only when asked for */
    BAD_EPOCH("9999999999"),                      /* year 2286 */
    BAD_EPOCH("12345"),
    BAD_EPOCH("14465713611"),                     /* 11 digits: neither */
    BAD_EPOCH("1446571361x"),
    /* junk */
    BAD("2015-13-01"),
    BAD("2015-02-30"),
    BAD("2015-00-10"),
    BAD("2015-11-00"),
    BAD("abc"),
    BAD(""),
    BAD("   "),
    BAD("\"\""),
    BAD("12345"),
    BAD("2015-11-03x"),
    BAD("2015-11-03T"),
    BAD("2015-11-03T24:00"),
    BAD("2015-11-03T12:60"),
    BAD("2015-11-03T12:00:61"),
    BAD("2015-11-03T12:00Q"),
    BAD("2015-11/03"),
    BAD("2015-011-03"),
    BAD("15-11-2015x"),
    BAD("\"2015-11-03"),
    BAD("1899-12-31"),
    BAD("2101-01-01"),
    /* the fixed-position shapes (fast_iso), each check failing in turn */
    BAD("2015-11-03 24:00:00"),
    BAD("2015-11-03 12:60:00"),
    BAD("2015-11-03 12:00:61"),
    BAD("2015-11-03T12:00:00Y"),
    BAD("2015-11-03X12:00:00"),
    BAD("2015-11-03 12-00:00"),
    BAD("2015-13-03 12:00:00"),
    BAD("2015-11-32"),
    BAD("2015-11-3a"),
    BAD("2015+11-03"),
};

static void test_parse(void **state)
{
    const parse_case *pc = *state;
    int32_t day = 12345, alt = 12345;
    ps_date_result res = ps_date_parse(pc->in, strlen(pc->in), pc->flags, &day, &alt);

    assert_int_equal(res, pc->res);
    if (res == PS_DATE_INVALID) {
        assert_int_equal(day, PS_DAY_NONE);
        assert_int_equal(alt, PS_DAY_NONE);
        return;
    }
    assert_int_equal(day, D(pc->y, pc->m, pc->d));
    assert_int_equal(alt, D(pc->ay, pc->am, pc->ad));
}

/* The length is what counts, not a terminating NUL; NULL outputs are fine. */
static void test_parse_length(void **state)
{
    int32_t day;

    (void)state;
    assert_int_equal(ps_date_parse("2015-11-03garbage", 10, 0, &day, NULL), PS_DATE_OK);
    assert_int_equal(day, D(2015, 11, 3));
    assert_int_equal(ps_date_parse("2015-11-03", 9, 0, &day, NULL), PS_DATE_INVALID);
    assert_int_equal(ps_date_parse("2015-11-03", 10, 0, NULL, NULL), PS_DATE_OK);
    assert_int_equal(ps_date_parse(NULL, 0, 0, &day, NULL), PS_DATE_INVALID);
    assert_int_equal(ps_date_parse("2015\0-11-03", 11, 0, &day, NULL), PS_DATE_INVALID);
}

/* --- references for the fast arithmetic and the fast parser -------------- */

/*
 * Howard Hinnant's days_from_civil and civil_from_days as he wrote them
 * (signed, with the era rounding made explicit), the way date.c computed
 * day numbers before its arithmetic was made cheaper: the reference that
 * ps_date_from_ymd and ps_date_to_ymd are held to.
 */
static int ref_days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

static int32_t ref_from_ymd(int y, int m, int d)
{
    long yy, era, yoe, doy, doe;

    if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1 || d > ref_days_in_month(y, m))
        return PS_DAY_NONE;
    yy = m <= 2 ? (long)y - 1 : (long)y;
    era = (yy >= 0 ? yy : yy - 399) / 400;
    yoe = yy - era * 400;
    doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static void ref_to_ymd(int32_t day, int *y, int *m, int *d)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;

    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void check_from_ymd(int y, int m, int d)
{
    int32_t got = D(y, m, d), want = ref_from_ymd(y, m, d);

    if (got != want)
        fail_msg("ps_date_from_ymd(%d, %d, %d) = %ld, reference %ld", y, m, d, (long)got,
                 (long)want);
}

/*
 * Every (y, m, d) with a year just outside 0..9999 to just inside it, the
 * months and days around the valid ones: every day number of 1890..2110
 * and the impossible dates next to them, and the month ends of all years.
 */
static void test_from_ymd_reference(void **state)
{
    static const int ends[] = { -1, 0, 1, 27, 28, 29, 30, 31, 32, 33 };

    (void)state;
    for (int y = -3; y <= 10003; y++) {
        for (int m = -1; m <= 14; m++) {
            if (y >= 1890 && y <= 2110) {
                for (int d = -1; d <= 33; d++)
                    check_from_ymd(y, m, d);
            } else {
                for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
                    check_from_ymd(y, m, ends[i]);
            }
        }
    }
    check_from_ymd(2015, INT32_MIN, 1);
    check_from_ymd(2015, 1, INT32_MAX);
    check_from_ymd(INT32_MAX, 1, 1);
    check_from_ymd(INT32_MIN, 1, 1);
}

static void check_to_ymd(int32_t day)
{
    int y, m, d, ry, rm, rd;

    ps_date_to_ymd(day, &y, &m, &d);
    ref_to_ymd(day, &ry, &rm, &rd);
    if (y != ry || m != rm || d != rd)
        fail_msg("ps_date_to_ymd(%ld) = %d-%d-%d, reference %d-%d-%d", (long)day, y, m, d,
                 ry, rm, rd);
}

/*
 * Every day of years 0..9999 and some way beyond, both ends of the int32
 * range, and a stride through all of it; for years 0..9999 also the round
 * trip day -> ymd -> day.  (Every int32 was compared once, outside the
 * tests, when the arithmetic changed: too slow to repeat under valgrind.)
 */
static void test_to_ymd_reference(void **state)
{
    int32_t first = ref_from_ymd(0, 1, 1), last = ref_from_ymd(9999, 12, 31);
    int y, m, d;

    (void)state;
    for (int32_t day = first - 1000; day <= last + 1000; day++) {
        check_to_ymd(day);
        if (day >= first && day <= last) {
            ps_date_to_ymd(day, &y, &m, &d);
            assert_int_equal(D(y, m, d), day);
        }
    }
    for (int32_t k = 0; k < 100000; k++) {
        check_to_ymd(INT32_MIN + k);
        check_to_ymd(INT32_MAX - k);
    }
    for (int64_t day = INT32_MIN; day <= INT32_MAX; day += 65521)
        check_to_ymd((int32_t)day);
}

/*
 * ps_date_parse (fast path first) against ps_date_parse_general (none) on
 * s[0..n), with and without epochs.  The bytes are copied into a buffer of
 * exactly n bytes, so that valgrind sees a read past the value.
 */
static void check_parse(const char *s, size_t n)
{
    static const unsigned flags[2] = { 0, PS_DATE_ALLOW_EPOCH };
    char *b = malloc(n > 0 ? n : 1);

    assert_non_null(b);
    memcpy(b, s, n);
    for (size_t i = 0; i < 2; i++) {
        int32_t day = 1, alt = 2, gday = 3, galt = 4;
        ps_date_result res = ps_date_parse(b, n, flags[i], &day, &alt);
        ps_date_result gres = ps_date_parse_general(b, n, flags[i], &gday, &galt);

        if (res != gres || day != gday || alt != galt)
            fail_msg("\"%.*s\" (flags %u): %d %ld %ld, general parser %d %ld %ld", (int)n, s,
                     flags[i], (int)res, (long)day, (long)alt, (int)gres, (long)gday,
                     (long)galt);
    }
    free(b);
}

static void check_parse_str(const char *s)
{
    check_parse(s, strlen(s));
}

/*
 * The layouts the fast path reads: the date alone (sep 0), or with the
 * separator, HH:MM:SS and the suffix.
 */
static const struct layout {
    char sep;
    const char *suffix;
} fast_layouts[] = {
    { 0, "" }, { ' ', "" }, { 'T', "Z" }, { 't', "z" }, { 'T', "" },
};
#define NLAYOUTS (sizeof(fast_layouts) / sizeof(fast_layouts[0]))

/* Out-of-range fields just print wider, which makes another input worth trying. */
static size_t format_layout(char *buf, size_t size, size_t layout, int y, int m, int d,
                            int hh, int mm, int ss)
{
    const struct layout *l = &fast_layouts[layout];
    int len;

    if (l->sep == 0)
        len = snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
    else
        len = snprintf(buf, size, "%04d-%02d-%02d%c%02d:%02d:%02d%s", y, m, d, l->sep, hh, mm,
                       ss, l->suffix);
    assert_true(len > 0 && (size_t)len < size);
    return (size_t)len;
}

/* Every day of 1899..2101 (the year limits and one year past each) in every layout. */
static void test_parse_fast_every_day(void **state)
{
    int32_t first = D(1899, 1, 1), last = D(2101, 12, 31);
    char buf[64];

    (void)state;
    for (int32_t day = first; day <= last; day++) {
        int y, m, d;

        ps_date_to_ymd(day, &y, &m, &d);
        for (size_t l = 0; l < NLAYOUTS; l++) {
            /* times walk through every hour, minute and second, 60 and 59 included */
            unsigned t = (unsigned)(day - first) * 7919u;
            size_t n = format_layout(buf, sizeof(buf), l, y, m, d, (int)(t % 24),
                                     (int)(t / 24 % 60), (int)(t / 1440 % 61));

            check_parse(buf, n);
        }
    }
}

/* Every two-digit month and day in years around the limits and the leap rules. */
static void test_parse_fast_every_field(void **state)
{
    static const int years[] = { 0, 1000, 1899, 1900, 1999, 2000, 2015, 2016, 2099, 2100, 2101,
                                 9999 };
    char buf[64];

    (void)state;
    for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
        for (int m = 0; m <= 99; m++) {
            for (int d = 0; d <= 99; d++) {
                for (size_t l = 0; l < NLAYOUTS; l++)
                    check_parse(buf,
                                format_layout(buf, sizeof(buf), l, years[i], m, d, 12, 0, 0));
            }
        }
    }
    /* every two-digit hour, minute and second, one field at a time */
    for (int v = 0; v <= 99; v++) {
        for (size_t l = 1; l < NLAYOUTS; l++) {
            check_parse(buf, format_layout(buf, sizeof(buf), l, 2015, 11, 3, v, 0, 0));
            check_parse(buf, format_layout(buf, sizeof(buf), l, 2015, 11, 3, 23, v, 59));
            check_parse(buf, format_layout(buf, sizeof(buf), l, 2015, 11, 3, 0, 59, v));
        }
    }
}

static uint64_t next_random(uint64_t *x)
{
    /* xorshift64: deterministic, so a failure repeats */
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/*
 * Valid strings of every layout with one random mutation each: a byte
 * replaced (mostly by a byte the layouts use), dropped or inserted,
 * trailing garbage, surrounding spaces or quotes.
 */
static void test_parse_fast_mutations(void **state)
{
    static const char bytes[] = "0123456789-:/.,+TtZz \"\t\r\nx";
    uint64_t x = 0x9E3779B97F4A7C15u;
    char buf[64], out[80];

    (void)state;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = next_random(&x);
        int32_t day = D(1899, 1, 1) + (int32_t)(r % 74000);
        int y, m, d;
        size_t n, pos, k = 0;
        char c;

        r = next_random(&x);
        ps_date_to_ymd(day, &y, &m, &d);
        n = format_layout(buf, sizeof(buf), (size_t)(r % NLAYOUTS), y, m, d, (int)(r >> 8) % 24,
                          (int)(r >> 16) % 60, (int)(r >> 24) % 61);
        r = next_random(&x);
        pos = (size_t)(r >> 8) % n;
        c = r >> 20 & 1 ? (char)(r >> 24) : bytes[(r >> 24) % (sizeof(bytes) - 1)];
        switch (r % 7) {
        case 0: /* replace */
        case 1:
            memcpy(out, buf, n);
            out[pos] = c;
            k = n;
            break;
        case 2: /* drop */
            memcpy(out, buf, pos);
            memcpy(out + pos, buf + pos + 1, n - pos - 1);
            k = n - 1;
            break;
        case 3: /* insert */
            memcpy(out, buf, pos);
            out[pos] = c;
            memcpy(out + pos + 1, buf + pos, n - pos);
            k = n + 1;
            break;
        case 4: /* trailing garbage */
            memcpy(out, buf, n);
            out[n] = c;
            k = n + 1;
            break;
        case 5: /* spaces before, after or both */
            k = 0;
            if (r >> 40 & 1)
                out[k++] = ' ';
            memcpy(out + k, buf, n);
            k += n;
            if (r >> 41 & 1 || k == n)
                out[k++] = r >> 42 & 1 ? '\t' : ' ';
            break;
        default: /* quotes, maybe only one */
            out[k++] = '"';
            memcpy(out + k, buf, n);
            k += n;
            if (r >> 40 & 1)
                out[k++] = '"';
            break;
        }
        check_parse(out, k);
    }
}

/* Short and odd inputs around the fast path's lengths and separators. */
static void test_parse_fast_edges(void **state)
{
    static const char *const cases[] = {
        "", "2015", "2015-11-0", "2015-11-03", "2015-11-03 ", " 2015-11-03", "2015-11-03Z",
        "2015-11-03T", "2015-11-03T12:00:0", "2015-11-03T12:00:00", "2015-11-03T12:00:00Z",
        "2015-11-03T12:00:00ZZ", "2015-11-03T12:00:00.5", "2015-11-03T12:00:00+01",
        "2015-11-03T12:00:0Z", "2015-11-03 12:00:00z", "2015-11-03 12:00:00\"",
        "2015-11-03\t12:00:00", "2015-11-03_12:00:00", "2015/11/03", "2015/11/03 12:00:00",
        "2015-11-03T12-00-00", "2015-11-03T12:00:00\0", "20151103T120000Z", "1446571361",
        "1446571361123", "2015-1-03 12:00:00", "2015-11-3 12:00:00", "+015-11-03",
        "2015-11-03\x80", "\xb2\xb0\xb1\xb5-11-03", "2015-11-03T12:00:00\xda",
        "2015-11-03T23:59:60Z", "2015-11-03T24:00:00Z", "2015-11-03T00:60:00Z",
        "2015-11-03T00:00:61Z", "2100-12-31T23:59:59Z", "2101-01-01T00:00:00Z",
        "1900-01-01 00:00:00", "1899-12-31 23:59:59",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_parse_str(cases[i]);
    /* an embedded NUL, and lengths that cut a value short */
    check_parse("2015-11-03T12:00:00\0", 20);
    check_parse("2015-11-03\0", 10);
    for (size_t n = 0; n <= 20; n++)
        check_parse("2015-11-03T12:00:00Z", n);
}

/* --- ages ---------------------------------------------------------------- */

typedef struct age_case {
    const char *name;
    int by, bm, bd;
    int ay, am, ad;
    int age;
} age_case;

static const age_case age_cases[] = {
    { "at creation", 2009, 5, 1, 2015, 11, 1, 6 },
    { "years later", 2009, 5, 1, 2026, 11, 27, 17 },
    { "birthday today", 2009, 5, 1, 2022, 5, 1, 13 },
    { "day before the birthday", 2009, 5, 1, 2022, 4, 30, 12 },
    { "day of birth", 2009, 5, 1, 2009, 5, 1, 0 },
    { "before birth", 2009, 5, 1, 2009, 4, 30, -1 },
    { "29 Feb, 28 Feb of a common year", 2008, 2, 29, 2009, 2, 28, 0 },
    { "29 Feb, 1 Mar of a common year", 2008, 2, 29, 2009, 3, 1, 1 },
    { "29 Feb, 28 Feb of a leap year", 2008, 2, 29, 2012, 2, 28, 3 },
    { "29 Feb, 29 Feb of a leap year", 2008, 2, 29, 2012, 2, 29, 4 },
    { "29 Feb, 2100 is not a leap year", 2096, 2, 29, 2100, 2, 28, 3 },
    { "29 Feb, 2100-03-01", 2096, 2, 29, 2100, 3, 1, 4 },
    { "end of year", 1999, 12, 31, 2000, 12, 30, 0 },
    { "new year", 1999, 12, 31, 2000, 12, 31, 1 },
    { "a century", 1900, 1, 1, 2000, 1, 1, 100 },
};

static void test_age(void **state)
{
    const age_case *ac = *state;

    assert_int_equal(ps_age_years(D(ac->by, ac->bm, ac->bd), D(ac->ay, ac->am, ac->ad)),
                     ac->age);
}

int main(void)
{
    static const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_known_day_numbers),
        cmocka_unit_test(test_impossible_dates),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_today),
        cmocka_unit_test(test_parse_length),
        cmocka_unit_test(test_from_ymd_reference),
        cmocka_unit_test(test_to_ymd_reference),
        cmocka_unit_test(test_parse_fast_every_day),
        cmocka_unit_test(test_parse_fast_every_field),
        cmocka_unit_test(test_parse_fast_mutations),
        cmocka_unit_test(test_parse_fast_edges),
    };
    enum {
        NPLAIN = sizeof(plain) / sizeof(plain[0]),
        NPARSE = sizeof(parse_cases) / sizeof(parse_cases[0]),
        NAGE = sizeof(age_cases) / sizeof(age_cases[0])
    };
    struct CMUnitTest tests[NPLAIN + NPARSE + NAGE];
    size_t n = 0;

    for (size_t i = 0; i < NPLAIN; i++)
        tests[n++] = plain[i];
    for (size_t i = 0; i < NPARSE; i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_parse,
                                                                (void *)&parse_cases[i]);
        tests[n].name = parse_cases[i].in[0] != '\0' ? parse_cases[i].in : "(empty)";
        n++;
    }
    for (size_t i = 0; i < NAGE; i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_age,
                                                                (void *)&age_cases[i]);
        tests[n].name = age_cases[i].name;
        n++;
    }
    return _cmocka_run_group_tests("date", tests, n, NULL, NULL);
}
