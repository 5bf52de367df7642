/*
 * conv_part1.c - Part 1 of a convention: "must only be handled between
 * the external company and DS" (seed 000 step 3).  The uploaded document
 * is sealed with libsodium's secretbox under the database's part1_key
 * (made by migration 003) and kept in the catalogue, never in the
 * instance data, the step history or the audit trail, which hold only
 * its metadata (version, file name, size, SHA-256).  Reads are allowed
 * to DS and the company only, and each read is audited.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/audit.h"
#include "modules/conventions/conv_internal.h"
#include "modules/conventions/conventions.h"

static enum sf_status
load_key(struct store *st, unsigned char key[crypto_secretbox_KEYBYTES],
	 struct sf_error *err)
{
	char *hex = NULL;
	size_t n = 0;
	enum sf_status rc;

	rc = st->ops->setting_get(st, "part1_key", &hex, err);
	if (rc)
		return rc == SF_NOT_FOUND ? sf_fail(err, SF_INTERNAL, NULL,
						    "no part1_key setting: "
						    "run secflow migrate")
					  : rc;
	if (sodium_hex2bin(key, crypto_secretbox_KEYBYTES, hex, strlen(hex),
			   NULL, &n, NULL) != 0 ||
	    n != crypto_secretbox_KEYBYTES) {
		xfree_secret(hex, strlen(hex));
		return sf_fail(err, SF_INTERNAL, NULL,
			       "the part1_key setting is not 64 hex digits");
	}
	xfree_secret(hex, strlen(hex));
	return SF_OK;
}

static char *
b64(const unsigned char *p, size_t n)
{
	size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	char *s = xmalloc(len);
	sodium_bin2base64(s, len, p, n, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

enum sf_status
conv_part1_store(struct hook_ctx *c, struct sf_error *err)
{
	const char *doc =
		json_string_value(json_object_get(c->input, "document_b64"));
	const char *filename =
		json_string_value(json_object_get(c->input, "filename"));
	size_t dlen = strlen(doc), plen = 0;
	unsigned char *plain = xmalloc(dlen + 1);
	unsigned char key[crypto_secretbox_KEYBYTES];
	unsigned char nonce[crypto_secretbox_NONCEBYTES];
	unsigned char hash[crypto_hash_sha256_BYTES];
	unsigned char *box = NULL;
	char hexhash[2 * crypto_hash_sha256_BYTES + 1], name[64], t[32];
	json_t *versions, *meta, *entry;
	char *box64, *nonce64;
	enum sf_status rc;

	if (sodium_init() < 0)
		abort();
	if (sodium_base642bin(plain, dlen + 1, doc, dlen, " \t\r\n", &plen,
			      NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		xfree_secret(plain, dlen + 1);
		return sf_fail(err, SF_INVALID, "document_b64",
			       "document_b64 is not standard base64");
	}
	if (plen == 0) {
		xfree_secret(plain, dlen + 1);
		return sf_fail(err, SF_INVALID, "document_b64",
			       "the Part 1 document is empty");
	}
	if (strchr(filename, '/') || strchr(filename, '\\')) {
		xfree_secret(plain, dlen + 1);
		return sf_fail(err, SF_INVALID, "filename",
			       "a file name may not hold / or \\");
	}
	rc = load_key(c->e->st, key, err);
	if (rc) {
		xfree_secret(plain, dlen + 1);
		return rc;
	}
	crypto_hash_sha256(hash, plain, plen);
	sodium_bin2hex(hexhash, sizeof(hexhash), hash, sizeof(hash));
	randombytes_buf(nonce, sizeof(nonce));
	box = xmalloc(plen + crypto_secretbox_MACBYTES);
	crypto_secretbox_easy(box, plain, plen, nonce, key);
	sodium_memzero(key, sizeof(key));
	xfree_secret(plain, dlen + 1);

	versions = json_object_get(c->inst->data, "_part1");
	if (!json_is_array(versions)) {
		versions = json_array();
		json_object_set_new(c->inst->data, "_part1", versions);
	}
	clock_format(c->now, t);
	meta = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s}", "version",
			 (json_int_t)json_array_size(versions) + 1, "filename",
			 filename, "size", (json_int_t)plen, "sha256", hexhash,
			 "uploaded", t, "by", c->who->name);
	box64 = b64(box, plen + crypto_secretbox_MACBYTES);
	nonce64 = b64(nonce, sizeof(nonce));
	entry = json_pack("{s:O, s:s, s:s}", "meta", meta, "nonce", nonce64,
			  "box", box64);
	free(box);
	free(box64);
	free(nonce64);
	snprintf(name, sizeof(name), "%lld/%zu", (long long)c->inst->id,
		 json_array_size(versions) + 1);
	rc = c->e->st->ops->catalog_put(c->e->st, "part1", name, entry,
					c->now, err);
	json_decref(entry);
	if (rc) {
		json_decref(meta);
		return rc;
	}
	json_array_append(versions, meta);
	/* The step history and the audit keep the metadata, never the
	 * document. */
	json_object_del(c->input, "document_b64");
	json_object_set_new(c->input, "document", meta);
	return SF_OK;
}

