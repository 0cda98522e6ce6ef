package io.tributary.mqtt.protocol;

import static io.tributary.mqtt.protocol.Packets.WILL;
import static io.tributary.mqtt.protocol.Packets.connect311;
import static io.tributary.mqtt.protocol.Packets.connect5;
import static io.tributary.mqtt.protocol.Packets.intProperty4;
import static io.tributary.mqtt.protocol.Packets.properties;
import static io.tributary.mqtt.protocol.Packets.pubAck;
import static io.tributary.mqtt.protocol.Packets.pubComp;
import static io.tributary.mqtt.protocol.Packets.pubRec;
import static io.tributary.mqtt.protocol.Packets.pubRel;
import static io.tributary.mqtt.protocol.Packets.publish311;
import static io.tributary.mqtt.protocol.Packets.string;
import static io.tributary.mqtt.protocol.Packets.subscribe311;
import static io.tributary.mqtt.protocol.Packets.unsubscribe311;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.delivery.MessageReplay;
import io.tributary.bridge.delivery.OffsetRange;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.session.SessionState;
import io.tributary.bridge.topic.SubscriptionTree;
import io.tributary.mqtt.auth.Authenticator;
import io.tributary.mqtt.session.ClientRegistry;
import io.tributary.mqtt.session.SessionTimers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Persistent sessions on the protocol side, against an in-memory sessions topic and replay reader: what is written
 * to Kafka before which acknowledgement, Session Present, the resumption of subscriptions, in-flight messages and
 * QoS 2 state, catch-up from the served positions, wills with a delay and expiry.
 */
class PersistentSessionTest {

    private static final int KEEP = 0x00; // Clean Session / Clean Start 0
    private static final PartitionId P0 = new PartitionId("mqtt.messages", 0);

    private final TestSessionStore store = new TestSessionStore();
    private final ControllablePublisher publisher = new ControllablePublisher();

    /** A connection on a node of its own, all nodes sharing {@link #store}. */
    private TestConnection node() {
        return new TestConnection(ProtocolSettings.defaults(), Authenticator.allowAll(), publisher,
                new ClientRegistry(), new SubscriptionTree<>(), null, new TestSharedFeeds(), store, null);
    }

    private static OutboundMessage message(String topic, String payload, int qos, long offset) {
        return new OutboundMessage(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false, "publisher",
                MessageProperties.NONE, System.currentTimeMillis(), "mqtt.messages", 0, offset);
    }

    private static boolean sessionPresent(MqttMessage connAck) {
        return ((MqttConnAckMessage) connAck).variableHeader().isSessionPresent();
    }

    private static MqttPublishMessage publish(MqttMessage message) {
        assertThat(message).isNotNull();
        assertThat(message.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBLISH);
        return (MqttPublishMessage) message;
    }

    private static String payload(MqttPublishMessage publish) {
        return new String(ByteBufUtil.getBytes(publish.payload()), StandardCharsets.UTF_8);
    }

