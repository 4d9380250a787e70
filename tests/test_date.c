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

/* --- references for the fast arithmetic --------------------------------- */

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
