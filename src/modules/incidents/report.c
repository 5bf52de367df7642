/*
 * report.c - the Security Incident Report, structured exactly as Table 8
 * of seed 001 (1 Management Summary ... 4 Recommendations) and filled
 * from the incident: identification, parties, services affected, the
 * e-mail exchange, the evidence and log files, the chain of events
 * (detection, registration, resolution, recovery, closure) taken from the
 * audit trail, the gap analysis and the recommendations of the ILSOs.
 */
#include <cairo-pdf.h>
#include <cmark.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonget.h"
#include "modules/incidents/report.h"

/* A value on one line for a table cell: no "|" and no line breaks. */
static void
cell(struct buf *b, const char *v)
{
	for (; v && *v; v++)
		buf_add(b, *v == '|' ? "/" : (*v == '\n' || *v == '\r') ? " " : v,
			1);
}

/* Text as a Markdown paragraph (or "_none recorded_"). */
static void
para(struct buf *b, const char *text)
{
	buf_addf(b, "%s\n\n", text && *text ? text : "_None recorded._");
}

/* Audit records whose action starts with PREFIX, as a bullet list. */
static int
events(struct buf *b, json_t *audit, const char *const *actions)
{
	size_t i;
	json_t *r;
	int n = 0;

	json_array_foreach(audit, i, r)
	{
		const char *a = json_get_str(r, "action");
		for (size_t k = 0; actions[k]; k++) {
			size_t len = strlen(actions[k]);
			if (strncmp(a, actions[k], len) != 0)
				continue;
			buf_addf(b, "- %s: %s by %s", json_get_str(r, "ts"), a,
				 json_get_str(r, "user"));
			if (*json_get_str(r, "role"))
				buf_addf(b, " (%s)", json_get_str(r, "role"));
			buf_adds(b, "\n");
			n++;
			break;
		}
	}
	if (n)
		buf_adds(b, "\n");
	return n;
}