    private static int packetId(MqttMessage message) {
        if (message instanceof MqttPublishMessage publish) {
            return publish.variableHeader().packetId();
        }
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    /** The feed reads a poll: every message in it, then the positions after it. */
    private static void poll(TestConnection node, long positionAfter, OutboundMessage... messages) {
        node.router.onBatch(List.of(messages), Map.of(P0, positionAfter));
        node.runTasks();
    }

    @Test
    void aSessionThatOutlivesItsConnectionIsWrittenBeforeItsSubAckAndReleasedWhenItEnds() {
        TestConnection a = node();
        a.router.start(Map.of(P0, 10L));
        a.send(connect311(KEEP, 60, "dev"));
        assertThat(sessionPresent(a.next())).isFalse();
        assertThat(store.saved).as("the new owner writes the session at once").hasSize(1);

        store.holdSaves = true;
        a.send(subscribe311(1, "cmd/#", 1));
        assertThat(a.next()).as("no SUBACK before Kafka has the subscription").isNull();
        assertThat(store.last().subscriptions()).extracting(SessionState.StoredSubscription::filter)
                .containsExactly("cmd/#");
        store.heldSaves.forEach(save -> save.complete(null));
        a.runTasks();
        assertThat(a.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
        store.holdSaves = false;

        poll(a, 12, message("cmd/x", "one", 1, 10), message("other", "skip", 1, 11));
        MqttPublishMessage one = publish(a.next());
        a.channel.close();

        SessionState release = store.last();
        assertThat(release.endedAtMs()).isNotNull();
        assertThat(release.expirySeconds()).isEqualTo(SessionState.NEVER);
        assertThat(release.positions()).containsEntry(P0, 12L);
        assertThat(release.inflight()).singleElement().satisfies(inflight -> {
            assertThat(inflight.offset()).isEqualTo(10);
            assertThat(inflight.packetId()).isEqualTo(packetId(one));
            assertThat(inflight.released()).isFalse();
        });
        assertThat(store.removed).isEmpty();
        a.assertNothingLeaked();
    }

    @Test
    void nothingIsWrittenAfterTheReleaseWhenASaveWasInFlightAsTheConnectionEnded() {
        TestConnection a = node();
        a.router.start(Map.of(P0, 10L));
        a.send(connect311(KEEP, 60, "dev"));
        a.next();
        store.holdSaves = true;
        a.send(subscribe311(1, "cmd/#", 1)); // a save in flight ...
        a.send(subscribe311(2, "more/#", 1)); // ... and one waiting for it
        a.channel.close();
        store.holdSaves = false;
        store.heldSaves.forEach(save -> save.complete(null));
        a.runTasks();
        assertThat(store.last().endedAtMs()).as("the release is the last state written, no checkpoint after it")
                .isNotNull();
        a.assertNothingLeaked();
    }

    @Test
    void aResumedSessionGetsItsInflightMessagesAgainWithDupThenWhatItMissedThenLiveMessages() {
        TestConnection a = node();
        a.router.start(Map.of(P0, 10L));
        a.send(connect311(KEEP, 60, "dev"), subscribe311(1, "cmd/#", 1));
        a.next();
        a.next();
        poll(a, 11, message("cmd/1", "inflight", 1, 10));
        int inflightId = packetId(a.next());
        a.channel.close();

        TestConnection b = node(); // another node, whose feed has read further
        b.router.start(Map.of(P0, 14L));
        b.send(connect311(KEEP, 60, "dev"));
        assertThat(sessionPresent(b.next())).as("Session Present (MQTT-3.2.2-2)").isTrue();
        assertThat(b.subscriptions.size()).as("subscriptions restored").isEqualTo(1);

        TestReplay.Request request = b.replay.requests.get(0);
        assertThat(request.ranges()).containsExactlyInAnyOrder(new OffsetRange(P0, 10, 11), new OffsetRange(P0, 11, 14));
        // live messages while catching up are not taken: the next round replays them
        poll(b, 15, message("cmd/4", "live-during-catch-up", 1, 14));
        assertThat(b.next()).isNull();
        request.listener().onMessages(List.of(message("cmd/1", "inflight", 1, 10),
                message("cmd/2", "missed", 1, 11), message("nope", "not subscribed", 1, 12)));
        request.result().complete(new MessageReplay.Result(3, 0, 0));
        b.runTasks();
        MqttPublishMessage again = publish(b.next());
        assertThat(again.fixedHeader().isDup()).as("MQTT-3.3.1-1").isTrue();
        assertThat(again.variableHeader().packetId()).as("MQTT-4.4.0-1").isEqualTo(inflightId);
        MqttPublishMessage missed = publish(b.next());
        assertThat(payload(missed)).isEqualTo("missed");
        assertThat(missed.fixedHeader().isDup()).isFalse();
        assertThat(b.next()).isNull();

        TestReplay.Request second = b.replay.requests.get(1);
        assertThat(second.ranges()).containsExactly(new OffsetRange(P0, 14, 15));
        second.listener().onMessages(List.of(message("cmd/4", "live-during-catch-up", 1, 14)));
        second.result().complete(new MessageReplay.Result(1, 0, 0));
        b.runTasks();
        assertThat(payload(publish(b.next()))).isEqualTo("live-during-catch-up");

        poll(b, 16, message("cmd/5", "live", 1, 15));
        assertThat(payload(publish(b.next()))).isEqualTo("live");
        assertThat(b.replay.requests).hasSize(2);
        b.send(pubAck(inflightId));
        b.channel.close();
        assertThat(store.last().positions()).containsEntry(P0, 16L);
        assertThat(store.last().inflight()).extracting(SessionState.StoredInflight::offset)
                .containsExactlyInAnyOrder(11L, 14L, 15L);
        b.assertNothingLeaked();
    }

    @Test
    void aSessionServedFurtherOnAnotherNodeIsNotServedThatPartAgain() {
        TestConnection a = node();
        a.router.start(Map.of(P0, 20L));
        a.send(connect311(KEEP, 60, "dev"), subscribe311(1, "cmd/#", 0));
        a.next();
        a.next();
        a.channel.close();

        TestConnection b = node(); // its feed is behind the node the session was on
        b.router.start(Map.of(P0, 18L));
        b.send(connect311(KEEP, 60, "dev"));
        b.next();
        assertThat(b.replay.requests).isEmpty();
        poll(b, 21, message("cmd/a", "served on a", 0, 19), message("cmd/b", "new", 0, 20));
        assertThat(payload(publish(b.next()))).isEqualTo("new");
        assertThat(b.next()).isNull();
    }

    @Test
    void aQos2MessageIsRecordedBeforePubRecAndRecognisedAfterAReconnectOnAnotherNode() {
        TestConnection a = node();
        a.send(connect311(KEEP, 60, "dev"));
        a.next();
        store.holdSaves = true;
        a.send(publish311(2, false, 7, "t", "once"));
        publisher.acknowledgeAll();
        a.runTasks();
        assertThat(a.next()).as("PUBREC only once the packet id is in Kafka").isNull();
        assertThat(store.last().awaitingRelease()).containsExactly(7);
        store.heldSaves.forEach(save -> save.complete(null));
        a.runTasks();
        assertThat(a.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
        store.holdSaves = false;
        a.channel.close(); // PUBREC lost with the connection

        TestConnection b = node();
        b.send(connect311(KEEP, 60, "dev"));
        assertThat(sessionPresent(b.next())).isTrue();
        b.send(publish311(2, true, 7, "t", "once"));
        assertThat(b.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
        assertThat(publisher.published).as("exactly once into Kafka").hasSize(1);
        b.send(pubRel(7));
        assertThat(b.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBCOMP);
        assertThat(store.last().awaitingRelease()).as("forgotten before PUBCOMP").isEmpty();
        b.assertNothingLeaked();
    }

    @Test
    void anOutboundQos2MessageIsMarkedReleasedBeforePubRelAndOnlyPubRelIsResent() {
        TestConnection a = node();
        a.router.start(Map.of(P0, 0L));
        a.send(connect311(KEEP, 60, "dev"), subscribe311(1, "t", 2));
        a.next();
        a.next();
        poll(a, 1, message("t", "q2", 2, 0));
        int id = packetId(a.next());
        store.holdSaves = true;
        a.send(pubRec(id));
        assertThat(a.next()).as("PUBREL waits for Kafka").isNull();
        assertThat(store.last().inflight()).singleElement().satisfies(i -> assertThat(i.released()).isTrue());
        store.heldSaves.forEach(save -> save.complete(null));
        a.runTasks();
        assertThat(a.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
        store.holdSaves = false;
        a.channel.close();

        TestConnection b = node();
        b.router.start(Map.of(P0, 1L));
        b.send(connect311(KEEP, 60, "dev"));
        b.next();
        MqttMessage pubRel = b.next();
        assertThat(pubRel.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
        assertThat(packetId(pubRel)).isEqualTo(id);
        assertThat(b.replay.requests).as("the message itself is not sent again").isEmpty();
        b.send(pubComp(id));
        b.channel.close();
        assertThat(store.last().inflight()).isEmpty();
    }

    @Test
    void cleanStartDiscardsTheSessionAndACleanSessionIsRemovedAtTheEnd() {
        TestConnection a = node();
        a.send(connect311(KEEP, 60, "dev"), subscribe311(1, "t", 1));
        a.next();
        a.next();
        a.channel.close();

        TestConnection b = node();
        b.send(connect311("dev")); // Clean Session 1
        assertThat(sessionPresent(b.next())).isFalse();
        assertThat(b.subscriptions.size()).isZero();
        int saves = store.saved.size();
        b.channel.close();
        assertThat(store.saved).as("a clean session is never written").hasSize(saves);
        assertThat(store.removed).containsExactly("dev");
    }

    @Test
    void unsubAckWaitsForKafkaToo() {
        TestConnection a = node();
        a.send(connect311(KEEP, 60, "dev"), subscribe311(1, "t", 1));
        a.next();
        a.next();
        store.holdSaves = true;
        a.send(unsubscribe311(2, "t"));
        assertThat(a.next()).isNull();
        assertThat(store.last().subscriptions()).isEmpty();
        store.heldSaves.forEach(save -> save.complete(null));
        a.runTasks();
        assertThat(a.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.UNSUBACK);
    }

    @Test
    void aDelayedWillStaysWithTheSessionAndIsPublishedByTheTimerWhenItsDelayHasPassed() {
        TestConnection a = node();
        // MQTT 5: Session Expiry 60 s, will with a delay of 30 s
        a.send(connect5(WILL, 60, properties(intProperty4(0x11, 60)), "dev",
                properties(intProperty4(0x18, 30)), string("status/dev"), Packets.binary("gone".getBytes())));
        a.next();
        a.channel.close(); // network failure
        assertThat(publisher.published).as("not at once: it has a delay").isEmpty();
        SessionState release = store.last();
        assertThat(release.will()).isNotNull();
        assertThat(release.will().delaySeconds()).isEqualTo(30);

        AtomicLong now = new AtomicLong(release.endedAtMs() + 29_000);
        SessionTimers timers = new SessionTimers(store, publisher, now::get);
        timers.run();
        assertThat(publisher.published).isEmpty();
        now.set(release.endedAtMs() + 30_000);
        timers.run();
        assertThat(publisher.messages()).singleElement().satisfies(will -> {
            assertThat(will.topic()).isEqualTo("status/dev");
            assertThat(new String(will.payload(), StandardCharsets.UTF_8)).isEqualTo("gone");
        });
        timers.run();
        assertThat(publisher.published).as("once").hasSize(1);
        publisher.acknowledgeAll();
        assertThat(store.last().will()).as("the session keeps no will once it was published").isNull();
        assertThat(timers.willsPublished.sum()).isEqualTo(1);

        now.set(release.endedAtMs() + 60_000);
        timers.run();
        assertThat(store.removed).as("expired: tombstoned").containsExactly("dev");
        assertThat(timers.sessionsExpired.sum()).isEqualTo(1);
    }

    @Test
    void reconnectingWithinTheWillDelayCancelsTheWill() {
        TestConnection a = node();
        a.send(connect5(WILL, 60, properties(intProperty4(0x11, 60)), "dev",
                properties(intProperty4(0x18, 30)), string("status/dev"), Packets.binary("gone".getBytes())));
        a.next();
        a.channel.close();

        TestConnection b = node();
        b.send(connect5(0, 60, properties(intProperty4(0x11, 60)), "dev"));
        assertThat(sessionPresent(b.next())).isTrue();
        assertThat(store.last().will()).as("MQTT-3.1.3-9").isNull();
        AtomicLong now = new AtomicLong(System.currentTimeMillis() + 31_000);
        new SessionTimers(store, publisher, now::get).run();
        assertThat(publisher.published).isEmpty();
    }

    @Test
    void disconnectWithSessionExpiryZeroEndsThePersistentSession() {
        TestConnection a = node();
        a.send(connect5(0, 60, properties(intProperty4(0x11, 60)), "dev"));
        a.next();
        int saves = store.saved.size();
        a.send(Packets.packet(0xE0, Packets.bytes(0x00), properties(intProperty4(0x11, 0))));
        assertThat(a.isOpen()).isFalse();
        assertThat(store.saved).hasSize(saves);
        assertThat(store.removed).containsExactly("dev");
    }

    @Test
    void anExpiredSessionIsNotResumed() {
        TestConnection a = node();
        a.send(connect5(0, 60, properties(intProperty4(0x11, 1)), "dev"), subscribe311(1, "t", 1));
        a.next();
        a.channel.close();
        SessionState release = store.last();
        store.stored.put("dev", release.withEndedAt(release.endedAtMs() - 2_000));

        TestConnection b = node();
        b.send(connect5(0, 60, properties(intProperty4(0x11, 1)), "dev"));
        assertThat(sessionPresent(b.next())).isFalse();
        assertThat(b.subscriptions.size()).isZero();
    }

    @Test
    void aTakeoverOnTheSameNodeWritesTheOldConnectionsStateBeforeTheNewOneResumes() {
        TestConnection a = node();
        a.send(connect311(KEEP, 60, "dev"), subscribe311(1, "t", 1));
        a.next();
        a.next();
        TestConnection b = new TestConnection(ProtocolSettings.defaults(), Authenticator.allowAll(), publisher,
                a.registry, a.subscriptions, a.shared, a.sharedFeeds, store, a.router);
        b.send(connect311(KEEP, 60, "dev"));
        a.runTasks();
        assertThat(a.isOpen()).isFalse();
        b.runTasks();
        assertThat(sessionPresent(b.next())).isTrue();
        assertThat(b.subscriptions.size()).isEqualTo(1);
        assertThat(Set.copyOf(store.last().subscriptions().stream().map(s -> s.filter()).toList()))
                .containsExactly("t");
    }
}
