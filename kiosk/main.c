/* kiosk/main.c - temporary entry (being written). */
#include <stdio.h>
#include "kiosk/cli.h"
#include "kiosk/msg.h"
int main(int argc, char **argv)
{
    struct kiosk_config cfg;
    int used = 0;
    const struct cli_cmd *c;
    cfg_defaults(&cfg, NULL);
    c = cli_find(argc - 1, argv + 1, &used);
    if (c) return c->exec(&cfg, argc - 1 - used, argv + 1 + used);
    puts(msg(M_APP_TITLE));
    return 0;
}
