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
 *   verdict                what the engine makes of the first inserted key
 *                          for a new order (verdict=blank|ours|half|wipeable|taken)
 *   run SERIAL USCC COMPANY OPERATOR_ID
 *                          the whole flow as the screens drive it (stage by
 *                          stage through txn_advance, the key judged by
 *                          txn_new_key_scan, a wipe agreed); with
 *                          KIOSK_FAULT_KILL set it dies at that point
 *   resume OPERATOR_ID     find the operator's open order and drive it to the end
 *   cancel OPERATOR_ID     cancel it as the clerk would (cancel=rc why=message)
 *   keycert                the certificate on the first inserted key:
 *                          cert=SERIAL ours=0|1 recorded=0|1 (in certs, any state)
 *                          revoked=0|1 (recorded revoked)
 *   check-uscc USCC        one certificate per enterprise (refused=0|1)
 *   check-operator ID      one open order per operator (refused=0|1)
 *   lost OPERATOR_ID USCC COMPANY
 *                          证书补办 onto the inserted blank key, as the counter does
 *   renew OPERATOR_ID YEARS  证书更新 of the inserted key, driven as the counter
 *                          does ($HELPER_PIN its PIN); with KIOSK_FAULT_KILL it
 *                          dies at that point; resume OPERATOR_ID finishes it
 *   open-order OPERATOR_ID USCC COMPANY [paid]
 *                          a 证书新办 order left open at window 66 at the
 *                          payment step (paid in cash with "paid"): order=NUMBER
 *   unlock-order USCC OPERATOR_ID
 *                          解锁 as the counter drives it, on the inserted key
 *                          (new PIN $HELPER_PIN); with KIOSK_FAULT_KILL=unlock
 *                          it dies after the key's reset, before the records
 *   pin SERIAL PIN [final] a counted PIN login (txn_pin_counted; "final":
 *                          the applicant confirmed the last try):
 *                          result=ok|wrong|locked|confirm|refused|store|token left=N
 *   pinview SERIAL         state=NAME fails=N left=N locked=0|1 token_locked=0|1
 *   unlock SERIAL NEWPIN   the unlock stage's work: SO reset + key.unlock (rc=...)
 *   init SERIAL PIN        give the blank key SERIAL a user PIN (tok_init_blank: init=rc)
 *   selftest SERIAL PIN    tok_selftest through the counted login:
 *                          result=... ec=0|1 cert=0|1 sign=0|1 crypt=0|1
 *   keycheck SERIAL PIN    the certificate on key SERIAL against the records
 *                          and its own private key: cert=SERIAL ours=0|1
 *                          state=-1(unrecorded)|0|1|2 order=ID selftest=rc
 *                          matches=0|1 signs=0|1
 *
 * Faults between the stages (tests/integration/fault_sweep.sh): every step
 * entered and every run stage started by drive() is an event, counted from
 * 1; HELPER_FAULT=K:ACTION does ACTION at event K - kill (SIGKILL), pull
 * (every key pulled out), dblock (another process, sqlite3, takes the
 * records' write lock and keeps it while this one lives), diskfull (the
 * file $HELPER_FILL grows until its filesystem is full). The commands that
 * drive print events=N, the events they passed. HELPER_BUSY_MS sets the
 * records' busy timeout ([db] busy_ms) of this process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/auditkey.h"
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
    struct store_opts so;
    char err[1024];

    cfg_defaults(&base, NULL);
    if (tok_cfg_effective(&base, &cfg, err, sizeof err) != 0 || tok_open_cfg(&env.tok, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "issue_helper: %s\n", err);
        exit(3);
    }
    if (getenv("HELPER_BUSY_MS") != NULL)
        cfg.db_busy_ms = atoi(getenv("HELPER_BUSY_MS"));
    cfg_store_opts(&cfg, &so);
    if (store_open(&env.st, &so, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "issue_helper: %s\n", err);
        exit(3);
    }
    (void)audit_key_apply(&cfg, env.tok, env.st);     /* its audit rows keyed as a counter's */
    if (getenv("HELPER_PROFILE") != NULL)   /* the CA profile in force, as [ca] profile would set it */
        snprintf(cfg.profile_name, sizeof cfg.profile_name, "%s", getenv("HELPER_PROFILE"));
    env.cfg = &cfg;
    /* the counter it plays: window 66 unless HELPER_WINDOW=window68 (clerk w68) */
    env.window = getenv("HELPER_WINDOW") ? getenv("HELPER_WINDOW") : "window66";
    env.clerk = strcmp(env.window, "window68") == 0 ? "w68" : "w66";
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

