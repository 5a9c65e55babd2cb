/*
 * kiosk/cmd_print.c - `kiosk print ...`: the installer's test page and the
 * clerk's print outbox from the command line (printing/print.h).
 *
 *   print sample --doc form|seal|receipt|checklist [--out FILE.pdf] [--lang en] [--long]
 *   print outbox [--pump]
 *   print retry ID [--reprint]
 *   print cancel ID
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/auditkey.h"
#include "kiosk/cli.h"
#include "kiosk/msg.h"
#include "printing/print.h"

/* How long `print sample` and `print retry` follow a sent job to completion. */
#define PRINT_FOLLOW_MS 5000

static int
open_store(const struct kiosk_config *cfg, store **st)
{
    char err[256];
    struct audit_key k;
    struct store_opts so;

    audit_key_fetch(cfg, NULL, &k);
    cfg_store_opts(cfg, &so);
    if (store_open(st, &so, err, sizeof err) != STORE_OK) {
        char line[768];
        (void)audit_key_use(&k, NULL);
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_PRN_CLI_DB, cfg->db_path, err));
        return -1;
    }
    (void)audit_key_use(&k, *st);
    return 0;
}

/* Tell the operator what happened to job ID after a pump or send. */
static int
report(store *st, const struct kiosk_config *cfg, int64_t id, const struct prn_pump_result *r)
{
    struct store_job j;
    char line[768];

    if (prn_outbox_follow(st, cfg, id, PRINT_FOLLOW_MS, &j) != STORE_OK)
        return 1;
    printf("%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_JOB_STATE, (long long)id, msg(prn_job_state_msg(j.state))));
    if (j.state == JOB_DONE || j.state == JOB_SENT)
        return 0;
    if (r->message == M_PRN_PUMP_WAITING)
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_PRN_PUMP_WAITING, r->queued));
    else
        fprintf(stderr, "%s\n", msg(r->message));
    if (j.last_error[0] != '\0')
        fprintf(stderr, "  %s\n", j.last_error);
    return 1;
}

/*
 * The end of a command that sent job ID: RC is prn_outbox_send's result (or
 * an earlier step's). On a failure prints the store's detail, else reports
 * the job (R); closes ST either way. Returns the exit status.
 */
static int
sent_exit(store *st, const struct kiosk_config *cfg, int64_t id, int rc, const struct prn_pump_result *r)
{
    if (rc != STORE_OK) {
        fprintf(stderr, "kiosk: print outbox: %s\n", store_detail(st));
        rc = 1;
    } else {
        rc = report(st, cfg, id, r);
    }
    store_close(st);
    return rc;
}

static int
sample_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    const char *doc_s = NULL, *out = NULL;
    enum prn_doc doc;
    enum msg_lang lang = msg_get_lang();
    struct prn_order_doc d;
    struct prn_pdf pdf;
    char err[512], line[768];
    int i, variant = 0, rc;
    time_t now = time(NULL);

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--doc") == 0 && i + 1 < argc)
            doc_s = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
            if (msg_parse_lang(argv[++i], &lang) != 0) {
                fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_CLI_BAD_CHOICE, "print sample", "--lang", argv[i], "zh|en"));
                return 2;
            }
        } else if (strcmp(argv[i], "--long") == 0)
            variant = 1;
        else {
            fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_CLI_BAD_ARG, "print sample", argv[i]));
            return 2;
        }
    }
    if (doc_s == NULL || prn_doc_parse(doc_s, &doc) != 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_CLI_BAD_CHOICE, "print sample", "--doc", doc_s ? doc_s : "", "form|seal|receipt|checklist|bind|refund"));
        return 2;
    }
    prn_sample_order(&d, variant, now);
    /* as a counter prints them: official papers in Chinese, the papers an
     * applicant takes home also in English under each line with --lang en */
    d.lang = LANG_ZH;
    d.bilingual = lang == LANG_EN;
    snprintf(d.ca_name, sizeof d.ca_name, "%s", cfg_profile(cfg)->display_name);
    snprintf(d.hall, sizeof d.hall, "%s", cfg->hall_name);

    if (out != NULL) {
        FILE *f;
        if (prn_render(doc, &d, prn_paper_from_cfg(cfg), &pdf, err, sizeof err) != 0) {
            fprintf(stderr, "kiosk: %s\n", err);
            return 1;
        }
        f = fopen(out, "wb");
        if (f == NULL || fwrite(pdf.data, 1, pdf.len, f) != pdf.len || fclose(f) != 0) {
            fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_CLI_CANNOT_WRITE, "print sample", out));
            prn_pdf_free(&pdf);
            return 1;
        }
        printf("%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_WROTE, out, prn_doc_name(doc), pdf.len));
        prn_pdf_free(&pdf);
        return 0;
    } else {
        store *st;
        int64_t id;
        struct prn_pump_result r;
        if (open_store(cfg, &st) != 0)
            return 1;
        if (prn_outbox_add_doc(st, cfg, 0, doc, &d, now, &id, err, sizeof err) != STORE_OK) {
            fprintf(stderr, "kiosk: %s\n", err);
            store_close(st);
            return 1;
        }
        printf("%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_QUEUED, (long long)id, prn_doc_name(doc)));
        rc = prn_outbox_send(st, cfg, id, now, &r);
        return sent_exit(st, cfg, id, rc, &r);
    }
}

