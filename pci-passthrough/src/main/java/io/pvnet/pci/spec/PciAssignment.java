package io.pvnet.pci.spec;

/**
 * One entry of a domain configuration's {@code pci = [...]} list, in xl's syntax
 * {@code [DDDD:]BB:SS.F[@VSLOT][,permissive=0|1][,seize=0|1][,msitranslate=0|1][,power_mgmt=0|1]
 * [,rdm_policy=strict|relaxed]} ({@code F} may be {@code *} for every function of the slot).
 *
 * @param selector     the device(s).
 * @param virtualSlot  the guest slot asked for with {@code @VSLOT}, or -1 to let pciback choose.
 * @param permissive   pass writes to registers without a field through (emulated devices only).
 * @param seize        take the device from its driver (pvnet never does this to a real device).
 * @param msiTranslate xl's msitranslate.
 * @param powerManagement xl's power_mgmt.
 * @param rdmPolicy    "strict" or "relaxed".
 */
public record PciAssignment(
    PciSelector selector,
    int virtualSlot,
    boolean permissive,
    boolean seize,
    boolean msiTranslate,
    boolean powerManagement,
    String rdmPolicy)
{
}
