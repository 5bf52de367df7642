/*
 * password.h - argon2id password hashes (libsodium), session and bearer
 * tokens (random, stored only as their SHA-256), and login throttling.
 */
#ifndef SF_PASSWORD_H
#define SF_PASSWORD_H

#include <stdint.h>

#include "core/clock.h"
#include "store/store.h"

/* Failed logins in a row before the account is locked, and for how long. */
#define LOGIN_MAX_FAILURES 5
#define LOGIN_LOCK_SECONDS 900
#define SESSION_SECONDS (8 * 3600)
#define BEARER_SECONDS (90 * 86400)

/* A password shorter than this is accepted but warned about (the CLI says
 * so on stderr): the organisation's policy, not secflow, sets the rule. */
#define PASSWORD_ADVISED_LENGTH 8

/* argon2id string of PASSWORD into a new string (caller frees).  Empty or
 * over 1024 bytes: SF_INVALID. */
enum sf_status password_hash(const char *password, char **out,
			     struct sf_error *err);
int password_verify(const char *hash, const char *password);

/*
 * Check NAME and PASSWORD at NOW.  Counts failures; after
 * LOGIN_MAX_FAILURES the account refuses every attempt (SF_THROTTLED)
 * until LOGIN_LOCK_SECONDS have passed.  Writes inside its own
 * transaction.  On success *USER_ID is set.
 */
enum sf_status password_login(struct store *st, const char *name,
			      const char *password, sf_time now,
			      int64_t *user_id, struct sf_error *err);

/* A new random token (43 chars, URL-safe) in TOKEN and its storage hash
 * (64 hex) in HASH. */
void token_new(char token[64], char hash[65]);
void token_hash(const char *token, char hash[65]);
/* Hex SHA-256 of LEN bytes. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
