/*
 * printing/cups.c - libcups submission with bounded waits.
 *
 * Destination: an ipp:// (ipps://) URI (the printer itself), or the name of
 * a queue on the hall's CUPS server. A queue is reached the way libcups
 * reaches its server: cupsServer() and ippPort(), i.e. CUPS_SERVER as
 * host, host:port or a domain-socket path, else the local default; the
 * destination comes from the server (cupsGetNamedDest). Both then take the
 * same cupsCopyDestInfo -> cupsCreateDestJob -> cupsStartDestDocument ->
 * cupsWriteRequestData -> cupsFinishDestDocument path (cupsPrintFile2
 * cannot take URIs).
 *
 * Debian 12's cupsd (2.4.2) crashes on Create-Job + Send-Document when both
 * job-name and document-name contain a space: the document-name we send
 * never has one (prn_document_name), the job-name keeps the readable title.
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

static bool
is_uri(const char *dest)
{
    return strstr(dest, "://") != NULL;
}

/* The CUPS server as libcups names it (CUPS_SERVER or the default), for messages. */
static void
server_name(char *out, size_t n)
{
    const char *server = cupsServer();

    if (server != NULL && server[0] == '/')
        snprintf(out, n, "%s", server);
    else
        snprintf(out, n, "%s:%d", server != NULL ? server : "localhost", ippPort());
}

char *
prn_document_name(char *buf, size_t n, const char *title)
{
    size_t i;

    snprintf(buf, n, "%s", title != NULL ? title : "");
    for (i = 0; buf[i] != '\0'; i++)
        if (buf[i] == ' ' || buf[i] == '\t')
            buf[i] = '_';
    return buf;
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
    /* cupsd answers document-format-not-supported (0x040a); a printer may
     * answer attributes-or-values-not-supported (0x040b) naming the format */
    if (ist == IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED ||
        (ist == IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES && strstr(cupsLastErrorString(), "document-format") != NULL)) {
        snprintf(err, errlen, "printer %s refused %s: %s (0x%04x): the queue does not take PDF", c->uri, what,
                 cupsLastErrorString(), (unsigned)ist);
        return PRN_ERR_FORMAT;
    }
    if (e != 0 || ist == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || ist == IPP_STATUS_ERROR_INTERNAL) {
        snprintf(err, errlen, "printer %s: %s failed: %s", c->uri, what,
                 e != 0 ? strerror(e) : cupsLastErrorString());
        return e == ETIMEDOUT ? PRN_ERR_TIMEOUT : PRN_ERR_DOWN;
    }
    snprintf(err, errlen, "printer %s refused %s: %s (0x%04x)", c->uri, what, cupsLastErrorString(), (unsigned)ist);
    return PRN_ERR_REJECTED;
}

/* A queue NAME on the hall's CUPS server (CUPS_SERVER): connect, get its destination. */
static enum prn_status
conn_open_queue(struct prn_conn *c, const char *name, int timeout_ms, char *err, size_t errlen)
{
    char server[300];
    const char *uri;

    server_name(server, sizeof server);
    httpAssembleURIf(HTTP_URI_CODING_ALL, c->uri, (int)sizeof c->uri, "ipp", NULL, "localhost", 0, "/printers/%s",
                     name);
    c->http = httpConnect2(cupsServer(), ippPort(), NULL, AF_UNSPEC, cupsEncryption(), 1, timeout_ms, NULL);
    if (c->http == NULL || httpGetFd(c->http) < 0) {
        int e = errno;
        bool say = e == ECONNREFUSED || e == ETIMEDOUT || e == EHOSTUNREACH || e == ENOENT || e == EACCES;
        snprintf(err, errlen, "print server %s (queue %s): cannot connect%s%s", server, name, say ? ": " : "",
                 say ? strerror(e) : "");
        conn_close(c);
        return PRN_ERR_DOWN;
    }
    httpSetTimeout(c->http, timeout_ms / 1000.0, give_up, NULL);
    c->dest = cupsGetNamedDest(c->http, name, NULL);
    if (c->dest == NULL) {
        int e = httpError(c->http);
        ipp_status_t ist = cupsLastError();
        if (e != 0 || ist == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || ist == IPP_STATUS_ERROR_INTERNAL) {
            snprintf(err, errlen, "print server %s (queue %s): %s", server, name,
                     e == ETIMEDOUT ? "no answer within the timeout" : e != 0 ? strerror(e) : cupsLastErrorString());
            conn_close(c);
            return e == ETIMEDOUT ? PRN_ERR_TIMEOUT : PRN_ERR_DOWN;
        }
        snprintf(err, errlen, "print server %s has no queue \"%s\" ([printer] uri)", server, name);
        conn_close(c);
        return PRN_ERR_NOPRINTER;
    }
    if ((uri = cupsGetOption("printer-uri-supported", c->dest->num_options, c->dest->options)) != NULL)
        snprintf(c->uri, sizeof c->uri, "%s", uri);
    snprintf(c->resource, sizeof c->resource, "/printers/%s", name);
    return PRN_OK;
}