static int
outbox_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct store_job jobs[50];
    size_t n = 0, i;
    store *st;
    enum msg_id pm;
    char detail[256], line[768];
    enum prn_printer ps;

    if (argc > 1 || (argc == 1 && strcmp(argv[0], "--pump") != 0)) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_CLI_USAGE, "print outbox", "[--pump]"));
        return 2;
    }
    if (open_store(cfg, &st) != 0)
        return 1;
    if (argc == 1) {
        struct prn_pump_result r;
        if (prn_outbox_pump(st, cfg, time(NULL), &r) != STORE_OK) {
            fprintf(stderr, "kiosk: print outbox: %s\n", store_detail(st));
            store_close(st);
            return 1;
        }
        if (r.message == M_PRN_PUMP_WAITING)
            printf("%s\n", msg_fmt(line, sizeof line, M_PRN_PUMP_WAITING, r.queued));
        else
            printf("%s\n", msg(r.message));
    }
    ps = prn_printer_state(cfg, &pm, detail, sizeof detail);
    printf("%s (%s)\n", msg(pm), cfg->printer_uri);
    if (store_job_recent(st, jobs, 50, &n) != STORE_OK) {
        fprintf(stderr, "kiosk: print outbox: %s\n", store_detail(st));
        store_close(st);
        return 1;
    }
    if (n == 0)
        printf("%s\n", msg(M_PRN_CLI_EMPTY));
    else
        printf("%s\n", msg(M_PRN_CLI_HEADER));
    for (i = 0; i < n; i++) {
        const struct store_job *j = &jobs[i];
        printf("%-5lld %-10s %-12s %5d %11d  %s\n", (long long)j->id, j->doc, msg(prn_job_state_msg(j->state)),
               j->attempts, j->printer_job_id, j->title);
        if (j->last_error[0] != '\0' && (j->state == JOB_QUEUED || j->state == JOB_FAILED)) {
            const char *detail;
            enum prn_status why = prn_job_error(j->last_error, &detail);
            printf("      %s (%s)\n", msg(prn_status_msg(why)), detail);   /* the words, then the technical detail */
        }
    }
    store_close(st);
    return ps == PRN_PRINTER_DOWN ? 1 : 0;
}

/* Parse a job id argument; prints the catalogue message when it is not one. */
static int
parse_id(const char *s, int64_t *id)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    char line[256];

    if (*s == '\0' || *end != '\0' || v <= 0) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_NO_JOB, s));
        return -1;
    }
    *id = v;
    return 0;
}

static int
retry_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    int64_t id, new_id;
    int reprint = argc == 2 && strcmp(argv[1], "--reprint") == 0;
    store *st;
    struct prn_pump_result r;
    struct store_job j;
    char line[768];
    int rc;

    if ((argc != 1 && !reprint) || parse_id(argv[0], &id) != 0)
        return 2;
    if (open_store(cfg, &st) != 0)
        return 1;
    rc = store_job_get(st, id, &j);
    if (rc == STORE_ERR_NOT_FOUND) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_NO_JOB, argv[0]));
        store_close(st);
        return 1;
    }
    if (reprint) {
        rc = prn_outbox_reprint(st, id, time(NULL), &new_id);
        if (rc == STORE_OK)
            printf("%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_REPRINT, (long long)id, (long long)new_id));
        id = new_id;
    }
    if (rc == STORE_OK)
        rc = prn_outbox_send(st, cfg, id, time(NULL), &r);
    if (rc == STORE_ERR_CONFLICT) {
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_NOT_RETRYABLE, (long long)id,
                                        msg(prn_job_state_msg(j.state))));
        store_close(st);
        return 1;
    }
    return sent_exit(st, cfg, id, rc, &r);
}

static int
cancel_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    int64_t id;
    store *st;
    char line[768];
    int rc;

    if (argc != 1 || parse_id(argv[0], &id) != 0)
        return 2;
    if (open_store(cfg, &st) != 0)
        return 1;
    rc = prn_outbox_cancel(st, id, time(NULL));
    if (rc == STORE_OK)
        printf("%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_CANCELLED, (long long)id));
    else if (rc == STORE_ERR_NOT_FOUND)
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_NO_JOB, argv[0]));
    else if (rc == STORE_ERR_CONFLICT)
        fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_PRN_CLI_NOT_CANCELLABLE, (long long)id));
    else
        fprintf(stderr, "kiosk: print outbox: %s\n", store_detail(st));
    store_close(st);
    return rc == STORE_OK ? 0 : 1;
}

const struct cli_cmd cmd_print_sample = {
    .group = "print", .name = "sample",
    .usage = "--doc form|seal|receipt|checklist|bind|refund [--out FILE.pdf] [--lang en] [--long]",
    .help = M_CLI_H_PRINT_SAMPLE, .exec = sample_exec,
};

const struct cli_cmd cmd_print_outbox = {
    .group = "print", .name = "outbox", .usage = "[--pump]",
    .help = M_CLI_H_PRINT_OUTBOX, .exec = outbox_exec,
};

const struct cli_cmd cmd_print_retry = {
    .group = "print", .name = "retry", .usage = "ID [--reprint]",
    .help = M_CLI_H_PRINT_RETRY, .exec = retry_exec,
};

const struct cli_cmd cmd_print_cancel = {
    .group = "print", .name = "cancel", .usage = "ID", .help = M_CLI_H_PRINT_CANCEL, .exec = cancel_exec,
};
