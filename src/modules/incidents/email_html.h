/*
 * email_html.h - the visible text of an HTML mail body, for keyword
 * scanning: not a renderer, not a DOM.
 */
#ifndef SF_EMAIL_HTML_H
#define SF_EMAIL_HTML_H

#include <stddef.h>

/*
 * The visible text of the LEN bytes of UTF-8 HTML at HTML: tags,
 * comments, <!...> and <?...?> removed; the contents of script, style,
 * head, title and template dropped; character references decoded (all
 * numeric ones, the HTML 4 Latin-1 names and the common typographic
 * ones; an unknown name stays as written); whitespace runs collapsed to
 * one "\n" when the run holds a block break (br, p, div, li, tr, h1...)
 * and to one " " otherwise, none at either end.  &nbsp; and U+00A0 count
 * as whitespace.  Valid UTF-8 in gives valid UTF-8 out, never longer
 * than the input.  Returns a new NUL-terminated string (caller frees);
 * its length goes to *OUTLEN.
 */
char *email_html_to_text(const char *html, size_t len, size_t *outlen);

#endif
