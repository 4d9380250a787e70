/*
 * fuzz_sqldump.c - the SQL dump reader (read_sqldump.c): MySQL and
 * PostgreSQL INSERT and COPY rows, CREATE TABLE column lists, quoting,
 * escapes, comments and dollar quotes, values bounded by max_record.
 *
 * The reader gets any bytes, not only those sniffing would send it: the
 * scan driver trusts the sniffer, and the sniffer can be fooled.
 * ps_fuzz_read checks every record against read.h.
 */
#include "config.h"

#include "fuzz.h"
#include "read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ps_fuzz_read(&ps_reader_sqldump, data, size, "fuzz.sql", NULL, PS_TRANSPORT_PLAIN);
    return 0;
}
