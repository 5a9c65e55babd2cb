/*
 * tests/integration/issue_helper.c - drives the transaction engine's
 * 证书新办 (kiosk/engine*.c) without the screens against the provisioned
 * hall ($KIOSK_HOME: SoftHSM keys, SQLite records, the test printer), for
 * tests/integration/issue.sh. Prints key=value lines; exit 0 unless the
 * helper itself could not run.
 *
 *   issue SERIAL USCC COMPANY OPERATOR_ID [PULL|WIPE]
 *       the whole flow on key SERIAL (must be plugged); with PULL the key is
 *       unplugged after initialisation so issuing fails, then the order is
 *       resumed from the records, the key plugged again, wiped and issued.
 *       PULL and WIPE wipe a key that holds a certificate (the clerk's yes).
 *   check-uscc USCC        one certificate per enterprise (refused=0|1)
 *   check-operator ID      one open order per operator (refused=0|1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/config.h"
#include "kiosk/engine.h"
#include "kiosk/msg.h"
#include "printing/print.h"
#include "token/token.h"

static struct kiosk_config cfg;
static struct txn_env env;

static void
open_hall(void)
{
    struct kiosk_config base;
    char err[1024];

    cfg_defaults(&base, NULL);
    if (tok_cfg_effective(&base, &cfg, err, sizeof err) != 0 || tok_open_cfg(&env.tok, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "issue_helper: %s\n", err);
        exit(3);
    }
    if (store_open(&env.st, cfg.db_path, cfg.db_busy_ms, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "issue_helper: %s\n", err);
        exit(3);
    }
    env.cfg = &cfg;
    env.window = "window66";
    env.clerk = "w66";
}

/* Plug / pull key SERIAL by its marker file (tok_dev_plug would load the
 * module a second time in this process and finalize it under us). */
static void
plug(const char *serial, bool in)
{
    char path[CFG_PATH_MAX + 64];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", cfg.ports_dir, serial);
    if (in) {
        if ((f = fopen(path, "w")) != NULL)
            fclose(f);
    } else {
        unlink(path);
    }
    tok_poll(env.tok);
}

static int
step(struct txn *t, const char *name)
{
    int rc = txn_goto(t, env.st, txn_step_index(t->def, name));
    printf("step_%s=%d\n", name, rc);
    return rc;
}

static int
cmd_issue(int argc, char **argv)
{
    struct txn t, r;
    char err[256];
    int rc;
    bool pull = argc > 6 && strcmp(argv[6], "PULL") == 0;
    bool wipe = argc > 6; /* PULL or WIPE: the key may hold a certificate */

    txn_begin(&t, &txn_new_cert, env.window, env.clerk);
    txn_set(&t, "company", argv[4]);
    txn_set(&t, "uscc", argv[3]);
    txn_set(&t, "legal_rep", "张三");
    txn_set(&t, "company_phone", "022-12345678");
    txn_set(&t, "address", "天津市滨海新区测试路1号");
    printf("uscc_refused=%d\n", txn_new_check_uscc(env.st, argv[3]) != 0);
    step(&t, "operator");
    txn_set(&t, "operator_name", "李四");
    txn_set(&t, "operator_id", argv[5]);
    txn_set(&t, "mobile", "13912345678");
    txn_set(&t, "email", "lisi@example.com");
    printf("operator_refused=%d\n", txn_new_check_operator(env.st, &t, argv[5], NULL) != 0);
    step(&t, "kind");
    printf("order_created=%d\n", t.order.id != 0);
    txn_set(&t, "kind", "unit");
    txn_set_int(&t, "years", 3);
    step(&t, "materials");
    step(&t, "fee");
    txn_set(&t, "amount", "20000");
    rc = txn_new_print_forms(&t, &env, err, sizeof err);
    printf("forms_print=%d %s\n", rc, rc ? err : "");
    step(&t, "pay");
    printf("key_before_pay=%d\n", txn_may_enter(&t, txn_step_index(t.def, "key")) == 0);
    printf("pay=%d\n", txn_pay(&t, env.st, "cash", 0));
    step(&t, "key");
    txn_set(&t, "key_serial", argv[2]);
    step(&t, "pin");
    snprintf(t.pin, sizeof t.pin, "%s", "Kx7#pq29");
    step(&t, "issue");
    rc = txn_new_init_key(&t, &env, false);
    printf("init=%d\n", rc);
    if (rc == TOK_ERR_NOT_BLANK && wipe) {
        rc = txn_new_init_key(&t, &env, true);
        printf("init_wiped=%d\n", rc);
    }
    if (pull) {
        plug(argv[2], false);
        rc = txn_new_issue(&t, &env);
        printf("issue_pulled=%d\n", rc);
        txn_pin_clear(&t);
        /* The kiosk stops here; another run finds the order by the operator. */
        {
            struct store_order o;
            rc = store_order_open_for_operator(env.st, argv[5], &o);
            printf("still_open=%d\n", rc == STORE_OK && o.id == t.order.id);
            rc = txn_resume(&r, &txn_new_cert, env.st, o.id);
            printf("resume=%d resumed_at=%s\n", rc, txn_cur(&r)->name);
        }
        t = r;
        plug(argv[2], true);
        snprintf(t.pin, sizeof t.pin, "%s", "Kx7#pq29");
        step(&t, "pin");
        step(&t, "issue");
        rc = txn_new_init_key(&t, &env, true);
        printf("init_again=%d\n", rc);
    }
    rc = txn_new_issue(&t, &env);
    txn_pin_clear(&t);
    printf("issue=%d %s\n", rc, rc ? tok_detail(env.tok) : "");
    if (rc != 0)
        return 0;
    printf("cert_serial=%s\nsubject=%s\n", t.cert.serial_hex, t.cert.subject);
    printf("record=%d\n", txn_new_record(&t, &env));
    rc = txn_new_print_receipt(&t, &env, err, sizeof err);
    printf("receipt_print=%d %s\n", rc, rc ? err : "");
    printf("finish=%d\n", txn_finish(&t, env.st));
    printf("order=%s\norder_id=%lld\n", t.order.number, (long long)t.order.id);
    printf("pin_zeroed=%d\n", t.pin[0] == 0);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: issue_helper issue SERIAL USCC COMPANY OPERATOR_ID [PULL] | check-uscc USCC | check-operator ID\n");
        return 2;
    }
    msg_set_lang(LANG_ZH);
    open_hall();
    if (strcmp(argv[1], "issue") == 0 && argc >= 6)
        cmd_issue(argc, argv);
    else if (strcmp(argv[1], "check-uscc") == 0 && argc >= 3)
        printf("refused=%d\n", txn_new_check_uscc(env.st, argv[2]) != 0);
    else if (strcmp(argv[1], "check-operator") == 0 && argc >= 3) {
        struct txn t;
        txn_begin(&t, &txn_new_cert, "window66", "");
        printf("refused=%d\n", txn_new_check_operator(env.st, &t, argv[2], NULL) != 0);
    } else
        return 2;
    store_close(env.st);
    tok_close(env.tok);
    return 0;
}