enum sf_status
convention_part1(struct engine *e, const struct actor *who, int64_t id,
		 int version, unsigned char **data, size_t *len,
		 char **filename, struct sf_error *err)
{
	struct store *st = e->st;
	struct instance inst = {0};
	json_t *entry = NULL, *versions, *meta, *after;
	unsigned char key[crypto_secretbox_KEYBYTES];
	unsigned char nonce[crypto_secretbox_NONCEBYTES];
	unsigned char *box = NULL;
	size_t boxlen = 0, nlen = 0;
	const char *box64, *nonce64;
	char name[64], object[64];
	enum sf_status rc;

	*data = NULL;
	*filename = NULL;
	rc = st->ops->begin(st, err);
	if (rc)
		return rc;
	/* Visible at all?  (404 otherwise, as for every object.) */
	rc = engine_load(e, who, "conventions", id, &inst, err);
	if (rc)
		goto out;
	if (!conv_may_read_part1(who, inst.data)) {
		rc = sf_fail(err, SF_FORBIDDEN, NULL,
			     "Part 1 is handled only between the company and "
			     "DS (seed 000 step 3)");
		goto out;
	}
	versions = json_object_get(inst.data, "_part1");
	if (version == 0)
		version = (int)json_array_size(versions);
	if (version < 1 || (size_t)version > json_array_size(versions)) {
		rc = sf_fail(err, SF_NOT_FOUND, "version",
			     "convention %lld has no Part 1 version %d",
			     (long long)id, version);
		goto out;
	}
	meta = json_array_get(versions, (size_t)version - 1);
	snprintf(name, sizeof(name), "%lld/%d", (long long)id, version);
	rc = st->ops->catalog_get(st, "part1", name, &entry, err);
	if (rc)
		goto out;
	box64 = json_string_value(json_object_get(entry, "box"));
	nonce64 = json_string_value(json_object_get(entry, "nonce"));
	rc = load_key(st, key, err);
	if (rc)
		goto out;
	box = xmalloc(strlen(box64) + 1);
	if (!box64 || !nonce64 ||
	    sodium_base642bin(box, strlen(box64) + 1, box64, strlen(box64),
			      NULL, &boxlen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    sodium_base642bin(nonce, sizeof(nonce), nonce64, strlen(nonce64),
			      NULL, &nlen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    nlen != sizeof(nonce) || boxlen < crypto_secretbox_MACBYTES) {
		sodium_memzero(key, sizeof(key));
		rc = sf_fail(err, SF_INTERNAL, NULL,
			     "Part 1 version %d is damaged", version);
		goto out;
	}
	*len = boxlen - crypto_secretbox_MACBYTES;
	*data = xmalloc(*len + 1);
	if (crypto_secretbox_open_easy(*data, box, boxlen, nonce, key) != 0) {
		sodium_memzero(key, sizeof(key));
		free(*data);
		*data = NULL;
		rc = sf_fail(err, SF_INTERNAL, NULL,
			     "Part 1 version %d does not open with this "
			     "database's key",
			     version);
		goto out;
	}
	sodium_memzero(key, sizeof(key));
	*filename = xstrdup(json_string_value(json_object_get(meta, "filename")));
	snprintf(object, sizeof(object), "conventions/%lld", (long long)id);
	after = json_pack("{s:i, s:O}", "version", version, "sha256",
			  json_object_get(meta, "sha256"));
	rc = audit_append(st, who, actor_has_role(who, "ds") ? "ds" : "company",
			  NULL, object, "read:part1", NULL, after, clock_now(),
			  err);
	json_decref(after);
	if (!rc)
		rc = st->ops->commit(st, err);
	else
		st->ops->rollback(st);
	free(box);
	json_decref(entry);
	instance_release(&inst);
	if (rc && *data) {
		xfree_secret(*data, *len + 1);
		*data = NULL;
		free(*filename);
		*filename = NULL;
	}
	return rc;
out:
	st->ops->rollback(st);
	free(box);
	json_decref(entry);
	instance_release(&inst);
	return rc;
}
