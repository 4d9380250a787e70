/*
 * protect_tree.c - `protect`, `unprotect` and `verify` over whole trees, and
 * the manifest that ties a protected tree to its key.
 *
 * Crash safety comes from one rule: nothing is written under a final name
 * until it is complete.  A run builds everything in a temporary sibling of
 * the destination (mkdtemp), each file as "<name>.partial" renamed when
 * complete and fsync'ed; then the directories are fsync'ed and the
 * temporary directory is renamed to the destination in one rename(2).  An
 * interrupted run therefore leaves the destination absent or complete,
 * never half-written, and never touches the source.
 *
 * The manifest (PS_PROTECT_MANIFEST, text, no secrets) lists how every file
 * and column was protected, carries the key id so that a wrong key is named
 * as such, and ends with a MAC (crypto_generichash keyed with the manifest
 * subkey) so that nobody can, say, mark a sealed column "keep" or inject
 * schema SQL for unprotect to run.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "findings.h"
#include "protect.h"
#include "rules.h"
#include "sniff.h"
#include "util.h"
#include "walk.h"

#define MANIFEST_TAG "plainsight-protect"
#define MANIFEST_VERSION 1
/* A manifest lists files and columns; 64 MiB is far beyond any real tree. */
#define MANIFEST_MAX (64u * 1024u * 1024u)
#define MAC_BYTES 32
#define PATHBUF_MAX (PATH_MAX * 4)

typedef struct manifest {
    char key_id[PS_KEY_ID_SIZE];
    char **files;          /* relative paths of enveloped files */
    size_t nfiles, capfiles;
    ps_db_plan *dbs;
    size_t ndbs, capdbs;
} manifest;

static void manifest_free(manifest *m)
{
    for (size_t i = 0; i < m->nfiles; i++)
        free(m->files[i]);
    free(m->files);
    for (size_t i = 0; i < m->ndbs; i++)
        ps_db_plan_free(&m->dbs[i]);
    free(m->dbs);
    memset(m, 0, sizeof(*m));
}

static ps_status manifest_add_file(manifest *m, const char *rel)
{
    char *s;

    if (ps_grow(&m->files, &m->capfiles, m->nfiles + 1, sizeof(*m->files)) != PS_OK)
        return PS_ERR_NOMEM;
    s = ps_strdup(rel);
    if (s == NULL)
        return PS_ERR_NOMEM;
    m->files[m->nfiles++] = s;
    return PS_OK;
}

/* Moves *p into the manifest (p is left empty). */
static ps_status manifest_add_db(manifest *m, ps_db_plan *p)
{
    if (ps_grow(&m->dbs, &m->capdbs, m->ndbs + 1, sizeof(*m->dbs)) != PS_OK)
        return PS_ERR_NOMEM;
    m->dbs[m->ndbs++] = *p;
    memset(p, 0, sizeof(*p));
    return PS_OK;
}

/* --- manifest text -------------------------------------------------------- */

/* One field: tab, newline, CR, '%' and other control bytes as %XX. */
static ps_status put_field(ps_buf *b, const char *s)
{
    ps_status st = ps_buf_putc(b, '\t');

    for (; *s && st == PS_OK; s++) {
        unsigned char c = (unsigned char)*s;
        st = (c < 0x20 || c == '%' || c == 0x7F) ? ps_buf_printf(b, "%%%02X", c)
                                                 : ps_buf_putc(b, (char)c);
    }
    return st;
}

static const char *flags_text(unsigned f, char *out, size_t n)
{
    out[0] = '\0';
    if (f == 0) {
        ps_strlcpy(out, "-", n);
        return out;
    }
    snprintf(out, n, "%s%s%s%s%s", (f & PS_COL_BIDX) ? "bidx" : "",
             (f & PS_COL_BIDX) && (f & (PS_COL_YEAR | PS_COL_IP24)) ? "," : "",
             (f & PS_COL_YEAR) ? "year" : "",
             (f & PS_COL_YEAR) && (f & PS_COL_IP24) ? "," : "",
             (f & PS_COL_IP24) ? "ip24" : "");
    return out;
}

static int flags_parse(const char *s, unsigned *out)
{
    *out = 0;
    if (strcmp(s, "-") == 0)
        return 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        if (n == 4 && strncmp(s, "bidx", 4) == 0)
            *out |= PS_COL_BIDX;
        else if (n == 4 && strncmp(s, "year", 4) == 0)
            *out |= PS_COL_YEAR;
        else if (n == 4 && strncmp(s, "ip24", 4) == 0)
            *out |= PS_COL_IP24;
        else
            return -1;
        s += n;
        if (*s == ',')
            s++;
    }
    return 0;
}