char *
incident_report_md(json_t *inc, json_t *audit)
{
	json_t *d = json_object_get(inc, "data");
	json_t *as = json_object_get(d, "assessment");
	json_t *x, *y;
	size_t i, j;
	struct buf b;

	if (!json_is_object(d))
		d = inc;
	buf_init(&b, 1 << 24);
	buf_addf(&b, "# Security Incident Report: %s\n\n",
		 json_get_str(d, "reference"));
	buf_addf(&b, "%s\n\n", json_get_str(d, "title"));

	buf_adds(&b, "## 1. Management Summary\n\n");
	buf_addf(&b,
		 "Incident %s%s%s was flagged as a security incident and "
		 "assessed as **high impact**",
		 json_get_str(d, "reference"),
		 *json_get_str(d, "na") ? " in NA " : "",
		 json_get_str(d, "na"));
	json_array_foreach(json_object_get(as, "reasons"), i, x)
		buf_addf(&b, "%s %s", i ? ";" : ":", json_string_value(x));
	buf_adds(&b, ".  ");
	if (*json_get_str(json_object_get(d, "correlation"), "root_cause"))
		buf_addf(&b, "Root cause: %s.  ",
			 json_get_str(json_object_get(d, "correlation"),
				      "root_cause"));
	buf_addf(&b, "%zu emergency action(s) were taken.\n\n",
		 json_array_size(json_object_get(d, "actions")));

	buf_adds(&b, "## 2. Security Incident Short Description\n\n");
	buf_adds(&b, "### 2.1 Identification\n\n| item | value |\n|---|---|\n");
	buf_adds(&b, "| Reference | ");
	cell(&b, json_get_str(d, "reference"));
	buf_adds(&b, " |\n| Title | ");
	cell(&b, json_get_str(d, "title"));
	buf_addf(&b,
		 " |\n| Registered | %s |\n| National Administration | %s "
		 "|\n| Reported by | ",
		 json_get_str(inc, "created"),
		 *json_get_str(d, "na") ? json_get_str(d, "na") : "-");
	cell(&b, json_get_str(d, "reporter"));
	buf_adds(&b, " |\n| Keywords matched | ");
	json_array_foreach(json_object_get(d, "matches"), i, x)
		buf_addf(&b, "%s%s (%s)", i ? ", " : "",
			 json_get_str(x, "keyword"), json_get_str(x, "field"));
	buf_adds(&b, " |\n\n### 2.2 Overview\n\n");
	para(&b, json_get_str(d, "description"));

	buf_adds(&b, "### 2.3 Parties Involved\n\n");
	{
		json_t *seen = json_object();
		json_array_foreach(audit, i, x)
		{
			const char *u = json_get_str(x, "user");
			if (!*u || strcmp(u, "system") == 0 ||
			    json_object_get(seen, u))
				continue;
			json_object_set_new(seen, u, json_true());
			buf_addf(&b, "- %s%s%s%s\n", u,
				 *json_get_str(x, "role") ? " (" : "",
				 json_get_str(x, "role"),
				 *json_get_str(x, "role") ? ")" : "");
		}
		json_decref(seen);
		json_array_foreach(json_object_get(d, "ilso_teams"), i, x)
			buf_addf(&b, "- ILSO of team %s\n", json_string_value(x));
		json_array_foreach(json_object_get(d, "nisos"), i, x)
			buf_addf(&b, "- NISO of %s\n", json_string_value(x));
		buf_adds(&b, "\n");
	}

	buf_adds(&b, "### 2.4 Customer Services Affected\n\n");
	if (json_array_size(json_object_get(as, "systems"))) {
		buf_adds(&b, "| system | classification | availability | "
			     "integrity |\n|---|---|---|---|\n");
		json_array_foreach(json_object_get(as, "systems"), i, x)
		{
			buf_adds(&b, "| ");
			cell(&b, json_get_str(x, "name"));
			buf_addf(&b, " | %s | %s | %s |\n",
				 *json_get_str(x, "classification")
				     ? json_get_str(x, "classification")
				     : "-",
				 json_get_str(x, "availability"),
				 json_get_str(x, "integrity"));
		}
		buf_adds(&b, "\n");
	} else {
		para(&b, NULL);
	}

	buf_adds(&b, "## 3. Security Incident Analysis\n\n");
	buf_adds(&b, "### 3.1 Analysis of e-mail exchanges related to "
		     "incident\n\n");
	x = json_object_get(d, "email");
	if (json_is_object(x)) {
		buf_adds(&b, "The incident arrived by e-mail: from ");
		cell(&b, json_get_str(x, "from"));
		buf_adds(&b, ", subject \"");
		cell(&b, json_get_str(x, "subject"));
		buf_addf(&b, "\", sent %s.\n\n",
			 *json_get_str(x, "date") ? json_get_str(x, "date")
						  : "(no date)");
	}
	{
		static const char *const mail[] = {"notify", "mail:", NULL};
		if (!events(&b, audit, mail) && !json_is_object(x))
			para(&b, NULL);
	}

	buf_adds(&b, "### 3.2 Log File Analysis / Identification of origin\n\n");
	{
		int any = 0;
		json_array_foreach(json_object_get(d, "evidence"), i, x)
		{
			buf_addf(&b, "- %s, %s (%s): ", json_get_str(x, "date"),
				 json_get_str(x, "by"),
				 json_get_str(x, "role"));
			cell(&b, json_get_str(x, "text"));
			json_array_foreach(json_object_get(x, "files"), j, y)
				buf_addf(&b, " [file %s, %lld bytes]",
					 json_get_str(y, "filename"),
					 (long long)json_integer_value(
					     json_object_get(y, "size")));
			buf_adds(&b, "\n");
			any = 1;
		}
		if (any)
			buf_adds(&b, "\n");
		else
			para(&b, NULL);
	}

	buf_adds(&b, "### 3.3 Chain of Events\n\n#### 3.3.1 Detection\n\n");
	buf_addf(&b, "Registered %s; keyword scan: %s.\n\n",
		 json_get_str(inc, "created"),
		 json_is_true(json_object_get(d, "flagged"))
		     ? "flagged security"
		     : "not flagged");
	buf_adds(&b, "#### 3.3.2 Registration\n\n");
	{
		static const char *const a[] = {"start", "modify",
						"step:screen", "step:correlate",
						NULL};
		if (!events(&b, audit, a))
			para(&b, NULL);
	}
	buf_adds(&b, "#### 3.3.3 Resolution\n\n");
	if (json_array_size(json_object_get(d, "actions"))) {
		buf_adds(&b, "| action | system | impact | urgency | assignee | "
			     "result | observed |\n|---|---|---|---|---|---|---|\n");
		json_array_foreach(json_object_get(d, "actions"), i, x)
		{
			buf_addf(&b, "| %lld | ",
				 (long long)json_integer_value(
					 json_object_get(x, "id")));
			cell(&b, json_get_str(x, "system"));
			buf_addf(&b, " | %s | %s | %s | %s | ",
				 json_get_str(x, "impact"),
				 json_get_str(x, "urgency"),
				 json_get_str(x, "assignee"),
				 *json_get_str(x, "result")
				     ? json_get_str(x, "result")
				     : json_get_str(x, "state"));
			cell(&b, json_get_str(x, "observed"));
			buf_adds(&b, " |\n");
		}
		buf_adds(&b, "\n");
	} else {
		para(&b, NULL);
	}
	buf_adds(&b, "#### 3.3.4 Recovery\n\n");
	buf_addf(
	    &b, "Under control: %s; service restored: %s (assessed %s).\n\n",
	    json_is_true(json_object_get(as, "under_control")) ? "yes" : "no",
	    json_is_true(json_object_get(as, "service_restored")) ? "yes"
								  : "no",
	    json_get_str(as, "date"));
	buf_adds(&b, "#### 3.3.5 Closure\n\n");
	{
		static const char *const a[] = {"step:start_report",
						"step:review_report",
						"step:finalise_report",
						"step:deliver_report", NULL};
		if (!events(&b, audit, a))
			para(&b, "The report is being written.");
	}

	buf_adds(&b, "### 3.4 Gap Analysis\n\n#### 3.4.1 Analyse any deviation "
		     "from security policy the incident could reveal\n\n");
	{
		int any = 0;
		json_array_foreach(json_object_get(d, "contributions"), i, x)
		{
			buf_addf(&b, "- %s (%s), self-assessment: ",
				 json_get_str(x, "by"),
				 json_get_str(x, "team"));
			cell(&b, json_get_str(x, "self_assessment"));
			buf_adds(&b, "; gap analysis: ");
			cell(&b, json_get_str(x, "gap_analysis"));
			buf_adds(&b, "\n");
			any = 1;
		}
		if (any)
			buf_adds(&b, "\n");
		else
			para(&b, NULL);
	}
	buf_adds(&b, "## 4. Recommendations\n\n");
	{
		int any = 0;
		json_array_foreach(json_object_get(d, "contributions"), i, x)
		{
			if (!*json_get_str(x, "recommendations"))
				continue;
			buf_addf(&b, "- %s: ", json_get_str(x, "by"));
			cell(&b, json_get_str(x, "recommendations"));
			buf_adds(&b, "\n");
			any = 1;
		}
		if (any)
			buf_adds(&b, "\n");
		else
			para(&b, NULL);
	}
	{
		char *md = buf_detach(&b, NULL);
		buf_release(&b); /* detach re-inits B */
		return md;
	}
}

