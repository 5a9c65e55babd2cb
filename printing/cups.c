/*
 * printing/cups.c - libcups submission with bounded waits.
 *
 * Destination: an ipp:// (ipps://) URI, or a cupsd queue name turned into
 * ipp://SERVER/printers/NAME with cupsServer()/ippPort() (CUPS_SERVER), so
 * the same cupsGetDestWithURI -> cupsConnectDest -> cupsCopyDestInfo ->
 * cupsCreateDestJob -> cupsStartDestDocument -> cupsWriteRequestData ->
 * cupsFinishDestDocument path serves both (cupsPrintFile2 cannot take URIs).
 *
 * Pitfalls handled (see shared notes): cupsGetDestWithURI sets only
 * device-uri, and cupsConnectDest then returns NULL: we add
 * printer-uri-supported ourselves. cupsConnectDest returns a non-NULL
 * connection even when the connect failed, and the next call would block
 * about 60 s: we check httpGetFd() < 0 straight after, and httpSetTimeout()
 * with a callback that gives up, so every read and write is bounded by the
 * configured timeout. "Host is down" on a refused connection is reported as
 * "cannot connect".
 */
#include "printing/print.h"

#include <cups/cups.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct prn_conn {
    cups_dest_t *dest;
    http_t *http;
    char resource[256];
    char uri[512];
};

static int
give_up(http_t *http, void *user)
{
    (void)http; (void)user;
    return 0;       /* do not keep waiting: the operation fails with ETIMEDOUT */
}

static void
conn_close(struct prn_conn *c)
{
    if (c->http != NULL)
        httpClose(c->http);
    if (c->dest != NULL)
        cupsFreeDests(1, c->dest);
    c->http = NULL;
    c->dest = NULL;
}

/* The URI for DEST: itself if it is a URI, else a cupsd queue on the CUPS server. */
static void
dest_uri(const char *dest, char *out, size_t n)
{
    char host[256];
    const char *server;
    char *colon;
    int port = ippPort();

    if (strstr(dest, "://") != NULL) {
        snprintf(out, n, "%s", dest);
        return;
    }
    server = cupsServer();
    if (server == NULL || server[0] == '/')
        server = "localhost";
    snprintf(host, sizeof host, "%s", server);
    colon = strrchr(host, ':');
    if (colon != NULL && strchr(host, ']') == NULL && strchr(host, ':') == colon) {
        *colon = '\0';
        port = atoi(colon + 1);
    }
    httpAssembleURIf(HTTP_URI_CODING_ALL, out, (int)n, "ipp", NULL, host, port, "/printers/%s", dest);
}

/* Classify the last failure on C. */
static enum prn_status
failure(struct prn_conn *c, const char *what, char *err, size_t errlen)
{
    int e = c->http != NULL ? httpError(c->http) : 0;
    ipp_status_t ist = cupsLastError();

    if (e == ETIMEDOUT) {
        snprintf(err, errlen, "printer %s: no answer to %s within the timeout", c->uri, what);
        return PRN_ERR_TIMEOUT;
    }
    if (e != 0 || ist == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || ist == IPP_STATUS_ERROR_INTERNAL) {
        snprintf(err, errlen, "printer %s: %s failed: %s", c->uri, what,
                 e != 0 ? strerror(e) : cupsLastErrorString());
        return e == ETIMEDOUT ? PRN_ERR_TIMEOUT : PRN_ERR_DOWN;
    }
    snprintf(err, errlen, "printer %s refused %s: %s (0x%04x)", c->uri, what, cupsLastErrorString(), (unsigned)ist);
    return PRN_ERR_REJECTED;
}

static enum prn_status
conn_open(struct prn_conn *c, const char *dest, int timeout_ms, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (dest == NULL || dest[0] == '\0') {
        snprintf(err, errlen, "no printer configured ([printer] uri is empty)");
        return PRN_ERR_NOPRINTER;
    }
    dest_uri(dest, c->uri, sizeof c->uri);
    c->dest = cupsGetDestWithURI(strstr(dest, "://") ? NULL : dest, c->uri);
    if (c->dest == NULL) {
        snprintf(err, errlen, "[printer] uri \"%s\": not a usable printer URI: %s", dest, cupsLastErrorString());
        return PRN_ERR_NOPRINTER;
    }
    /* cupsGetDestWithURI (CUPS 2.4.2) sets only device-uri; without
     * printer-uri-supported cupsConnectDest returns NULL ("No such file"). */
    if (cupsGetOption("printer-uri-supported", c->dest->num_options, c->dest->options) == NULL)
        c->dest->num_options = cupsAddOption("printer-uri-supported", c->uri, c->dest->num_options,
                                             &c->dest->options);
    c->http = cupsConnectDest(c->dest, CUPS_DEST_FLAGS_NONE, timeout_ms, NULL,
                              c->resource, sizeof c->resource, NULL, NULL);
    if (c->http == NULL || httpGetFd(c->http) < 0) {
        int e = c->http != NULL ? httpError(c->http) : errno;
        snprintf(err, errlen, "printer %s: cannot connect%s%s", c->uri,
                 e == EHOSTDOWN || e == 0 ? "" : ": ", e == EHOSTDOWN || e == 0 ? "" : strerror(e));
        conn_close(c);
        return PRN_ERR_DOWN;
    }
    httpSetTimeout(c->http, timeout_ms / 1000.0, give_up, NULL);
    return PRN_OK;
}

