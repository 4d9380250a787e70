/*
 * walk.c - roots in, a sorted list of regular files out.
 *
 * Only lstat-family calls are made on entries, so a FIFO, socket or device is
 * seen for what it is and never opened here (opening a FIFO blocks).  A
 * symbolic link is resolved with realpath() and kept only when it names a
 * regular file inside the root it was found in; links to directories are
 * never followed, which is what keeps the walk free of loops and escapes.
 * Directories are walked with an explicit stack, so a tree thousands of
 * levels deep costs heap, not C stack.
 */
#include "config.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "walk.h"

/* Longest path we build; longer ones are reported, not truncated. */
#define WALK_PATH_MAX 65536

typedef struct walk_dir {
    char *abs; /* path to opendir() */
    char *rel; /* relative path ("" for the root itself) */
} walk_dir;

typedef struct walk_ctx {
    ps_filelist *out;
    ps_errors *errs;
    const char *root_real; /* realpath of the current root */
    size_t root_real_len;
    walk_dir *stack;
    size_t nstack, capstack;
    struct { dev_t dev; ino_t ino; } *seen; /* directories entered, against bind-mount loops */
    size_t nseen, capseen;
    const ps_ignore *ig;   /* exclusions, relative to the current root */
    size_t prefix_len;     /* bytes of rel before the path inside the root */
} walk_ctx;

void ps_filelist_free(ps_filelist *fl)
{
    if (fl == NULL)
        return;
    for (size_t i = 0; i < fl->n; i++) {
        free(fl->items[i].open_path);
        free(fl->items[i].rel_path);
    }
    free(fl->items);
    memset(fl, 0, sizeof(*fl));
}

size_t ps_path_dirlen(const char *rel_path)
{
    const char *slash = strrchr(rel_path, '/');

    return slash != NULL ? (size_t)(slash - rel_path) : 0;
}

/* "a" + "/" + "b", or just "b" when a is empty.  NULL on ENOMEM or overlong. */
static char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p;

    if (la + lb + 2 > WALK_PATH_MAX)
        return NULL;
    p = malloc(la + lb + 2);
    if (p == NULL)
        return NULL;
    if (la == 0) {
        memcpy(p, b, lb + 1);
        return p;
    }
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

/*
 * Normalise a root as given for use as a report prefix: drop "./" prefixes,
 * repeated and trailing slashes.  "." and "./" become "".
 */
static char *normalise_root(const char *root)
{
    size_t n = strlen(root);
    char *p = malloc(n + 1), *w = p;
    const char *r = root;

    if (p == NULL)
        return NULL;
    while (r[0] == '.' && r[1] == '/')
        for (r += 2; *r == '/'; r++)
            ;
    for (; *r; r++) {
        if (*r == '/' && (w > p && w[-1] == '/'))
            continue;
        *w++ = *r;
    }
    while (w > p + 1 && w[-1] == '/')
        w--;
    *w = '\0';
    if (strcmp(p, ".") == 0)
        p[0] = '\0';
    return p;
}

static ps_status add_error(walk_ctx *w, const char *rel, int err)
{
    return ps_errors_add(w->errs, rel[0] ? rel : ".", strerror(err));
}

static ps_status add_file(walk_ctx *w, const char *open_path, const char *rel,
                          const struct stat *st, bool via_link)
{
    ps_file *f;

    if (ps_grow(&w->out->items, &w->out->cap, w->out->n + 1, sizeof(ps_file)) != PS_OK)
        return PS_ERR_NOMEM;
    f = &w->out->items[w->out->n];
    memset(f, 0, sizeof(*f));
    f->open_path = ps_strdup(open_path);
    f->rel_path = ps_strdup(rel);
    if (f->open_path == NULL || f->rel_path == NULL) {
        free(f->open_path);
        free(f->rel_path);
        return PS_ERR_NOMEM;
    }
    f->size = (uint64_t)st->st_size;
    f->mode = (unsigned)(st->st_mode & 07777);
    f->dev = st->st_dev;
    f->ino = st->st_ino;
    f->via_link = via_link;
    w->out->n++;
    return PS_OK;
}

