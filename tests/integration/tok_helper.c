/*
 * tests/integration/tok_helper.c - drives token/ against the real SoftHSM of
 * a provisioned hall ($KIOSK_HOME) for tests/integration/token.sh. Each
 * subcommand prints "key=value" lines the script checks; exit 0 unless the
 * helper itself could not run.
 *
 *   read SERIAL                 tok_read_cert: status, holder, uscc, serial, issued_by_ca
 *   pull-mid SERIAL STEP        pull the key (remove its marker) at STEP of tok_read_cert
 *   open MODULE                 tok_open with MODULE: status and error text
 *   poll SERIAL                 tok_poll before/after plugging SERIAL (marker file)
 *   issue SERIAL LABEL PIN ALGO tok_init_blank + tok_issue (3 years)
 *   pin SERIAL PIN              tok_pin_verify with a wrong PIN, then PIN; change and back
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/config.h"
#include "token/token.h"

static struct kiosk_config cfg;

static tok_ctx *
open_hall(void)
{
    struct kiosk_config base;
    char err[1024];
    tok_ctx *ctx;

    cfg_defaults(&base, NULL);
    if (tok_cfg_effective(&base, &cfg, err, sizeof err) != 0 || tok_open_cfg(&ctx, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "tok_helper: %s\n", err);
        exit(3);
    }
    return ctx;
}

static void
print_cert(int rc, const struct tok_cert *c)
{
    printf("status=%d\nholder=%s\nuscc=%s\nserial=%s\nissued_by_ca=%d\nnot_after=%ld\n",
           rc, c->holder, c->uscc, c->serial_hex, c->issued_by_ca, (long)c->not_after);
}

struct pull { const char *serial; int at; };

static void
pull_hook(void *arg, int step)
{
    struct pull *p = arg;
    char path[1200];

    if (step != p->at)
        return;
    snprintf(path, sizeof path, "%s/%s", cfg.ports_dir, p->serial);
    printf("pulled_at=%d unlink=%d\n", step, unlink(path));
}

int
main(int argc, char **argv)
{
    tok_ctx *ctx;
    struct tok_cert c;
    int rc;

    if (argc < 3) {
        fprintf(stderr, "usage: tok_helper read|pull-mid|open|poll|issue|pin ARGS\n");
        return 2;
    }
    if (strcmp(argv[1], "open") == 0) {
        char err[1024] = "";
        rc = tok_open(&ctx, argv[2], NULL, NULL, NULL, err, sizeof err);
        printf("status=%d\nerror=%s\n", rc, err);
        tok_close(ctx);
        return 0;
    }
    ctx = open_hall();
    if (strcmp(argv[1], "read") == 0) {
        rc = tok_read_cert(ctx, argv[2], &c);
        print_cert(rc, &c);
    } else if (strcmp(argv[1], "pull-mid") == 0 && argc == 4) {
        struct pull p = { argv[2], atoi(argv[3]) };
        tok_set_step_hook(ctx, pull_hook, &p);
        rc = tok_read_cert(ctx, argv[2], &c);
        printf("status=%d\n", rc);
    } else if (strcmp(argv[1], "poll") == 0) {
        char path[1200];
        FILE *f;
        int a = tok_poll(ctx), b, d, e;
        snprintf(path, sizeof path, "%s/%s", cfg.ports_dir, argv[2]);
        b = tok_poll(ctx);
        f = fopen(path, "w");
        if (f != NULL)
            fclose(f);
        d = tok_poll(ctx);
        e = tok_poll(ctx);
        unlink(path);
        printf("poll_idle=%d,%d\npoll_plugged=%d\npoll_after=%d\npoll_pulled=%d\n", a, b, d, e, tok_poll(ctx));
    } else if (strcmp(argv[1], "issue") == 0 && argc == 6) {
        struct tok_subject s;
        time_t now = time(NULL);
        memset(&s, 0, sizeof s);
        snprintf(s.org, sizeof s.org, "%s", "天津市测试签发有限公司");
        snprintf(s.cn, sizeof s.cn, "%s", "张三");
        snprintf(s.uscc, sizeof s.uscc, "%s", "91120104MA05KL2D7K");
        rc = tok_init_blank(ctx, argv[2], argv[3], argv[4]);
        printf("init_status=%d\n", rc);
        if (rc == 0) {
            rc = tok_issue(ctx, argv[2], argv[4], &s, now, now + 3 * 365 * 86400L, argv[5], &c);
            print_cert(rc, &c);
            if (rc != 0)
                printf("detail=%s\n", tok_detail(ctx));
            rc = tok_issue(ctx, argv[2], argv[4], &s, now, now + 86400, argv[5], NULL);
            printf("second_issue=%d\n", rc);
        } else {
            printf("detail=%s\n", tok_detail(ctx));
        }
    } else if (strcmp(argv[1], "pin") == 0 && argc == 4) {
        printf("wrong=%d\n", tok_pin_verify(ctx, argv[2], "000000x"));
        printf("right=%d\n", tok_pin_verify(ctx, argv[2], argv[3]));
        printf("short=%d\n", tok_pin_change(ctx, argv[2], argv[3], "12"));
        printf("change=%d\n", tok_pin_change(ctx, argv[2], argv[3], "98765432"));
        printf("old_after=%d\n", tok_pin_verify(ctx, argv[2], argv[3]));
        printf("back=%d\n", tok_pin_change(ctx, argv[2], "98765432", argv[3]));
    } else {
        fprintf(stderr, "tok_helper: bad arguments\n");
        tok_close(ctx);
        return 2;
    }
    tok_close(ctx);
    return 0;
}
