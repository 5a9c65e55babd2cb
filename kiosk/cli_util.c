/*
 * kiosk/cli_util.c - what the commands share (see cli.h): opening the
 * configured records with one message per failure, and reading a secret
 * line from standard input.
 */
#include "kiosk/cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "kiosk/auditkey.h"
#include "kiosk/msg.h"
#include "kiosk/session.h"

store *
cli_store_open(const struct kiosk_config *cfg)
{
    struct store_opts so;
    store *st = NULL;
    char err[768], line[1024];
    struct audit_key k;
    int rc;

    audit_key_fetch(cfg, NULL, &k);     /* before the records are open (kiosk/auditkey.h) */
    cfg_store_opts(cfg, &so);
    rc = store_open(&st, &so, err, sizeof err);
    if (rc == STORE_OK) {
        (void)audit_key_use(&k, st);    /* its audit rows keyed from the HSM */
        return st;
    }
    (void)audit_key_use(&k, NULL);      /* wiped */
    if (rc == STORE_ERR_SCHEMA)
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_SCHEMA, cfg->db_path, err));
    else if (rc == STORE_ERR_RETRY)
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_BUSY, cfg->db_path));
    else
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_DB_ERR, cfg->db_path, err));
    return NULL;
}

int
cli_read_line(const char *prompt, char *buf, size_t n)
{
    struct termios old, noecho;
    bool tty = isatty(STDIN_FILENO) != 0;
    char *ok;

    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) != 0)
            return -1;
        noecho = old;
        noecho.c_lflag &= ~(tcflag_t)ECHO;
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
    }
    ok = fgets(buf, (int)n, stdin);
    if (tty) {
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (ok == NULL)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

bool
cli_supervisor(store *st, const char *login, const char *what, const char *id, const char *denied)
{
    char pw[256], role[32] = "", detail[160], line[512];
    long left;
    int rc = cli_read_line(msg(M_CA_PW_PROMPT), pw, sizeof pw) == 0 ? ses_password(st, "cli", login, pw, role, sizeof role)
                                                                     : SES_BAD_CREDENTIALS;
    bool ok = rc == SES_OK && strcmp(role, "supervisor") == 0;
    bool busy = rc == SES_BUSY || rc == SES_NO_STORE;

    OPENSSL_cleanse(pw, sizeof pw);
    snprintf(detail, sizeof detail, "%s=%s action=%s", what, id, denied);
    if (ok && ses_record(st, "cli", login, false, "supervisor.confirm", detail, &left) != STORE_OK)
        ok = false, busy = true;    /* a confirmation that cannot be recorded is not given */
    if (!ok) {
        snprintf(detail, sizeof detail, "%s=%s", what, id);
        (void)store_audit(st, login, denied, detail);
        /* the records busy, full or down is said as such: not as a wrong password */
        fprintf(stderr, "kiosk: %s\n", busy ? msg(M_CLI_SUP_BUSY) : msg_fmt(line, sizeof line, M_CA_NEED_SUPERVISOR, login));
    }
    return ok;
}
