/**
 * Test support shared by every module's tests, shipped as {@code pvnet-checksum}'s {@code tests} jar (checksum is the
 * module at the bottom of the build, with no pvnet dependency of its own; the jar holds this package only):
 * {@link io.pvnet.testsupport.ChildJvm} (a second JVM for cross-process tests), {@link io.pvnet.testsupport.TestFrames}
 * (frames with an independent checksum), {@link io.pvnet.testsupport.Netns} (network namespaces, veth pairs, commands),
 * {@link io.pvnet.testsupport.Tshark} (Wireshark as the judge of captures) and
 * {@link io.pvnet.testsupport.AllocationRounds} (time-bounded zero-allocation checks). Test scope only; not API.
 * Helpers tied to one module's types (engine's {@code RecordingPort}, pci-passthrough's {@code Lspci}) stay in that
 * module's tests.
 */
package io.pvnet.testsupport;
