/**
 * Test support shared by every module's tests, shipped as {@code pvnet-checksum}'s {@code tests} jar (checksum is the
 * module at the bottom of the build, with no pvnet dependency of its own): child JVMs for cross-process tests.
 * Test scope only; nothing here is API.
 */
package io.pvnet.testsupport;
