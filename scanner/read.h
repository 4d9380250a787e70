/*
 * read.h - the reader interface: one file in, a stream of records out.
 *
 * A record is (field name, value, location).  Readers know formats and
 * nothing of rules: they do not decide what matters, they only say what is
 * where.  Each reader is one file (read_<format>.c) and one line in the table
 * in read.c.
 *
 * Readers stream.  None holds a whole file in memory; each bounds what it
 * buffers by src->max_record and reports an over-long record as an error
 * instead of truncating silently.
 */
#ifndef PS_READ_H
#define PS_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plainsight.h"
#include "sniff.h"

typedef enum ps_loc_kind {
    PS_LOC_NONE = 0, /* the whole file (media, file-level facts) */
    PS_LOC_LINE,     /* text: line; CSV: line + column; JSONL: line + pointer */
    PS_LOC_CELL      /* SQLite / SQL dump: table + column + row */
} ps_loc_kind;

/*
 * Where a value sits.  Strings are borrowed from the reader and valid only
 * during the callback.  Unused members are 0 / NULL.
 */
typedef struct ps_loc {
    ps_loc_kind kind;
    uint64_t line;       /* 1-based, PS_LOC_LINE */
    const char *table;   /* PS_LOC_CELL */
    const char *column;  /* CSV header name, or SQL column */
    int64_t row;         /* SQLite rowid, or 1-based row within an INSERT stream */
    const char *pointer; /* JSON pointer ("/user/email"), PS_LOC_LINE in JSONL */
} ps_loc;

typedef struct ps_record {
    const char *field;   /* field name: column, JSON pointer, or "" for a text line */
    size_t field_len;
    const char *value;   /* not NUL-terminated in general; may hold NULs (BLOBs) */
    size_t value_len;
    ps_loc loc;
    ps_media media;      /* value is a media blob of this type, else PS_MEDIA_NONE */
    int is_null;         /* SQL NULL / \N: value is empty and means "no data" */
    uint32_t field_id;   /* see below; 0: not numbered */
} ps_record;

/*
 * Field ids.  A reader that knows its fields' shape (CSV columns, SQLite
 * and SQL-dump columns, JSON Lines keys) numbers them within one file, from
 * 1.  Two records of one file with the same non-zero field_id have the same
 * field, loc.table, loc.column and loc.pointer; the converse need not hold
 * (a name may come back under a new id).  A store has millions of cells but
 * a few dozen fields, so consumers work out what depends only on the field
 * (which rules can fire, which person a column describes) once per id per
 * file, instead of hashing the name of every cell.  0 means the reader gave
 * no id, and consumers look at the name.  Ids stay below PS_FIELD_IDS, so
 * consumers can keep them in a fixed table.
 */
#define PS_FIELD_IDS 1024u

/* Return 0 to continue, non-zero to stop reading (the reader returns PS_ERR_STOP). */
typedef int (*ps_record_fn)(void *ud, const ps_record *rec);

/*
 * How the bytes of a file reach the reader.  ps_input_open() hides the
 * difference from stream readers; readers that need the file itself
 * (SQLite) refuse anything but PS_TRANSPORT_PLAIN.
 */
typedef enum ps_transport {
    PS_TRANSPORT_PLAIN = 0, /* the fd's bytes as they are */
    PS_TRANSPORT_GZIP       /* the fd holds gzip; readers see it inflated */
} ps_transport;

/* What a reader is handed.  All members are borrowed. */
typedef struct ps_source {
    int fd;                /* open O_RDONLY, positioned at 0 */
    const char *open_path; /* path usable with open()/sqlite3_open_v2 */
    const char *rel_path;  /* path as reported (relative, '/'-separated) */
    uint64_t size;
    ps_sniff sniff;        /* what sniffing decided */
    size_t max_record;     /* longest line/record/value accepted, in bytes */
    ps_transport transport; /* sniff describes the inflated bytes for gzip */
    uint64_t max_inflate;  /* max decompressed bytes, 0 = default 4 GiB */
    unsigned max_ratio;    /* max decompressed/compressed ratio, 0 = default 200 */
} ps_source;

typedef struct ps_reader {
    const char *name;
    ps_format format;
    /*
     * Emit every record of src through fn.  Returns PS_OK when the file was
     * read to its end, PS_ERR_STOP when fn stopped it, or an error with a
     * one-line explanation in *diag (e.g. "line 12: unterminated quote").  A
     * reader that fails part-way still emits every record it could read
     * before the failure.
     */
    ps_status (*read)(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag);
} ps_reader;

/* The reader for a format, or NULL when the format has no records. */
const ps_reader *ps_reader_for(ps_format f);

/*
 * Field ids for readers whose fields are names, not fixed columns (JSON
 * keys): the same name always gets the same id within one ps_field_ids.
 * Records of one shape repeat their fields in the same order, so the name
 * is first compared with the one last seen at the same place k in its
 * record; only a different name is hashed.
 */
typedef struct ps_field_ids ps_field_ids;

ps_field_ids *ps_field_ids_new(void);
void ps_field_ids_free(ps_field_ids *f);
/* The id of name[0..len), the k-th field of its record; 0 once ids ran out. */
uint32_t ps_field_id(ps_field_ids *f, size_t k, const char *name, size_t len);

/* Readers, one per file; registered in read.c. */
extern const ps_reader ps_reader_text;
extern const ps_reader ps_reader_jsonl;
extern const ps_reader ps_reader_csv;
extern const ps_reader ps_reader_sqlite;
extern const ps_reader ps_reader_sqldump;
extern const ps_reader ps_reader_media;
extern const ps_reader ps_reader_strings; /* unknown binary: printable runs */
extern const ps_reader ps_reader_json;    /* JSON documents, streamed (yajl) */
extern const ps_reader ps_reader_mbox;    /* mbox mail folders */

/*
 * The SQLite reader with its page walk on (use_pages) or off, when every
 * table is read through SQLite's engine.  ps_reader_sqlite is this with the
 * walk on.  *paged (may be NULL) gets how many rows the walk gave.  Tests
 * hold the two to the same records.
 */
ps_status ps_read_sqlite_with(const ps_source *src, ps_record_fn fn, void *ud, ps_diag *diag,
                              bool use_pages, uint64_t *paged);

#endif /* PS_READ_H */
