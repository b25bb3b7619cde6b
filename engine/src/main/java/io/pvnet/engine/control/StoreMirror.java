package io.pvnet.engine.control;

import io.pvnet.engine.store.XenStore;

import java.util.HashMap;
import java.util.Map;

/**
 * The keys of one directory of a {@link XenStore} as last sent to a peer, and the difference to send next: how the
 * switch pushes a vif's backend directory to its guest (watch events) and how a guest pushes its frontend directory to
 * the switch (writes), each side keeping its own store. Threading: one thread per instance.
 */
final class StoreMirror
{
    private final XenStore store;
    private final String prefix;
    private final String stateKey;
    private final Map<String, String> sent = new HashMap<>();
    private int seenChange = -1;

    /** @param directory without the trailing slash, e.g. {@code backend/vif/1/0}. */
    StoreMirror(final XenStore store, final String directory)
    {
        this.store = store;
        this.prefix = directory + "/";
        this.stateKey = prefix + "state";
    }

    /** Sends what changed under the directory since the last call (nothing when the store did not change). */
    void publishChanges(final Sender sender)
    {
        final int change = store.changeCounter();
        if (change == seenChange)
        {
            return;
        }
        seenChange = change;
        final Map<String, String> now = new HashMap<>();
        for (int i = 0; i < store.entryCount(); i++)
        {
            final String key = store.keyAt(i);
            if (key != null && key.startsWith(prefix))
            {
                final String value = store.read(key);
                if (value != null)
                {
                    now.put(key, value);
                }
            }
        }
        // XenBus order: every other key before the state that announces them (a peer acts on the state)
        for (final Map.Entry<String, String> entry : now.entrySet())
        {
            if (!entry.getKey().equals(stateKey) && !entry.getValue().equals(sent.get(entry.getKey())))
            {
                sender.send(ControlMessage.update(entry.getKey(), entry.getValue()));
            }
        }
        for (final String key : sent.keySet())
        {
            if (!now.containsKey(key))
            {
                sender.send(ControlMessage.deleted(key));
            }
        }
        final String state = now.get(stateKey);
        if (state != null && !state.equals(sent.get(stateKey)))
        {
            sender.send(ControlMessage.update(stateKey, state));
        }
        sent.clear();
        sent.putAll(now);
    }

    /** Where the differences go. */
    @FunctionalInterface
    interface Sender
    {
        void send(ControlMessage message);
    }
}