enum prn_status
prn_submit(const struct prn_submit_opts *o, const void *pdf, size_t len, int *printer_job_id,
           char *err, size_t errlen)
{
    struct prn_conn c;
    cups_dinfo_t *info = NULL;
    cups_option_t *opts = NULL;
    int nopts = 0, job_id = 0, waited;
    char copies[16];
    enum prn_status st;
    const char *p = pdf;
    size_t left = len;

    *printer_job_id = 0;
    st = conn_open(&c, o->dest, o->timeout_ms, err, errlen);
    if (st != PRN_OK)
        return st;
    info = cupsCopyDestInfo(c.http, c.dest);
    if (info == NULL) {
        st = failure(&c, "Get-Printer-Attributes", err, errlen);
        goto out;
    }
    snprintf(copies, sizeof copies, "%d", o->copies > 0 ? o->copies : 1);
    nopts = cupsAddOption(CUPS_COPIES, copies, nopts, &opts);
    /* A printer busy with the previous job answers server-error-busy
     * (ippeveprinter does, between the documents of one order): wait for it,
     * within the timeout. */
    for (waited = 0;; waited += 10) {
        ipp_status_t ist = cupsCreateDestJob(c.http, c.dest, info, &job_id, o->title, nopts, opts);
        if (ist <= IPP_STATUS_OK_EVENTS_COMPLETE && job_id > 0)
            break;
        if (ist != IPP_STATUS_ERROR_BUSY || waited >= o->timeout_ms) {
            st = failure(&c, "Create-Job", err, errlen);
            goto out;
        }
        usleep(10 * 1000);
    }
    if (o->on_created != NULL)
        o->on_created(o->user, job_id);
    if (cupsStartDestDocument(c.http, c.dest, info, job_id, o->title, CUPS_FORMAT_PDF, 0, NULL, 1)
        != HTTP_STATUS_CONTINUE) {
        st = failure(&c, "Send-Document", err, errlen);
        goto out;
    }
    while (left > 0) {
        size_t chunk = left > 65536 ? 65536 : left;
        if (cupsWriteRequestData(c.http, p, chunk) != HTTP_STATUS_CONTINUE) {
            st = failure(&c, "Send-Document (data)", err, errlen);
            goto out;
        }
        p += chunk;
        left -= chunk;
    }
    if (cupsFinishDestDocument(c.http, c.dest, info) > IPP_STATUS_OK_EVENTS_COMPLETE) {
        st = failure(&c, "Send-Document (response)", err, errlen);
        goto out;
    }
    *printer_job_id = job_id;
    st = PRN_OK;
out:
    if (st != PRN_OK && job_id > 0)
        *printer_job_id = job_id;   /* created but not complete: the caller decides */
    cupsFreeOptions(nopts, opts);
    if (info != NULL)
        cupsFreeDestInfo(info);
    conn_close(&c);
    return st;
}

/* A request on the printer of C with printer-uri and requesting-user-name set. */
static ipp_t *
new_request(struct prn_conn *c, ipp_op_t op)
{
    ipp_t *req = ippNewRequest(op);
    const char *uri = cupsGetOption("printer-uri-supported", c->dest->num_options, c->dest->options);

    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri ? uri : c->uri);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
    return req;
}

enum prn_status
prn_job_state(const char *dest, int timeout_ms, int printer_job_id, const char *name,
              enum prn_remote_job *state, char *err, size_t errlen)
{
    static const char *const want[] = { "job-state", "job-name" };
    struct prn_conn c;
    enum prn_status st;
    ipp_t *req, *resp;
    ipp_attribute_t *a;

    *state = PRN_RJOB_UNKNOWN;
    st = conn_open(&c, dest, timeout_ms, err, errlen);
    if (st != PRN_OK)
        return st;
    req = new_request(&c, IPP_OP_GET_JOB_ATTRIBUTES);
    ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", printer_job_id);
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 2, NULL, want);
    resp = cupsDoRequest(c.http, req, c.resource);
    if (resp == NULL || cupsLastError() > IPP_STATUS_OK_EVENTS_COMPLETE) {
        if (cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND) {
            st = PRN_OK;    /* no such job */
        } else {
            st = failure(&c, "Get-Job-Attributes", err, errlen);
        }
        ippDelete(resp);
        conn_close(&c);
        return st;
    }
    a = ippFindAttribute(resp, "job-name", IPP_TAG_ZERO);
    if (name != NULL && (a == NULL || strcmp(ippGetString(a, 0, NULL), name) != 0)) {
        *state = PRN_RJOB_UNKNOWN;      /* another job under that id: the printer restarted */
    } else if ((a = ippFindAttribute(resp, "job-state", IPP_TAG_ENUM)) != NULL) {
        switch ((ipp_jstate_t)ippGetInteger(a, 0)) {
        case IPP_JSTATE_PENDING:
        case IPP_JSTATE_PROCESSING:
        case IPP_JSTATE_STOPPED:
            *state = PRN_RJOB_PENDING;
            break;
        case IPP_JSTATE_HELD:
            *state = PRN_RJOB_HELD;
            break;
        case IPP_JSTATE_COMPLETED:
            *state = PRN_RJOB_COMPLETED;
            break;
        case IPP_JSTATE_CANCELED:
        case IPP_JSTATE_ABORTED:
            *state = PRN_RJOB_FAILED;
            break;
        }
    }
    ippDelete(resp);
    conn_close(&c);
    return PRN_OK;
}

