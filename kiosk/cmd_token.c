/*
 * kiosk/cmd_token.c - `kiosk token list`: every inserted key with its
 * certificate (holder, USCC, serial, validity and days left), in the
 * language of [hall] lang.
 */
#include <stdio.h>
#include <time.h>

#include "kiosk/cli.h"
#include "kiosk/clock.h"
#include "kiosk/rules.h"
#include "kiosk/msg.h"
#include "kiosk/engine.h"
#include "token/token.h"

#define TOKEN_LIST_MAX 32

/* The local calendar day of T as YYYY-MM-DD (the day the validity screen shows). */
static void
token_date(time_t t, char *out, size_t n)
{
    rules_date_format(clock_local_day(t), out, n);
}

static void
token_print(tok_ctx *ctx, const struct tok_key *k, time_t now)
{
    char line[1200], from[16], to[16];
    struct tok_cert c;
    int rc;

    puts(msg_fmt(line, sizeof line, M_TOK_LIST_KEY, k->serial, k->label));
    if (!k->initialized) {
        puts(msg(M_TOK_LIST_BLANK));
        return;
    }
    rc = tok_read_cert(ctx, k->serial, &c);
    if (rc == 0 || rc == TOK_ERR_FOREIGN_CERT) {
        long days;
        puts(msg_fmt(line, sizeof line, M_TOK_LIST_HOLDER, c.holder, c.uscc[0] ? c.uscc : "-"));
        puts(msg_fmt(line, sizeof line, M_TOK_LIST_CERT_SERIAL, c.serial_hex));
        token_date(c.not_before, from, sizeof from);
        token_date(c.not_after, to, sizeof to);
        /* Whole calendar days, as rules_validity_check counts them on the validity screen. */
        days = rules_days_between(clock_local_day(now), clock_local_day(c.not_after));
        if (days >= 0)
            puts(msg_fmt(line, sizeof line, M_TOK_LIST_VALID, from, to, days));
        else
            puts(msg_fmt(line, sizeof line, M_TOK_LIST_EXPIRED, from, to, -days));
        puts(msg_fmt(line, sizeof line, M_TOK_LIST_ISSUER, c.issuer));
    }
    if (rc != 0)
        puts(msg_fmt(line, sizeof line, M_TOK_LIST_STATUS, msg(txn_tok_msg(rc))));
}

static int
token_list_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    static struct kiosk_config eff;
    struct tok_key keys[TOKEN_LIST_MAX];
    char err[1024], line[1200];
    enum msg_lang lang;
    tok_ctx *ctx;
    size_t n = 0, i;
    time_t now = time(NULL);

    (void)argv;
    if (tok_cfg_effective(cfg, &eff, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_TOK_CFG_ERR, err));
        return 2;
    }
    if (msg_parse_lang(eff.lang, &lang) == 0)
        msg_set_lang(lang);
    if (argc != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_CLI_USAGE, "token list", ""));
        return 2;
    }
    if (tok_open_cfg(&ctx, &eff, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_TOK_MODULE_LOAD, err));
        return 1;
    }
    tok_keys(ctx, keys, TOKEN_LIST_MAX, &n);
    if (n == 0)
        puts(msg(M_TOK_LIST_NONE));
    for (i = 0; i < n; i++)
        token_print(ctx, &keys[i], now);
    tok_close(ctx);
    return 0;
}

const struct cli_cmd cmd_token_list = {
    .group = "token", .name = "list", .usage = "", .help = M_CLI_H_TOKEN_LIST, .exec = token_list_exec,
};