/* ---- faults between the stages (HELPER_FAULT=K:ACTION) ------------------------------ */

static int fault_events;

/* Another process takes the records' write lock and keeps it while we live:
 * sqlite3 reading its commands from a pipe only we hold. */
static void
fault_dblock(void)
{
    int in[2], out[2];
    char buf[64];
    ssize_t n;
    size_t got = 0;
    pid_t pid;

    if (pipe(in) != 0 || pipe(out) != 0 || (pid = fork()) < 0) {
        perror("issue_helper: dblock");
        return;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("sqlite3", "sqlite3", cfg.db_path, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    fcntl(in[1], F_SETFD, FD_CLOEXEC);
    if (dprintf(in[1], ".timeout 10000\nBEGIN IMMEDIATE;\nSELECT 'locked';\n") < 0)
        return;
    while (got < sizeof buf - 1 && (n = read(out[0], buf + got, sizeof buf - 1 - got)) > 0) {
        got += (size_t)n;
        buf[got] = '\0';
        if (strstr(buf, "locked\n") != NULL)
            break;
    }
    close(out[0]);
    printf("dblock=%d\n", strstr(buf, "locked") != NULL);
}

/* The file $HELPER_FILL grows until its filesystem has no room left. */
static void
fault_diskfull(void)
{
    static char chunk[65536];
    const char *path = getenv("HELPER_FILL");
    size_t sz = sizeof chunk;
    int fd;

    if (path == NULL || (fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        perror("issue_helper: diskfull");
        return;
    }
    while (sz > 0)
        if (write(fd, chunk, sz) < 0)
            sz /= 2;
    fsync(fd);
    close(fd);
    printf("diskfull=1\n");
}

static void
fault_event(const char *where)
{
    const char *spec = getenv("HELPER_FAULT");
    char *what;
    long k;

    fault_events++;
    if (spec == NULL || *spec == '\0' || (k = strtol(spec, &what, 10)) != fault_events || *what != ':')
        return;
    what++;
    printf("fault=%d %s at %s\n", fault_events, what, where);
    if (strcmp(what, "kill") == 0) {
        raise(SIGKILL);
    } else if (strcmp(what, "pull") == 0) {
        DIR *d = opendir(cfg.ports_dir);
        struct dirent *e;
        char path[CFG_PATH_MAX + 300];
        while (d != NULL && (e = readdir(d)) != NULL)
            if (e->d_name[0] != '.') {
                snprintf(path, sizeof path, "%s/%s", cfg.ports_dir, e->d_name);
                unlink(path);
            }
        if (d != NULL)
            closedir(d);
        tok_poll(env.tok);
    } else if (strcmp(what, "dblock") == 0) {
        fault_dblock();
    } else if (strcmp(what, "diskfull") == 0) {
        fault_diskfull();
    }
}

static int
step(struct txn *t, const char *name)
{
    int rc = txn_goto(t, env.st, txn_step_index(t->def, name));
    printf("step_%s=%d\n", name, rc);
    return rc;
}

/* A new order's values: the company and operator of a test applicant. */
static void
fill_order(struct txn *t, const char *uscc, const char *company, const char *opid)
{
    txn_begin(t, &txn_new_cert, env.window, env.clerk);
    txn_set(t, "company", company);
    txn_set(t, "uscc", uscc);
    txn_set(t, "legal_rep", "张三");
    txn_set(t, "legal_rep_id", "120102197803154415");
    txn_set(t, "app_region", "天津");
    txn_set(t, "app_category", "政府采购");
    txn_set(t, "app_project", "天津市政府采购电子招投标系统");
    txn_set(t, "company_phone", "022-12345678");
    txn_set(t, "address", "天津市滨海新区测试路1号");
    txn_set(t, "operator_name", "李四");
    txn_set(t, "operator_id", opid);
    txn_set(t, "mobile", "13912345678");
    txn_set(t, "email", "lisi@example.com");
}

/* Bracket an operation in the PKCS#11 call trace of build/fakep11.so
 * ($FAKEP11_TRACE, bench/p11count.sh): "mark NAME" before, "mark end" after. */
static void
mark(const char *name)
{
    static struct timespec t0;
    const char *path = getenv("FAKEP11_TRACE");
    struct timespec t1;
    FILE *f;

    if (path == NULL || *path == '\0')
        return;
    /* and the operation's wall time, for a key as slow as a real one */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (strcmp(name, "end") != 0)
        t0 = t1;
    else
        printf("op_ms=%.1f\n", (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    if ((f = fopen(path, "a")) == NULL)
        return;
    fprintf(f, "mark %s\n", name);
    fclose(f);
}

static const char *const pin_results[] = { "ok", "wrong", "locked", "confirm", "refused", "store", "token" };

static int
op_selftest(tok_ctx *tok, const char *serial, const char *pin, void *arg)
{
    int rc = tok_selftest(tok, serial, pin, arg);
    return rc == TOK_ERR_VERIFY ? TOK_OK : rc;
}

static void
cmd_pin(int argc, char **argv)
{
    struct txn_pin_outcome o;
    struct txn_pin_view v;

    mark(argv[1]);
    if (strcmp(argv[1], "pin") == 0) {
        txn_pin_counted(&env, argv[2], argv[3], argc > 4 && strcmp(argv[4], "final") == 0, NULL, NULL, &o);
        printf("result=%s left=%d\n", pin_results[o.result], o.left);
    } else if (strcmp(argv[1], "pinview") == 0) {
        int rc = txn_pin_view(&env, argv[2], &v);
        printf("view=%d state=%s fails=%d left=%d locked=%d token_locked=%d count_low=%d\n", rc,
               keylife_state_name(v.state), v.fails, v.left, v.locked, v.token_locked, v.count_low);
    } else if (strcmp(argv[1], "unlock") == 0) {
        int rc = tok_pin_reset(env.tok, argv[2], argv[3]);
        printf("reset=%d\n", rc);
        if (rc == TOK_OK)
            printf("event=%d\n", txn_key_event(&env, argv[2], KEYEV_UNLOCK, "test"));
    } else if (strcmp(argv[1], "init") == 0) {
        int rc = tok_init_blank(env.tok, argv[2], "ock-test", argv[3]);
        printf("init=%d%s%s\n", rc, rc ? " " : "", rc ? tok_detail(env.tok) : "");
    } else if (strcmp(argv[1], "selftest") == 0) {
        struct tok_selftest r;
        memset(&r, 0, sizeof r);
        txn_pin_counted(&env, argv[2], argv[3], true, op_selftest, &r, &o);
        printf("result=%s ec=%d cert=%d sign=%d crypt=%d\n", pin_results[o.result], r.ec, r.cert_matches,
               r.signed_ok, r.crypt_ok);
    }
    mark("end");
}

/* The key page's read: the inserted keys, the first one's certificate, the records. */
static void
cmd_validity(void)
{
    struct txn_key_view v;
    struct store_cert rec;
    bool ours;

    mark("validity");
    ours = txn_key_first_ours(&env, NULL, &v, &rec);
    mark("end");
    printf("key=%s cert=%s ours=%d\n", v.key.serial, v.cert.serial_hex, ours);
}

/* With the keys SERIALS... inserted, one more key (the last) plugged in, then pulled out: the polls. */
static void
cmd_plugevent(int argc, char **argv)
{
    struct tok_key k[16];
    size_t n = 0;
    int i;

    for (i = 2; i < argc - 1; i++)
        plug(argv[i], true);
    mark("plug");
    plug(argv[argc - 1], true);
    tok_keys(env.tok, k, 16, &n);
    mark("end");
    printf("plugged=%zu\n", n);
    mark("pull");
    plug(argv[argc - 1], false);
    tok_keys(env.tok, k, 16, &n);
    mark("end");
    printf("pulled=%zu\n", n);
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
    txn_set(&t, "legal_rep_id", "120102197803154415");
    txn_set(&t, "app_region", "天津");
    txn_set(&t, "app_category", "政府采购");
    txn_set(&t, "app_project", "天津市政府采购电子招投标系统");
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
    if (getenv("HELPER_HSM_READY") != NULL)     /* as after the first issuance of the process */
        printf("hsm_ready=%d\n", tok_hsm_ready(env.tok));
    mark("issue");
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
    mark("end");
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

/* Drive T from its step to the end as the screens do. Prints what happened;
 * returns 0 when the order is finished. */
static int
drive(struct txn *t)
{
    static const char *const verdicts[] = { "none", "blank", "ours", "half", "wipeable", "taken" };
    char err[256];
    int guard;

    for (guard = 0; guard < 64; guard++) {
        const char *name = txn_cur(t)->name;
        int next = -1, rc;     /* past the steps skipped, once this one has set its values */

        printf("at=%s\n", name);
        fault_event(name);

        if (strcmp(name, "fee") == 0) {
            /* the quote as the fee page makes it (the kind's rule, the profile, the def's inputs) */
            struct rules_quote q;
            char why[256];
            if (txn_quote(t, &env, &q, why, sizeof why) == RULES_OK && t->def->kind != KIND_NEW)
                printf("amount=%s\nfee_note=%s\n", txn_get(t, "amount"), why);
            if (getenv("HELPER_STOP_AT_FEE")) {     /* the quote alone: the order left at the fee */
                (void)txn_save(t, env.st);
                return 1;
            }
            if (!txn_get_int(t, "forms_printed", 0)) {
                rc = txn_new_print_forms(t, &env, err, sizeof err);
                printf("forms_print=%d\n", rc);
            }
        } else if (strcmp(name, "pay") == 0) {
            if (t->order.paid_at == 0)
                printf("pay=%d\n", txn_pay(t, env.st, atol(txn_get(t, "amount")) == 0 ? "free" : "cash", 0));
        } else if (txn_cur(t)->page == PAGE_FORM) {
            /* what the clerk types: HELPER_FORM_<step>="key=value|key=value" */
            char envname[64], pairs[1024], *save = NULL, *kv;
            snprintf(envname, sizeof envname, "HELPER_FORM_%s", name);
            snprintf(pairs, sizeof pairs, "%s", getenv(envname) ? getenv(envname) : "");
            for (kv = strtok_r(pairs, "|", &save); kv != NULL; kv = strtok_r(NULL, "|", &save)) {
                char *eq = strchr(kv, '=');
                if (eq != NULL) {
                    *eq = '\0';
                    txn_set(t, kv, eq + 1);
                }
            }
            /* each typed field's own check, then the records' check, as the form page makes them on submit */
            for (int f = 0; f < txn_cur(t)->form->nfields; f++) {
                const struct txn_field *fd = &txn_cur(t)->form->fields[f];
                const char *v = txn_get(t, fd->key);
                char typed[TXN_KEY_MAX + 2];
                snprintf(typed, sizeof typed, "%s=", fd->key);
                if (getenv(envname) == NULL || strstr(getenv(envname), typed) == NULL)
                    continue;
                enum rules_status rs = *v ? (fd->check ? fd->check(v) : RULES_OK) : fd->required ? RULES_EMPTY : RULES_OK;
                if (rs != RULES_OK) {
                    printf("form_refused=%s %s\n", fd->key, msg(rules_msg(rs)));
                    return 1;
                }
            }
            if (txn_cur(t)->form->check == NULL)
                goto next_step;
            const char *field = "";
            char other[32] = "";
            enum msg_id why = txn_cur(t)->form->check(t, &env, &field, other, sizeof other);
            if (why != 0) {
                printf("form_refused=%s %s\n", field, msg(why));
                return 1;
            }
        } else if (txn_cur(t)->page == PAGE_PICK) {
            const char *v = getenv("HELPER_PICK");
            txn_set(t, txn_cur(t)->pick->key, v ? v : "1");
        } else if (txn_cur(t)->page == PAGE_KEY && (txn_cur(t)->flags & TXN_STEP_MAY_SKIP) && getenv("HELPER_SKIP_KEY")) {
            txn_key_skip(t);
            printf("%s_skipped=skipped\n", name);
        } else if (txn_cur(t)->page == PAGE_KEY) {
            struct txn_key_view v;
            enum msg_id why;
            t->def->key_scan(t, &env, &v);
            printf("verdict=%s\n", v.verdict < sizeof verdicts / sizeof verdicts[0] ? verdicts[v.verdict]
                                    : v.verdict == KEY_USABLE ? "usable" : "refused");
            if ((why = t->def->key_take(t, &env, &v, !txn_key_holder(t))) != 0) {
                printf("key_refused=%s\n", v.note_text[0] ? v.note_text : msg(why));
                return 1;
            }
            if ((txn_cur(t)->flags & TXN_STEP_MAY_SKIP) && getenv("HELPER_NEXT_KEY")) {
                /* the damaged key read and handed in: the blank one goes in */
                plug(v.key.serial, false);
                plug(getenv("HELPER_NEXT_KEY"), true);
            }
            if (v.verdict == KEY_OURS_ISSUED)
                next = txn_step_index(t->def, "issue");
        } else if (txn_cur(t)->page == PAGE_PIN && txn_cur(t)->pin == TXN_PIN_CURRENT) {
            struct txn_pin_outcome o;
            txn_pin_check(t, &env, getenv("HELPER_PIN") ? getenv("HELPER_PIN") : "Kx7#pq29", true, &o);
            printf("pin_check=%d\n", (int)o.result);
            if (o.result != PINR_OK)
                return 1;
        } else if (strcmp(name, "pin") == 0) {
            snprintf(t->pin, sizeof t->pin, "%s", getenv("HELPER_PIN") ? getenv("HELPER_PIN") : "Kx7#pq29");
        } else if (txn_cur(t)->page == PAGE_MATERIALS) {
            /* the clerk ticks what the applicant brought: the kind's list */
            for (int m = 0; kind_info(t->def->kind)->materials[m] != 0; m++) {
                char key[16];
                snprintf(key, sizeof key, "mat_%d", m);
                txn_set(t, key, kind_material_of(kind_info(t->def->kind)->materials[m]) == KIND_MAT_BRING ? "1" : "0");
            }
        } else if (txn_cur(t)->page == PAGE_RUN) {
            struct txn_run r;
            enum txn_run_result res;
            do {
                fault_event("stage");
                res = txn_advance(t, &env, &r);
            } while (res == RUN_OK);
            printf("advance=%d stage=%d tok=%d store=%d\n", (int)res, (int)r.stage, r.tok_rc, r.store_rc);
            if (res != RUN_DONE)
                return 1;
        } else if (strcmp(name, "done") == 0) {
            printf("finished=%d\n", t->order.state == ORDER_DONE);
            return t->order.state == ORDER_DONE ? 0 : 1;
        }
    next_step:
        if (next < 0)
            next = txn_step_after(t, &env, t->step, 1);
        if ((rc = txn_goto(t, env.st, next)) != STORE_OK) {
            printf("goto_%s=%d\n", t->def->steps[next].name, rc);
            return 1;
        }
    }
    return 1;
}

/* open-order OPERATOR_ID USCC COMPANY [paid]: a 证书新办 order left open at
 * window 66 before the key (paid when asked), as a clerk leaves one. */
static int
cmd_open_order(int argc, char **argv)
{
    struct txn t;

    fill_order(&t, argv[3], argv[4], argv[2]);
    txn_set(&t, "kind", "unit");
    txn_set_int(&t, "years", 3);
    step(&t, "kind");
    step(&t, "materials");
    step(&t, "fee");
    txn_set(&t, "amount", "20000");
    step(&t, "pay");
    if (argc > 5 && strcmp(argv[5], "paid") == 0)
        printf("pay=%d\n", txn_pay(&t, env.st, "cash", 0));
    printf("order=%s\n", t.order.number);
    return 0;
}

/* renew OPERATOR_ID YEARS: 证书更新 of the inserted key as the counter drives
 * it (its PIN in $HELPER_PIN, default the issue command's). */
static int
cmd_renew(char **argv)
{
    struct txn t;

    txn_begin(&t, &txn_renew, env.window, env.clerk);
    txn_set(&t, "operator_name", "赵六");
    txn_set(&t, "operator_id", argv[2]);
    txn_set(&t, "mobile", "13912345670");
    txn_set(&t, "bids_pending", "0");
    txn_set(&t, "years", argv[3]);
    mark("renew");
    int ran = drive(&t) == 0;
    mark("end");
    printf("ran=%d\n", ran);
    if (t.cert.serial_hex[0] != '\0')
        printf("new_cert=%s\n", t.cert.serial_hex);
    return 0;
}

/* 证书补办 as the counter drives it: lost|damaged OPERATOR_ID USCC COMPANY.
 * damaged: the damaged key read when inserted, else HELPER_SKIP_KEY=1; the
 * fault in HELPER_PICK, 1-4. */
static int
cmd_replace(const struct txn_def *def, char **argv)
{
    struct txn t;

    txn_begin(&t, def, env.window, env.clerk);
    txn_set(&t, "uscc", argv[3]);
    txn_set(&t, "company", argv[4]);
    txn_set(&t, "operator_name", "周八");
    txn_set(&t, "operator_id", argv[2]);
    txn_set(&t, "mobile", "13912345672");
    txn_set(&t, "email", "zhouba@example.com");
    printf("ran=%d\n", drive(&t) == 0);
    if (t.cert.serial_hex[0] != '\0')
        printf("new_cert=%s\n", t.cert.serial_hex);
    printf("old_key=%s\n", txn_get(&t, "old_key"));
    if (txn_get(&t, "hold_until")[0] != '\0')
        printf("hold_until=%s\n", txn_get(&t, "hold_until"));
    return 0;
}

/* A transaction on the holder's inserted key, as the counter drives it:
 * change OPERATOR_ID (the new details in HELPER_FORM_change="company=...|
 * uscc=...|legal_rep=..."), release OPERATOR_ID (解挂: the found key's PIN
 * in HELPER_PIN). */
static int
cmd_holder_order(const struct txn_def *def, char **argv)
{
    struct txn t;

    txn_begin(&t, def, env.window, env.clerk);
    txn_set(&t, "operator_name", "吴九");
    txn_set(&t, "operator_id", argv[2]);
    txn_set(&t, "mobile", "13912345673");
    printf("ran=%d\n", drive(&t) == 0);
    if (t.cert.serial_hex[0] != '\0')
        printf("new_cert=%s\n", t.cert.serial_hex);
    if (def == &txn_change || def == &txn_chgrec)
        printf("change_desc=%s\nw68_note=%s\n", txn_get(&t, "change_desc"), txn_get(&t, "w68_note"));
    if (def == &txn_bind)
        printf("seal_id=%s\nseal_name=%s\nrebind_of=%s\nimage_desc=%s\n", txn_get(&t, "seal_id"),
               txn_get(&t, "seal_name"), txn_get(&t, "rebind_of"), txn_get(&t, "image_desc"));
    return 0;
}

/* 解锁 as the counter drives it: unlock-order USCC OPERATOR_ID (the new PIN in $HELPER_PIN). */
static int
cmd_unlock_order(char **argv)
{
    struct txn t;

    txn_begin(&t, &txn_unlock, env.window, env.clerk);
    txn_set(&t, "uscc", argv[2]);
    txn_set(&t, "operator_name", "王五");
    txn_set(&t, "operator_id", argv[3]);
    txn_set(&t, "mobile", "13912345679");
    printf("ran=%d\n", drive(&t) == 0);
    return 0;
}

static int
cmd_run(char **argv)
{
    struct txn t;

    fill_order(&t, argv[3], argv[4], argv[5]);
    txn_set(&t, "kind", "unit");
    txn_set_int(&t, "years", 3);
    (void)argv[2]; /* the key is the one inserted, as at the counter */
    printf("ran=%d\n", drive(&t) == 0);
    return 0;
}

static int
open_order(const char *opid, struct txn *t)
{
    struct store_order o;
    int rc = store_order_open_for_operator(env.st, opid, &o);

    if (rc == STORE_OK) {
        enum txn_kind k;
        rc = kind_parse(o.txn, &k) == 0 && txn_def_of(k) != NULL ? txn_resume(t, txn_def_of(k), env.st, o.id)
                                                                   : STORE_ERR_CONFLICT;
    }
    printf("open=%d\n", rc == STORE_OK);
    if (rc == STORE_OK)
        printf("resumed_at=%s\n", txn_cur(t)->name);
    return rc;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: issue_helper issue SERIAL USCC COMPANY OPERATOR_ID [PULL] | check-uscc USCC | check-operator ID\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);   /* every line out before a KIOSK_FAULT_KILL */
    msg_set_lang(LANG_ZH);
    open_hall();
    if (strcmp(argv[1], "issue") == 0 && argc >= 6)
        cmd_issue(argc, argv);
    else if ((strcmp(argv[1], "pin") == 0 || strcmp(argv[1], "unlock") == 0 || strcmp(argv[1], "selftest") == 0 ||
              strcmp(argv[1], "init") == 0) &&
             argc >= 4)
        cmd_pin(argc, argv);
    else if (strcmp(argv[1], "validity") == 0)
        cmd_validity();
    else if (strcmp(argv[1], "plugevent") == 0 && argc >= 3)
        cmd_plugevent(argc, argv);
    else if (strcmp(argv[1], "open-order") == 0 && argc >= 5)
        cmd_open_order(argc, argv);
    else if (strcmp(argv[1], "lost") == 0 && argc >= 5)
        cmd_replace(&txn_lost, argv);
    else if (strcmp(argv[1], "damaged") == 0 && argc >= 5)
        cmd_replace(&txn_damaged, argv);
    else if (strcmp(argv[1], "revoke") == 0 && argc >= 5)
        cmd_replace(&txn_revoke, argv);     /* the reason in HELPER_PICK */
    else if (strcmp(argv[1], "hold") == 0 && argc >= 5)
        cmd_replace(&txn_hold, argv);
    else if (strcmp(argv[1], "release") == 0 && argc >= 3)
        cmd_holder_order(&txn_release, argv);
    else if (strcmp(argv[1], "chgrec") == 0 && argc >= 3)
        cmd_holder_order(&txn_chgrec, argv);    /* HELPER_WINDOW=window68; the new details in HELPER_FORM_change */
    else if (strcmp(argv[1], "bind") == 0 && argc >= 3)
        cmd_holder_order(&txn_bind, argv);  /* HELPER_WINDOW=window68; the seal in HELPER_FORM_seal */
    else if (strcmp(argv[1], "change") == 0 && argc >= 3)
        cmd_holder_order(&txn_change, argv);
    else if (strcmp(argv[1], "renew") == 0 && argc >= 4)
        cmd_renew(argv);
    else if (strcmp(argv[1], "unlock-order") == 0 && argc >= 4)
        cmd_unlock_order(argv);
    else if (strcmp(argv[1], "pinview") == 0 && argc >= 3)
        cmd_pin(argc, argv);
    else if (strcmp(argv[1], "run") == 0 && argc >= 6)
        cmd_run(argv);
    else if (strcmp(argv[1], "resume") == 0 && argc >= 3) {
        struct txn t;
        if (open_order(argv[2], &t) == STORE_OK)
            printf("resume_finished=%d\n", drive(&t) == 0);
    } else if (strcmp(argv[1], "cancel") == 0 && argc >= 3) {
        struct txn t;
        enum msg_id why = 0;
        if (open_order(argv[2], &t) == STORE_OK) {
            int rc = txn_cancel_checked(&t, &env, "crash sweep", &why);
            printf("cancel=%d why=%s\n", rc, why ? msg(why) : "");
        }
    } else if (strcmp(argv[1], "keycert") == 0) {
        struct tok_key k[8];
        struct tok_cert c;
        struct store_cert rec;
        size_t n = 0;
        memset(&c, 0, sizeof c);
        int rc = TOK_ERR_NO_CERT;
        if (tok_keys(env.tok, k, 8, &n) == TOK_OK && n > 0 && (rc = tok_read_cert(env.tok, k[0].serial, &c)) != TOK_ERR_NO_CERT) {
            bool recorded = store_cert_get(env.st, c.serial_hex, &rec) == STORE_OK;
            printf("cert=%s ours=%d recorded=%d revoked=%d\n", c.serial_hex, rc == TOK_OK && c.issued_by_ca,
                   recorded, recorded && rec.state == CERT_REVOKED);
        } else {
            printf("cert= ours=0 recorded=0 revoked=0\n");
        }
    }
    else if (strcmp(argv[1], "keycheck") == 0 && argc >= 4) {
        struct tok_cert c;
        struct store_cert rec;
        struct tok_selftest r;
        memset(&c, 0, sizeof c);
        memset(&r, 0, sizeof r);
        int rc = tok_read_cert(env.tok, argv[2], &c), st = 0;
        if (rc == TOK_ERR_NO_CERT) {
            printf("cert= ours=0 state=-1 order=0 selftest=0 matches=0 signs=0\n");
        } else {
            bool recorded = rc == TOK_OK && store_cert_get(env.st, c.serial_hex, &rec) == STORE_OK;
            if (rc == TOK_OK)
                st = tok_selftest(env.tok, argv[2], argv[3], &r);
            printf("cert=%s ours=%d state=%d order=%lld selftest=%d matches=%d signs=%d read=%d\n", c.serial_hex,
                   rc == TOK_OK && c.issued_by_ca, recorded ? (int)rec.state : -1,
                   recorded ? (long long)rec.order_id : 0LL, st, r.cert_matches, r.signed_ok, rc);
        }
    }
    else if (strcmp(argv[1], "verdict") == 0) {
        static const char *const names[] = { "none", "blank", "ours", "half", "wipeable", "taken" };
        struct txn t;
        struct txn_key_view v;
        txn_begin(&t, &txn_new_cert, "window66", "");
        txn_new_key_scan(&t, &env, &v);
        printf("verdict=%s\n", names[v.verdict]);
    } else if (strcmp(argv[1], "check-uscc") == 0 && argc >= 3)
        printf("refused=%d\n", txn_new_check_uscc(env.st, argv[2]) != 0);
    else if (strcmp(argv[1], "check-operator") == 0 && argc >= 3) {
        struct txn t;
        txn_begin(&t, &txn_new_cert, "window66", "");
        printf("refused=%d\n", txn_new_check_operator(env.st, &t, argv[2], NULL) != 0);
    } else
        return 2;
    if (fault_events > 0)
        printf("events=%d\n", fault_events);
    store_close(env.st);
    tok_close(env.tok);
    return 0;
}
