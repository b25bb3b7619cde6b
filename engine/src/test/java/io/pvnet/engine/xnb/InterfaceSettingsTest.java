package io.pvnet.engine.xnb;

import io.pvnet.engine.store.StoreDescriptor;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.vif.VifConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The backend's runtime settings as the store gives them: a bad value keeps the current setting. */
class InterfaceSettingsTest
{
    private static final String DIR = "backend/vif/1/0";

    private final XenStore store = XenStore.create(new UnsafeBuffer(ByteBuffer.allocateDirect(StoreDescriptor.length(32))), 32);
    private final InterfaceSettings settings = new InterfaceSettings();

    @Test
    void shouldRefuseAGroupMacFromTheStoreKeepingTheOldOneAndSayItOnce()
    {
        store.write(DIR + "/mac", "02:00:00:00:00:05");
        assertNull(settings.reload(store, DIR));
        assertEquals(VifConfig.parseMac("02:00:00:00:00:05"), settings.mac());

        store.write(DIR + "/mac", "01:00:5e:00:00:01");
        assertEquals(DIR + "/mac=01:00:5e:00:00:01 is a group (multicast or broadcast) address; give a unicast MAC: "
            + "keeping 02:00:00:00:00:05", settings.reload(store, DIR));
        assertEquals(VifConfig.parseMac("02:00:00:00:00:05"), settings.mac(), "the old MAC stays");
        assertEquals(1, settings.refusedMacs());
        assertNull(settings.reload(store, DIR), "said once: the next store change leaves it as it was");
        assertEquals(1, settings.refusedMacs());

        store.write(DIR + "/mac", "ff:ff:ff:ff:ff:ff");
        settings.reload(store, DIR);
        assertEquals(2, settings.refusedMacs());
        store.write(DIR + "/mac", "02:00:00:00:00:06");
        assertNull(settings.reload(store, DIR));
        assertEquals(VifConfig.parseMac("02:00:00:00:00:06"), settings.mac());
    }
}