/* The manifest text, MAC line included. */
static ps_status manifest_format(const ps_key *k, const manifest *m, ps_buf *b)
{
    unsigned char mac[MAC_BYTES];
    char hex[2 * MAC_BYTES + 1], num[32], fl[32];
    ps_status st;

    st = ps_buf_printf(b, "%s\t%d\nkey-id\t%s\n", MANIFEST_TAG, MANIFEST_VERSION, m->key_id);
    for (size_t i = 0; i < m->nfiles && st == PS_OK; i++) {
        st = ps_buf_append(b, "file", 4);
        if (st == PS_OK)
            st = put_field(b, m->files[i]);
        if (st == PS_OK)
            st = ps_buf_putc(b, '\n');
    }
    for (size_t i = 0; i < m->ndbs && st == PS_OK; i++) {
        const ps_db_plan *p = &m->dbs[i];

        st = ps_buf_append(b, "db", 2);
        if (st == PS_OK)
            st = put_field(b, p->rel_path);
        if (st == PS_OK)
            st = ps_buf_putc(b, '\n');
        for (size_t t = 0; t < p->ntables && st == PS_OK; t++) {
            const ps_table_plan *tp = &p->tables[t];

            snprintf(num, sizeof(num), "%llu", (unsigned long long)tp->rows);
            st = ps_buf_append(b, "table", 5);
            if (st == PS_OK)
                st = put_field(b, tp->name);
            if (st == PS_OK)
                st = put_field(b, num);
            if (st == PS_OK)
                st = put_field(b, tp->create_sql);
            if (st == PS_OK)
                st = ps_buf_putc(b, '\n');
            for (size_t c = 0; c < tp->ncols && st == PS_OK; c++) {
                const ps_col_plan *cp = &tp->cols[c];
                st = ps_buf_append(b, "column", 6);
                if (st == PS_OK)
                    st = put_field(b, cp->name);
                if (st == PS_OK)
                    st = put_field(b, cp->decltype[0] ? cp->decltype : "-");
                if (st == PS_OK)
                    st = put_field(b, ps_col_mode_name(cp->mode));
                if (st == PS_OK)
                    st = put_field(b, flags_text(cp->flags, fl, sizeof(fl)));
                if (st == PS_OK)
                    st = ps_buf_putc(b, '\n');
            }
        }
        for (size_t o = 0; o < p->nobjs && st == PS_OK; o++) {
            const ps_schema_obj *ob = &p->objs[o];
            st = ps_buf_append(b, "object", 6);
            if (st == PS_OK)
                st = put_field(b, ob->type);
            if (st == PS_OK)
                st = put_field(b, ob->name);
            if (st == PS_OK)
                st = put_field(b, ob->tbl);
            if (st == PS_OK)
                st = put_field(b, ob->sql);
            if (st == PS_OK)
                st = ps_buf_putc(b, '\n');
        }
    }
    if (st != PS_OK)
        return st;
    crypto_generichash(mac, sizeof(mac), (const unsigned char *)b->data, b->len,
                       ps_key_subkey(k, PS_SUBKEY_MANIFEST), PS_KEY_BYTES);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    return ps_buf_printf(b, "mac\t%s\n", hex);
}

