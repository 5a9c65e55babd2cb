/*
 * bench/bench.h - the timing harness shared by the benchmarks in bench/:
 * a monotonic clock and order statistics (median, percentile) of a set of
 * timings. Static inline: each benchmark is its own program and need not
 * use all of them.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdlib.h>
#include <time.h>

/* Milliseconds on the monotonic clock (only differences mean anything). */
static inline double
bench_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Seconds on the monotonic clock (only differences mean anything). */
static inline double
bench_now_s(void)
{
    return bench_now_ms() / 1e3;
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Sorts V[0..N) ascending in place. */
static inline void
bench_sort(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
}

/* Sorts V[0..N) (N >= 1) and returns its median: the middle value, or the
 * mean of the two middle values when N is even. */
static inline double
bench_median(double *v, int n)
{
    bench_sort(v, n);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Sorts V[0..N) (N >= 1) and returns the value at rank N*P/100 (0-based,
 * P in 0..100; 100 gives the maximum): P=50 is the upper middle value,
 * P=90 the 90th percentile. */
static inline double
bench_percentile(double *v, int n, int p)
{
    int i = n * p / 100;

    bench_sort(v, n);
    return v[i < n ? i : n - 1];
}

#endif
