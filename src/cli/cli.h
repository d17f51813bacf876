/* The `loyalty` command line: one command table, output as tables or --json. */
#ifndef LOY_CLI_CLI_H
#define LOY_CLI_CLI_H

/* Runs the command line; returns the process exit code (0 ok, 1 failure, 2 usage or invalid
 * input, 3 not found, 4 conflict, 5 storage). */
int loy_cli_main(int argc, char **argv);

#endif
