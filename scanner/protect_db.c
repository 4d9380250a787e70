/*
 * protect_db.c - field-level protection of SQLite databases.
 *
 * A database is not enveloped whole: an encrypted blob is useless to the
 * service that owns the data, and the fix VTech needed was per field
 * (hashed passwords, encrypted messages and names, lookups by blind
 * index).  So the protected copy is a new SQLite file with the same tables
 * and rows, where each column is protected as the scanner's own rules
 * judge it (ps_db_plan_make), and every rowid is kept, because a sealed
 * field's additional data names its row.
 *
 * The source is opened as file:...?mode=ro&immutable=1, as the scanner
 * does: protecting never writes beside the data it protects.  Output files
 * are built with journal_mode=OFF (they are temporary until renamed into
 * place by protect_tree.c) and fsync'ed when closed.
 *
 * Diagnostics use sqlite3_errstr() (fixed strings), never sqlite3_errmsg(),
 * which can quote data.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hs/hs.h>
#include <sodium.h>
#include <sqlite3.h>

#include "detect.h"
#include "protect.h"
#include "rules.h"
#include "sniff.h"
#include "util.h"

/* Rows handed to the worker threads at a time. */
#define BATCH_ROWS 256
/* Longest SQL statement we build (identifiers are quoted, so bounded by the schema). */
#define SQL_MAX (4u * 1024u * 1024u)
/* A column is "email-like" (gets a blind index) when most of its values are addresses. */
#define EMAIL_SHARE_PERCENT 80

static const char *const mode_names[] = {
    "keep", "aead", "argon2id", "argon2id-legacy", "argon2id-answer"
};

const char *ps_col_mode_name(ps_col_mode m)
{
    return (unsigned)m < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[m] : "?";
}

int ps_col_mode_parse(const char *name, ps_col_mode *out)
{
    for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
        if (strcmp(name, mode_names[i]) == 0) {
            *out = (ps_col_mode)i;
            return 0;
        }
    }
    return -1;
}

/* --- plans ---------------------------------------------------------------- */

void ps_db_plan_free(ps_db_plan *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->ntables; i++) {
        ps_table_plan *t = &p->tables[i];
        for (size_t j = 0; j < t->ncols; j++) {
            free(t->cols[j].name);
            free(t->cols[j].decltype);
        }
        free(t->cols);
        free(t->name);
        free(t->create_sql);
    }
    for (size_t i = 0; i < p->nobjs; i++) {
        free(p->objs[i].type);
        free(p->objs[i].name);
        free(p->objs[i].tbl);
        free(p->objs[i].sql);
    }
    free(p->tables);
    free(p->objs);
    free(p->rel_path);
    memset(p, 0, sizeof(*p));
}

ps_status ps_db_plan_add_table(ps_db_plan *p, const char *name, const char *sql, uint64_t rows)
{
    ps_table_plan *t;

    if (ps_grow(&p->tables, &p->captables, p->ntables + 1, sizeof(*p->tables)) != PS_OK)
        return PS_ERR_NOMEM;
    t = &p->tables[p->ntables];
    memset(t, 0, sizeof(*t));
    t->name = ps_strdup(name);
    t->create_sql = ps_strdup(sql);
    t->rows = rows;
    if (t->name == NULL || t->create_sql == NULL) {
        free(t->name);
        free(t->create_sql);
        return PS_ERR_NOMEM;
    }
    p->ntables++;
    return PS_OK;
}

ps_status ps_db_plan_add_column(ps_table_plan *t, const char *name, const char *decltype,
                                ps_col_mode mode, unsigned flags)
{
    ps_col_plan *c;

    if (ps_grow(&t->cols, &t->capcols, t->ncols + 1, sizeof(*t->cols)) != PS_OK)
        return PS_ERR_NOMEM;
    c = &t->cols[t->ncols];
    c->name = ps_strdup(name);
    c->decltype = ps_strdup(decltype != NULL ? decltype : "");
    c->mode = mode;
    c->flags = flags;
    if (c->name == NULL || c->decltype == NULL) {
        free(c->name);
        free(c->decltype);
        return PS_ERR_NOMEM;
    }
    t->ncols++;
    return PS_OK;
}

ps_status ps_db_plan_add_object(ps_db_plan *p, const char *type, const char *name,
                                const char *tbl, const char *sql)
{
    ps_schema_obj *o;

    if (ps_grow(&p->objs, &p->capobjs, p->nobjs + 1, sizeof(*p->objs)) != PS_OK)
        return PS_ERR_NOMEM;
    o = &p->objs[p->nobjs];
    o->type = ps_strdup(type);
    o->name = ps_strdup(name);
    o->tbl = ps_strdup(tbl);
    o->sql = ps_strdup(sql);
    if (o->type == NULL || o->name == NULL || o->tbl == NULL || o->sql == NULL) {
        free(o->type);
        free(o->name);
        free(o->tbl);
        free(o->sql);
        return PS_ERR_NOMEM;
    }
    p->nobjs++;
    return PS_OK;
}

/* --- SQLite helpers ------------------------------------------------------- */

/* Append "name" with '"' doubled: a safe SQL identifier for any name. */
static ps_status sql_ident(ps_buf *b, const char *name)
{
    ps_status st = ps_buf_putc(b, '"');

    for (const char *s = name; *s && st == PS_OK; s++)
        st = *s == '"' ? ps_buf_append(b, "\"\"", 2) : ps_buf_putc(b, *s);
    if (st == PS_OK)
        st = ps_buf_putc(b, '"');
    return st;
}

/*
 * Open a database for reading only and without side effects: a URI with
 * mode=ro&immutable=1 (no locks, no -journal/-wal/-shm beside the file),
 * and no trust in functions named by its schema.
 */
