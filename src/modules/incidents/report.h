/*
 * report.h - the Security Incident Report (seed 001 §6.4.1, Table 8;
 * seed 002 SEC.4.5-4.7), generated from the incident's data and its
 * audit trail: Markdown always, HTML through cmark, PDF (for paper)
 * through pango and cairo.
 */
#ifndef SF_INCIDENT_REPORT_H
#define SF_INCIDENT_REPORT_H

#include <jansson.h>

#include "core/status.h"

/* INCIDENT: the incident's view (data at top level); AUDIT: its audit
 * records (GET /api/v1/audit shape).  A new string. */
char *incident_report_md(json_t *incident, json_t *audit);
/* A whole HTML page (new string) from the Markdown MD. */
char *incident_report_html(const char *md, const char *title);
/* A PDF of MD on A4 pages; *PDF (new buffer) and *LEN. */
enum sf_status incident_report_pdf(const char *md, const char *title,
				   unsigned char **pdf, size_t *len,
				   struct sf_error *err);

#endif
