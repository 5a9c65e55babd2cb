/*
 * tests/fuzz/fuzz_config.c - libFuzzer target: the configuration reader
 * (kiosk/config.c: the strict pre-scan, then inih) on any file contents,
 * through an in-memory file. Whatever it is, the reader accepts it or says
 * why in one line; it never crashes.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kiosk/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct kiosk_config cfg;
    static int fd = -1;
    char path[64], err[1024];

    if (fd < 0 && (fd = memfd_create("kiosk.conf", 0)) < 0)
        return 0;
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    cfg_defaults(&cfg, "/nonexistent-kiosk-home");
    err[0] = '\0';
    if (cfg_load(&cfg, path, err, sizeof err) != 0 && (err[0] == '\0' || strchr(err, '\n') != NULL))
        __builtin_trap();       /* a refusal is one line that says why */
    return 0;
}