static enum prn_status
conn_open(struct prn_conn *c, const char *dest, int timeout_ms, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (dest == NULL || dest[0] == '\0') {
        snprintf(err, errlen, "no printer configured ([printer] uri is empty)");
        return PRN_ERR_NOPRINTER;
    }
    if (!is_uri(dest))
        return conn_open_queue(c, dest, timeout_ms, err, errlen);
    snprintf(c->uri, sizeof c->uri, "%s", dest);
    c->dest = cupsGetDestWithURI(NULL, c->uri);
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

/* A request on the printer of C with printer-uri and requesting-user-name set. */
static ipp_t *new_request(struct prn_conn *c, ipp_op_t op);

/*
 * Our own jobs (job-name "TITLE #kiosk-ID-CREATED", printing/outbox.c) that
 * the printer has held without a document for PRN_ORPHAN_AGE_S or more: a
 * sender died between Create-Job and recording the job's id (prn_submit's
 * on_created), so nobody will send that document or ask about that job
 * again. A printer that prints one job at a time (an IPP Everywhere printer
 * such as ippeveprinter) then answers every Create-Job "busy" for ever; one
 * that queues times the job out by itself. Cancelled here (a live sender
 * sends its document within the printer timeout and busy_ms of Create-Job,
 * far less than the age); returns how many.
 */
#define PRN_ORPHAN_AGE_S 60
static int
orphans_cancel(struct prn_conn *c)
{
    static const char *const want[] = { "job-id", "job-state", "job-name", "time-at-creation", "job-printer-up-time" };
    ipp_t *req = new_request(c, IPP_OP_GET_JOBS), *resp;
    ipp_attribute_t *a;
    int n = 0;

    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", NULL, "not-completed");
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 5, NULL, want);
    resp = cupsDoRequest(c->http, req, c->resource);
    a = resp != NULL ? ippFirstAttribute(resp) : NULL;
    while (a != NULL) {
        int id = 0, state = 0, created = -1, up = -1;
        const char *name = "";

        while (a != NULL && ippGetGroupTag(a) != IPP_TAG_JOB)
            a = ippNextAttribute(resp);
        for (; a != NULL && ippGetGroupTag(a) == IPP_TAG_JOB && ippGetName(a) != NULL; a = ippNextAttribute(resp)) {
            const char *an = ippGetName(a);
            if (strcmp(an, "job-id") == 0)
                id = ippGetInteger(a, 0);
            else if (strcmp(an, "job-state") == 0)
                state = ippGetInteger(a, 0);
            else if (strcmp(an, "job-name") == 0)
                name = ippGetString(a, 0, NULL) != NULL ? ippGetString(a, 0, NULL) : "";
            else if (strcmp(an, "time-at-creation") == 0)
                created = ippGetInteger(a, 0);
            else if (strcmp(an, "job-printer-up-time") == 0)
                up = ippGetInteger(a, 0);
        }
        if (id > 0 && state == IPP_JSTATE_HELD && strstr(name, " #kiosk-") != NULL && created >= 0 &&
            up - created >= PRN_ORPHAN_AGE_S) {
            ipp_t *cr = new_request(c, IPP_OP_CANCEL_JOB);
            ippAddInteger(cr, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", id);
            ippDelete(cupsDoRequest(c->http, cr, c->resource));
            n += cupsLastError() <= IPP_STATUS_OK_EVENTS_COMPLETE;
        }
    }
    ippDelete(resp);
    return n;
}

enum prn_status
prn_submit(const struct prn_submit_opts *o, const void *pdf, size_t len, int *printer_job_id,
           char *err, size_t errlen)
{
    struct prn_conn c;
    cups_dinfo_t *info = NULL;
    cups_option_t *opts = NULL;
    int nopts = 0, job_id = 0, waited;
    bool swept = false;
    char copies[16], docname[256];
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
        if (ist == IPP_STATUS_ERROR_BUSY && waited >= o->timeout_ms && !swept) {
            swept = true;               /* busy all along: with a job of ours nobody will finish? */
            if (orphans_cancel(&c) > 0)
                waited = 0;
            continue;                   /* asked again: the answer (and its message) is the printer's */
        }
        if (ist != IPP_STATUS_ERROR_BUSY || waited >= o->timeout_ms) {
            st = failure(&c, "Create-Job", err, errlen);
            goto out;
        }
        usleep(10 * 1000);
    }
    if (o->on_created != NULL)
        o->on_created(o->user, job_id);
    if (cupsStartDestDocument(c.http, c.dest, info, job_id, prn_document_name(docname, sizeof docname, o->title),
                              CUPS_FORMAT_PDF, 0, NULL, 1)
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

/* printer-state-reasons keywords (RFC 8011 5.4.12, suffixes -error/-warning/-report stripped). */
static const struct {
    const char *keyword;
    enum msg_id message;
} reason_msgs[] = {
    { "paused", M_PRN_REASON_PAUSED },
    { "media-empty", M_PRN_REASON_PAPER },
    { "media-needed", M_PRN_REASON_PAPER },
    { "media-low", M_PRN_REASON_PAPER },
    { "media-jam", M_PRN_REASON_JAM },
    { "toner-empty", M_PRN_REASON_TONER },
    { "marker-supply-empty", M_PRN_REASON_TONER },
    { "door-open", M_PRN_REASON_DOOR },
    { "cover-open", M_PRN_REASON_DOOR },
    { "offline", M_PRN_REASON_OFFLINE },
    { "shutdown", M_PRN_REASON_OFFLINE },
    { "connecting-to-device", M_PRN_REASON_CONNECTING },
    { "stopped-partly", M_PRN_REASON_PAUSED },
};

enum msg_id
prn_reason_msg(const char *keyword)
{
    char k[128];
    size_t n, i;
    static const char *const suffix[] = { "-error", "-warning", "-report" };

    if (keyword == NULL || keyword[0] == '\0' || strcmp(keyword, "none") == 0)
        return 0;
    snprintf(k, sizeof k, "%s", keyword);
    n = strlen(k);
    for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        size_t l = strlen(suffix[i]);
        if (n > l && strcmp(k + n - l, suffix[i]) == 0) {
            k[n - l] = '\0';
            break;
        }
    }
    for (i = 0; i < sizeof reason_msgs / sizeof reason_msgs[0]; i++)
        if (strcmp(k, reason_msgs[i].keyword) == 0)
            return reason_msgs[i].message;
    return 0;
}

enum prn_printer
prn_printer_state(const struct kiosk_config *cfg, enum msg_id *msg_out, char *detail, size_t detaillen)
{
    static const char *const want[] = { "printer-state", "printer-is-accepting-jobs", "printer-state-reasons" };
    struct prn_conn c;
    char err[512] = "";
    enum prn_status st;
    enum prn_printer ps = PRN_PRINTER_DOWN;
    enum msg_id reason = 0;
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
    if ((a = ippFindAttribute(resp, "printer-state-reasons", IPP_TAG_KEYWORD)) != NULL) {
        int i, count = ippGetCount(a);
        size_t len = (size_t)snprintf(err, sizeof err, "printer %s:", c.uri);
        for (i = 0; i < count; i++) {
            const char *kw = ippGetString(a, i, NULL);
            enum msg_id m = prn_reason_msg(kw);
            if (len < sizeof err)
                len += (size_t)snprintf(err + len, sizeof err - len, " %s", kw ? kw : "");
            /* the first reason the clerk can act on names the problem */
            if (m != 0 && reason == 0 && (ps == PRN_PRINTER_STOPPED || (kw && strstr(kw, "-error") != NULL)))
                reason = m;
        }
    }
    ippDelete(resp);
    conn_close(&c);
out:
    if (msg_out != NULL) {
        static const enum msg_id m[] = {
            [PRN_PRINTER_READY] = M_PRN_STATE_READY, [PRN_PRINTER_BUSY] = M_PRN_STATE_BUSY,
            [PRN_PRINTER_STOPPED] = M_PRN_STATE_STOPPED, [PRN_PRINTER_DOWN] = M_PRN_STATE_DOWN,
            [PRN_PRINTER_NONE] = M_PRN_STATE_NONE,
        };
        *msg_out = reason != 0 ? reason : m[ps];
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
    case PRN_ERR_FORMAT: return M_PRN_ERR_FORMAT;
    case PRN_ERR_ABORTED: return M_PRN_ERR_ABORTED;
    case PRN_ERR_LOST: return M_PRN_ERR_LOST;
    }
    return M_PRN_ERR_DOWN;
}

enum prn_status
prn_job_error(const char *last_error, const char **detail)
{
    char *end;
    long code;

    if (detail != NULL)
        *detail = last_error != NULL ? last_error : "";
    if (last_error == NULL || last_error[0] == '\0')
        return PRN_OK;
    if (last_error[0] != '#')
        return PRN_ERR_FAILED;
    code = strtol(last_error + 1, &end, 10);
    if (end == last_error + 1 || code > 0 || code < PRN_ERR_LOST)
        return PRN_ERR_FAILED;
    if (detail != NULL)
        *detail = *end == ' ' ? end + 1 : end;
    return (enum prn_status)code;
}