enum prn_status
prn_job_cancel(const char *dest, int timeout_ms, int printer_job_id)
{
    struct prn_conn c;
    char err[256];
    enum prn_status st = conn_open(&c, dest, timeout_ms, err, sizeof err);
    ipp_t *req;

    if (st != PRN_OK)
        return st;
    req = new_request(&c, IPP_OP_CANCEL_JOB);
    ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", printer_job_id);
    ippDelete(cupsDoRequest(c.http, req, c.resource));
    st = cupsLastError() <= IPP_STATUS_OK_EVENTS_COMPLETE ? PRN_OK : failure(&c, "Cancel-Job", err, sizeof err);
    conn_close(&c);
    return st;
}

enum prn_printer
prn_printer_state(const struct kiosk_config *cfg, enum msg_id *msg_out, char *detail, size_t detaillen)
{
    static const char *const want[] = { "printer-state", "printer-is-accepting-jobs", "printer-state-reasons" };
    struct prn_conn c;
    char err[512] = "";
    enum prn_status st;
    enum prn_printer ps = PRN_PRINTER_DOWN;
    ipp_t *req, *resp;
    ipp_attribute_t *a;

    st = conn_open(&c, cfg->printer_uri, cfg->printer_timeout_ms, err, sizeof err);
    if (st == PRN_ERR_NOPRINTER) {
        ps = PRN_PRINTER_NONE;
        goto out;
    }
    if (st != PRN_OK)
        goto out;
    req = new_request(&c, IPP_OP_GET_PRINTER_ATTRIBUTES);
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 3, NULL, want);
    resp = cupsDoRequest(c.http, req, c.resource);
    if (resp == NULL || cupsLastError() > IPP_STATUS_OK_EVENTS_COMPLETE) {
        (void)failure(&c, "Get-Printer-Attributes", err, sizeof err);
        ippDelete(resp);
        conn_close(&c);
        goto out;
    }
    ps = PRN_PRINTER_READY;
    if ((a = ippFindAttribute(resp, "printer-state", IPP_TAG_ENUM)) != NULL) {
        if (ippGetInteger(a, 0) == IPP_PSTATE_PROCESSING)
            ps = PRN_PRINTER_BUSY;
        else if (ippGetInteger(a, 0) == IPP_PSTATE_STOPPED)
            ps = PRN_PRINTER_STOPPED;
    }
    if ((a = ippFindAttribute(resp, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN)) != NULL && !ippGetBoolean(a, 0))
        ps = PRN_PRINTER_STOPPED;
    if ((a = ippFindAttribute(resp, "printer-state-reasons", IPP_TAG_KEYWORD)) != NULL)
        snprintf(err, sizeof err, "printer %s: %s", c.uri, ippGetString(a, 0, NULL));
    ippDelete(resp);
    conn_close(&c);
out:
    if (msg_out != NULL) {
        static const enum msg_id m[] = {
            [PRN_PRINTER_READY] = M_PRN_STATE_READY, [PRN_PRINTER_BUSY] = M_PRN_STATE_BUSY,
            [PRN_PRINTER_STOPPED] = M_PRN_STATE_STOPPED, [PRN_PRINTER_DOWN] = M_PRN_STATE_DOWN,
            [PRN_PRINTER_NONE] = M_PRN_STATE_NONE,
        };
        *msg_out = m[ps];
    }
    if (detail != NULL)
        snprintf(detail, detaillen, "%s", err);
    return ps;
}

enum msg_id
prn_status_msg(enum prn_status st)
{
    switch (st) {
    case PRN_OK: return M_PRN_PUMP_OK;
    case PRN_ERR_NOPRINTER: return M_PRN_ERR_NOPRINTER;
    case PRN_ERR_DOWN: return M_PRN_ERR_DOWN;
    case PRN_ERR_TIMEOUT: return M_PRN_ERR_TIMEOUT;
    case PRN_ERR_REJECTED: return M_PRN_ERR_REJECTED;
    case PRN_ERR_FAILED: return M_PRN_ERR_FAILED;
    }
    return M_PRN_ERR_DOWN;
}
