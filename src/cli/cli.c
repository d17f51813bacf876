/* Command table and dispatch (placeholder until the commands land). */
#include "cli/cli.h"

#include <stdio.h>

int loy_cli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "loyalty: no commands yet\n");
    return 2;
}
