package io.pvnet.engine.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** xenstored's watch semantics on one handle: a path and everything below it, after the change, until closed. */
class StoreWatchTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(StoreDescriptor.length(64)));
    private final XenStore store = XenStore.create(buffer, 64);
    private final List<String> fired = new ArrayList<>();

    @Test
    void shouldFireForThePathAndEveryKeyBelowItButNotForASiblingWithTheSamePrefix()
    {
        store.watch("device/vif/1/0", () -> fired.add("vif1"));
        store.write("device/vif/1/0/state", "1");
        store.write("device/vif/1/0/queue-1/tx-ring-ref", "8");
        store.write("device/vif/1/0", "");
        store.write("device/vif/1/01/state", "1");
        store.write("device/vif/1/state", "1");
        store.write("backend/vif/1/0/state", "2");
        assertEquals(List.of("vif1", "vif1", "vif1"), fired);
    }

    @Test
    void shouldFireAfterTheChangeIsVisibleAndForRemovalsOfPresentKeysOnly()
    {
        store.write("device/vif/2/0/state", "4");
        store.watch("device/vif/2/0/", () -> fired.add(store.changeCounter() + ":" + store.read("device/vif/2/0/state")));
        final int before = store.changeCounter();
        store.write("device/vif/2/0/state", "5");
        store.remove("device/vif/2/0/state");
        store.remove("device/vif/2/0/absent");
        assertEquals(List.of((before + 1) + ":5", (before + 2) + ":null"), fired);
    }

    @Test
    void shouldRunEveryWatchOfAPathAndNoneOnceClosed()
    {
        final StoreWatch first = store.watch("backend/vif/3/0", () -> fired.add("first"));
        store.watch("backend/vif", () -> fired.add("above"));
        final StoreWatch second = store.watch("backend/vif/3/0", () -> fired.add("second"));
        store.write("backend/vif/3/0/rate", "2000,10000");
        assertEquals(List.of("above", "first", "second"), fired);
        first.close();
        first.close();
        fired.clear();
        store.write("backend/vif/3/0/rate", "0,0");
        assertEquals(List.of("above", "second"), fired);
        second.close();
        fired.clear();
        store.removeTree("backend/vif/3/0/");
        assertEquals(List.of("above"), fired);
        assertEquals("backend/vif/3/0", second.path());
    }

    @Test
    void shouldNotFireForWritesThroughAnotherHandleOfTheSameArea()
    {
        store.watch("device/vif/4/0", () -> fired.add("vif4"));
        XenStore.attach(buffer).write("device/vif/4/0/state", "1");
        assertEquals(List.of(), fired, "another handle (another process, a second attach) fires no watch");
        assertEquals("1", store.read("device/vif/4/0/state"));
    }

    @Test
    void shouldRefuseAnEmptyPathOrNoAction()
    {
        assertThrows(IllegalArgumentException.class, () -> store.watch("", () -> { }));
        assertThrows(IllegalArgumentException.class, () -> store.watch("/", () -> { }));
        assertThrows(IllegalArgumentException.class, () -> store.watch("device", null));
    }
}
