/*
 * kiosk/cmd_clerk.c - `kiosk clerk add|disable|passwd|list`: the supervisor's
 * commands for counter staff. Passwords come from standard input (without
 * echo, asked twice, on a terminal; one line otherwise, so scripts can pipe
 * it) and go to store_clerk_* which hashes them with scrypt and writes the
 * audit row in the same transaction.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "data/store.h"
#include "kiosk/cli.h"
#include "kiosk/session.h"
#include "kiosk/msg.h"

/* Print the failure of a store call on ST for LOGIN; returns the exit status 1. */
static int
clerk_fail(store *st, int rc, const char *login)
{
    char line[1024];

    if (rc == STORE_ERR_NOT_FOUND)
        msg_fmt(line, sizeof line, M_DATA_CLERK_NOT_FOUND, login);
    else if (rc == STORE_ERR_CONFLICT)
        msg_fmt(line, sizeof line, M_DATA_CLERK_EXISTS, login);
    else if (rc == STORE_ERR_RETRY)
        msg_fmt(line, sizeof line, M_DATA_DB_BUSY, store_detail(st));
    else
        msg_fmt(line, sizeof line, M_DATA_DB_ERR, "", store_detail(st));
    fprintf(stderr, "kiosk: %s\n", line);
    return 1;
}

/* The new password for LOGIN into PW (checked for length); 0 or exit status. */
static int
clerk_ask_password(const char *login, char *pw, size_t n)
{
    char prompt[256], again[1100], line[256];

    msg_fmt(prompt, sizeof prompt, M_DATA_PW_PROMPT, login);
    if (cli_read_line(prompt, pw, n) != 0) {
        fprintf(stderr, "kiosk: %s\n", msg(M_DATA_PW_NONE));
        return 1;
    }
    if (store_clerk_check(NULL, NULL, NULL, pw) != NULL) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_BAD_PASSWORD, STORE_PASSWORD_MIN));
        return 1;
    }
    if (isatty(STDIN_FILENO)) {
        int same;
        if (cli_read_line(msg(M_DATA_PW_AGAIN), again, sizeof again) != 0) {
            fprintf(stderr, "kiosk: %s\n", msg(M_DATA_PW_NONE));
            return 1;
        }
        same = strcmp(pw, again) == 0;
        memset(again, 0, sizeof again);
        if (!same) {
            fprintf(stderr, "kiosk: %s\n", msg(M_DATA_PW_MISMATCH));
            return 1;
        }
    }
    return 0;
}

static int
clerk_usage(const char *name, const char *usage)
{
    char line[256];
    fprintf(stderr, "%s\n", msg_fmt(line, sizeof line, M_DATA_USAGE, "clerk", name, usage));
    return 2;
}

static int
clerk_add_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    char pw[1100], line[512];
    store *st;
    int rc;

    if (argc != 3)
        return clerk_usage("add", "LOGIN ROLE NAME");
    if (store_clerk_check(argv[0], NULL, NULL, NULL) != NULL) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_BAD_LOGIN, argv[0]));
        return 2;
    }
    if (store_clerk_check(NULL, argv[1], NULL, NULL) != NULL) {
        fprintf(stderr, "kiosk: %s\n", msg_fmt(line, sizeof line, M_DATA_BAD_ROLE, argv[1]));
        return 2;
    }
    if (store_clerk_check(NULL, NULL, argv[2], NULL) != NULL) {
        fprintf(stderr, "kiosk: %s\n", msg(M_DATA_BAD_NAME));
        return 2;
    }
    if ((st = cli_store_open(cfg)) == NULL)
        return 1;
    rc = clerk_ask_password(argv[0], pw, sizeof pw);
    if (rc == 0) {
        int r = store_clerk_add(st, argv[0], argv[1], argv[2], pw);
        if (r == STORE_OK)
            printf("%s\n", msg_fmt(line, sizeof line, M_DATA_CLERK_ADDED, argv[0], argv[1]));
        else
            rc = clerk_fail(st, r, argv[0]);
    }
    memset(pw, 0, sizeof pw);
    store_close(st);
    return rc;
}

