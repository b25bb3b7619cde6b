/**
 * Internal: the XenStore-like key/value area in the region ({@link io.pvnet.engine.store.StoreDescriptor}), the XenBus states and the bounded value scanner.
 */
package io.pvnet.engine.store;
