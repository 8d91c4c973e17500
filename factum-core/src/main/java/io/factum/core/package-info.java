/**
 * Engine-agnostic machinery shared by every backend, and {@link io.factum.core.InMemoryEventStore},
 * the reference implementation of the contract.
 */
package io.factum.core;
