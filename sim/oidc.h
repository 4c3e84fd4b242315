/* oidc.h - the test OpenID provider the simulator serves beside the
 * registers: ID-porten for citizens (realm "idporten") and the agency's own
 * login for staff (realm "agency"), both under /oidc/<realm>/, speaking
 * OpenID Connect as the real ones do: a discovery document, a JWKS with key
 * rotation, the authorization code flow with PKCE (S256), state and nonce,
 * ID tokens signed RS256, single-use codes and an end-session endpoint.
 *
 * The login page lists the synthetic population (name, age, and what the
 * schools report about them) or the test staff, and lets the tester choose
 * the level of assurance. A test-only control endpoint (/oidc/_control)
 * rotates the keys and makes the next ID token wrong in one chosen way (a
 * nonce, an audience, an expiry, an unknown signing key), so that tests can
 * show the client refuses each. All functions are thread-safe. */
#ifndef STIPEND_SIM_OIDC_H
#define STIPEND_SIM_OIDC_H

#include <stddef.h>
#include <stdint.h>

struct MHD_Connection;

#define OIDC_PREFIX "/oidc/"

/* The clients the provider knows: the citizens' portal in realm idporten,
 * the workbench in realm agency. */
#define OIDC_PERSON_CLIENT "stipend"
#define OIDC_PERSON_SECRET "stipend-test-secret"
#define OIDC_STAFF_CLIENT "stipend-staff"
#define OIDC_STAFF_SECRET "stipend-staff-test-secret"

/* Serve the population of (seed, persons) on the login page. Call before
 * the first request; it starts making the keys in the background. */
void oidc_init(int64_t persons, uint64_t seed);

/* Forget codes, tampering and logouts, and make fresh keys on next use. */
void oidc_reset(void);

/* 1 when url is the provider's (under OIDC_PREFIX). */
int oidc_handles(const char *url);

/* Answer the request (method on url, with its body of len bytes) on c:
 * queues the response and returns libmicrohttpd's result. */
int oidc_serve(struct MHD_Connection *c, const char *url, const char *method, const char *body, size_t len);

#endif
