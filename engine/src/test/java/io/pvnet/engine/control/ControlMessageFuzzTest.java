package io.pvnet.engine.control;

import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.region.HostFile;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.SealedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fuzz of issue 13 extended to the control connection: {@link ControlMessage} and {@link AdminMessage} decoding
 * of random and mutated bytes (only a message or an {@link IllegalArgumentException}, and a decoded message encodes
 * to bytes that decode to the same message), then a live switch fed mutated guest and administrator messages from
 * many connections: nothing but the attacker's own connection ends, a victim guest stays attached and connected, no
 * store key outside the attacker's frontend directory and the ifconfig settings changes. {@code -Dpvnet.fuzz.seed}
 * replays, {@code -Dpvnet.fuzz.controlMessages} sizes the decode part (default 200,000).
 */
class ControlMessageFuzzTest
{
    private static final long SEED = Long.getLong("pvnet.fuzz.seed", System.nanoTime());
    private static final int MESSAGES = Integer.getInteger("pvnet.fuzz.controlMessages", 200_000);

    @TempDir
    Path dir;

    @Test
    void shouldDecodeOnlyWellFormedMessagesAndReencodeThemFaithfully()
    {
        final Random random = new Random(SEED);
        final List<byte[]> valid = validMessages();
        int decoded = 0;
        for (int i = 0; i < MESSAGES; i++)
        {
            final byte[] bytes = i % 4 == 0 ? randomBytes(random) : mutate(random, valid.get(random.nextInt(valid.size())));
            decoded += decodeChecked(bytes, "seed=" + SEED + " i=" + i);
        }
        assertTrue(decoded > MESSAGES / 50, "mutations keep some messages well-formed: " + decoded);
        for (final byte[] message : valid)
        {
            assertEquals(1, decodeChecked(message, "valid"));
        }
    }

    /** @return 1 when {@code bytes} decoded (and re-encodes faithfully), 0 when refused as malformed. */
    private static int decodeChecked(final byte[] bytes, final String where)
    {
        try
        {
            if (AdminMessage.isAdmin(bytes))
            {
                final AdminMessage message = AdminMessage.decode(bytes);
                assertEquals(message, AdminMessage.decode(message.encode()), where);
            }
            else
            {
                final ControlMessage message = ControlMessage.decode(bytes);
                assertEquals(message, ControlMessage.decode(message.encode()), where);
            }
            return 1;
        }
        catch (final IllegalArgumentException malformed)
        {
            assertNotNull(malformed.getMessage(), where);
            return 0;
        }
    }

