/*
 * metrics.h - Prometheus text metrics, lock-free counters.
 */
#ifndef SF_HTTP_METRICS_H
#define SF_HTTP_METRICS_H

#include "core/buf.h"

void metrics_set_node(const char *node);
/* One request served: status and latency in seconds. */
void metrics_request(int status, double seconds);
void metrics_step(void);	 /* one process step performed */
void metrics_job(const char *kind); /* one background job run */
/* Append the Prometheus exposition text to OUT. */
void metrics_render(struct buf *out);

#endif
