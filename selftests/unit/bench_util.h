/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Microbenchmark harness for bench_engine.c: timing (warm-up, then the median
 * of NREPS runs of a fixed wall time), the memcpy() baseline, options and the
 * Markdown/JSON output. Each row is an engine rate next to memcpy() over the
 * same bytes.
 */
#ifndef OFNIC_BENCH_UTIL_H
#define OFNIC_BENCH_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NREPS		5

static double bench_time = 0.5;	/* seconds per repetition */
static char **filters;		/* run only rows whose name has one */
static int nfilters;

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "bench_engine: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static void *xalloc(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);

	if (!p)
		fail("out of memory");
	memset(p, 0, n);
	return p;
}

static bool want(const char *name)
{
	int i;

	for (i = 0; i < nfilters; i++)
		if (strstr(name, filters[i]))
			return true;
	return !nfilters;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The compiler must assume p's memory is read here: stores to it stay. */
static inline void clobber(const void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* ---------------------------------------------------------------------------
 * Timing: warm up, then the median of NREPS runs of bench_time seconds.
 */
typedef void (*run_fn)(void *ctx, uint64_t ops);

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Returns the median ops/s; reps gets each repetition's. */
static double measure(run_fn run, void *ctx, double reps[NREPS])
{
	double t0, el, sorted[NREPS];
	uint64_t batch = 1, ops;
	int i;

	/* batches of about 1 ms keep clock reads out of the figure */
	for (;;) {
		t0 = now_s();
		run(ctx, batch);
		if (now_s() - t0 >= 1e-3 || batch >= 1ull << 40)
			break;
		batch *= 2;
	}
	t0 = now_s();
	while (now_s() - t0 < bench_time / 4)
		run(ctx, batch);
	for (i = 0; i < NREPS; i++) {
		ops = 0;
		t0 = now_s();
		do {
			run(ctx, batch);
			ops += batch;
			el = now_s() - t0;
		} while (el < bench_time);
		reps[i] = (double)ops / el;
	}
	memcpy(sorted, reps, sizeof(sorted));
	qsort(sorted, NREPS, sizeof(sorted[0]), cmp_double);
	return sorted[NREPS / 2];
}

/* memcpy() baseline: count pieces of len bytes, stride apart, per op. */
struct copy_ctx {
	const uint8_t *src;
	size_t stride, len;
	unsigned int count;
	uint8_t *dst;		/* count * len bytes: nothing overwritten */
};

static void copy_run(void *ctx, uint64_t ops)
{
	struct copy_ctx *c = ctx;
	unsigned int k;

	for (; ops; ops--) {
		for (k = 0; k < c->count; k++) {
			memcpy(c->dst + (size_t)k * c->len,
			       c->src + (size_t)k * c->stride, c->len);
			clobber(c->dst);
		}
	}
}

/* One line of the table. bytes/cbytes per op give Gbit/s, items per op. */
struct row {
	char name[96];
	const char *item;
	double bytes, items, cbytes;
	double eng[NREPS], cpy[NREPS];
	double eng_ops, cpy_ops;
};

static struct row rows[16];
static unsigned int nrows;

static double gbps(double ops, double bytes)
{
	return ops * bytes * 8 / 1e9;
}

static struct row *run_row(const char *name, const char *item, double bytes,
			   double items, run_fn run, void *ctx)
{
	struct row *r;

	if (nrows == sizeof(rows) / sizeof(rows[0]))
		fail("too many rows");
	r = &rows[nrows++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->item = item;
	r->bytes = bytes;
	r->items = items;
	fprintf(stderr, "bench: %s\n", name);
	r->eng_ops = measure(run, ctx, r->eng);
	return r;
}

/*
 * The memcpy() baseline of r: count pieces of len bytes, stride apart, per op.
 * With shared, rows over the same bytes measure it once.
 */
static void baseline(struct row *r, struct row **shared, const uint8_t *src,
		     size_t stride, size_t len, unsigned int count)
{
	struct copy_ctx c = { .src = src, .stride = stride, .len = len,
			      .count = count };
	unsigned int k;

	if (shared && *shared) {
		r->cbytes = (*shared)->cbytes;
		r->cpy_ops = (*shared)->cpy_ops;
		memcpy(r->cpy, (*shared)->cpy, sizeof(r->cpy));
		return;
	}
	c.dst = xalloc(len * count);
	r->cbytes = (double)len * count;
	r->cpy_ops = measure(copy_run, &c, r->cpy);
	for (k = 0; k < count; k++)
		if (memcmp(c.dst + (size_t)k * len, src + (size_t)k * stride,
			   len))
			fail("%s: the memcpy() baseline did not copy", r->name);
	free(c.dst);
	if (shared)
		*shared = r;
}

/* ---------------------------------------------------------------------------
 * Output.
 */
static void print_table(void)
{
	unsigned int i;

	printf("ofnic engine, host -O2, median of %d x %.2f s "
	       "(Gbit/s: TSO/RX payload, Toeplitz 64-byte frames)\n\n",
	       NREPS, bench_time);
	printf("| measurement | rate | memcpy | ratio |\n");
	printf("|---|---:|---:|---:|\n");
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		double g = gbps(r->eng_ops, r->bytes);
		double m = gbps(r->cpy_ops, r->cbytes);

		printf("| %s | %.2f Gbit/s (%.2f M%s/s) | %.2f Gbit/s | %.3f |\n",
		       r->name, g, r->eng_ops * r->items / 1e6, r->item, m,
		       g / m);
	}
}

static void json_reps(FILE *f, const double *reps, double bytes)
{
	int i;

	for (i = 0; i < NREPS; i++)
		fprintf(f, "%s%.4f", i ? ", " : "[", gbps(reps[i], bytes));
	fprintf(f, "]");
}

#ifdef __clang__
#define CC_NAME ""
#else
#define CC_NAME "gcc "
#endif

static void write_json(const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned int i;

	if (!f)
		fail("cannot write %s", path);
	fprintf(f, "{\n  \"tool\": \"bench_engine\",\n  \"compiler\": \"%s\",\n"
		"  \"seconds_per_rep\": %.3f,\n  \"reps\": %d,\n"
		"  \"statistic\": \"median\",\n  \"results\": [\n",
		CC_NAME __VERSION__, bench_time, NREPS);
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		double g = gbps(r->eng_ops, r->bytes);
		double m = gbps(r->cpy_ops, r->cbytes);

		fprintf(f, "    {\"name\": \"%s\", \"gbit_s\": %.4f, "
			"\"items_per_s\": %.1f, \"item\": \"%s\", "
			"\"memcpy_gbit_s\": %.4f, \"ratio\": %.4f,\n"
			"     \"gbit_s_reps\": ", r->name, g,
			r->eng_ops * r->items, r->item, m, g / m);
		json_reps(f, r->eng, r->bytes);
		fprintf(f, ", \"memcpy_gbit_s_reps\": ");
		json_reps(f, r->cpy, r->cbytes);
		fprintf(f, "}%s\n", i + 1 < nrows ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f))
		fail("cannot write %s", path);
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: bench_engine [-t SECONDS] [--json FILE] [NAME...]\n"
		"  -t, --time  wall time of each of the %d repetitions\n"
		"              (default 0.5, or $BENCH_TIME)\n"
		"  --json      also write the figures to FILE\n"
		"  NAME        run only the rows whose name contains one\n",
		NREPS);
	exit(2);
}

static double parse_time(const char *s)
{
	char *end;
	double t = strtod(s, &end);

	if (end == s || *end || !(t >= 0.001 && t <= 60))
		usage();
	return t;
}

/* Options into bench_time and filters; returns the --json path or NULL. */
static const char *parse_args(int argc, char **argv)
{
	const char *json = NULL, *env = getenv("BENCH_TIME");
	int i;

	filters = calloc((size_t)argc, sizeof(*filters));
	if (!filters)
		fail("out of memory");
	if (env && *env)
		bench_time = parse_time(env);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") || !strcmp(argv[i], "--time")) {
			if (++i == argc)
				usage();
			bench_time = parse_time(argv[i]);
		} else if (!strcmp(argv[i], "--json")) {
			if (++i == argc)
				usage();
			json = argv[i];
		} else if (argv[i][0] == '-') {
			usage();
		} else {
			filters[nfilters++] = argv[i];
		}
	}
	return json;
}

#endif /* OFNIC_BENCH_UTIL_H */
