/*
 * fuzz_xlsx.c - libFuzzer target for the XLSX path of the user-list
 * importer (tabular_read() on a workbook, then columns_import() as a
 * Webportal list).  An input that is a zip archive ("PK\3\4", such as the
 * seed workbooks of the corpus) is read as it is; any other input is
 * wrapped into a minimal workbook built with libzip: the input up to the
 * first NUL byte is xl/worksheets/sheet1.xml, what follows it
 * xl/sharedStrings.xml, so that the fuzzer works on the XML the reader
 * parses rather than on zip headers and checksums.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "modules/userlists/columns.h"
#include "modules/userlists/tabular.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct tabular_limits limits = {
	.max_part = 4 << 20,
	.max_cells = 200000,
	.max_text = 8 << 20,
};

static const char content_types[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
	"content-types\"/>";
static const char root_rels[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
	"2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://"
	"schemas.openxmlformats.org/officeDocument/2006/relationships/"
	"officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char workbook[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<workbook xmlns=\"http://schemas.openxmlformats.org/"
	"spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats."
	"org/officeDocument/2006/relationships\"><sheets><sheet "
	"name=\"Users\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char wb_rels[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
	"2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://"
	"schemas.openxmlformats.org/officeDocument/2006/relationships/"
	"worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship "
	"Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/"
	"officeDocument/2006/relationships/sharedStrings\" "
	"Target=\"sharedStrings.xml\"/></Relationships>";

static int
add(zip_t *za, const char *name, const void *p, size_t n)
{
	zip_source_t *s = zip_source_buffer(za, p, n, 0);
	zip_int64_t i;

	if (!s)
		return -1;
	if ((i = zip_file_add(za, name, s, ZIP_FL_OVERWRITE)) < 0) {
		zip_source_free(s);
		return -1;
	}
	return zip_set_file_compression(za, (zip_uint64_t)i, ZIP_CM_STORE, 0);
}

/* A workbook around SHEET and STRINGS in *OUT (malloc'd); -1 on failure. */
static int
wrap(const uint8_t *sheet, size_t nsheet, const uint8_t *strings,
     size_t nstrings, uint8_t **out, size_t *len)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	zip_int64_t n;
	int r = -1;

	zip_error_init(&ze);
	if (!(src = zip_source_buffer_create(NULL, 0, 0, &ze)))
		return -1;
	zip_source_keep(src);
	if (!(za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)))
		goto out;
	if (add(za, "[Content_Types].xml", content_types,
		sizeof(content_types) - 1) ||
	    add(za, "_rels/.rels", root_rels, sizeof(root_rels) - 1) ||
	    add(za, "xl/workbook.xml", workbook, sizeof(workbook) - 1) ||
	    add(za, "xl/_rels/workbook.xml.rels", wb_rels,
		sizeof(wb_rels) - 1) ||
	    add(za, "xl/worksheets/sheet1.xml", sheet, nsheet) ||
	    add(za, "xl/sharedStrings.xml", strings, nstrings)) {
		zip_discard(za);
		goto out;
	}
	if (zip_close(za) < 0) {
		zip_discard(za);
		goto out;
	}
	if (zip_source_open(src) < 0)
		goto out;
	if (zip_source_seek(src, 0, SEEK_END) == 0 &&
	    (n = zip_source_tell(src)) > 0 &&
	    zip_source_seek(src, 0, SEEK_SET) == 0) {
		*out = malloc((size_t)n);
		if (*out && zip_source_read(src, *out, (zip_uint64_t)n) == n) {
			*len = (size_t)n;
			r = 0;
		} else {
			free(*out);
			*out = NULL;
		}
	}
	zip_source_close(src);
out:
	zip_source_free(src);
	zip_error_fini(&ze);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tabular t;
	struct ul_list l;
	struct sf_error err = {0};
	struct columns_opts o = {.skip_bad_rows = true};
	uint8_t *book = NULL;
	size_t len = size;
	const uint8_t *in = data;

	if (!(size >= 4 && memcmp(data, "PK\3\4", 4) == 0)) {
		const uint8_t *nul = memchr(data, '\0', size);
		size_t nsheet = nul ? (size_t)(nul - data) : size;

		if (wrap(data, nsheet, nul ? nul + 1 : data,
			 nul ? size - nsheet - 1 : 0, &book, &len))
			return 0;
		in = book;
	}
	if (tabular_read_limits("fuzz.xlsx", in, len, &limits, &t, &err)) {
		if (!err.message[0])
			abort();
		tabular_release(&t);
		free(book);
		return 0;
	}
	if (t.kind != TABULAR_XLSX)
		abort();
	for (size_t i = 0; i < t.n; i++)
		for (size_t j = 0; j < t.sheets[i].nrows; j++) {
			const struct trow *r = &t.sheets[i].rows[j];

			if (r->line != j + 1)
				abort();
			for (size_t k = 0; k < r->ncells; k++)
				if (!r->cells[k] || (k + 1 == r->ncells &&
						     !r->cells[k][0]))
					abort();
		}
	if (columns_import(&t, UL_WEBPORTAL, NULL, &l, &err) &&
	    !err.message[0])
		abort();
	ul_list_release(&l);
	if (columns_import(&t, UL_WEBPORTAL, &o, &l, &err) == SF_OK)
		for (size_t i = 0; i < l.n; i++)
			if (!l.recs[i].u.webportal.full_name[0] ||
			    l.recs[i].sheet >= t.n)
				abort();
	ul_list_release(&l);
	tabular_release(&t);
	free(book);
	return 0;
}