char *
incident_report_html(const char *md, const char *title)
{
	char *body = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_DEFAULT);
	struct buf b;
	char *out;

	buf_init(&b, 1 << 25);
	buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		     "charset=\"utf-8\"><title>");
	for (const char *p = title; p && *p; p++) {
		if (*p == '<')
			buf_adds(&b, "&lt;");
		else if (*p == '&')
			buf_adds(&b, "&amp;");
		else
			buf_add(&b, p, 1);
	}
	buf_adds(&b, "</title><style>body{font-family:sans-serif;max-width:"
		     "50em;margin:2em auto;line-height:1.4}table{border-"
		     "collapse:collapse}td,th{border:1px solid #999;padding:"
		     "2px 6px}</style></head><body>\n");
	buf_adds(&b, body);
	buf_adds(&b, "</body></html>\n");
	free(body);
	out = buf_detach(&b, NULL);
	buf_release(&b);
	return out;
}

static cairo_status_t
to_buf(void *closure, const unsigned char *data, unsigned int length)
{
	struct buf *b = closure;
	return buf_add(b, data, length) ? CAIRO_STATUS_WRITE_ERROR
					: CAIRO_STATUS_SUCCESS;
}

enum sf_status
incident_report_pdf(const char *md, const char *title, unsigned char **pdf,
		    size_t *len, struct sf_error *err)
{
	const double W = 595.0, H = 842.0, M = 56.0; /* A4 in points */
	struct buf out;
	cairo_surface_t *surf;
	cairo_t *cr;
	PangoLayout *lay;
	double y = M;
	const char *p = md;
	int page = 1;

	buf_init(&out, 1 << 26);
	surf = cairo_pdf_surface_create_for_stream(to_buf, &out, W, H);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE,
				       title ? title : "Security Incident Report");
	cr = cairo_create(surf);
	lay = pango_cairo_create_layout(cr);
	pango_layout_set_width(lay, (int)((W - 2 * M) * PANGO_SCALE));
	pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, n);
		const char *text = line, *font = "Sans 10";
		PangoFontDescription *fd;
		int w, h;

		p += n + (e ? 1 : 0);
		if (strncmp(line, "#### ", 5) == 0)
			text = line + 5, font = "Sans Bold 10";
		else if (strncmp(line, "### ", 4) == 0)
			text = line + 4, font = "Sans Bold 11";
		else if (strncmp(line, "## ", 3) == 0)
			text = line + 3, font = "Sans Bold 13";
		else if (strncmp(line, "# ", 2) == 0)
			text = line + 2, font = "Sans Bold 16";
		else if (line[0] == '|')
			font = "Monospace 8";
		if (strncmp(line, "|---", 4) == 0) {
			free(line);
			continue;
		}
		fd = pango_font_description_from_string(font);
		pango_layout_set_font_description(lay, fd);
		pango_font_description_free(fd);
		/* Markdown emphasis marks are not printed. */
		{
			char *clean = xstrdup(text);
			char *q = clean;
			for (const char *r = text; *r; r++)
				if (*r != '*' && *r != '_')
					*q++ = *r;
			*q = '\0';
			pango_layout_set_text(lay, clean, -1);
			free(clean);
		}
		pango_layout_get_size(lay, &w, &h);
		if (y + (double)h / PANGO_SCALE > H - M) {
			char foot[32];
			cairo_move_to(cr, W / 2, H - M / 2);
			snprintf(foot, sizeof(foot), "%d", page++);
			cairo_show_text(cr, foot);
			cairo_show_page(cr);
			y = M;
		}
		cairo_move_to(cr, M, y);
		pango_cairo_show_layout(cr, lay);
		y += (double)h / PANGO_SCALE + (line[0] == '#' ? 6 : 2);
		free(line);
	}
	{
		char foot[32];
		cairo_move_to(cr, W / 2, H - M / 2);
		snprintf(foot, sizeof(foot), "%d", page);
		cairo_show_text(cr, foot);
	}
	g_object_unref(lay);
	cairo_destroy(cr);
	cairo_surface_finish(surf);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(surf);
		buf_release(&out);
		return sf_fail(err, SF_INTERNAL, NULL, "PDF: %s",
			       cairo_status_to_string(cairo_surface_status(surf)));
	}
	cairo_surface_destroy(surf);
	*pdf = (unsigned char *)buf_detach(&out, len);
	buf_release(&out);
	return SF_OK;
}
