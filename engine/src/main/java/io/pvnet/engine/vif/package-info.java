/**
 * API: what both halves of a vif and the host share about one vif: its configuration
 * ({@link io.pvnet.engine.vif.VifConfig}), its counters ({@link io.pvnet.engine.vif.VifCounters}) and their drop
 * reasons ({@link io.pvnet.engine.vif.DropReason}), and the layout of its sections in a region
 * ({@link io.pvnet.engine.vif.VifSections}). Below the backend ({@code xnb}) and the frontend ({@code netfront}), which
 * both use it, and below the embedder's handles in {@code io.pvnet.engine} ({@code VifRegion}, {@code VifBackend},
 * {@code VifFrontend}).
 */
package io.pvnet.engine.vif;
