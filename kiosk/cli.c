/*
 * kiosk/cli.c - the table of non-interactive commands (see cli.h).
 */
#include "kiosk/cli.h"

#include <stdio.h>
#include <string.h>

extern const struct cli_cmd cmd_hall_provision;
extern const struct cli_cmd cmd_token_list;
extern const struct cli_cmd cmd_dev_plug;
extern const struct cli_cmd cmd_dev_unplug;
extern const struct cli_cmd cmd_print_sample;
extern const struct cli_cmd cmd_print_outbox;
extern const struct cli_cmd cmd_print_retry;
extern const struct cli_cmd cmd_print_cancel;
extern const struct cli_cmd cmd_clerk_add;
extern const struct cli_cmd cmd_clerk_disable;
extern const struct cli_cmd cmd_clerk_passwd;
extern const struct cli_cmd cmd_clerk_list;
extern const struct cli_cmd cmd_audit_verify;
extern const struct cli_cmd cmd_audit_head;
extern const struct cli_cmd cmd_report_daily;
extern const struct cli_cmd cmd_ca_crl;
extern const struct cli_cmd cmd_ca_revoke;
extern const struct cli_cmd cmd_ca_status;
extern const struct cli_cmd cmd_ca_hold;
extern const struct cli_cmd cmd_ca_release;
extern const struct cli_cmd cmd_key_states;
extern const struct cli_cmd cmd_key_status;
extern const struct cli_cmd cmd_key_adopt;
extern const struct cli_cmd cmd_pay_confirm;
extern const struct cli_cmd cmd_pay_refund;
extern const struct cli_cmd cmd_config_example;
extern const struct cli_cmd cmd_config_say;
extern const struct cli_cmd cmd_db_check;
extern const struct cli_cmd cmd_db_migrate;
extern const struct cli_cmd cmd_db_copy;
extern const struct cli_cmd cmd_config_man;

static const struct cli_cmd *const cli_table[] = {
    &cmd_hall_provision,
    &cmd_token_list,
    &cmd_dev_plug,
    &cmd_dev_unplug,
    &cmd_print_sample,
    &cmd_print_outbox,
    &cmd_print_retry,
    &cmd_print_cancel,
    &cmd_clerk_add,
    &cmd_clerk_disable,
    &cmd_clerk_passwd,
    &cmd_clerk_list,
    &cmd_audit_verify,
    &cmd_audit_head,
    &cmd_report_daily,
    &cmd_ca_crl,
    &cmd_ca_revoke,
    &cmd_ca_status,
    &cmd_ca_hold,
    &cmd_ca_release,
    &cmd_key_states,
    &cmd_key_status,
    &cmd_key_adopt,
    &cmd_pay_confirm,
    &cmd_pay_refund,
    &cmd_config_example,
    &cmd_config_say,
    &cmd_db_check,
    &cmd_db_migrate,
    &cmd_db_copy,
    &cmd_config_man,
};

#define CLI_NCMDS (sizeof(cli_table) / sizeof(cli_table[0]))

const struct cli_cmd *
cli_find(int argc, char **argv, int *used)
{
    size_t i;

    if (argc < 1)
        return NULL;
    for (i = 0; i < CLI_NCMDS; i++) {
        const struct cli_cmd *c = cli_table[i];
        if (strcmp(c->group, argv[0]) != 0)
            continue;
        if (c->name == NULL) {
            *used = 1;
            return c;
        }
        if (argc >= 2 && strcmp(c->name, argv[1]) == 0) {
            *used = 2;
            return c;
        }
    }
    return NULL;
}

void
cli_usage(void *fp)
{
    FILE *f = fp;
    size_t i;

    for (i = 0; i < CLI_NCMDS; i++) {
        const struct cli_cmd *c = cli_table[i];
        char words[64];
        snprintf(words, sizeof words, "%s%s%s", c->group, c->name ? " " : "", c->name ? c->name : "");
        fprintf(f, "  kiosk %-14s %-28s %s\n", words, c->usage, msg(c->help));
    }
}
