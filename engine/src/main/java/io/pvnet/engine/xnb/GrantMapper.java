package io.pvnet.engine.xnb;

import io.pvnet.ring.grant.GrantStatus;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.grant.GrantTableDescriptor;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.ByteOrder;

/**
 * {@code GNTTABOP_map_grant_ref} for ring pages: resolves a grant reference to the granter's frame after checking that
 * it is granted, to {@code domid}, and writable when asked. The backend maps the two ring pages once at connect; data
 * pages are only ever copied through {@code GrantTable}.
 */
public final class GrantMapper
{
    private GrantMapper()
    {
    }

    /**
     * Reads the entry's word and frame once each, then checks them (the granter may rewrite the entry meanwhile).
     *
     * @param grants the table as attached (its entry count and page count were validated once; the header in shared
     *               memory is never read again here).
     * @return the frame (>= 0) or a negative {@link GrantStatus}.
     */
    public static int mapFrame(
        final GrantTable grants, final AtomicBuffer table, final long ref, final int domid, final boolean writable)
    {
        final int entryCount = grants.entryCount();
        final int pageCount = grants.pageCount();
        if (ref <= GrantTableDescriptor.GRANT_INVALID_REF || ref >= entryCount ||
            GrantTableDescriptor.entryOffset((int)ref) + GrantTableDescriptor.ENTRY_LENGTH > table.capacity())
        {
            return GrantStatus.BAD_GNTREF;
        }
        final int entry = GrantTableDescriptor.entryOffset((int)ref);
        // acquire: pairs with the granter's release store of flags/domid after writing the frame
        final int word = table.getIntAcquire(entry);
        final int flags = word & 0xFFFF;
        final int grantee = word >>> 16;
        if ((flags & GrantTableDescriptor.GTF_PERMIT_ACCESS) == 0)
        {
            return GrantStatus.BAD_GNTREF;
        }
        if (grantee != domid || (writable && (flags & GrantTableDescriptor.GTF_READONLY) != 0))
        {
            return GrantStatus.PERMISSION_DENIED;
        }
        final int frame = table.getInt(entry + GrantTableDescriptor.FRAME_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (frame < 0 || frame >= pageCount)
        {
            return GrantStatus.BAD_GNTREF;
        }
        return frame;
    }
}
