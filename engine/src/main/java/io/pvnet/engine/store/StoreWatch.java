package io.pvnet.engine.store;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A watch on a path of one {@link XenStore} handle, as xenstored's: after every write or removal of the path or of a
 * key below it (at a {@code /} boundary: a watch on {@code device/vif/1/0} fires for {@code device/vif/1/0/state},
 * not for {@code device/vif/1/01/state}) made through that handle, its action runs on the writer's thread, after the
 * store's change counter moved. Writes through other handles (another process mapping the store, a second
 * {@code XenStore.attach}) fire nothing: their readers see them by polling {@link XenStore#changeCounter()}.
 * <p>
 * Threading: created and closed from any thread; the action runs on any writer's thread, must be quick, must not
 * throw and must not write the store (a wake-up: an {@code EventSelector} raise, an unpark).
 */
public final class StoreWatch implements AutoCloseable
{
    private final Registry registry;
    private final String path;
    private final Runnable action;

    private StoreWatch(final Registry registry, final String path, final Runnable action)
    {
        this.registry = registry;
        this.path = path;
        this.action = action;
    }

    /** {@return the path watched, without a trailing {@code /}} */
    public String path()
    {
        return path;
    }

    /** Removes the watch: its action runs no more once this returns (except a run already under way). Idempotent. */
    @Override
    public void close()
    {
        registry.remove(this);
    }

    /** The watches of one handle, by path; looked up once per {@code /} level of each key written. */
    static final class Registry
    {
        private static final StoreWatch[] NONE = new StoreWatch[0];
        private final ConcurrentHashMap<String, StoreWatch[]> byPath = new ConcurrentHashMap<>();

        StoreWatch add(final String path, final Runnable action)
        {
            final String normalised = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            if (normalised.isEmpty() || action == null)
            {
                throw new IllegalArgumentException("path=\"" + path + "\" must name a key or directory, action=" +
                    action + " must not be null");
            }
            final StoreWatch watch = new StoreWatch(this, normalised, action);
            byPath.merge(normalised, new StoreWatch[] {watch}, Registry::concat);
            return watch;
        }

        void remove(final StoreWatch watch)
        {
            byPath.computeIfPresent(watch.path, (path, watches) ->
            {
                int at = -1;
                for (int i = 0; i < watches.length; i++)
                {
                    at = watches[i] == watch ? i : at;
                }
                if (at < 0)
                {
                    return watches;
                }
                if (watches.length == 1)
                {
                    return null;
                }
                final StoreWatch[] kept = new StoreWatch[watches.length - 1];
                System.arraycopy(watches, 0, kept, 0, at);
                System.arraycopy(watches, at + 1, kept, at, kept.length - at);
                return kept;
            });
        }

        /** Runs the watches of {@code key} and of every directory above it (writer's thread). */
        void fire(final String key)
        {
            if (byPath.isEmpty())
            {
                return;
            }
            for (int slash = key.indexOf('/'); slash > 0; slash = key.indexOf('/', slash + 1))
            {
                run(byPath.getOrDefault(key.substring(0, slash), NONE));
            }
            run(byPath.getOrDefault(key, NONE));
        }

        private static void run(final StoreWatch[] watches)
        {
            for (final StoreWatch watch : watches)
            {
                watch.action.run();
            }
        }

        private static StoreWatch[] concat(final StoreWatch[] a, final StoreWatch[] b)
        {
            final StoreWatch[] both = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, both, a.length, b.length);
            return both;
        }
    }
}
