/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal TAP producer for the ofnic engine unit tests (run through prove).
 */
#ifndef OFNIC_TAP_H
#define OFNIC_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>

static int tap_n, tap_failed, tap_planned = -1;

/* The number of results this test prints, declared before the first: a test that stops early
 * (a crash, an early return) leaves fewer, which the runner and done_testing() report. */
static inline void plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
}

static inline void tap_vreport(int pass, const char *fmt, va_list ap)
{
    tap_n++;
    printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
    vprintf(fmt, ap);
    printf("\n");
    if (!pass) {
        tap_failed++;
    }
}

static inline int ok_at(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tap_vreport(pass, fmt, ap);
    va_end(ap);
    if (!pass) {
        printf("#   Failed at %s line %d\n", file, line);
    }
    return pass;
}

static inline int is_at(uint64_t got, uint64_t exp, const char *file, int line,
                        const char *fmt, ...)
{
    va_list ap;
    int pass = got == exp;

    va_start(ap, fmt);
    tap_vreport(pass, fmt, ap);
    va_end(ap);
    if (!pass) {
        printf("#   Failed at %s line %d\n", file, line);
        printf("#          got: %" PRIu64 " (0x%" PRIx64 ")\n", got, got);
        printf("#     expected: %" PRIu64 " (0x%" PRIx64 ")\n", exp, exp);
    }
    return pass;
}

#define ok(cond, ...)       ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is(got, exp, ...)   is_at((uint64_t)(got), (uint64_t)(exp), __FILE__, __LINE__, \
                                  __VA_ARGS__)
#define diag(...)           (printf("# "), printf(__VA_ARGS__), printf("\n"))

static inline int done_testing(void)
{
    if (tap_planned < 0) {
        printf("1..%d\n", tap_n);
        printf("# no plan: call plan() before the first test\n");
        return 1;
    }
    if (tap_n != tap_planned) {
        printf("# planned %d tests, ran %d\n", tap_planned, tap_n);
        return 1;
    }
    if (tap_failed) {
        printf("# failed %d of %d tests\n", tap_failed, tap_n);
    }
    return tap_failed ? 1 : 0;
}

#endif /* OFNIC_TAP_H */