/* Undo put_field in place; -1 on a bad escape. */
static int unescape(char *s)
{
    char *w = s;

    for (char *r = s; *r; r++) {
        if (*r == '%') {
            unsigned v = 0;
            for (int i = 1; i <= 2; i++) {
                char c = r[i];
                v <<= 4;
                if (c >= '0' && c <= '9')
                    v |= (unsigned)(c - '0');
                else if (c >= 'A' && c <= 'F')
                    v |= (unsigned)(c - 'A' + 10);
                else
                    return -1;
            }
            if (v == 0)
                return -1;
            *w++ = (char)v;
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return 0;
}

/* Split line (modified in place) at tabs into at most max fields; returns the count. */
static size_t split_fields(char *line, char **f, size_t max)
{
    size_t n = 0;

    while (n < max) {
        char *tab = strchr(line, '\t');
        f[n++] = line;
        if (tab == NULL)
            break;
        *tab = '\0';
        line = tab + 1;
    }
    return n;
}

/*
 * Parse and authenticate manifest text (NUL-terminated, modified in place).
 * The key id is checked first so that a wrong key is named as such, then
 * the MAC, and only then is any line interpreted.
 */
static ps_status manifest_parse(const ps_key *k, char *text, size_t len, manifest *m,
                                ps_diag *diag)
{
    char ours[PS_KEY_ID_SIZE], *mac_line, *line, *next;
    unsigned char mac[MAC_BYTES], want[MAC_BYTES];
    size_t hdr = sizeof(MANIFEST_TAG) - 1, lineno = 0, maclen = 0;
    ps_db_plan *db = NULL;
    ps_table_plan *tb = NULL;
    ps_status st = PS_OK;

    memset(m, 0, sizeof(*m));
    if (len < hdr + 3 || memcmp(text, MANIFEST_TAG "\t", hdr + 1) != 0) {
        ps_diag_set(diag, "%s: not a plainsight manifest", PS_PROTECT_MANIFEST);
        return PS_ERR_FORMAT;
    }
    if (strncmp(text + hdr + 1, "1\n", 2) != 0) {
        ps_diag_set(diag, "%s: unsupported manifest version", PS_PROTECT_MANIFEST);
        return PS_ERR_FORMAT;
    }
    ps_key_id(k, ours);
    line = text + hdr + 3;
    if (strncmp(line, "key-id\t", 7) != 0 || strlen(line) < 7 + PS_KEY_ID_SIZE ||
        line[7 + PS_KEY_ID_SIZE - 1] != '\n') {
        ps_diag_set(diag, "%s: no key id", PS_PROTECT_MANIFEST);
        return PS_ERR_FORMAT;
    }
    memcpy(m->key_id, line + 7, PS_KEY_ID_SIZE - 1);
    m->key_id[PS_KEY_ID_SIZE - 1] = '\0';
    if (strcmp(m->key_id, ours) != 0) {
        ps_diag_set(diag, "this tree was protected with a different key (key id %s, yours is %s)",
                    m->key_id, ours);
        return PS_ERR_CRYPTO;
    }
    /* The MAC line is the last line and covers every byte before it. */
    if (len < 2 || text[len - 1] != '\n') {
        ps_diag_set(diag, "%s: truncated", PS_PROTECT_MANIFEST);
        return PS_ERR_CRYPTO;
    }
    mac_line = text + len - 1;
    while (mac_line > text && mac_line[-1] != '\n')
        mac_line--;
    if (strncmp(mac_line, "mac\t", 4) != 0 ||
        sodium_hex2bin(mac, sizeof(mac), mac_line + 4, (size_t)(text + len - 1 - mac_line - 4),
                       NULL, &maclen, NULL) != 0 || maclen != MAC_BYTES) {
        ps_diag_set(diag, "%s: no MAC (truncated?)", PS_PROTECT_MANIFEST);
        return PS_ERR_CRYPTO;
    }
    crypto_generichash(want, sizeof(want), (const unsigned char *)text,
                       (size_t)(mac_line - text), ps_key_subkey(k, PS_SUBKEY_MANIFEST),
                       PS_KEY_BYTES);
    if (sodium_memcmp(mac, want, MAC_BYTES) != 0) {
        ps_diag_set(diag, "%s: authentication failed", PS_PROTECT_MANIFEST);
        return PS_ERR_CRYPTO;
    }
    *mac_line = '\0';
    line = strchr(line, '\n') + 1;
    lineno = 2;
    for (; *line && st == PS_OK; line = next) {
        char *f[8];
        size_t nf;

        lineno++;
        next = strchr(line, '\n');
        if (next == NULL)
            break;
        *next++ = '\0';
        nf = split_fields(line, f, 8);
        for (size_t i = 1; i < nf; i++) {
            if (unescape(f[i]) != 0)
                goto bad;
        }
        if (strcmp(f[0], "file") == 0 && nf == 2) {
            st = manifest_add_file(m, f[1]);
        } else if (strcmp(f[0], "db") == 0 && nf == 2) {
            ps_db_plan p;
            memset(&p, 0, sizeof(p));
            p.rel_path = ps_strdup(f[1]);
            if (p.rel_path == NULL)
                st = PS_ERR_NOMEM;
            else
                st = manifest_add_db(m, &p);
            db = st == PS_OK ? &m->dbs[m->ndbs - 1] : NULL;
            tb = NULL;
        } else if (strcmp(f[0], "table") == 0 && nf == 4 && db != NULL) {
            uint64_t rows;
            if (ps_parse_u64(f[2], &rows) != 0)
                goto bad;
            st = ps_db_plan_add_table(db, f[1], f[3], rows);
            tb = st == PS_OK ? &db->tables[db->ntables - 1] : NULL;
        } else if (strcmp(f[0], "column") == 0 && nf == 5 && tb != NULL) {
            ps_col_mode mode;
            unsigned flags;
            if (ps_col_mode_parse(f[3], &mode) != 0 || flags_parse(f[4], &flags) != 0)
                goto bad;
            st = ps_db_plan_add_column(tb, f[1], strcmp(f[2], "-") == 0 ? "" : f[2], mode, flags);
        } else if (strcmp(f[0], "object") == 0 && nf == 5 && db != NULL) {
            st = ps_db_plan_add_object(db, f[1], f[2], f[3], f[4]);
        } else {
            goto bad;
        }
    }
    if (st != PS_OK)
        manifest_free(m);
    return st;
bad:
    ps_diag_set(diag, "%s: line %zu: not understood", PS_PROTECT_MANIFEST, lineno);
    manifest_free(m);
    return PS_ERR_FORMAT;
}

/* Read dir/PS_PROTECT_MANIFEST and parse it. */
static ps_status manifest_load(const ps_key *k, const char *dir, manifest *m, ps_diag *diag)
{
    ps_buf path, text;
    struct stat sb;
    ps_status st;
    int fd;

    ps_buf_init(&path, PATHBUF_MAX);
    ps_buf_init(&text, MANIFEST_MAX);
    st = ps_buf_printf(&path, "%s/%s", dir, PS_PROTECT_MANIFEST);
    if (st != PS_OK)
        goto done;
    fd = open(ps_buf_cstr(&path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        ps_diag_set(diag, "%s: %s%s", ps_buf_cstr(&path), strerror(errno),
                    errno == ENOENT ? " (not a tree made by 'plainsight protect')" : "");
        st = PS_ERR_IO;
        goto done;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        ps_diag_set(diag, "%s: not a regular file", ps_buf_cstr(&path));
        close(fd);
        st = PS_ERR_IO;
        goto done;
    }
    for (;;) {
        char chunk[65536];
        ssize_t r = read(fd, chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            ps_diag_set(diag, "%s: %s", ps_buf_cstr(&path), strerror(errno));
            st = PS_ERR_IO;
            break;
        }
        if (r == 0)
            break;
        if (memchr(chunk, '\0', (size_t)r) != NULL) {
            ps_diag_set(diag, "%s: not a plainsight manifest", PS_PROTECT_MANIFEST);
            st = PS_ERR_FORMAT;
            break;
        }
        st = ps_buf_append(&text, chunk, (size_t)r);
        if (st != PS_OK) {
            ps_diag_set(diag, "%s: too large", PS_PROTECT_MANIFEST);
            break;
        }
    }
    close(fd);
    if (st == PS_OK)
        st = manifest_parse(k, (char *)ps_buf_cstr(&text), text.len, m, diag);
done:
    ps_buf_free(&path);
    ps_buf_free(&text);
    return st;
}

/* --- file system helpers -------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -rf, never following links. */
static void remove_tree(const char *path)
{
    nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static int fsync_dir_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? fsync_path(path) : 0;
}

/* mkdir -p of the folders of rel under root, mode 0700. */
static ps_status make_parents(const char *root, const char *rel, ps_diag *diag)
{
    size_t dl = ps_path_dirlen(rel);
    ps_buf p;
    ps_status st;

    if (dl == 0)
        return PS_OK;
    ps_buf_init(&p, PATHBUF_MAX);
    st = ps_buf_printf(&p, "%s/", root);
    for (size_t i = 0; i <= dl && st == PS_OK; i++) {
        if (i == dl || rel[i] == '/') {
            if (mkdir(ps_buf_cstr(&p), 0700) != 0 && errno != EEXIST) {
                ps_diag_set(diag, "%s: %s", ps_buf_cstr(&p), strerror(errno));
                st = PS_ERR_IO;
            }
        }
        if (i < dl && st == PS_OK)
            st = ps_buf_putc(&p, rel[i]);
    }
    ps_buf_free(&p);
    return st;
}

/* Is path equal to root or inside it?  Both absolute and canonical. */
static bool path_within(const char *path, const char *root)
{
    size_t n = strlen(root);

    if (strcmp(root, "/") == 0)
        return true;
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * The absolute form of a destination that may not exist: its parent's
 * realpath + "/" + its last component.  NULL (with *diag) when the parent
 * does not exist or the last component is "", "." or "..".
 */
static char *abs_dest(const char *dst, ps_diag *diag)
{
    char *copy = ps_strdup(dst), *slash, *parent_real, *out = NULL;
    const char *base, *parent;
    ps_buf b;
    size_t n;

    if (copy == NULL)
        return NULL;
    n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = '\0';
    slash = strrchr(copy, '/');
    if (slash == NULL) {
        parent = ".";
        base = copy;
    } else {
        *slash = '\0';
        parent = slash == copy ? "/" : copy;
        base = slash + 1;
    }
    if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        ps_diag_set(diag, "%s: give the destination as a new directory name", dst);
        free(copy);
        return NULL;
    }
    parent_real = realpath(parent, NULL);
    if (parent_real == NULL) {
        ps_diag_set(diag, "%s: %s", parent, strerror(errno));
        free(copy);
        return NULL;
    }
    ps_buf_init(&b, PATHBUF_MAX);
    if (ps_buf_printf(&b, "%s/%s", strcmp(parent_real, "/") == 0 ? "" : parent_real, base) == PS_OK)
        out = ps_strdup(ps_buf_cstr(&b));
    ps_buf_free(&b);
    free(parent_real);
    free(copy);
    return out;
}

/*
 * Put the finished temporary directory tmp in place as dst.  An existing
 * dst (force) is first renamed aside, and removed only once the new tree
 * is in place; if the last rename fails, the old dst is put back.
 */
static ps_status install_tree(const char *tmp, const char *dst, bool exists, ps_diag *diag)
{
    ps_buf aside, parent;
    ps_status st = PS_OK;
    bool moved = false;

    ps_buf_init(&aside, PATHBUF_MAX);
    ps_buf_init(&parent, PATHBUF_MAX);
    if (nftw(tmp, fsync_dir_entry, 32, FTW_DEPTH | FTW_PHYS) != 0) {
        ps_diag_set(diag, "%s: fsync: %s", tmp, strerror(errno));
        st = PS_ERR_IO;
        goto done;
    }
    if (exists) {
        if (ps_buf_printf(&aside, "%s.old-XXXXXX", dst) != PS_OK ||
            mkdtemp(aside.data) == NULL) {
            ps_diag_set(diag, "%s: cannot move the old destination aside: %s", dst, strerror(errno));
            st = PS_ERR_IO;
            goto done;
        }
        /* rename(2) replaces an empty directory, but a file only by a file. */
        struct stat sb;
        if (lstat(dst, &sb) == 0 && !S_ISDIR(sb.st_mode))
            rmdir(aside.data);
        if (rename(dst, aside.data) != 0) {
            ps_diag_set(diag, "%s: cannot move the old destination aside: %s", dst, strerror(errno));
            rmdir(aside.data);
            st = PS_ERR_IO;
            goto done;
        }
        moved = true;
    }
    if (rename(tmp, dst) != 0) {
        ps_diag_set(diag, "%s: %s", dst, strerror(errno));
        if (moved)
            rename(aside.data, dst);
        st = PS_ERR_IO;
        goto done;
    }
    if (ps_buf_append(&parent, dst, ps_path_dirlen(dst)) == PS_OK)
        fsync_path(parent.len > 0 ? ps_buf_cstr(&parent) : "/");
    if (moved)
        remove_tree(aside.data);
done:
    ps_buf_free(&aside);
    ps_buf_free(&parent);
    return st;
}

/* Make dst's temporary sibling "<dst>.tmp-XXXXXX", mode 0700. */
static char *make_temp(const char *dst, ps_diag *diag)
{
    ps_buf b;
    char *out = NULL;

    ps_buf_init(&b, PATHBUF_MAX);
    if (ps_buf_printf(&b, "%s.tmp-XXXXXX", dst) == PS_OK && mkdtemp(b.data) != NULL &&
        chmod(b.data, 0700) == 0)
        out = ps_strdup(b.data);
    else
        ps_diag_set(diag, "%s: cannot create a temporary directory: %s", dst, strerror(errno));
    ps_buf_free(&b);
    return out;
}

/* Check dst against src (neither inside the other) and whether it already exists. */
static ps_status check_places(const char *src_real, const char *dst_abs, const char *dst,
                              bool force, bool *exists, ps_diag *diag)
{
    struct stat sb;

    if (path_within(dst_abs, src_real) || path_within(src_real, dst_abs)) {
        ps_diag_set(diag, "%s: the destination must be outside the source and not contain it", dst);
        return PS_ERR_USAGE;
    }
    *exists = lstat(dst_abs, &sb) == 0;
    if (*exists && !force) {
        ps_diag_set(diag, "%s: already exists (use --force to replace it)", dst);
        return PS_ERR_USAGE;
    }
    return PS_OK;
}

/* Write the manifest into dir as a complete file. */
static ps_status write_manifest(const ps_key *k, const manifest *m, const char *dir, ps_diag *diag)
{
    ps_buf text, path, part;
    ps_status st;
    int fd = -1;

    ps_buf_init(&text, MANIFEST_MAX);
    ps_buf_init(&path, PATHBUF_MAX);
    ps_buf_init(&part, PATHBUF_MAX);
    st = manifest_format(k, m, &text);
    if (st == PS_OK)
        st = ps_buf_printf(&path, "%s/%s", dir, PS_PROTECT_MANIFEST);
    if (st == PS_OK)
        st = ps_buf_printf(&part, "%s.partial", ps_buf_cstr(&path));
    if (st != PS_OK) {
        ps_diag_set(diag, "manifest: %s", ps_strerror(st));
        goto done;
    }
    fd = open(ps_buf_cstr(&part), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, text.data, text.len) != (ssize_t)text.len || fsync(fd) != 0 ||
        close(fd) != 0 || rename(ps_buf_cstr(&part), ps_buf_cstr(&path)) != 0) {
        ps_diag_set(diag, "%s: %s", PS_PROTECT_MANIFEST, strerror(errno));
        st = PS_ERR_IO;
    }
done:
    ps_buf_free(&text);
    ps_buf_free(&path);
    ps_buf_free(&part);
    return st;
}

static void note(const ps_protect_opts *o, const char *fmt, ...) PS_PRINTF(2, 3);

static void note(const ps_protect_opts *o, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (o->note == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    o->note(o->note_ud, msg);
}

/* Seal the open file in_fd as out_final (through out_final + ".partial"). */
static ps_status seal_file(const ps_key *k, const char *rel, int in_fd, const char *out_final,
                           ps_diag *diag)
{
    ps_buf part;
    ps_status st;
    int fd;

    ps_buf_init(&part, PATHBUF_MAX);
    st = ps_buf_printf(&part, "%s.partial", out_final);
    if (st != PS_OK) {
        ps_diag_set(diag, "%s: path too long", rel);
        goto done;
    }
    fd = open(ps_buf_cstr(&part), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        ps_diag_set(diag, "%s: %s", rel, strerror(errno));
        st = PS_ERR_IO;
        goto done;
    }
    st = ps_envelope_seal(k, rel, in_fd, fd, diag);
    if (st != PS_OK) {
        ps_diag d = *diag;
        ps_diag_set(diag, "%s: %s", rel, d.msg);
        close(fd);
        goto done;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        ps_diag_set(diag, "%s: %s", rel, strerror(errno));
        st = PS_ERR_IO;
        goto done;
    }
    /* Under the final name only once complete and on disk. */
    if (access(out_final, F_OK) == 0) {
        ps_diag_set(diag, "%s: two source files map to the same protected name", rel);
        st = PS_ERR_USAGE;
        goto done;
    }
    if (rename(ps_buf_cstr(&part), out_final) != 0) {
        ps_diag_set(diag, "%s: %s", rel, strerror(errno));
        st = PS_ERR_IO;
    }
done:
    ps_buf_free(&part);
    return st;
}

/*
 * Protect one database: plan its columns, then write the copy.  A database
 * that cannot be protected field by field (unsupported tables, or not
 * readable as SQLite) sets *whole: the caller then encrypts it as a file,
 * which protects it just as well but makes it opaque to the service.
 */
static ps_status protect_db_file(const ps_key *k, const ps_matcher *mt, const ps_file *f,
                                 const char *out_final, const ps_protect_opts *o,
                                 unsigned threads, manifest *m, bool *whole, ps_diag *diag)
{
    ps_db_plan plan;
    ps_buf part;
    ps_status st;
    ps_diag d = { { 0 } };

    *whole = false;
    ps_buf_init(&part, PATHBUF_MAX);
    st = ps_buf_printf(&part, "%s.partial", out_final);
    if (st == PS_OK) {
        st = ps_db_plan_make(mt, f->open_path, f->rel_path, o->minimise, &plan, &d);
        if (st == PS_ERR_FORMAT) {
            note(o, "%s: %s; encrypted as a whole file instead", f->rel_path, d.msg);
            *whole = true;
            ps_buf_free(&part);
            return PS_OK;
        }
    }
    if (st == PS_OK) {
        for (size_t t = 0; t < plan.ntables; t++) {
            size_t nprot = 0, nhash = 0;
            for (size_t c = 0; c < plan.tables[t].ncols; c++) {
                ps_col_mode md = plan.tables[t].cols[c].mode;
                nprot += md == PS_COL_AEAD;
                nhash += md != PS_COL_AEAD && md != PS_COL_KEEP;
            }
            note(o, "%s: table %s: %llu rows, %zu columns encrypted, %zu hashed", f->rel_path,
                 plan.tables[t].name, (unsigned long long)plan.tables[t].rows, nprot, nhash);
        }
        st = ps_db_protect(k, &plan, f->open_path, ps_buf_cstr(&part), threads, &d);
        if (st == PS_OK && access(out_final, F_OK) == 0) {
            ps_diag_set(&d, "two source files map to the same protected name");
            st = PS_ERR_USAGE;
        }
        if (st == PS_OK && rename(ps_buf_cstr(&part), out_final) != 0) {
            ps_diag_set(&d, "%s", strerror(errno));
            st = PS_ERR_IO;
        }
        if (st == PS_OK)
            st = manifest_add_db(m, &plan);
        ps_db_plan_free(&plan);
    }
    if (st != PS_OK)
        ps_diag_set(diag, "%s: %s", f->rel_path, d.msg[0] ? d.msg : ps_strerror(st));
    ps_buf_free(&part);
    return st;
}

/* Load the rule set and compile it: column modes follow the scanner's rules. */
static ps_status load_matcher(const char *rules_path, ps_ruleset **rs, ps_matcher **m,
                              ps_diag *diag)
{
    ps_status st;

    *rs = NULL;
    *m = NULL;
    if (rules_path == NULL) {
        ps_diag_set(diag, "no rules given");
        return PS_ERR_USAGE;
    }
    st = ps_ruleset_create(rs);
    if (st == PS_OK)
        st = ps_rules_load_path(*rs, rules_path, diag);
    if (st == PS_OK)
        st = ps_matcher_create(*rs, m, diag);
    if (st != PS_OK) {
        ps_ruleset_destroy(*rs);
        *rs = NULL;
    }
    return st;
}

ps_status ps_protect_tree(const ps_key *k, const char *key_path, const char *src,
                          const char *dst, const ps_protect_opts *o, ps_diag *diag)
{
    const char *roots[1] = { src };
    char *src_real = NULL, *dst_abs = NULL, *key_real = NULL, *tmp = NULL;
    ps_ruleset *rs = NULL;
    ps_matcher *mt = NULL;
    ps_filelist fl;
    ps_errors errs;
    manifest m;
    ps_buf out;
    struct stat sb;
    unsigned threads = o->threads;
    unsigned done_files = 0;
    bool exists = false;
    ps_status st;

    memset(&fl, 0, sizeof(fl));
    memset(&errs, 0, sizeof(errs));
    memset(&m, 0, sizeof(m));
    ps_buf_init(&out, PATHBUF_MAX);
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    if (lstat(src, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        ps_diag_set(diag, "%s: not a directory", src);
        st = PS_ERR_USAGE;
        goto done;
    }
    src_real = realpath(src, NULL);
    dst_abs = abs_dest(dst, diag);
    if (src_real == NULL || dst_abs == NULL) {
        if (src_real == NULL)
            ps_diag_set(diag, "%s: %s", src, strerror(errno));
        st = PS_ERR_USAGE;
        goto done;
    }
    st = check_places(src_real, dst_abs, dst, o->force, &exists, diag);
    if (st != PS_OK)
        goto done;
    if (key_path != NULL && (key_real = realpath(key_path, NULL)) != NULL &&
        (path_within(key_real, src_real) || path_within(key_real, dst_abs))) {
        ps_diag_set(diag, "%s: the key is inside %s; keep keys out of the data they protect",
                    key_path, path_within(key_real, src_real) ? src : dst);
        st = PS_ERR_USAGE;
        goto done;
    }
    st = load_matcher(o->rules_path, &rs, &mt, diag);
    if (st != PS_OK)
        goto done;
    st = ps_walk(roots, 1, NULL, &fl, &errs, diag);
    if (st != PS_OK)
        goto done;
    if (errs.n > 0) {
        ps_diag_set(diag, "%s: %s", errs.items[0].path, errs.items[0].message);
        st = PS_ERR_IO;
        goto done;
    }
    if (fl.skipped > 0)
        note(o, "%s: %llu special files or links leaving the tree skipped", src,
             (unsigned long long)fl.skipped);
    tmp = make_temp(dst_abs, diag);
    if (tmp == NULL) {
        st = PS_ERR_IO;
        goto done;
    }
    ps_key_id(k, m.key_id);
    /*
     * Two passes: plain files first, databases last.  Files are quick and
     * databases slow (argon2id per password), so progress shows early and
     * the crash hook can stop between small files.
     */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < fl.n; i++) {
            const ps_file *f = &fl.items[i];
            unsigned char head[PS_SNIFF_HEAD];
            bool whole;
            ssize_t got;
            ps_sniff sn;
            int fd;

            if (f->via_link) {
                if (pass == 0)
                    note(o, "%s: symbolic link, skipped", f->rel_path);
                continue;
            }
            fd = open(f->open_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0 || fstat(fd, &sb) != 0) {
                ps_diag_set(diag, "%s: %s", f->rel_path, strerror(errno));
                if (fd >= 0)
                    close(fd);
                st = PS_ERR_IO;
                goto done;
            }
            if (!S_ISREG(sb.st_mode)) {
                if (pass == 0)
                    note(o, "%s: not a regular file, skipped", f->rel_path);
                close(fd);
                continue;
            }
            got = pread(fd, head, sizeof(head), 0);
            if (got < 0) {
                ps_diag_set(diag, "%s: %s", f->rel_path, strerror(errno));
                close(fd);
                st = PS_ERR_IO;
                goto done;
            }
            sn = ps_sniff_buffer(head, (size_t)got, f->rel_path, (uint64_t)sb.st_size);
            if ((sn.format == PS_FMT_SQLITE) != (pass == 1)) {
                close(fd);
                continue;
            }
            st = make_parents(tmp, f->rel_path, diag);
            ps_buf_reset(&out);
            if (st == PS_OK)
                st = ps_buf_printf(&out, "%s/%s%s", tmp, f->rel_path,
                                   sn.format == PS_FMT_SQLITE ? "" : PS_PROTECT_SUFFIX);
            whole = sn.format != PS_FMT_SQLITE;
            if (st == PS_OK && !whole)
                st = protect_db_file(k, mt, f, ps_buf_cstr(&out), o, threads, &m, &whole, diag);
            if (st == PS_OK && whole) {
                ps_buf_reset(&out);
                st = ps_buf_printf(&out, "%s/%s%s", tmp, f->rel_path, PS_PROTECT_SUFFIX);
            }
            if (st == PS_OK && whole) {
                st = seal_file(k, f->rel_path, fd, ps_buf_cstr(&out), diag);
                if (st == PS_OK)
                    st = manifest_add_file(&m, f->rel_path);
            }
            if (fd >= 0)
                close(fd);
            if (st != PS_OK)
                goto done;
            done_files++;
            if (o->crash_after > 0 && done_files == o->crash_after)
                _exit(99); /* test hook: die as a crash would, with no cleanup */
        }
    }
    st = write_manifest(k, &m, tmp, diag);
    if (st == PS_OK)
        st = install_tree(tmp, dst_abs, exists, diag);
    if (st == PS_OK) {
        note(o, "%s: %zu files encrypted, %zu databases protected (key id %s)", dst,
             m.nfiles, m.ndbs, m.key_id);
        free(tmp);
        tmp = NULL;
    }
done:
    if (tmp != NULL) {
        remove_tree(tmp);
        free(tmp);
    }
    manifest_free(&m);
    ps_filelist_free(&fl);
    ps_errors_free(&errs);
    ps_matcher_destroy(mt);
    ps_ruleset_destroy(rs);
    ps_buf_free(&out);
    free(src_real);
    free(dst_abs);
    free(key_real);
    return st;
}

/* Decrypt src/<rel>.psenc into out_final (through .partial). */
static ps_status open_file(const ps_key *k, const char *src, const char *rel,
                           const char *out_final, ps_diag *diag)
{
    ps_buf in, part;
    ps_status st;
    int ifd = -1, ofd = -1;
    ps_diag d = { { 0 } };

    ps_buf_init(&in, PATHBUF_MAX);
    ps_buf_init(&part, PATHBUF_MAX);
    st = ps_buf_printf(&in, "%s/%s%s", src, rel, PS_PROTECT_SUFFIX);
    if (st == PS_OK)
        st = ps_buf_printf(&part, "%s.partial", out_final);
    if (st != PS_OK) {
        ps_diag_set(diag, "%s%s: path too long", rel, PS_PROTECT_SUFFIX);
        goto done;
    }
    ifd = open(ps_buf_cstr(&in), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (ifd < 0) {
        ps_diag_set(diag, "%s%s: %s", rel, PS_PROTECT_SUFFIX,
                    errno == ENOENT ? "missing" : strerror(errno));
        st = PS_ERR_IO;
        goto done;
    }
    ofd = open(ps_buf_cstr(&part), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (ofd < 0) {
        ps_diag_set(diag, "%s: %s", rel, strerror(errno));
        st = PS_ERR_IO;
        goto done;
    }
    st = ps_envelope_open(k, rel, ifd, ofd, &d);
    if (st != PS_OK) {
        ps_diag_set(diag, "%s%s: %s", rel, PS_PROTECT_SUFFIX, d.msg);
        goto done;
    }
    if (fsync(ofd) != 0 || close(ofd) != 0) {
        ofd = -1;
        ps_diag_set(diag, "%s: %s", rel, strerror(errno));
        st = PS_ERR_IO;
        goto done;
    }
    ofd = -1;
    if (rename(ps_buf_cstr(&part), out_final) != 0) {
        ps_diag_set(diag, "%s: %s", rel, strerror(errno));
        st = PS_ERR_IO;
    }
done:
    if (ifd >= 0)
        close(ifd);
    if (ofd >= 0)
        close(ofd);
    ps_buf_free(&in);
    ps_buf_free(&part);
    return st;
}

/* A manifest path must stay inside the tree: relative, no "..", no empty parts. */
static bool safe_rel(const char *rel)
{
    const char *p = rel;

    if (rel[0] == '\0' || rel[0] == '/')
        return false;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n;
        if (*p == '/')
            p++;
        else
            break;
    }
    return rel[strlen(rel) - 1] != '/';
}

static ps_status check_manifest_paths(const manifest *m, ps_diag *diag)
{
    for (size_t i = 0; i < m->nfiles; i++) {
        if (!safe_rel(m->files[i])) {
            ps_diag_set(diag, "%s: a path leaves the tree", PS_PROTECT_MANIFEST);
            return PS_ERR_FORMAT;
        }
    }
    for (size_t i = 0; i < m->ndbs; i++) {
        if (!safe_rel(m->dbs[i].rel_path)) {
            ps_diag_set(diag, "%s: a path leaves the tree", PS_PROTECT_MANIFEST);
            return PS_ERR_FORMAT;
        }
    }
    return PS_OK;
}

ps_status ps_unprotect_tree(const ps_key *k, const char *src, const char *dst, bool force,
                            ps_note_fn note_fn, void *note_ud, ps_diag *diag)
{
    char *src_real = NULL, *dst_abs = NULL, *tmp = NULL;
    manifest m;
    ps_buf out, in;
    bool exists = false;
    ps_status st;

    memset(&m, 0, sizeof(m));
    ps_buf_init(&out, PATHBUF_MAX);
    ps_buf_init(&in, PATHBUF_MAX);
    src_real = realpath(src, NULL);
    if (src_real == NULL) {
        ps_diag_set(diag, "%s: %s", src, strerror(errno));
        st = PS_ERR_USAGE;
        goto done;
    }
    dst_abs = abs_dest(dst, diag);
    if (dst_abs == NULL) {
        st = PS_ERR_USAGE;
        goto done;
    }
    st = check_places(src_real, dst_abs, dst, force, &exists, diag);
    if (st == PS_OK)
        st = manifest_load(k, src_real, &m, diag);
    if (st == PS_OK)
        st = check_manifest_paths(&m, diag);
    if (st != PS_OK)
        goto done;
    tmp = make_temp(dst_abs, diag);
    if (tmp == NULL) {
        st = PS_ERR_IO;
        goto done;
    }
    for (size_t i = 0; i < m.nfiles && st == PS_OK; i++) {
        ps_buf_reset(&out);
        st = make_parents(tmp, m.files[i], diag);
        if (st == PS_OK)
            st = ps_buf_printf(&out, "%s/%s", tmp, m.files[i]);
        if (st == PS_OK)
            st = open_file(k, src_real, m.files[i], ps_buf_cstr(&out), diag);
    }
    for (size_t i = 0; i < m.ndbs && st == PS_OK; i++) {
        const char *rel = m.dbs[i].rel_path;
        ps_diag d = { { 0 } };

        ps_buf_reset(&out);
        ps_buf_reset(&in);
        st = make_parents(tmp, rel, diag);
        if (st == PS_OK)
            st = ps_buf_printf(&out, "%s/%s.partial", tmp, rel);
        if (st == PS_OK)
            st = ps_buf_printf(&in, "%s/%s", src_real, rel);
        if (st == PS_OK) {
            st = ps_db_unprotect(k, &m.dbs[i], ps_buf_cstr(&in), ps_buf_cstr(&out), &d);
            if (st != PS_OK)
                ps_diag_set(diag, "%s: %s", rel, d.msg[0] ? d.msg : ps_strerror(st));
        }
        if (st == PS_OK) {
            ps_buf_reset(&in);
            st = ps_buf_printf(&in, "%s/%s", tmp, rel);
            if (st == PS_OK && rename(ps_buf_cstr(&out), ps_buf_cstr(&in)) != 0) {
                ps_diag_set(diag, "%s: %s", rel, strerror(errno));
                st = PS_ERR_IO;
            }
        }
    }
    if (st == PS_OK)
        st = install_tree(tmp, dst_abs, exists, diag);
    if (st == PS_OK) {
        if (note_fn != NULL) {
            char msg[256];
            snprintf(msg, sizeof(msg), "%zu files and %zu databases restored", m.nfiles, m.ndbs);
            note_fn(note_ud, msg);
        }
        free(tmp);
        tmp = NULL;
    }
done:
    if (tmp != NULL) {
        remove_tree(tmp);
        free(tmp);
    }
    manifest_free(&m);
    ps_buf_free(&out);
    ps_buf_free(&in);
    free(src_real);
    free(dst_abs);
    return st;
}

/* Report "rel: what" through fn and count it. */
static void problem(ps_note_fn fn, void *ud, size_t *problems, const char *rel,
                    const char *suffix, const char *what)
{
    ps_buf msg;

    ps_buf_init(&msg, PATHBUF_MAX + 1024);
    if (ps_buf_printf(&msg, "%s%s: %s", rel, suffix, what) == PS_OK)
        fn(ud, ps_buf_cstr(&msg));
    ps_buf_free(&msg);
    (*problems)++;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

ps_status ps_verify_tree(const ps_key *k, const char *dir, ps_note_fn fn, void *ud,
                         size_t *problems, ps_diag *diag)
{
    const char *roots[1] = { dir };
    char **expect = NULL;
    size_t nexpect = 0;
    ps_filelist fl;
    ps_errors errs;
    manifest m;
    ps_buf path;
    ps_status st;

    *problems = 0;
    memset(&fl, 0, sizeof(fl));
    memset(&errs, 0, sizeof(errs));
    ps_buf_init(&path, PATHBUF_MAX);
    st = manifest_load(k, dir, &m, diag);
    if (st == PS_OK)
        st = check_manifest_paths(&m, diag);
    if (st != PS_OK)
        goto done;
    for (size_t i = 0; i < m.nfiles; i++) {
        ps_diag d = { { 0 } };
        int fd;

        ps_buf_reset(&path);
        st = ps_buf_printf(&path, "%s/%s%s", dir, m.files[i], PS_PROTECT_SUFFIX);
        if (st != PS_OK)
            goto done;
        fd = open(ps_buf_cstr(&path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            problem(fn, ud, problems, m.files[i], PS_PROTECT_SUFFIX,
                    errno == ENOENT ? "missing" : strerror(errno));
            continue;
        }
        st = ps_envelope_open(k, m.files[i], fd, -1, &d);
        close(fd);
        if (st == PS_ERR_NOMEM)
            goto done;
        if (st != PS_OK)
            problem(fn, ud, problems, m.files[i], PS_PROTECT_SUFFIX, d.msg);
        st = PS_OK;
    }
    for (size_t i = 0; i < m.ndbs; i++) {
        ps_diag d = { { 0 } };

        ps_buf_reset(&path);
        st = ps_buf_printf(&path, "%s/%s", dir, m.dbs[i].rel_path);
        if (st != PS_OK)
            goto done;
        if (access(ps_buf_cstr(&path), F_OK) != 0) {
            problem(fn, ud, problems, m.dbs[i].rel_path, "", "missing");
            continue;
        }
        st = ps_db_verify(k, &m.dbs[i], ps_buf_cstr(&path), fn, ud, problems, &d);
        if (st == PS_ERR_NOMEM)
            goto done;
        if (st != PS_OK)
            problem(fn, ud, problems, m.dbs[i].rel_path, "", d.msg);
        st = PS_OK;
    }
    /* Files nobody listed were not protected by this run: say so. */
    st = ps_walk(roots, 1, NULL, &fl, &errs, diag);
    if (st != PS_OK)
        goto done;
    expect = calloc(m.nfiles + m.ndbs + 1, sizeof(*expect));
    if (expect == NULL) {
        st = PS_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < m.nfiles && st == PS_OK; i++) {
        ps_buf_reset(&path);
        st = ps_buf_printf(&path, "%s%s", m.files[i], PS_PROTECT_SUFFIX);
        if (st == PS_OK && (expect[nexpect++] = ps_strdup(ps_buf_cstr(&path))) == NULL)
            st = PS_ERR_NOMEM;
    }
    for (size_t i = 0; i < m.ndbs && st == PS_OK; i++) {
        if ((expect[nexpect++] = ps_strdup(m.dbs[i].rel_path)) == NULL)
            st = PS_ERR_NOMEM;
    }
    if (st == PS_OK && (expect[nexpect++] = ps_strdup(PS_PROTECT_MANIFEST)) == NULL)
        st = PS_ERR_NOMEM;
    if (st != PS_OK)
        goto done;
    qsort(expect, nexpect, sizeof(*expect), cmp_str);
    for (size_t i = 0; i < fl.n; i++) {
        const char *rel = fl.items[i].rel_path;
        if (bsearch(&rel, expect, nexpect, sizeof(*expect), cmp_str) == NULL)
            problem(fn, ud, problems, rel, "", "not listed in the manifest");
    }
done:
    if (expect != NULL) {
        for (size_t i = 0; i < nexpect; i++)
            free(expect[i]);
        free(expect);
    }
    manifest_free(&m);
    ps_filelist_free(&fl);
    ps_errors_free(&errs);
    ps_buf_free(&path);
    return st;
}