static int
clerk_disable_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    char line[512];
    store *st;
    int r, rc = 0;

    if (argc != 1)
        return clerk_usage("disable", "LOGIN");
    if ((st = cli_store_open(cfg)) == NULL)
        return 1;
    r = store_clerk_disable(st, argv[0]);
    if (r == STORE_OK)
        printf("%s\n", msg_fmt(line, sizeof line, M_DATA_CLERK_DISABLED, argv[0]));
    else
        rc = clerk_fail(st, r, argv[0]);
    store_close(st);
    return rc;
}

static int
clerk_passwd_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    struct store_clerk c;
    char pw[1100], line[512];
    store *st;
    int r, rc;

    if (argc != 1)
        return clerk_usage("passwd", "LOGIN");
    if ((st = cli_store_open(cfg)) == NULL)
        return 1;
    if ((r = store_clerk_get(st, argv[0], &c)) != STORE_OK) {
        rc = clerk_fail(st, r, argv[0]);
        store_close(st);
        return rc;
    }
    rc = clerk_ask_password(argv[0], pw, sizeof pw);
    if (rc == 0) {
        r = store_clerk_set_password(st, argv[0], pw);
        if (r == STORE_OK)
            printf("%s\n", msg_fmt(line, sizeof line, M_DATA_CLERK_PW_SET, argv[0]));
        else
            rc = clerk_fail(st, r, argv[0]);
    }
    memset(pw, 0, sizeof pw);
    store_close(st);
    return rc;
}

#define CLERK_LIST_MAX 1000

static int
clerk_list_exec(const struct kiosk_config *cfg, int argc, char **argv)
{
    static struct store_clerk list[CLERK_LIST_MAX];
    size_t n = 0, i;
    store *st;
    int r;

    (void)argv;
    if (argc != 0)
        return clerk_usage("list", "");
    if ((st = cli_store_open(cfg)) == NULL)
        return 1;
    r = store_clerk_list(st, list, CLERK_LIST_MAX, &n);
    if (r != STORE_OK) {
        r = clerk_fail(st, r, "");
        store_close(st);
        return r;
    }
    if (n == 0) {
        printf("%s\n", msg(M_DATA_CLERK_NONE));
    } else {
        /* name last: it may hold wide characters and needs no padding there */
        printf("%s\t%s\t%s\t%s\n", msg(M_DATA_CLERK_HEAD_LOGIN), msg(M_DATA_CLERK_HEAD_ROLE),
               msg(M_DATA_CLERK_HEAD_STATE), msg(M_DATA_CLERK_HEAD_NAME));
        for (i = 0; i < n; i++) {
            /* a login locked out by its failed sign-ins says so, and for how long */
            long left = list[i].disabled ? 0 : ses_lockout_of(st, list[i].login);
            char state[96];
            if (left > 0)
                msg_fmt(state, sizeof state, M_DATA_CLERK_LOCKED, (left + 59) / 60);
            else
                snprintf(state, sizeof state, "%s", msg(list[i].disabled ? M_DATA_CLERK_OFF : M_DATA_CLERK_ACTIVE));
            printf("%s\t%s\t%s\t%s\n", list[i].login, list[i].role, state, list[i].name);
        }
    }
    store_close(st);
    return 0;
}

const struct cli_cmd cmd_clerk_add = {
    .group = "clerk", .name = "add", .usage = "LOGIN ROLE NAME", .help = M_CLI_H_CLERK_ADD, .exec = clerk_add_exec,
};

const struct cli_cmd cmd_clerk_disable = {
    .group = "clerk", .name = "disable", .usage = "LOGIN", .help = M_CLI_H_CLERK_DISABLE, .exec = clerk_disable_exec,
};

const struct cli_cmd cmd_clerk_passwd = {
    .group = "clerk", .name = "passwd", .usage = "LOGIN", .help = M_CLI_H_CLERK_PASSWD, .exec = clerk_passwd_exec,
};

const struct cli_cmd cmd_clerk_list = {
    .group = "clerk", .name = "list", .usage = "", .help = M_CLI_H_CLERK_LIST, .exec = clerk_list_exec,
};
