/*
 * tests/fakep11/fakep11.c - a PKCS#11 module for tests only: it loads the
 * real module ($FAKEP11_MODULE, default SoftHSM) and passes every call
 * through, except that for the token whose serial is $FAKEP11_SERIAL it
 * reports what no available token produces: $FAKEP11_FLAGS, a comma list of
 *   count_low   C_GetTokenInfo says CKF_USER_PIN_COUNT_LOW
 *   final_try   C_GetTokenInfo says CKF_USER_PIN_FINAL_TRY
 *   locked      C_GetTokenInfo says CKF_USER_PIN_LOCKED, and a user
 *               C_Login answers CKR_PIN_LOCKED
 * The kiosk must honour them (kiosk/engine_key.c). Built by the Makefile as
 * build/fakep11.so; named by [token] module in a test hall's kiosk.conf.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit-1/p11-kit/pkcs11.h>

static CK_FUNCTION_LIST *real;
static CK_FUNCTION_LIST fake;

static int
flag_on(const char *name)
{
    const char *f = getenv("FAKEP11_FLAGS");
    size_t n = strlen(name);

    for (; f != NULL && *f; f += strcspn(f, ",") + (f[strcspn(f, ",")] == ',')) {
        if (strncmp(f, name, n) == 0 && (f[n] == ',' || f[n] == '\0'))
            return 1;
        if (f[strcspn(f, ",")] == '\0')
            break;
    }
    return 0;
}

/* Is slot ID the token named by $FAKEP11_SERIAL? */
static int
slot_is_target(CK_SLOT_ID id, CK_TOKEN_INFO *ti)
{
    const char *want = getenv("FAKEP11_SERIAL");
    char serial[17];
    size_t l;

    if (want == NULL || real->C_GetTokenInfo(id, ti) != CKR_OK)
        return 0;
    memcpy(serial, ti->serialNumber, 16);
    serial[16] = '\0';
    l = 16;
    while (l > 0 && serial[l - 1] == ' ')
        serial[--l] = '\0';
    return strcmp(serial, want) == 0;
}

static CK_RV
fake_GetTokenInfo(CK_SLOT_ID id, CK_TOKEN_INFO *info)
{
    CK_RV rv = real->C_GetTokenInfo(id, info);
    CK_TOKEN_INFO ti;

    if (rv != CKR_OK || !slot_is_target(id, &ti))
        return rv;
    if (flag_on("count_low"))
        info->flags |= CKF_USER_PIN_COUNT_LOW;
    if (flag_on("final_try"))
        info->flags |= CKF_USER_PIN_FINAL_TRY;
    if (flag_on("locked"))
        info->flags |= CKF_USER_PIN_LOCKED;
    return CKR_OK;
}

static CK_RV
fake_Login(CK_SESSION_HANDLE s, CK_USER_TYPE who, CK_UTF8CHAR *pin, CK_ULONG len)
{
    CK_SESSION_INFO si;
    CK_TOKEN_INFO ti;

    if (who == CKU_USER && flag_on("locked") && real->C_GetSessionInfo(s, &si) == CKR_OK &&
        slot_is_target(si.slotID, &ti))
        return CKR_PIN_LOCKED;
    return real->C_Login(s, who, pin, len);
}

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST **out)
{
    CK_RV (*get)(CK_FUNCTION_LIST **);
    const char *path = getenv("FAKEP11_MODULE");
    void *dl;

    if (real == NULL) {
        dl = dlopen(path && *path ? path : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
        if (dl == NULL || (get = (CK_RV(*)(CK_FUNCTION_LIST **))dlsym(dl, "C_GetFunctionList")) == NULL ||
            get(&real) != CKR_OK)
            return CKR_GENERAL_ERROR;
        fake = *real;
        fake.C_GetTokenInfo = fake_GetTokenInfo;
        fake.C_Login = fake_Login;
    }
    *out = &fake;
    return CKR_OK;
}
