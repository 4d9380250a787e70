/*
 * cli.h - command-line entry points that live outside main.c.
 *
 * Each command parses its own options with getopt_long, with argv[0] being
 * the command word ("protect"), prints its usage on --help, and returns the
 * process exit code: 0 when it did what was asked, 2 on any error (usage,
 * wrong key, a file that does not authenticate, a problem found by verify).
 */
#ifndef PS_CLI_H
#define PS_CLI_H

/* The rule packs the CLI uses when --rules is not given (implemented in main.c). */
const char *ps_default_rules_path(void);

/* plainsight keygen -o FILE [--force] */
int ps_cli_keygen(int argc, char **argv);
/* plainsight protect --key KEY SRC DST [--force] [--minimise] [-j N] [--rules R] */
int ps_cli_protect(int argc, char **argv);
/* plainsight unprotect --key KEY DST RESTORED [--force] */
int ps_cli_unprotect(int argc, char **argv);
/* plainsight verify --key KEY DST */
int ps_cli_verify(int argc, char **argv);

#endif /* PS_CLI_H */
