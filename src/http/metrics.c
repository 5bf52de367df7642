/*
 * metrics.c - Prometheus text metrics.
 *
 * Every counter is a C11 atomic bumped with a relaxed fetch-add, so the
 * request path never takes a lock.  The histogram keeps per-bucket
 * (non-cumulative) counts and its sum in integer nanoseconds, because
 * there is no lock-free atomic add for doubles; metrics_render turns both
 * into the cumulative form of the exposition format.  Only the node label
 * sits behind a mutex: it is set once at startup and read when rendering,
 * never on the request path.
 */
#include "http/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

/* Codes counted on their own; anything else counts under its class. */
static const int exact_codes[] = {
    200, 201, 204, 400, 401, 403, 404, 409, 413, 422, 429, 500,
};
#define NEXACT (sizeof(exact_codes) / sizeof(exact_codes[0]))

/* "1xx" .. "5xx", then "other" for codes outside 100..599. */
static const char *const class_names[] = {
    "1xx", "2xx", "3xx", "4xx", "5xx", "other",
};
#define NCLASS (sizeof(class_names) / sizeof(class_names[0]))

/* Upper bounds in seconds; the +Inf bucket is the total count. */
static const double bucket_bounds[] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};
/* The same bounds as printed in the le label. */
static const char *const bucket_labels[] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",  "0.5",	 "1",	  "2.5",  "5",
};
#define NBUCKET (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

/* Background job kinds; unknown kinds count as the last one, "other". */
static const char *const job_kinds[] = {
    "sla", "reminder", "wait", "expiry", "outbox", "other",
};
#define NJOB (sizeof(job_kinds) / sizeof(job_kinds[0]))

static atomic_uint_fast64_t req_exact[NEXACT];
static atomic_uint_fast64_t req_class[NCLASS];
static atomic_uint_fast64_t dur_bucket[NBUCKET + 1]; /* last: over 5 s */
static atomic_uint_fast64_t dur_sum_ns;
static atomic_uint_fast64_t dur_count;
static atomic_uint_fast64_t steps;
static atomic_uint_fast64_t jobs[NJOB];

static pthread_mutex_t node_lock = PTHREAD_MUTEX_INITIALIZER;
static char *node_escaped; /* NULL: "local" */

static void
count(atomic_uint_fast64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static uint_fast64_t
load(atomic_uint_fast64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/*
 * Set the value of the node label (copied, escaped for the exposition
 * format).  NULL or "" restores the default "local".
 */
void
metrics_set_node(const char *node)
{
	struct buf b;
	char *old;

	buf_init(&b, 0);
	for (const char *p = node ? node : ""; *p; p++) {
		if (*p == '\\')
			buf_adds(&b, "\\\\");
		else if (*p == '"')
			buf_adds(&b, "\\\"");
		else if (*p == '\n')
			buf_adds(&b, "\\n");
		else
			buf_add(&b, p, 1);
	}
	pthread_mutex_lock(&node_lock);
	old = node_escaped;
	if (b.len)
		node_escaped = buf_detach(&b, NULL);
	else
		node_escaped = NULL;
	pthread_mutex_unlock(&node_lock);
	buf_release(&b);
	free(old);
}

/*
 * Count one request answered with STATUS that took SECONDS from the end
 * of its headers to the last byte of the response.
 */
void
metrics_request(int status, double seconds)
{
	size_t i;

	for (i = 0; i < NEXACT; i++)
		if (exact_codes[i] == status)
			break;
	if (i < NEXACT)
		count(&req_exact[i]);
	else if (status >= 100 && status <= 599)
		count(&req_class[status / 100 - 1]);
	else
		count(&req_class[NCLASS - 1]);

	if (!(seconds >= 0)) /* also NaN */
		seconds = 0;
	for (i = 0; i < NBUCKET; i++)
		if (seconds <= bucket_bounds[i])
			break;
	count(&dur_bucket[i]);
	/* Clamp so a bogus huge value cannot wrap the sum. */
	if (seconds > 1e6)
		seconds = 1e6;
	atomic_fetch_add_explicit(&dur_sum_ns,
				  (uint_fast64_t)(seconds * 1e9 + 0.5),
				  memory_order_relaxed);
	count(&dur_count);
}

/* Count one process step performed. */
void
metrics_step(void)
{
	count(&steps);
}

/* Count one background job of KIND; kinds outside the table are "other". */
void
metrics_job(const char *kind)
{
	size_t i;

	for (i = 0; i < NJOB - 1; i++)
		if (kind && strcmp(kind, job_kinds[i]) == 0)
			break;
	count(&jobs[i]);
}

static void
render_header(struct buf *out, const char *name, const char *type,
	      const char *help)
{
	buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * Append the exposition text of every metric to OUT.  Appends stop
 * silently when OUT reaches its maximum size.
 */
void
metrics_render(struct buf *out)
{
	uint_fast64_t cum, total;
	char *node;
	size_t i;

	pthread_mutex_lock(&node_lock);
	node = xstrdup(node_escaped ? node_escaped : "local");
	pthread_mutex_unlock(&node_lock);

	render_header(out, "secflow_up", "gauge",
		      "Whether the secflow server is up.");
	buf_addf(out, "secflow_up{node=\"%s\"} 1\n", node);

	render_header(out, "secflow_http_requests_total", "counter",
		      "HTTP requests answered, by status code or class.");
	for (i = 0; i < NEXACT; i++)
		buf_addf(out,
			 "secflow_http_requests_total{node=\"%s\",code=\"%d\"}"
			 " %llu\n",
			 node, exact_codes[i],
			 (unsigned long long)load(&req_exact[i]));
	for (i = 0; i < NCLASS; i++)
		buf_addf(out,
			 "secflow_http_requests_total{node=\"%s\",code=\"%s\"}"
			 " %llu\n",
			 node, class_names[i],
			 (unsigned long long)load(&req_class[i]));

	render_header(out, "secflow_http_request_duration_seconds", "histogram",
		      "Time to answer an HTTP request.");
	cum = 0;
	for (i = 0; i < NBUCKET; i++) {
		cum += load(&dur_bucket[i]);
		buf_addf(out,
			 "secflow_http_request_duration_seconds_bucket"
			 "{node=\"%s\",le=\"%s\"} %llu\n",
			 node, bucket_labels[i], (unsigned long long)cum);
	}
	cum += load(&dur_bucket[NBUCKET]);
	/* Counters move while we read them: keep +Inf >= every bucket. */
	total = load(&dur_count);
	if (total < cum)
		total = cum;
	buf_addf(out,
		 "secflow_http_request_duration_seconds_bucket"
		 "{node=\"%s\",le=\"+Inf\"} %llu\n",
		 node, (unsigned long long)total);
	buf_addf(out,
		 "secflow_http_request_duration_seconds_sum{node=\"%s\"} "
		 "%.9f\n",
		 node, (double)load(&dur_sum_ns) / 1e9);
	buf_addf(out,
		 "secflow_http_request_duration_seconds_count{node=\"%s\"} "
		 "%llu\n",
		 node, (unsigned long long)total);

	render_header(out, "secflow_steps_total", "counter",
		      "Process steps performed.");
	buf_addf(out, "secflow_steps_total{node=\"%s\"} %llu\n", node,
		 (unsigned long long)load(&steps));

	render_header(out, "secflow_jobs_total", "counter",
		      "Background jobs run, by kind.");
	for (i = 0; i < NJOB; i++)
		buf_addf(
		    out, "secflow_jobs_total{node=\"%s\",kind=\"%s\"} %llu\n",
		    node, job_kinds[i], (unsigned long long)load(&jobs[i]));
	free(node);
}
