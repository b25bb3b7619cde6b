package io.pvnet.checksum;

/**
 * Helpers for one's complement arithmetic and the choice of checksum variant.
 * <p>
 * The variant used by {@link #best()} is chosen once at class initialisation: the Vector API variant when the
 * {@code jdk.incubator.vector} module is present and its preferred species is at least 256 bits wide, the 64-bit word
 * variant otherwise. System property {@code pvnet.checksum} ({@code reference}, {@code long}, {@code vector}) overrides it.
 */
public final class Checksums
{
    /** Name of the system property that forces a variant. */
    public static final String VARIANT_PROPERTY = "pvnet.checksum";

    private static final InternetChecksum REFERENCE = new ReferenceChecksum();
    private static final InternetChecksum LONG_WORD = new LongWordChecksum();
    private static final InternetChecksum VECTOR = loadVector();
    private static final Choice BEST_CHOICE = chooseBest();
    private static final InternetChecksum BEST = BEST_CHOICE.kernel();

    /** The variant {@link #best()} is, and {@code NAME (why)}. */
    private record Choice(InternetChecksum kernel, String description)
    {
    }

    private Checksums()
    {
    }

    /** {@return the fastest variant available on this JVM (see the class comment)} */
    public static InternetChecksum best()
    {
        return BEST;
    }

    /**
     * {@return which variant {@link #best()} is and why, e.g. {@code vector (jdk.incubator.vector present, preferred
     * species 256 bits)}} The line logged once (INFO, logger {@code io.pvnet.checksum}) when the choice is made; for
     * a tool's own report of the machine.
     */
    public static String bestChoice()
    {
        return BEST_CHOICE.description();
    }

    /** {@return the byte-pair reference variant} */
    public static InternetChecksum reference()
    {
        return REFERENCE;
    }

    /** {@return the 64-bit word variant} */
    public static InternetChecksum longWord()
    {
        return LONG_WORD;
    }

    /** {@return the Vector API variant, or {@code null} when {@code jdk.incubator.vector} is not in the boot layer} */
    public static InternetChecksum vectorOrNull()
    {
        return VECTOR;
    }

    /**
     * {@return the variant}
     * @param name {@code reference}, {@code long}, {@code vector} or {@code best}.
     * @throws IllegalArgumentException when unknown or not available.
     */
    public static InternetChecksum byName(final String name)
    {
        switch (name)
        {
            case "reference":
                return REFERENCE;
            case "long":
                return LONG_WORD;
            case "best":
                return BEST;
            case "vector":
                if (null == VECTOR)
                {
                    throw new IllegalArgumentException(
                        "checksum=vector unavailable: module jdk.incubator.vector is not present (add --add-modules)");
                }
                return VECTOR;
            default:
                throw new IllegalArgumentException("checksum=" + name + " unknown: use reference, long, vector or best");
        }
    }

    /**
     * Folds a non-negative sum of any width to 16 bits with end-around carry.
     * @param sum a non-negative sum of 16-bit words.
     * @return the folded sum, {@code 0..0xFFFF}.
     */
    public static int fold(final long sum)
    {
        long s = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        s = (s & 0xFFFF_FFFFL) + (s >>> 32);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int)s;
    }

    /**
     * One's complement addition of two non-negative partial sums, folded to 16 bits.
     * @param a a folded or unfolded partial sum, {@code >= 0}.
     * @param b another, over bytes that start at an even distance from {@code a}'s.
     * @return the folded sum of both.
     */
    public static int add(final int a, final int b)
    {
        // below 2^33: three 16-bit folds suffice (the first leaves < 2^18, the second <= 0xFFFF + 3)
        long s = (a & 0xFFFF_FFFFL) + (b & 0xFFFF_FFFFL);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int)s;
    }

    /**
     * {@return the checksum field value for a folded sum: its 16-bit complement}
     * @param sum a folded sum, {@code 0..0xFFFF}.
     */
    public static int complement(final int sum)
    {
        return ~fold(sum & 0xFFFF_FFFFL) & 0xFFFF;
    }

    /**
     * RFC 1624 eqn. 3 incremental update: the new checksum field after one 16-bit word of the covered data changed from
     * {@code oldWord} to {@code newWord}: {@code HC' = ~(~HC + ~m + m')}.
     * @param checksum the checksum field as it is now.
     * @param oldWord the 16-bit word before the change.
     * @param newWord the 16-bit word after the change.
     * @return the new checksum field value.
     */
    public static int updateWord(final int checksum, final int oldWord, final int newWord)
    {
        final int sum = add(add(~checksum & 0xFFFF, ~oldWord & 0xFFFF), newWord & 0xFFFF);
        return ~sum & 0xFFFF;
    }

    private static InternetChecksum loadVector()
    {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())
        {
            return null;
        }
        try
        {
            // Loaded by name so this class links without the incubator module.
            return (InternetChecksum)Class.forName("io.pvnet.checksum.VectorChecksum")
                .getDeclaredConstructor().newInstance();
        }
        catch (final ReflectiveOperationException | LinkageError ex)
        {
            return null;
        }
    }

    private static Choice chooseBest()
    {
        final String forced = System.getProperty(VARIANT_PROPERTY);
        final InternetChecksum chosen;
        final String why;
        if (null != forced && !forced.isEmpty() && !"best".equals(forced))
        {
            chosen = byName(forced);
            why = "forced by -D" + VARIANT_PROPERTY + "=" + forced;
        }
        else if (null == VECTOR)
        {
            chosen = LONG_WORD;
            why = "module jdk.incubator.vector is not in the boot layer; start java with " +
                "--add-modules=jdk.incubator.vector for the vector kernel";
        }
        else if (((VectorChecksum)VECTOR).vectorBits() < 256)
        {
            chosen = LONG_WORD;
            why = "this CPU's preferred vector species is " + ((VectorChecksum)VECTOR).vectorBits() +
                " bits, below the 256 the vector kernel needs to be faster";
        }
        else
        {
            chosen = VECTOR;
            why = "jdk.incubator.vector present, preferred species " + ((VectorChecksum)VECTOR).vectorBits() + " bits";
        }
        final Choice choice = new Choice(chosen, chosen.name() + " (" + why + ")");
        // once per JVM, when the first checksum is taken: which kernel, and why
        System.getLogger("io.pvnet.checksum").log(System.Logger.Level.INFO, "checksum kernel: " + choice.description());
        return choice;
    }
}
