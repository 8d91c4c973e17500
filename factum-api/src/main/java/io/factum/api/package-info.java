/**
 * Factum's public API: the {@link io.factum.api.EventStore} contract, the values it exchanges and the
 * errors it raises. Every backend (in-memory, embedded, PostgreSQL, the HTTP client) implements this
 * contract and passes the same test-suite (factum-tck).
 */
package io.factum.api;
