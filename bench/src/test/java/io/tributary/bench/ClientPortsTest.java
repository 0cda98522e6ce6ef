package io.tributary.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientPortsTest {

    @Test
    void clientsGoRoundRobinOverThePorts() {
        ClientPorts ports = new ClientPorts(List.of(1883), List.of(1883, 1884, 1885));

        assertThat(List.of(ports.subscriberPort(0), ports.subscriberPort(1), ports.subscriberPort(2),
                ports.subscriberPort(3), ports.subscriberPort(11))).containsExactly(1883, 1884, 1885, 1883, 1885);
        assertThat(ports.subscriberSlot(4)).isEqualTo(1);
        assertThat(ports.publisherPort(0)).isEqualTo(1883);
        assertThat(ports.publisherPort(7)).isEqualTo(1883);
        assertThat(ports.isSingle()).isFalse();
    }

    @Test
    void roundRobinSpreadsUnevenCountsFromTheFirstPort() {
        assertThat(ClientPorts.spread(12, 3)).containsExactly(4, 4, 4);
        assertThat(ClientPorts.spread(10, 3)).containsExactly(4, 3, 3);
        assertThat(ClientPorts.spread(1, 3)).containsExactly(1, 0, 0);
    }

    @Test
    void missingListsMeanTheOnePort() {
        ClientPorts ports = ClientPorts.of(1883, null, List.of());

        assertThat(ports).isEqualTo(ClientPorts.single(1883));
        assertThat(ports.isSingle()).isTrue();
        assertThat(ClientPorts.of(1883, List.of(1884), null).isSingle()).isFalse();
        assertThat(ClientPorts.of(1883, List.of(1884), List.of(1884)).isSingle()).isTrue();
        assertThat(ClientPorts.text(List.of(1883, 1884))).isEqualTo("1883,1884");
    }

    @Test
    void portsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new ClientPorts(List.of(0), List.of(1883))).hasMessageContaining("publisher port must be 1..65535: 0");
        assertThatThrownBy(() -> new ClientPorts(List.of(1883), List.of(1883, 70000)))
                .hasMessageContaining("subscriber port must be 1..65535: 70000");
    }
}
