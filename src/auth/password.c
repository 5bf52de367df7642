/* password.c - password hashing, login throttling and tokens. */
#include "password.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

static void
sodium_once(void)
{
	if (sodium_init() < 0)
		abort();
}

enum sf_status
password_hash(const char *password, char **out, struct sf_error *err)
{
	char h[crypto_pwhash_STRBYTES];

	sodium_once();
	if (!*password)
		return sf_fail(err, SF_INVALID, "password",
			       "the password is empty");
	if (strlen(password) > 1024)
		return sf_fail(err, SF_INVALID, "password",
			       "the password is longer than 1024 bytes");
	/* Interactive limits: about 0.1 s and 64 MiB on this machine kind. */
	if (crypto_pwhash_str_alg(h, password, strlen(password),
				  crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return sf_fail(err, SF_INTERNAL, NULL,
			       "out of memory hashing the password");
	*out = xstrdup(h);
	sodium_memzero(h, sizeof(h));
	return SF_OK;
}

int
password_verify(const char *hash, const char *password)
{
	sodium_once();
	return hash && crypto_pwhash_str_verify(hash, password,
						strlen(password)) == 0;
}

enum sf_status
password_login(struct store *st, const char *name, const char *password,
	       sf_time now, int64_t *user_id, struct sf_error *err)
{
	struct user u;
	enum sf_status r;
	int ok;

	/* The hash check takes a tenth of a second on purpose: do it
	 * outside any transaction, so logins never hold the write lock. */
	r = st->ops->user_get(st, name, 0, &u, err);
	if (r == SF_NOT_FOUND) {
		/* Spend the same time as a real check: no user enumeration. */
		char dummy[crypto_pwhash_STRBYTES] =
			"$argon2id$v=19$m=65536,t=2,p=1$"
			"c29tZXNhbHRzb21lc2FsdA$"
			"ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWg";
		password_verify(dummy, password);
		return sf_fail(err, SF_UNAUTHORIZED, "user",
			       "wrong user or password");
	}
	if (r)
		return r;
	if (u.disabled) {
		user_release(&u);
		return sf_fail(err, SF_UNAUTHORIZED, "user",
			       "wrong user or password");
	}
	if (u.locked_until > now) {
		r = sf_fail(err, SF_THROTTLED, "user",
			    "too many failed logins: try again after %lld s",
			    (long long)(u.locked_until - now));
		user_release(&u);
		return r;
	}
	ok = password_verify(u.pw_hash, password);
	user_release(&u);

	/* Count under the write lock, from the row as it is now: two
	 * failures at once both count. */
	r = st->ops->begin(st, err);
	if (r)
		return r;
	r = st->ops->user_get(st, name, 0, &u, err);
	if (r)
		goto fail;
	if (u.locked_until > now) { /* locked meanwhile */
		ok = 0;
	} else if (ok) {
		r = st->ops->user_set_login_state(st, u.id, 0, 0, err);
		*user_id = u.id;
	} else {
		int failed = u.failed_logins + 1;
		sf_time lock = failed >= LOGIN_MAX_FAILURES
				       ? now + LOGIN_LOCK_SECONDS
				       : 0;
		r = st->ops->user_set_login_state(
			st, u.id, failed >= LOGIN_MAX_FAILURES ? 0 : failed,
			lock, err);
	}
	user_release(&u);
	if (r)
		goto fail;
	r = st->ops->commit(st, err);
	if (r)
		return r;
	/* The same answer as for an unknown user, field included. */
	if (!ok)
		return sf_fail(err, SF_UNAUTHORIZED, "user",
			       "wrong user or password");
	return SF_OK;
fail:
	st->ops->rollback(st);
	return r;
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void
token_hash(const char *token, char hash[65])
{
	sha256_hex(token, strlen(token), hash);
}

void
token_new(char token[64], char hash[65])
{
	unsigned char raw[32];

	sodium_once();
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, 64, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	token_hash(token, hash);
}
