/* Entry point of the `loyalty` binary: hands argv to the command table. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return loy_cli_main(argc, argv);
}
