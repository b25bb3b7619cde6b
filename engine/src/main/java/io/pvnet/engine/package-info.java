/**
 * pvnet engine, public API for embedders: {@link io.pvnet.engine.VifRegion}, {@link io.pvnet.engine.vif.VifConfig},
 * {@link io.pvnet.engine.VifBackend}, {@link io.pvnet.engine.VifFrontend}, their callbacks and counters. Sub-packages are
 * internal unless their package documentation says otherwise. See {@code engine/README.md}.
 */
package io.pvnet.engine;

import io.pvnet.engine.vif.VifConfig;