    @Test
    void shouldKeepAVictimAttachedWhileConnectionsSendMutatedMessages()
    {
        final Region region = Region.createAnonymous(VifRegion.hostRegionBytes(3), VifRegion.sectionCapacity(3));
        final SealedMemory counters = SealedMemory.createWrittenByCreatorOnly("pvnet-counters", VifRegion.countersBytes(3));
        final VifRegion vifRegion = VifRegion.create(region, 3, counters.buffer());
        final VifBackend[] backends = new VifBackend[2];
        final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
        backends[0] = cable.plug(0, VifBackend.create(vifRegion, VifConfig.of(1, 0), cable.ingress(0), NoFrameOffload.INSTANCE));
        backends[1] = cable.plug(1, VifBackend.create(vifRegion, VifConfig.of(2, 0), cable.ingress(1), NoFrameOffload.INSTANCE));
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);
        final Path socket = dir.resolve("switch.sock");
        final GuestControlServer server = new GuestControlServer(ControlSocket.listen(socket, false), vifRegion.store(),
            List.of(new GuestControlServer.Vif(backends[0].config(), backends[0], HostFile.effectiveUid()),
                new GuestControlServer.Vif(backends[1].config(), backends[1], HostFile.effectiveUid())), logStream)
            .admin(new AdminService(vifRegion.store(), counters, HostFile.effectiveUid(), logStream)).start();
        final GuestControlClient victim = GuestControlClient.attach(socket, VifConfig.of(2, 0));
        final VifFrontend frontend = VifFrontend.create(victim.store(), victim.share().region(), VifConfig.of(2, 0),
            NoFrameOffload.INSTANCE);
        try
        {
            pumpUntil(() -> frontend.isConnected() && backends[1].isConnected(), victim, frontend, backends);
            final Map<String, String> before = snapshot(vifRegion, "backend/vif/2/0/", "device/vif/2/0/");
            final Random random = new Random(SEED);
            final List<byte[]> valid = validMessages();
            for (int connection = 0; connection < 100; connection++)
            {
                try (ControlSocket attacker = ControlSocket.connect(socket))
                {
                    if (connection % 2 == 0)
                    {
                        attacker.send(ControlMessage.attach(1, 0).encode());
                        final ControlSocket.Message answer = attacker.receive(1);
                        if (answer != null)
                        {
                            answer.closeFds();
                        }
                    }
                    for (int i = 0; i < 20; i++)
                    {
                        attacker.send(mutate(random, valid.get(random.nextInt(valid.size()))));
                    }
                    attacker.shutdown();
                }
                catch (final RuntimeException peerGone)
                {
                    // the switch ended this connection: what it does with malformed messages
                }
                backends[0].doWork();
                backends[1].doWork();
            }
            pumpUntil(() -> frontend.isConnected() && backends[1].isConnected(), victim, frontend, backends);
            assertNull(victim.goneReason(), "the victim's connection stays");
            assertTrue(frontend.isConnected());
            final Map<String, String> after = snapshot(vifRegion, "backend/vif/2/0/", "device/vif/2/0/");
            for (final Map.Entry<String, String> entry : before.entrySet())
            {
                final String name = entry.getKey().substring(entry.getKey().lastIndexOf('/') + 1);
                if (!entry.getKey().startsWith("backend/") || !AdminService.SETTINGS.contains(name))
                {
                    assertEquals(entry.getValue(), after.get(entry.getKey()), entry.getKey() + " seed=" + SEED);
                }
            }
            for (final String key : after.keySet())
            {
                final String name = key.substring(key.lastIndexOf('/') + 1);
                assertTrue(before.containsKey(key) || (key.startsWith("backend/") && AdminService.SETTINGS.contains(name)),
                    "no new key in the victim's directories but settings: " + key + " seed=" + SEED);
            }
            System.out.println("control fuzz: seed " + SEED + ", 2,000 mutated messages on 100 connections: " +
                server.protocolErrors() + " connections closed as malformed, " + server.deniedWrites() +
                " store writes refused, " + server.refused() + " attaches refused");
        }
        finally
        {
            victim.close();
            server.close();
            backends[0].close();
            backends[1].close();
            server.closeShares();
            victim.closeShare();
            counters.close();
            region.close();
        }
    }

    private static Map<String, String> snapshot(final VifRegion vifRegion, final String... prefixes)
    {
        final Map<String, String> keys = new HashMap<>();
        for (int i = 0; i < vifRegion.store().entryCount(); i++)
        {
            final String key = vifRegion.store().keyAt(i);
            for (final String prefix : prefixes)
            {
                if (key != null && key.startsWith(prefix) && vifRegion.store().read(key) != null)
                {
                    keys.put(key, vifRegion.store().read(key));
                }
            }
        }
        return keys;
    }

    private static void pumpUntil(final java.util.function.BooleanSupplier condition, final GuestControlClient client,
        final VifFrontend frontend, final VifBackend[] backends)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out");
            client.sync();
            frontend.doWork();
            for (final VifBackend backend : backends)
            {
                backend.doWork();
            }
            Thread.onSpinWait();
        }
    }

    private static List<byte[]> validMessages()
    {
        final List<byte[]> messages = new ArrayList<>();
        messages.add(ControlMessage.attach(2, 0).encode());
        messages.add(ControlMessage.attached(4096).encode());
        messages.add(ControlMessage.refused("vif2.0 is already attached by pid 1").encode());
        messages.add(ControlMessage.write("device/vif/1/0/mtu", "1500").encode());
        messages.add(ControlMessage.write("device/vif/2/0/state", "6").encode());
        messages.add(ControlMessage.write("backend/vif/2/0/state", "5").encode());
        messages.add(ControlMessage.remove("device/vif/1/0/tx-ring-ref").encode());
        messages.add(ControlMessage.update("backend/vif/1/0/state", "4").encode());
        messages.add(ControlMessage.deleted("backend/vif/1/0/mtu").encode());
        messages.add(ControlMessage.counters(new long[] {98_365, 2, 98_000, 0, 1_234, 97_000}).encode());
        messages.add(ControlMessage.counters(new long[0]).encode());
        messages.add(AdminMessage.counters().encode());
        messages.add(AdminMessage.countersFd(8192).encode());
        messages.add(AdminMessage.read(2, 0).encode());
        messages.add(AdminMessage.keys(Map.of("backend/vif/2/0/mtu", "1500", "device/vif/2/0/state", "4")).encode());
        messages.add(AdminMessage.write(2, 0, "mtu", "9000").encode());
        messages.add(AdminMessage.write(2, 0, "state", "6").encode());
        messages.add(AdminMessage.write(2, 0, "tso", "0").encode());
        messages.add(AdminMessage.done().encode());
        messages.add(AdminMessage.error("no").encode());
        return messages;
    }

    private static byte[] randomBytes(final Random random)
    {
        final byte[] bytes = new byte[random.nextInt(80)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Bit flips, byte overwrites, truncation or extension of a valid message. */
    private static byte[] mutate(final Random random, final byte[] valid)
    {
        byte[] bytes = valid.clone();
        final int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++)
        {
            switch (random.nextInt(5))
            {
                case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte)(1 << random.nextInt(8));
                case 1 -> bytes[random.nextInt(bytes.length)] = (byte)random.nextInt(256);
                case 2 -> bytes = java.util.Arrays.copyOf(bytes, Math.max(1, bytes.length - 1 - random.nextInt(4)));
                case 3 -> bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(4));
                default ->
                {
                    // keep it: some well-formed messages in the stream
                }
            }
        }
        return bytes;
    }
}
