/**
 * The off-heap region shared between processes: {@link io.pvnet.ring.region.Region} (a mapped file or anonymous memory
 * with a descriptor and a table of named, page-aligned {@link io.pvnet.ring.region.RegionSection}s), its layout
 * {@link io.pvnet.ring.region.RegionDescriptor}, and {@link io.pvnet.ring.region.RegionException} for every
 * configuration-time failure.
 */
package io.pvnet.ring.region;
