/*
 * web.h - the web UI's static files (web/, built into the binary by
 * cmake/embed.cmake as the group web_files), served at "/".
 */
#ifndef SF_HTTP_WEB_H
#define SF_HTTP_WEB_H

#include "http/server.h"

/*
 * Answer REQ from the built-in web files when it is theirs: a GET or HEAD
 * of a path outside /api/ that names a file of web/ gets that file; any
 * other such path without a file extension gets index.html, so the
 * browser's own routes (/conventions/4) load the application.  Every
 * answer carries the UI's security headers (Content-Security-Policy,
 * Referrer-Policy) and Cache-Control.  Returns 1 when RESP was filled, 0
 * when the request belongs to someone else (the API answers it).
 */
int web_serve(const struct http_request *req, struct http_response *resp);

/* The Content-Type for a file name, by extension (never NULL). */
const char *web_content_type(const char *name);

#endif
