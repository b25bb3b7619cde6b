/**
 * What the user writes, parsed all-or-nothing: hide lists in Xen's and NetBSD's grammars
 * ({@link io.pvnet.pci.spec.HideSpecParser}, {@link io.pvnet.pci.spec.HideSpec}, {@link io.pvnet.pci.spec.PciSelector}),
 * an xl domain configuration's {@code pci = [...]} list ({@link io.pvnet.pci.spec.DomainConfigParser},
 * {@link io.pvnet.pci.spec.PciAssignment}) and quirks ({@link io.pvnet.pci.spec.Quirk}); every error is a
 * {@link io.pvnet.pci.spec.SpecSyntaxException} naming the text and position. API.
 */
package io.pvnet.pci.spec;
