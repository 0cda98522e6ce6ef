package io.tributary.streams.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.AnalyticsCodecs;
import io.tributary.schemas.AvroSerde;
import io.tributary.schemas.analytics.ClientEvent;
import io.tributary.schemas.analytics.ClientEventKind;
import io.tributary.schemas.analytics.Presence;
import io.tributary.streams.TestDrivers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PresenceTopologyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
    private static final PresenceSettings SETTINGS = PresenceSettings.defaults().withForgetAfter(Duration.ofHours(1));

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, ClientEvent> events;
    private TestOutputTopic<String, Presence> presence;
    /** Each event a millisecond after the one before. */
    private long clock;

    @BeforeEach
    void start() {
        driver = TestDrivers.driver(PresenceTopology.build(SETTINGS), stateDir, T0);
        events = driver.createInputTopic("mqtt.events", new StringSerializer(),
                new AvroSerde<>(AnalyticsCodecs.CLIENT_EVENT).serializer());
        presence = driver.createOutputTopic("mqtt.presence", new StringDeserializer(),
                new AvroSerde<>(AnalyticsCodecs.PRESENCE).deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void connectPutsTheClientOnline() {
        ClientEvent connected = ClientEvent.newBuilder().setClientId("dev-1").setNodeId("node-a")
                .setKind(ClientEventKind.CONNECTED).setAt(T0.plusSeconds(1)).setSessionEpoch(7)
                .setUsername("alice").setProtocolVersion(5).setRemoteAddress("10.0.0.9:50123").build();
        events.pipeInput("dev-1", connected, T0.plusSeconds(1));

        List<KeyValue<String, Presence>> out = presence.readKeyValuesToList();
        assertThat(out).containsExactly(KeyValue.pair("dev-1", new Presence("dev-1", "node-a", T0.plusSeconds(1),
                7L, "alice", 5, "10.0.0.9:50123")));
    }

    @Test
    void disconnectOfTheCurrentConnectionWritesATombstone() {
        send(connected("dev-1", "node-a", 7));
        send(disconnected("dev-1", "node-a", 7));

        List<KeyValue<String, Presence>> out = presence.readKeyValuesToList();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).value.getNodeId()).isEqualTo("node-a");
        assertThat(out.get(1)).isEqualTo(KeyValue.pair("dev-1", null));
    }

    @Test
    void takeoverAcrossNodesKeepsTheClientOnlineWhenTheOldDisconnectComesLate() {
        send(connected("dev-1", "node-a", 7));
        send(connected("dev-1", "node-b", 9)); // the client reconnected to node-b, which took over
        send(disconnected("dev-1", "node-a", 7)); // node-a reports the end of the old connection afterwards

        List<KeyValue<String, Presence>> out = presence.readKeyValuesToList();
        assertThat(out).extracting(kv -> kv.value == null ? null : kv.value.getNodeId())
                .containsExactly("node-a", "node-b");
        assertThat(out.get(1).value.getSessionEpoch()).isEqualTo(9);

        send(disconnected("dev-1", "node-b", 9));
        assertThat(presence.readKeyValuesToList()).containsExactly(KeyValue.pair("dev-1", null));
    }

    @Test
    void anOlderConnectionsConnectedAfterANewerOneIsIgnored() {
        send(connected("dev-1", "node-b", 9));
        send(connected("dev-1", "node-a", 7)); // node-a was slow to write it

        assertThat(presence.readKeyValuesToList()).extracting(kv -> kv.value.getNodeId())
                .containsExactly("node-b");
    }

    @Test
    void lateEventsOfOlderConnectionsAfterTheClientWentOfflineAreIgnored() {
        send(connected("dev-1", "node-b", 9));
        send(disconnected("dev-1", "node-b", 9));
        send(connected("dev-1", "node-a", 7));
        send(disconnected("dev-1", "node-a", 7));

        List<KeyValue<String, Presence>> out = presence.readKeyValuesToList();
        assertThat(out).hasSize(2);
        assertThat(out.get(1).value).isNull();
    }

    @Test
    void repeatedEventsAndAConnectedAfterItsOwnDisconnectChangeNothing() {
        send(connected("dev-1", "node-a", 7));
        send(connected("dev-1", "node-a", 7));
        send(disconnected("dev-1", "node-a", 7));
        send(disconnected("dev-1", "node-a", 7));
        send(connected("dev-1", "node-a", 7));

        assertThat(presence.readKeyValuesToList()).extracting(kv -> kv.value == null ? "offline" : "online")
                .containsExactly("online", "offline");
    }

    @Test
    void aNewerConnectionComesOnlineAfterADisconnect() {
        send(connected("dev-1", "node-a", 7));
        send(disconnected("dev-1", "node-a", 7));
        send(connected("dev-1", "node-a", 8));

        assertThat(presence.readKeyValuesToList()).extracting(kv -> kv.value == null ? -1L : kv.value.getSessionEpoch())
                .containsExactly(7L, -1L, 8L);
    }

    @Test
    void disconnectOfANewerConnectionNeverSeenConnectingTakesTheClientOffline() {
        send(connected("dev-1", "node-a", 7));
        send(disconnected("dev-1", "node-b", 9)); // its CONNECTED was lost or is still on its way
        send(connected("dev-1", "node-b", 9));    // and when it comes, it is stale

        List<KeyValue<String, Presence>> out = presence.readKeyValuesToList();
        assertThat(out).hasSize(2);
        assertThat(out.get(1)).isEqualTo(KeyValue.pair("dev-1", null));
    }

    @Test
    void clientsAreTrackedIndependently() {
        send(connected("dev-1", "node-a", 7));
        send(connected("dev-2", "node-b", 3));
        send(disconnected("dev-1", "node-a", 7));

        assertThat(presence.readKeyValuesToList()).extracting(kv -> kv.key + "=" + (kv.value != null))
                .containsExactly("dev-1=true", "dev-2=true", "dev-1=false");
    }

    @Test
    void theValueNamesTheClientAndTombstonesAreSkipped() {
        events.pipeInput((String) null, connected("dev-1", "node-a", 7), T0);
        events.pipeInput("dev-1", null, T0);

        assertThat(presence.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("dev-1");
    }

    @Test
    void offlineClientsAreForgottenAfterForgetAfterButOnlineOnesAreKept() {
        send(connected("gone", "node-a", 7));
        send(disconnected("gone", "node-a", 7));
        send(connected("online", "node-a", 5));
        KeyValueStore<String, ClientEvent> store = driver.getKeyValueStore(PresenceTopology.LAST_EVENTS);
        assertThat(store.get("gone")).isNotNull();

        driver.advanceWallClockTime(Duration.ofMinutes(30));
        assertThat(store.get("gone")).as("kept within forget-offline-after").isNotNull();
        driver.advanceWallClockTime(Duration.ofMinutes(31));
        assertThat(store.get("gone")).isNull();
        assertThat(store.get("online")).isNotNull();

        // the trade-off: a late event of an older connection of a forgotten client counts again
        presence.readKeyValuesToList();
        send(disconnected("online", "node-a", 4));
        send(connected("gone", "node-a", 6));
        assertThat(presence.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("gone");
    }

    // ---------------------------------------------------------------------------------------------------------

    private void send(ClientEvent event) {
        events.pipeInput(event.getClientId(), event, event.getAt());
    }

    private ClientEvent connected(String clientId, String node, long epoch) {
        return event(clientId, node, ClientEventKind.CONNECTED, epoch);
    }

    private ClientEvent disconnected(String clientId, String node, long epoch) {
        return event(clientId, node, ClientEventKind.DISCONNECTED, epoch);
    }

    private ClientEvent event(String clientId, String node, ClientEventKind kind, long epoch) {
        return ClientEvent.newBuilder().setClientId(clientId).setNodeId(node).setKind(kind)
                .setAt(T0.plusMillis(++clock)).setSessionEpoch(epoch).setProtocolVersion(4).build();
    }
}