static ps_status db_open_ro(const char *path, sqlite3 **db, ps_diag *diag)
{
    static const char hex[] = "0123456789ABCDEF";
    char cwd[PATH_MAX];
    ps_buf uri;
    ps_status st;
    int rc;

    *db = NULL;
    ps_buf_init(&uri, 3 * PATH_MAX + 64);
    st = ps_buf_append(&uri, "file:", 5);
    if (st == PS_OK && path[0] != '/') {
        if (getcwd(cwd, sizeof(cwd)) == NULL)
            st = PS_ERR_IO;
        else
            st = ps_buf_printf(&uri, "%s/", cwd);
    }
    for (const char *s = path; *s && st == PS_OK; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '%' || ch == '?' || ch == '#' || ch <= 0x20 || ch >= 0x7F) {
            char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };
            st = ps_buf_append(&uri, e, 3);
        } else {
            st = ps_buf_putc(&uri, (char)ch);
        }
    }
    if (st == PS_OK)
        st = ps_buf_append(&uri, "?mode=ro&immutable=1", 20);
    if (st != PS_OK) {
        ps_buf_free(&uri);
        ps_diag_set(diag, "path too long");
        return st;
    }
    rc = sqlite3_open_v2(ps_buf_cstr(&uri), db,
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    ps_buf_free(&uri);
    if (rc != SQLITE_OK) {
        ps_diag_set(diag, "not a readable SQLite database: %s", sqlite3_errstr(rc));
        sqlite3_close_v2(*db);
        *db = NULL;
        return PS_ERR_FORMAT;
    }
    sqlite3_busy_timeout(*db, 0);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    sqlite3_db_config(*db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
#endif
#ifdef SQLITE_DBCONFIG_DEFENSIVE
    sqlite3_db_config(*db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
#endif
    return PS_OK;
}

/*
 * Create a new database file (mode 0600 before any byte is written, O_EXCL
 * so that nothing is overwritten) and open it for building.
 */
static ps_status db_create(const char *path, sqlite3 **db, ps_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc;

    *db = NULL;
    if (fd < 0) {
        ps_diag_set(diag, "%s", strerror(errno));
        return PS_ERR_IO;
    }
    close(fd);
    rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(*db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                               " PRAGMA foreign_keys=OFF; BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        ps_diag_set(diag, "cannot create the database: %s", sqlite3_errstr(rc));
        sqlite3_close_v2(*db);
        *db = NULL;
        return PS_ERR_IO;
    }
    return PS_OK;
}

/* Commit, close and fsync a database built with db_create. */
static ps_status db_finish(sqlite3 *db, const char *path, ps_diag *diag)
{
    int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    int fd;

    if (rc != SQLITE_OK) {
        ps_diag_set(diag, "cannot write the database: %s", sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return PS_ERR_IO;
    }
    rc = sqlite3_close(db);
    if (rc != SQLITE_OK) {
        ps_diag_set(diag, "cannot close the database: %s", sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return PS_ERR_IO;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        ps_diag_set(diag, "fsync: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return PS_ERR_IO;
    }
    close(fd);
    return PS_OK;
}

/*
 * Run one schema statement from a manifest or a plan: exactly one
 * statement, and a CREATE, so that a schema line can never be made to do
 * anything else.
 */
static ps_status db_exec_create(sqlite3 *db, const char *sql, ps_diag *diag)
{
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    int rc;

    if (strncmp(sql, "CREATE ", 7) != 0 && strncmp(sql, "create ", 7) != 0) {
        ps_diag_set(diag, "schema statement is not a CREATE");
        return PS_ERR_FORMAT;
    }
    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, &tail);
    if (rc == SQLITE_OK && tail != NULL) {
        while (*tail == ' ' || *tail == '\t' || *tail == '\n' || *tail == '\r' || *tail == ';')
            tail++;
        if (*tail != '\0') {
            sqlite3_finalize(stmt);
            ps_diag_set(diag, "schema statement holds more than one statement");
            return PS_ERR_FORMAT;
        }
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        ps_diag_set(diag, "schema statement failed: %s", sqlite3_errstr(rc));
        return PS_ERR_FORMAT;
    }
    return PS_OK;
}

/* Which name reaches the rowid: "rowid", "_rowid_" or "oid", whichever no column hides. */
static const char *rowid_name(const ps_table_plan *t)
{
    static const char *const names[] = { "rowid", "_rowid_", "oid" };

    for (size_t i = 0; i < 3; i++) {
        bool used = false;
        /* "<column>_bidx" never ends like these names, so only columns can hide them. */
        for (size_t j = 0; j < t->ncols && !used; j++)
            used = ps_strcaseeq(t->cols[j].name, names[i]);
        if (!used)
            return names[i];
    }
    return NULL;
}

/* "SELECT <rowid>, "c1", ... FROM "t" ORDER BY <rowid>"; with_bidx adds the _bidx columns. */
static ps_status build_select(ps_buf *sql, const ps_table_plan *t, const char *rid, bool with_bidx)
{
    ps_status st;

    ps_buf_reset(sql);
    st = ps_buf_printf(sql, "SELECT %s", rid);
    for (size_t j = 0; j < t->ncols && st == PS_OK; j++) {
        st = ps_buf_append(sql, ", ", 2);
        if (st == PS_OK)
            st = sql_ident(sql, t->cols[j].name);
    }
    for (size_t j = 0; with_bidx && j < t->ncols && st == PS_OK; j++) {
        if (!(t->cols[j].flags & PS_COL_BIDX))
            continue;
        st = ps_buf_printf(sql, ", \"");
        for (const char *s = t->cols[j].name; *s && st == PS_OK; s++)
            st = *s == '"' ? ps_buf_append(sql, "\"\"", 2) : ps_buf_putc(sql, *s);
        if (st == PS_OK)
            st = ps_buf_append(sql, "_bidx\"", 6);
    }
    if (st == PS_OK)
        st = ps_buf_append(sql, " FROM ", 6);
    if (st == PS_OK)
        st = sql_ident(sql, t->name);
    if (st == PS_OK)
        st = ps_buf_printf(sql, " ORDER BY %s", rid);
    return st;
}

/* "INSERT INTO "t"(<rowid>, "c1", ...[, "c_bidx"...]) VALUES (?, ...)". */
static ps_status build_insert(ps_buf *sql, const ps_table_plan *t, const char *rid, bool with_bidx)
{
    size_t n = 1;
    ps_status st;

    ps_buf_reset(sql);
    st = ps_buf_append(sql, "INSERT INTO ", 12);
    if (st == PS_OK)
        st = sql_ident(sql, t->name);
    if (st == PS_OK)
        st = ps_buf_printf(sql, "(%s", rid);
    for (size_t j = 0; j < t->ncols && st == PS_OK; j++, n++) {
        st = ps_buf_append(sql, ", ", 2);
        if (st == PS_OK)
            st = sql_ident(sql, t->cols[j].name);
    }
    for (size_t j = 0; with_bidx && j < t->ncols && st == PS_OK; j++) {
        if (!(t->cols[j].flags & PS_COL_BIDX))
            continue;
        st = ps_buf_append(sql, ", \"", 3);
        for (const char *s = t->cols[j].name; *s && st == PS_OK; s++)
            st = *s == '"' ? ps_buf_append(sql, "\"\"", 2) : ps_buf_putc(sql, *s);
        if (st == PS_OK)
            st = ps_buf_append(sql, "_bidx\"", 6);
        n++;
    }
    if (st == PS_OK)
        st = ps_buf_append(sql, ") VALUES (?", 11);
    for (size_t j = 1; j < n && st == PS_OK; j++)
        st = ps_buf_append(sql, ", ?", 3);
    if (st == PS_OK)
        st = ps_buf_putc(sql, ')');
    return st;
}

/* --- deciding: what do the rules find in each column? --------------------- */

/* One compiled subjects regex, matched against table and column names. */
typedef struct name_re {
    hs_database_t *db;
    hs_scratch_t *scratch;
} name_re;

static void name_re_free(name_re *r)
{
    hs_free_scratch(r->scratch);
    hs_free_database(r->db);
    memset(r, 0, sizeof(*r));
}

/* Compile pattern idx of rs; a pattern that is absent or fails leaves r empty. */
static void name_re_compile(const ps_ruleset *rs, uint32_t idx, name_re *r)
{
    hs_compile_error_t *err = NULL;
    unsigned flags;
    const ps_pattern *p;

    memset(r, 0, sizeof(*r));
    if (idx == UINT32_MAX || idx >= rs->npatterns)
        return;
    p = &rs->patterns[idx];
    flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY |
            ((p->flags & PS_PAT_CASELESS) ? HS_FLAG_CASELESS : 0u);
    if (((p->flags & PS_PAT_LITERAL)
             ? hs_compile_lit(p->expr, flags & ~HS_FLAG_ALLOWEMPTY, strlen(p->expr),
                              HS_MODE_BLOCK, NULL, &r->db, &err)
             : hs_compile(p->expr, flags, HS_MODE_BLOCK, NULL, &r->db, &err)) != HS_SUCCESS) {
        hs_free_compile_error(err);
        r->db = NULL;
        return;
    }
    if (hs_alloc_scratch(r->db, &r->scratch) != HS_SUCCESS)
        name_re_free(r);
}

static int name_re_hit(unsigned id, unsigned long long from, unsigned long long to,
                       unsigned flags, void *ud)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    *(bool *)ud = true;
    return 1; /* one match is enough */
}

static bool name_re_match(const name_re *r, const char *s)
{
    bool hit = false;

    if (r->db == NULL)
        return false;
    hs_scan(r->db, s, (unsigned)strlen(s), 0, r->scratch, name_re_hit, &hit);
    return hit;
}

/* What the scanner saw in one column, over every non-NULL cell. */
typedef struct col_seen {
    uint32_t cats;       /* (1u << ps_category) of rules that fired */
    uint64_t nonnull;
    uint64_t emails;     /* cells that are one bare email address */
    uint64_t ipv4;       /* cells that are one dotted-quad IPv4 address */
} col_seen;

typedef struct classify_ctx {
    const ps_ruleset *rs;
    col_seen *seen;
} classify_ctx;

static int classify_hit(void *ud, uint32_t rule, const ps_record *rec)
{
    classify_ctx *c = ud;
    size_t j = (size_t)rec->loc.row; /* classify passes the column index here */

    c->seen[j].cats |= 1u << c->rs->rules[rule].category;
    return 0;
}

/* One address and nothing else: local@domain.tld, no spaces, one '@'. */
static bool bare_email(const unsigned char *v, size_t n)
{
    size_t at = n, dot = n;

    if (n < 3 || n > 254)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = v[i];
        if (c <= ' ' || c >= 0x7F)
            return false;
        if (c == '@') {
            if (at != n)
                return false;
            at = i;
        } else if (c == '.' && at != n) {
            dot = i;
        }
    }
    return at > 0 && at < n && dot > at + 1 && dot + 1 < n;
}

static bool name_has(const char *name, const char *word)
{
    size_t nw = strlen(word);

    for (const char *s = name; *s; s++) {
        size_t i = 0;
        while (i < nw && s[i] && (s[i] | 0x20) == word[i])
            i++;
        if (i == nw)
            return true;
    }
    return false;
}

/*
 * The mode of a column from the categories that fired on it.  Secret
 * questions and password hints share the answers' category but must stay
 * readable to the service (it shows them), so a column named like one is
 * sealed; the answer itself is hashed, since the service only compares it.
 */
static ps_col_mode mode_for(uint32_t cats, const char *col, bool subject)
{
    if (cats & (1u << PS_CAT_PLAINTEXT_PASSWORD))
        return PS_COL_ARGON2ID;
    if (cats & (1u << PS_CAT_WEAK_PASSWORD_HASH))
        return PS_COL_ARGON2ID_LEGACY;
    if (cats & (1u << PS_CAT_PLAINTEXT_SECRET_ANSWER))
        return name_has(col, "question") || name_has(col, "hint") ? PS_COL_AEAD
                                                                  : PS_COL_ARGON2ID_ANSWER;
    if (cats != 0 || subject)
        return PS_COL_AEAD;
    return PS_COL_KEEP;
}

/*
 * Birthdate columns for --minimise: the subjects' child birthdate regex
 * when the rule set has one, else a column named like a birth date.
 */
static bool is_birthdate(const name_re *re, const char *col)
{
    if (re->db != NULL)
        return name_re_match(re, col);
    return name_has(col, "birth") || ps_strcaseeq(col, "dob");
}

/* Columns of one table into t (names and declared types); refuses generated columns. */
static ps_status plan_columns(sqlite3 *db, ps_table_plan *t, ps_diag *diag)
{
    sqlite3_stmt *stmt = NULL;
    ps_status st = PS_OK;
    int rc = sqlite3_prepare_v2(db, "SELECT name, type, hidden FROM pragma_table_xinfo(?)",
                                -1, &stmt, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, t->name, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        const char *type = (const char *)sqlite3_column_text(stmt, 1);

        if (sqlite3_column_int(stmt, 2) != 0) {
            ps_diag_set(diag, "table %s: generated or hidden columns are not supported", t->name);
            st = PS_ERR_FORMAT;
            break;
        }
        if (name == NULL) {
            st = PS_ERR_NOMEM;
            break;
        }
        st = ps_db_plan_add_column(t, name, type, PS_COL_KEEP, 0);
        if (st != PS_OK)
            break;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    if (st == PS_OK && rc != SQLITE_DONE) {
        ps_diag_set(diag, "table %s: %s", t->name, sqlite3_errstr(rc));
        st = PS_ERR_FORMAT;
    }
    if (st == PS_OK && t->ncols == 0) {
        ps_diag_set(diag, "table %s: no columns", t->name);
        st = PS_ERR_FORMAT;
    }
    return st;
}

/* Run the record rules over every cell of t and set each column's mode. */
static ps_status plan_classify(sqlite3 *db, ps_match_ctx *mc, const ps_ruleset *rs,
                               ps_table_plan *t, const name_re *subj, bool minimise,
                               ps_diag *diag)
{
    sqlite3_stmt *stmt = NULL;
    col_seen *seen = calloc(t->ncols, sizeof(*seen));
    classify_ctx cc = { rs, seen };
    const char *rid = rowid_name(t);
    ps_buf sql;
    ps_status st;
    int rc;

    ps_buf_init(&sql, SQL_MAX);
    if (seen == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    if (rid == NULL) {
        ps_diag_set(diag, "table %s: columns hide every name of the rowid", t->name);
        st = PS_ERR_FORMAT;
        goto done;
    }
    st = build_select(&sql, t, rid, false);
    if (st != PS_OK)
        goto done;
    rc = sqlite3_prepare_v2(db, ps_buf_cstr(&sql), -1, &stmt, NULL);
    if (rc != SQLITE_OK) {
        /* Only a WITHOUT ROWID table fails here once the columns are known. */
        ps_diag_set(diag, "table %s: WITHOUT ROWID tables are not supported", t->name);
        st = PS_ERR_FORMAT;
        goto done;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        t->rows++;
        for (size_t j = 0; j < t->ncols; j++) {
            int type = sqlite3_column_type(stmt, (int)j + 1);
            const void *v;
            ps_record rec;
            int n;

            if (type == SQLITE_NULL)
                continue;
            v = type == SQLITE_BLOB ? sqlite3_column_blob(stmt, (int)j + 1)
                                    : (const void *)sqlite3_column_text(stmt, (int)j + 1);
            n = sqlite3_column_bytes(stmt, (int)j + 1);
            memset(&rec, 0, sizeof(rec));
            rec.field = t->cols[j].name;
            rec.field_len = strlen(t->cols[j].name);
            rec.value = v != NULL ? v : "";
            rec.value_len = (size_t)n;
            if (type == SQLITE_BLOB && n > 0) {
                size_t head = (size_t)n < PS_SNIFF_HEAD ? (size_t)n : PS_SNIFF_HEAD;
                ps_sniff s = ps_sniff_buffer(v, head, NULL, (uint64_t)n);
                if (s.format == PS_FMT_MEDIA)
                    rec.media = s.media;
            }
            rec.loc.kind = PS_LOC_CELL;
            rec.loc.table = t->name;
            rec.loc.column = t->cols[j].name;
            /* The hit callback only needs the column: pass its index as the row. */
            rec.loc.row = (int64_t)j;
            st = ps_match_record(mc, &rec, classify_hit, &cc);
            if (st != PS_OK && st != PS_ERR_STOP) {
                ps_diag_set(diag, "table %s: matching failed: %s", t->name, ps_strerror(st));
                goto done;
            }
            st = PS_OK;
            seen[j].nonnull++;
            if (type == SQLITE_TEXT && bare_email(v, (size_t)n))
                seen[j].emails++;
            if (type == SQLITE_TEXT) {
                char ip[16];
                if (ps_minimise_ipv4(v, (size_t)n, ip))
                    seen[j].ipv4++;
            }
        }
    }
    if (rc != SQLITE_DONE) {
        ps_diag_set(diag, "table %s: %s", t->name, sqlite3_errstr(rc));
        st = PS_ERR_FORMAT;
        goto done;
    }
    for (size_t j = 0; j < t->ncols; j++) {
        ps_col_plan *c = &t->cols[j];
        bool subject = name_re_match(&subj[0], t->name) &&
                       (name_re_match(&subj[1], c->name) || name_re_match(&subj[2], c->name));

        c->mode = mode_for(seen[j].cats, c->name, subject);
        if (c->mode != PS_COL_AEAD)
            continue;
        if (seen[j].nonnull > 0 && seen[j].emails * 100 >= seen[j].nonnull * EMAIL_SHARE_PERCENT)
            c->flags |= PS_COL_BIDX;
        if (minimise && is_birthdate(&subj[1], c->name))
            c->flags |= PS_COL_YEAR;
        if (minimise && seen[j].nonnull > 0 &&
            seen[j].ipv4 * 100 >= seen[j].nonnull * EMAIL_SHARE_PERCENT)
            c->flags |= PS_COL_IP24;
    }
    /* A blind index column must not collide with a column of the table. */
    for (size_t j = 0; j < t->ncols; j++) {
        if (!(t->cols[j].flags & PS_COL_BIDX))
            continue;
        for (size_t k = 0; k < t->ncols; k++) {
            size_t n = strlen(t->cols[j].name);
            if (strncmp(t->cols[k].name, t->cols[j].name, n) == 0 &&
                strcmp(t->cols[k].name + n, "_bidx") == 0) {
                ps_diag_set(diag, "table %s: column %s_bidx already exists", t->name,
                            t->cols[j].name);
                st = PS_ERR_FORMAT;
                goto done;
            }
        }
    }
done:
    sqlite3_finalize(stmt);
    ps_buf_free(&sql);
    free(seen);
    return st;
}

ps_status ps_db_plan_make(const ps_matcher *m, const char *src_path, const char *rel_path,
                          bool minimise, ps_db_plan *out, ps_diag *diag)
{
    const ps_ruleset *rs = ps_matcher_rules(m);
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    ps_match_ctx *mc = NULL;
    ps_file_facts facts;
    name_re subj[3];
    ps_status st;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(subj, 0, sizeof(subj));
    out->rel_path = ps_strdup(rel_path);
    if (out->rel_path == NULL)
        return PS_ERR_NOMEM;
    st = db_open_ro(src_path, &db, diag);
    if (st != PS_OK)
        goto done;
    rc = sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM sqlite_master"
                                " ORDER BY rowid", -1, &stmt, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(stmt, 0);
        const char *name = (const char *)sqlite3_column_text(stmt, 1);
        const char *tbl = (const char *)sqlite3_column_text(stmt, 2);
        const char *sql = (const char *)sqlite3_column_text(stmt, 3);

        rc = SQLITE_OK;
        if (type == NULL || name == NULL || tbl == NULL)
            continue;
        /* SQLite's own tables and automatic indexes are rebuilt by SQLite itself. */
        if (strncmp(name, "sqlite_", 7) == 0 || sql == NULL)
            continue;
        if (strcmp(type, "table") == 0) {
            if (strncmp(sql, "CREATE VIRTUAL TABLE", 20) == 0) {
                /* Its shadow tables would keep a readable copy of what we protect. */
                ps_diag_set(diag, "table %s: virtual tables are not supported", name);
                st = PS_ERR_FORMAT;
                goto done;
            }
            st = ps_db_plan_add_table(out, name, sql, 0);
        } else {
            st = ps_db_plan_add_object(out, type, name, tbl, sql);
        }
        if (st != PS_OK)
            goto done;
    }
    if (rc != SQLITE_DONE) {
        ps_diag_set(diag, "not a readable SQLite database: %s", sqlite3_errstr(rc));
        st = PS_ERR_FORMAT;
        goto done;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;

    if (rs->subjects.present) {
        name_re_compile(rs, rs->subjects.child_tables, &subj[0]);
        name_re_compile(rs, rs->subjects.child_birthdate, &subj[1]);
        name_re_compile(rs, rs->subjects.child_identifying, &subj[2]);
    }
    st = ps_match_ctx_create(m, &mc);
    if (st != PS_OK)
        goto done;
    memset(&facts, 0, sizeof(facts));
    facts.rel_path = rel_path;
    facts.mode = 0600;
    facts.sniff.format = PS_FMT_SQLITE;
    facts.beside = 0;
    ps_match_file_begin(mc, &facts);
    for (size_t i = 0; i < out->ntables && st == PS_OK; i++) {
        st = plan_columns(db, &out->tables[i], diag);
        if (st == PS_OK)
            st = plan_classify(db, mc, rs, &out->tables[i], subj, minimise, diag);
    }
done:
    for (size_t i = 0; i < 3; i++)
        name_re_free(&subj[i]);
    ps_match_ctx_destroy(mc);
    sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
    if (st != PS_OK)
        ps_db_plan_free(out);
    return st;
}

/* --- protecting: a batch of rows at a time, on a few threads -------------- */

/* One value: its storage class and an owned copy of its bytes. */
typedef struct cell {
    int type;           /* SQLITE_NULL / INTEGER / FLOAT / TEXT / BLOB */
    sqlite3_int64 i;
    double d;
    unsigned char *p;   /* TEXT / BLOB bytes; for numbers, their text form */
    size_t n;
} cell;

typedef struct batch {
    const ps_key *key;
    const ps_table_plan *t;
    size_t ncols, nbidx, stride; /* a row: ncols in, ncols out, nbidx blind indexes */
    sqlite3_int64 rowid[BATCH_ROWS];
    cell *cells;                 /* BATCH_ROWS * stride */
    size_t nrows;
    atomic_size_t next;
    pthread_mutex_t lock;
    ps_status first;             /* first worker failure */
    ps_diag diag;
} batch;

static void cell_clear(cell *c)
{
    if (c->p != NULL) {
        sodium_memzero(c->p, c->n);
        free(c->p);
    }
    memset(c, 0, sizeof(*c));
}

static ps_status cell_set_bytes(cell *c, int type, const void *p, size_t n)
{
    c->type = type;
    c->p = malloc(n + 1);
    if (c->p == NULL)
        return PS_ERR_NOMEM;
    if (n > 0)
        memcpy(c->p, p, n);
    c->p[n] = '\0';
    c->n = n;
    return PS_OK;
}

/* An owned copy of src in dst. */
static ps_status cell_copy(cell *dst, const cell *src)
{
    ps_status st = cell_set_bytes(dst, src->type, src->p, src->n);

    dst->i = src->i;
    dst->d = src->d;
    return st;
}

/* Copy column col of the current row of stmt into c. */
static ps_status cell_load(cell *c, sqlite3_stmt *stmt, int col)
{
    int type = sqlite3_column_type(stmt, col);
    const void *v;

    memset(c, 0, sizeof(*c));
    c->type = type;
    if (type == SQLITE_NULL)
        return PS_OK;
    if (type == SQLITE_INTEGER)
        c->i = sqlite3_column_int64(stmt, col);
    else if (type == SQLITE_FLOAT)
        c->d = sqlite3_column_double(stmt, col);
    v = type == SQLITE_BLOB ? sqlite3_column_blob(stmt, col)
                            : (const void *)sqlite3_column_text(stmt, col);
    if (v == NULL && sqlite3_column_bytes(stmt, col) > 0)
        return PS_ERR_NOMEM;
    return cell_set_bytes(c, type, v != NULL ? v : "", (size_t)sqlite3_column_bytes(stmt, col));
}

/* Bind c; with copy, SQLite takes its own copy (c may be freed before the step). */
static ps_status cell_bind(sqlite3_stmt *stmt, int idx, const cell *c, bool copy)
{
    sqlite3_destructor_type how = copy ? SQLITE_TRANSIENT : SQLITE_STATIC;
    int rc;

    switch (c->type) {
    case SQLITE_INTEGER: rc = sqlite3_bind_int64(stmt, idx, c->i); break;
    case SQLITE_FLOAT: rc = sqlite3_bind_double(stmt, idx, c->d); break;
    case SQLITE_TEXT: rc = sqlite3_bind_text(stmt, idx, (const char *)c->p, (int)c->n, how); break;
    case SQLITE_BLOB: rc = sqlite3_bind_blob(stmt, idx, c->p, (int)c->n, how); break;
    default: rc = sqlite3_bind_null(stmt, idx); break;
    }
    return rc == SQLITE_OK ? PS_OK : PS_ERR_NOMEM;
}

static void put_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)v;
        v >>= 8;
    }
}

static uint64_t get_be64(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* Seal one cell (after minimisation) into out as TEXT; bidx gets its blind index. */
static ps_status seal_cell(const batch *b, const ps_col_plan *c, int64_t row, const cell *in,
                           cell *out, cell *bidx)
{
    ps_field_place place = { b->t->name, c->name, row };
    unsigned char num[8];
    const void *v = in->p;
    size_t n = in->n;
    ps_field_type ft = PS_FIELD_TEXT;
    char small[16];
    ps_buf sealed;
    ps_status st;

    if (in->type == SQLITE_INTEGER) {
        put_be64(num, (uint64_t)in->i);
        v = num;
        n = 8;
        ft = PS_FIELD_INTEGER;
    } else if (in->type == SQLITE_FLOAT) {
        uint64_t bits;
        memcpy(&bits, &in->d, 8);
        put_be64(num, bits);
        v = num;
        n = 8;
        ft = PS_FIELD_REAL;
    } else if (in->type == SQLITE_BLOB) {
        ft = PS_FIELD_BLOB;
    } else if ((c->flags & PS_COL_YEAR) && ps_minimise_year(v, n, small)) {
        v = small;
        n = 4;
    } else if ((c->flags & PS_COL_IP24) && ps_minimise_ipv4(v, n, small)) {
        v = small;
        n = strlen(small);
    }
    if (bidx != NULL) {
        char h[PS_BIDX_SIZE];
        st = ps_blind_index(b->key, v, n, h);
        if (st == PS_OK)
            st = cell_set_bytes(bidx, SQLITE_TEXT, h, PS_BIDX_SIZE - 1);
        if (st != PS_OK)
            return st;
    }
    ps_buf_init(&sealed, (size_t)1 << 31);
    st = ps_field_seal(b->key, &place, ft, v, n, &sealed);
    if (st == PS_OK)
        st = cell_set_bytes(out, SQLITE_TEXT, sealed.data, sealed.len);
    ps_buf_free(&sealed);
    sodium_memzero(small, sizeof(small));
    return st;
}

/* Hash one cell with argon2id as the column's mode says; strong hashes stay as they are. */
static ps_status hash_cell(const ps_col_plan *c, const cell *in, cell *out)
{
    char h[PS_PWHASH_SIZE];
    int kind = ps_detect_hash((const char *)in->p, in->n);
    ps_status st;

    if (kind == PS_HASH_ARGON2 || kind == PS_HASH_BCRYPT || kind == PS_HASH_SCRYPT ||
        kind == PS_HASH_PBKDF2)
        return cell_set_bytes(out, in->type, in->p, in->n);
    if (c->mode == PS_COL_ARGON2ID_ANSWER)
        st = ps_pwhash_answer((const char *)in->p, in->n, h);
    else if (c->mode == PS_COL_ARGON2ID_LEGACY && kind >= 0)
        st = ps_pwhash_legacy((const char *)in->p, in->n, h);
    else
        st = ps_pwhash((const char *)in->p, in->n, h);
    if (st == PS_OK)
        st = cell_set_bytes(out, SQLITE_TEXT, h, strlen(h));
    return st;
}

/* Compute the output cells of row r of the batch. */
static ps_status process_row(batch *b, size_t r)
{
    cell *in = &b->cells[r * b->stride];
    cell *out = in + b->ncols;
    cell *bidx = out + b->ncols;
    size_t k = 0;
    ps_status st = PS_OK;

    for (size_t j = 0; j < b->ncols && st == PS_OK; j++) {
        const ps_col_plan *c = &b->t->cols[j];
        cell *bx = (c->flags & PS_COL_BIDX) ? &bidx[k++] : NULL;

        if (in[j].type == SQLITE_NULL)
            continue; /* NULL stays NULL, and so does its blind index */
        if (c->mode == PS_COL_KEEP)
            st = cell_copy(&out[j], &in[j]);
        else if (c->mode == PS_COL_AEAD)
            st = seal_cell(b, c, b->rowid[r], &in[j], &out[j], bx);
        else
            st = hash_cell(c, &in[j], &out[j]);
    }
    return st;
}

static void *worker(void *arg)
{
    batch *b = arg;

    for (;;) {
        size_t r = atomic_fetch_add(&b->next, 1);
        ps_status st;

        if (r >= b->nrows)
            break;
        st = process_row(b, r);
        if (st != PS_OK) {
            pthread_mutex_lock(&b->lock);
            if (b->first == PS_OK) {
                b->first = st;
                ps_diag_set(&b->diag, "table %s row %lld: %s", b->t->name,
                            (long long)b->rowid[r], ps_strerror(st));
            }
            pthread_mutex_unlock(&b->lock);
            break;
        }
    }
    return NULL;
}

/* Process the loaded rows of b on up to `threads` threads (the caller's included). */
static ps_status run_batch(batch *b, unsigned threads, ps_diag *diag)
{
    pthread_t tid[64];
    size_t started = 0, want = threads > 64 ? 64 : threads;

    if (want > b->nrows)
        want = b->nrows;
    atomic_store(&b->next, 0);
    b->first = PS_OK;
    for (size_t i = 1; i < want; i++) {
        if (pthread_create(&tid[started], NULL, worker, b) != 0)
            break; /* fewer threads is slower, not wrong */
        started++;
    }
    worker(b);
    for (size_t i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (b->first != PS_OK)
        *diag = b->diag;
    return b->first;
}

/* CREATE TABLE of the protected copy: original names and types; sealed or hashed columns TEXT. */
static ps_status protected_create(ps_buf *sql, const ps_table_plan *t)
{
    ps_status st;

    ps_buf_reset(sql);
    st = ps_buf_append(sql, "CREATE TABLE ", 13);
    if (st == PS_OK)
        st = sql_ident(sql, t->name);
    if (st == PS_OK)
        st = ps_buf_putc(sql, '(');
    for (size_t j = 0; j < t->ncols && st == PS_OK; j++) {
        const ps_col_plan *c = &t->cols[j];
        if (j > 0)
            st = ps_buf_append(sql, ", ", 2);
        if (st == PS_OK)
            st = sql_ident(sql, c->name);
        /* A KEEP column keeps its affinity, so a copied value is stored the same way. */
        if (st == PS_OK)
            st = ps_buf_printf(sql, " %s", c->mode == PS_COL_KEEP ? c->decltype : "TEXT");
    }
    for (size_t j = 0; j < t->ncols && st == PS_OK; j++) {
        if (!(t->cols[j].flags & PS_COL_BIDX))
            continue;
        st = ps_buf_append(sql, ", \"", 3);
        for (const char *s = t->cols[j].name; *s && st == PS_OK; s++)
            st = *s == '"' ? ps_buf_append(sql, "\"\"", 2) : ps_buf_putc(sql, *s);
        if (st == PS_OK)
            st = ps_buf_append(sql, "_bidx\" TEXT", 11);
    }
    if (st == PS_OK)
        st = ps_buf_putc(sql, ')');
    return st;
}

/* An index on each blind index column: lookups are what it is for. */
static ps_status bidx_indexes(sqlite3 *db, ps_buf *sql, const ps_table_plan *t, ps_diag *diag)
{
    ps_status st = PS_OK;

    for (size_t j = 0; j < t->ncols && st == PS_OK; j++) {
        ps_buf name;

        if (!(t->cols[j].flags & PS_COL_BIDX))
            continue;
        ps_buf_init(&name, SQL_MAX);
        ps_buf_reset(sql);
        st = ps_buf_printf(&name, "%s_%s_bidx", t->name, t->cols[j].name);
        if (st == PS_OK)
            st = ps_buf_append(sql, "CREATE INDEX ", 13);
        if (st == PS_OK)
            st = sql_ident(sql, ps_buf_cstr(&name));
        if (st == PS_OK)
            st = ps_buf_append(sql, " ON ", 4);
        if (st == PS_OK)
            st = sql_ident(sql, t->name);
        if (st == PS_OK)
            st = ps_buf_append(sql, "(", 1);
        ps_buf_reset(&name);
        if (st == PS_OK)
            st = ps_buf_printf(&name, "%s_bidx", t->cols[j].name);
        if (st == PS_OK)
            st = sql_ident(sql, ps_buf_cstr(&name));
        if (st == PS_OK)
            st = ps_buf_putc(sql, ')');
        if (st == PS_OK)
            st = db_exec_create(db, ps_buf_cstr(sql), diag);
        ps_buf_free(&name);
    }
    return st;
}

/* Protect one table: read a batch, process it on the pool, insert it. */
static ps_status protect_table(const ps_key *k, sqlite3 *src, sqlite3 *dst,
                               const ps_table_plan *t, unsigned threads, ps_diag *diag)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    const char *rid = rowid_name(t);
    ps_buf sql;
    batch *b = NULL;
    ps_status st;
    int rc = SQLITE_ROW;
    size_t nbidx = 0;

    ps_buf_init(&sql, SQL_MAX);
    for (size_t j = 0; j < t->ncols; j++)
        nbidx += (t->cols[j].flags & PS_COL_BIDX) ? 1 : 0;
    st = protected_create(&sql, t);
    if (st == PS_OK)
        st = db_exec_create(dst, ps_buf_cstr(&sql), diag);
    if (st != PS_OK)
        goto done;
    if (rid == NULL) {
        ps_diag_set(diag, "table %s: columns hide every name of the rowid", t->name);
        st = PS_ERR_FORMAT;
        goto done;
    }
    st = build_select(&sql, t, rid, false);
    if (st == PS_OK && sqlite3_prepare_v2(src, ps_buf_cstr(&sql), -1, &sel, NULL) != SQLITE_OK)
        st = PS_ERR_FORMAT;
    if (st == PS_OK)
        st = build_insert(&sql, t, rid, true);
    if (st == PS_OK && sqlite3_prepare_v2(dst, ps_buf_cstr(&sql), -1, &ins, NULL) != SQLITE_OK)
        st = PS_ERR_FORMAT;
    if (st != PS_OK) {
        ps_diag_set(diag, "table %s: cannot prepare the copy", t->name);
        goto done;
    }
    b = calloc(1, sizeof(*b));
    if (b == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    b->key = k;
    b->t = t;
    b->ncols = t->ncols;
    b->nbidx = nbidx;
    b->stride = 2 * t->ncols + nbidx;
    b->cells = calloc((size_t)BATCH_ROWS * b->stride, sizeof(cell));
    pthread_mutex_init(&b->lock, NULL);
    if (b->cells == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    while (rc == SQLITE_ROW) {
        b->nrows = 0;
        while (b->nrows < BATCH_ROWS && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
            cell *in = &b->cells[b->nrows * b->stride];
            b->rowid[b->nrows] = sqlite3_column_int64(sel, 0);
            for (size_t j = 0; j < t->ncols && st == PS_OK; j++)
                st = cell_load(&in[j], sel, (int)j + 1);
            b->nrows++;
            if (st != PS_OK)
                goto done;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            ps_diag_set(diag, "table %s: %s", t->name, sqlite3_errstr(rc));
            st = PS_ERR_FORMAT;
            goto done;
        }
        if (b->nrows == 0)
            break;
        st = run_batch(b, threads, diag);
        if (st != PS_OK)
            goto done;
        for (size_t r = 0; r < b->nrows && st == PS_OK; r++) {
            cell *out = &b->cells[r * b->stride + b->ncols];
            sqlite3_reset(ins);
            sqlite3_clear_bindings(ins);
            sqlite3_bind_int64(ins, 1, b->rowid[r]);
            for (size_t j = 0; j < t->ncols + nbidx && st == PS_OK; j++)
                st = cell_bind(ins, (int)j + 2, &out[j], false);
            if (st == PS_OK && (rc = sqlite3_step(ins)) != SQLITE_DONE) {
                ps_diag_set(diag, "table %s row %lld: cannot write: %s", t->name,
                            (long long)b->rowid[r], sqlite3_errstr(rc));
                st = PS_ERR_IO;
            }
            rc = SQLITE_ROW;
        }
        for (size_t i = 0; i < b->nrows * b->stride; i++)
            cell_clear(&b->cells[i]);
        if (st != PS_OK)
            goto done;
        if (b->nrows < BATCH_ROWS)
            break;
    }
    st = bidx_indexes(dst, &sql, t, diag);
done:
    if (b != NULL) {
        if (b->cells != NULL) {
            for (size_t i = 0; i < (size_t)BATCH_ROWS * b->stride; i++)
                cell_clear(&b->cells[i]);
        }
        free(b->cells);
        pthread_mutex_destroy(&b->lock);
        free(b);
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    ps_buf_free(&sql);
    return st;
}

ps_status ps_db_protect(const ps_key *k, const ps_db_plan *plan, const char *src_path,
                        const char *dst_path, unsigned threads, ps_diag *diag)
{
    sqlite3 *src = NULL, *dst = NULL;
    ps_status st;

    if (threads == 0)
        threads = 1;
    st = db_open_ro(src_path, &src, diag);
    if (st == PS_OK)
        st = db_create(dst_path, &dst, diag);
    for (size_t i = 0; i < plan->ntables && st == PS_OK; i++)
        st = protect_table(k, src, dst, &plan->tables[i], threads, diag);
    sqlite3_close_v2(src);
    if (st == PS_OK) {
        st = db_finish(dst, dst_path, diag);
    } else if (dst != NULL) {
        sqlite3_close_v2(dst);
    }
    return st;
}

/* --- unprotecting and verifying ------------------------------------------- */

/* Open sealed TEXT v at place; on success *out holds the value with its original type. */
static ps_status open_cell(const ps_key *k, const ps_field_place *place, const unsigned char *v,
                           size_t n, cell *out, ps_buf *tmp)
{
    ps_field_type ft;
    ps_status st;

    ps_buf_reset(tmp);
    st = ps_field_open(k, place, (const char *)v, n, &ft, tmp);
    if (st != PS_OK)
        return st;
    memset(out, 0, sizeof(*out));
    switch (ft) {
    case PS_FIELD_INTEGER:
        out->type = SQLITE_INTEGER;
        out->i = (sqlite3_int64)get_be64((const unsigned char *)tmp->data);
        break;
    case PS_FIELD_REAL: {
        uint64_t bits = get_be64((const unsigned char *)tmp->data);
        out->type = SQLITE_FLOAT;
        memcpy(&out->d, &bits, 8);
        break;
    }
    case PS_FIELD_BLOB:
        return cell_set_bytes(out, SQLITE_BLOB, tmp->data, tmp->len);
    default:
        return cell_set_bytes(out, SQLITE_TEXT, tmp->len ? tmp->data : "", tmp->len);
    }
    return PS_OK;
}

/*
 * Walk the rows of a protected table, opening every sealed field.  With ins
 * set, rows are restored into it; with fn set, each problem is reported and
 * the walk goes on (verify); otherwise the first problem stops it.
 */
static ps_status walk_protected(const ps_key *k, sqlite3 *src, const ps_table_plan *t,
                                const char *path, sqlite3_stmt *ins, ps_note_fn fn, void *ud,
                                size_t *problems, ps_diag *diag)
{
    sqlite3_stmt *sel = NULL;
    const char *rid = rowid_name(t);
    ps_buf sql, tmp, msg;
    uint64_t rows = 0;
    ps_status st;
    int rc;

    ps_buf_init(&sql, SQL_MAX);
    ps_buf_init(&tmp, (size_t)1 << 31);
    ps_buf_init(&msg, 8192);
    if (rid == NULL) {
        ps_diag_set(diag, "table %s: columns hide every name of the rowid", t->name);
        st = PS_ERR_FORMAT;
        goto done;
    }
    st = build_select(&sql, t, rid, true);
    if (st != PS_OK)
        goto done;
    if (sqlite3_prepare_v2(src, ps_buf_cstr(&sql), -1, &sel, NULL) != SQLITE_OK) {
        ps_diag_set(diag, "table %s: missing, or its columns differ from the manifest", t->name);
        st = PS_ERR_FORMAT;
        goto done;
    }
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        sqlite3_int64 row = sqlite3_column_int64(sel, 0);
        int bcol = (int)t->ncols + 1;

        rows++;
        if (ins != NULL) {
            sqlite3_reset(ins);
            sqlite3_clear_bindings(ins);
            sqlite3_bind_int64(ins, 1, row);
        }
        for (size_t j = 0; j < t->ncols; j++) {
            const ps_col_plan *c = &t->cols[j];
            int col = (int)j + 1, type = sqlite3_column_type(sel, col);
            bool has_bidx = (c->flags & PS_COL_BIDX) != 0;
            ps_field_place place = { t->name, c->name, row };
            const char *what = NULL;
            cell plain;

            memset(&plain, 0, sizeof(plain));
            if (c->mode != PS_COL_AEAD || type == SQLITE_NULL) {
                if (has_bidx && sqlite3_column_type(sel, bcol) != SQLITE_NULL && type == SQLITE_NULL)
                    what = "blind index without a value";
                if (ins != NULL && what == NULL &&
                    sqlite3_bind_value(ins, col + 1, sqlite3_column_value(sel, col)) != SQLITE_OK)
                    st = PS_ERR_NOMEM;
            } else {
                const unsigned char *v = sqlite3_column_text(sel, col);
                size_t n = (size_t)sqlite3_column_bytes(sel, col);

                st = open_cell(k, &place, v, n, &plain, &tmp);
                if (st == PS_ERR_CRYPTO || st == PS_ERR_FORMAT) {
                    what = st == PS_ERR_CRYPTO ? "authentication failed" : "not a sealed field";
                    st = PS_OK;
                } else if (st == PS_OK && has_bidx) {
                    char h[PS_BIDX_SIZE];
                    const unsigned char *bv = sqlite3_column_text(sel, bcol);
                    st = ps_blind_index(k, (const char *)plain.p, plain.n, h);
                    if (st == PS_OK && (bv == NULL || strcmp((const char *)bv, h) != 0)) {
                        ps_buf_reset(&msg);
                        if (ps_buf_printf(&msg, "%s: table %s column %s_bidx row %lld: "
                                          "blind index does not match", path, t->name,
                                          c->name, (long long)row) == PS_OK && fn != NULL) {
                            fn(ud, ps_buf_cstr(&msg));
                            (*problems)++;
                        }
                    }
                }
                if (st == PS_OK && what == NULL && ins != NULL)
                    st = cell_bind(ins, col + 1, &plain, true);
            }
            if (st == PS_OK && what != NULL) {
                if (fn == NULL) {
                    ps_diag_set(diag, "table %s column %s row %lld: %s", t->name, c->name,
                                (long long)row, what);
                    st = PS_ERR_CRYPTO;
                } else {
                    ps_buf_reset(&msg);
                    if (ps_buf_printf(&msg, "%s: table %s column %s row %lld: %s", path,
                                      t->name, c->name, (long long)row, what) == PS_OK)
                        fn(ud, ps_buf_cstr(&msg));
                    (*problems)++;
                }
            }
            if (has_bidx)
                bcol++;
            cell_clear(&plain);
            if (st != PS_OK)
                goto done;
        }
        if (ins != NULL && (rc = sqlite3_step(ins)) != SQLITE_DONE) {
            ps_diag_set(diag, "table %s row %lld: cannot write: %s", t->name, (long long)row,
                        sqlite3_errstr(rc));
            st = PS_ERR_IO;
            goto done;
        }
    }
    if (rc != SQLITE_DONE) {
        ps_diag_set(diag, "table %s: %s", t->name, sqlite3_errstr(rc));
        st = PS_ERR_FORMAT;
        goto done;
    }
    if (rows != t->rows) {
        if (fn == NULL) {
            ps_diag_set(diag, "table %s: %llu rows, the manifest says %llu", t->name,
                        (unsigned long long)rows, (unsigned long long)t->rows);
            st = PS_ERR_CRYPTO;
        } else {
            ps_buf_reset(&msg);
            if (ps_buf_printf(&msg, "%s: table %s: %llu rows, the manifest says %llu", path,
                              t->name, (unsigned long long)rows,
                              (unsigned long long)t->rows) == PS_OK)
                fn(ud, ps_buf_cstr(&msg));
            (*problems)++;
        }
    }
done:
    sqlite3_finalize(sel);
    if (tmp.data != NULL)
        sodium_memzero(tmp.data, tmp.cap);
    ps_buf_free(&tmp);
    ps_buf_free(&sql);
    ps_buf_free(&msg);
    return st;
}

ps_status ps_db_unprotect(const ps_key *k, const ps_db_plan *plan, const char *src_path,
                          const char *dst_path, ps_diag *diag)
{
    sqlite3 *src = NULL, *dst = NULL;
    sqlite3_stmt *ins = NULL;
    ps_buf sql;
    ps_status st;

    ps_buf_init(&sql, SQL_MAX);
    st = db_open_ro(src_path, &src, diag);
    if (st == PS_OK)
        st = db_create(dst_path, &dst, diag);
    for (size_t i = 0; i < plan->ntables && st == PS_OK; i++) {
        const ps_table_plan *t = &plan->tables[i];
        const char *rid = rowid_name(t);

        st = db_exec_create(dst, t->create_sql, diag);
        if (st == PS_OK && rid == NULL)
            st = PS_ERR_FORMAT;
        if (st == PS_OK)
            st = build_insert(&sql, t, rid, false);
        if (st == PS_OK && sqlite3_prepare_v2(dst, ps_buf_cstr(&sql), -1, &ins, NULL) != SQLITE_OK) {
            ps_diag_set(diag, "table %s: cannot prepare the restore", t->name);
            st = PS_ERR_FORMAT;
        }
        if (st == PS_OK)
            st = walk_protected(k, src, t, plan->rel_path, ins, NULL, NULL, NULL, diag);
        sqlite3_finalize(ins);
        ins = NULL;
    }
    /* Indexes, views and triggers last: triggers must not fire on restored rows. */
    for (size_t i = 0; i < plan->nobjs && st == PS_OK; i++)
        st = db_exec_create(dst, plan->objs[i].sql, diag);
    sqlite3_close_v2(src);
    if (st == PS_OK)
        st = db_finish(dst, dst_path, diag);
    else if (dst != NULL)
        sqlite3_close_v2(dst);
    ps_buf_free(&sql);
    return st;
}

ps_status ps_db_verify(const ps_key *k, const ps_db_plan *plan, const char *path,
                       ps_note_fn fn, void *ud, size_t *problems, ps_diag *diag)
{
    sqlite3 *src = NULL;
    ps_status st = db_open_ro(path, &src, diag);

    for (size_t i = 0; i < plan->ntables && st == PS_OK; i++) {
        st = walk_protected(k, src, &plan->tables[i], plan->rel_path, NULL, fn, ud, problems,
                            diag);
        if (st == PS_ERR_FORMAT) {
            /* A table that cannot be read is one problem; the others are still checked. */
            ps_buf msg;
            ps_buf_init(&msg, 1024);
            if (ps_buf_printf(&msg, "%s: %s", plan->rel_path, diag->msg) == PS_OK)
                fn(ud, ps_buf_cstr(&msg));
            ps_buf_free(&msg);
            (*problems)++;
            st = PS_OK;
        }
    }
    sqlite3_close_v2(src);
    return st;
}
