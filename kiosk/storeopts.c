/*
 * kiosk/storeopts.c - cfg_store_opts (kiosk/config.h): how the configuration
 * reaches the records. Apart from kiosk/config.c, which is base and knows
 * nothing of data/; it calls nothing of ours, so every caller may use it.
 */
#include "kiosk/config.h"

#include <string.h>

#include "data/store.h"

void
cfg_store_opts(const struct kiosk_config *cfg, struct store_opts *o)
{
    memset(o, 0, sizeof *o);
    o->backend = strcmp(cfg->db_backend, "postgresql") == 0 ? STORE_POSTGRESQL : STORE_SQLITE;
    o->path = cfg->db_path;
    o->conninfo = cfg->db_conninfo;
    o->password_file = cfg->db_password_file;
    o->busy_ms = cfg->db_busy_ms;
    o->station = cfg->station;
    o->witness = cfg->db_witness;
}
