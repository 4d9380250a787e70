/*
 * read.c - the reader table.  A new format is one read_<format>.c plus one
 * line here.
 */
#include "config.h"

#include "read.h"

static const ps_reader *const readers[] = {
    &ps_reader_text,
    &ps_reader_jsonl,
    &ps_reader_csv,
    &ps_reader_sqlite,
    &ps_reader_sqldump,
    &ps_reader_media,
    &ps_reader_strings,
    &ps_reader_json,
    &ps_reader_mbox,
};

const ps_reader *ps_reader_for(ps_format f)
{
    for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
        if (readers[i]->format == f)
            return readers[i];
    }
    return NULL;
}