static ps_status push_dir(walk_ctx *w, const char *abs, const char *rel, const struct stat *st)
{
    walk_dir *d;

    for (size_t i = 0; i < w->nseen; i++) {
        if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
            return PS_OK; /* already walked: a bind mount loop */
    }
    if (ps_grow(&w->seen, &w->capseen, w->nseen + 1, sizeof(*w->seen)) != PS_OK ||
        ps_grow(&w->stack, &w->capstack, w->nstack + 1, sizeof(walk_dir)) != PS_OK)
        return PS_ERR_NOMEM;
    w->seen[w->nseen].dev = st->st_dev;
    w->seen[w->nseen].ino = st->st_ino;
    w->nseen++;
    d = &w->stack[w->nstack];
    d->abs = ps_strdup(abs);
    d->rel = ps_strdup(rel);
    if (d->abs == NULL || d->rel == NULL) {
        free(d->abs);
        free(d->rel);
        return PS_ERR_NOMEM;
    }
    w->nstack++;
    return PS_OK;
}

/*
 * A symbolic link found at abs: keep it only when it resolves to a regular
 * file inside the root.  Everything else is skipped and counted.
 */
static ps_status visit_link(walk_ctx *w, const char *abs, const char *rel)
{
    char *real = realpath(abs, NULL);
    struct stat st;
    ps_status rc = PS_OK;

    if (real == NULL || stat(real, &st) != 0 || !S_ISREG(st.st_mode) ||
        strncmp(real, w->root_real, w->root_real_len) != 0 ||
        (real[w->root_real_len] != '/' && w->root_real_len > 1)) {
        w->out->skipped++;
        goto done;
    }
    rc = add_file(w, real, rel, &st, true);
done:
    free(real);
    return rc;
}

/* One directory: list it and classify each entry with lstat. */
static ps_status walk_one_dir(walk_ctx *w, const walk_dir *d)
{
    DIR *dir = opendir(d->abs);
    struct dirent *de;
    ps_status rc = PS_OK;

    if (dir == NULL)
        return add_error(w, d->rel, errno);
    for (;;) {
        struct stat st;
        char *abs, *rel;

        errno = 0;
        de = readdir(dir);
        if (de == NULL) {
            if (errno != 0)
                rc = add_error(w, d->rel, errno);
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            strcmp(de->d_name, ".git") == 0)
            continue;
        abs = path_join(d->abs, de->d_name);
        rel = path_join(d->rel, de->d_name);
        if (abs == NULL || rel == NULL) {
            rc = (abs == NULL && rel == NULL) ? PS_ERR_NOMEM : PS_OK;
            if (rc == PS_OK)
                rc = ps_errors_add(w->errs, rel ? rel : d->rel, "path too long");
        } else if (lstat(abs, &st) != 0) {
            rc = add_error(w, rel, errno); /* vanished or unreadable: say so */
        } else if (ps_ignore_match(w->ig, rel + w->prefix_len, S_ISDIR(st.st_mode))) {
            /* excluded by .plainsightignore or exclude: (pruned when a folder) */
        } else if (S_ISREG(st.st_mode)) {
            rc = add_file(w, abs, rel, &st, false);
        } else if (S_ISDIR(st.st_mode)) {
            rc = push_dir(w, abs, rel, &st);
        } else if (S_ISLNK(st.st_mode)) {
            rc = visit_link(w, abs, rel);
        } else {
            w->out->skipped++; /* FIFO, socket, device: never opened */
        }
        free(abs);
        free(rel);
        if (rc != PS_OK)
            break;
    }
    closedir(dir);
    return rc;
}

/* What a root that is not a regular file is, for its errors entry. */
static const char *special_kind(mode_t mode, bool via_link)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISDIR(mode) && via_link)
        return "a symbolic link to a directory (not followed; name the directory)";
    return "not a regular file";
}

/*
 * Walk one root.  name is the root as given, normalised; prefix is what
 * relative paths start with ("" with a single directory root).
 */
static ps_status walk_root(walk_ctx *w, const char *root, const char *name,
                           const char *prefix)
{
    struct stat st;
    ps_status rc = PS_OK;
    char *real;

    if (lstat(root, &st) != 0)
        return PS_ERR_IO;
    real = realpath(root, NULL);
    if (real == NULL)
        return PS_ERR_IO;
    if (!S_ISDIR(st.st_mode)) {
        /* A file named on the command line: reported under the name given. */
        struct stat tst;
        const char *shown = name[0] ? name : root;

        if (stat(real, &tst) == 0 && S_ISREG(tst.st_mode)) {
            rc = add_file(w, real, shown, &tst, false);
        } else {
            /*
             * Inside a tree a special file is only counted; one the user
             * named was meant to be scanned, so not reading it makes the
             * scan incomplete.  It is never opened: a FIFO would block.
             */
            char msg[160];

            snprintf(msg, sizeof(msg), "named on the command line, but %s: not read",
                     special_kind(lstat(real, &tst) == 0 ? tst.st_mode : st.st_mode,
                                  S_ISLNK(st.st_mode)));
            w->out->skipped++;
            rc = ps_errors_add(w->errs, shown, msg);
        }
        free(real);
        return rc;
    }
    w->root_real = real;
    w->root_real_len = strlen(real);
    rc = push_dir(w, root, prefix, &st);
    while (rc == PS_OK && w->nstack > 0) {
        walk_dir d = w->stack[--w->nstack];
        rc = walk_one_dir(w, &d);
        free(d.abs);
        free(d.rel);
    }
    while (w->nstack > 0) {
        w->nstack--;
        free(w->stack[w->nstack].abs);
        free(w->stack[w->nstack].rel);
    }
    w->root_real = NULL;
    free(real);
    return rc;
}

static int cmp_file(const void *a, const void *b)
{
    const ps_file *fa = a, *fb = b;

    return strcmp(fa->rel_path, fb->rel_path);
}

/* Identity first, then real entries before links, so duplicates are adjacent. */
static int cmp_identity(const void *a, const void *b)
{
    const ps_file *fa = a, *fb = b;

    if (fa->dev != fb->dev)
        return fa->dev < fb->dev ? -1 : 1;
    if (fa->ino != fb->ino)
        return fa->ino < fb->ino ? -1 : 1;
    if (fa->via_link != fb->via_link)
        return fa->via_link ? 1 : -1;
    return strcmp(fa->rel_path, fb->rel_path);
}

/*
 * A link inside the root to a file that is also walked directly would be
 * scanned twice and counted twice; keep the file under its own name.
 * Hard links are separate names the user can see, so both are kept.
 */
static void drop_linked_duplicates(ps_filelist *fl)
{
    size_t keep = 0;

    qsort(fl->items, fl->n, sizeof(ps_file), cmp_identity);
    for (size_t i = 0; i < fl->n; i++) {
        ps_file *f = &fl->items[i];
        if (keep > 0 && f->via_link && fl->items[keep - 1].dev == f->dev &&
            fl->items[keep - 1].ino == f->ino) {
            free(f->open_path);
            free(f->rel_path);
            continue;
        }
        fl->items[keep++] = *f;
    }
    fl->n = keep;
}

ps_status ps_walk(const char *const *roots, size_t nroots, const ps_ignore *ig,
                  ps_filelist *out, ps_errors *errs, ps_diag *diag)
{
    walk_ctx w;
    ps_status rc = PS_OK;

    memset(&w, 0, sizeof(w));
    w.out = out;
    w.errs = errs;
    w.ig = ig;
    for (size_t i = 0; i < nroots; i++) {
        struct stat st;
        if (lstat(roots[i], &st) != 0) {
            ps_diag_set(diag, "%s: %s", roots[i], strerror(errno));
            return PS_ERR_USAGE;
        }
    }
    for (size_t i = 0; i < nroots && rc == PS_OK; i++) {
        /* One directory root: paths relative to it.  Several: prefixed. */
        char *name = normalise_root(roots[i]);
        if (name == NULL) {
            rc = PS_ERR_NOMEM;
            break;
        }
        w.prefix_len = nroots > 1 ? strlen(name) + 1 : 0;
        rc = walk_root(&w, roots[i], name, nroots > 1 ? name : "");
        if (rc == PS_ERR_IO) {
            ps_diag_set(diag, "%s: %s", roots[i], strerror(errno));
            rc = PS_ERR_USAGE;
        }
        free(name);
    }
    free(w.stack);
    free(w.seen);
    if (rc != PS_OK)
        return rc;
    if (out->n > 1) {
        drop_linked_duplicates(out);
        qsort(out->items, out->n, sizeof(ps_file), cmp_file);
    }
    return PS_OK;
}
