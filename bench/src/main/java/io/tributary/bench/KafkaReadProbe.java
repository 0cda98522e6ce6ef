package io.tributary.bench;

import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the Kafka consumers in running JVMs (broker nodes) have read so far, per client and topic, from the
 * consumers' own fetch metrics ({@code kafka.consumer:type=consumer-fetch-manager-metrics}, attributes
 * {@code records-consumed-total} and {@code bytes-consumed-total}), read over the attach API and a local JMX
 * connector. run-routing-compare.sh takes it before and after a run, to see what each node read independently of
 * the node's own counters. Output, one line per consumer and topic:
 * {@code <pid> <client-id> <topic> <records> <bytes>}, tab-separated; a JVM it cannot attach to gives
 * {@code <pid> ! <reason>}. Needs a JDK (module jdk.attach) and the same user as the JVMs.
 */
public final class KafkaReadProbe {

    static final String FETCH_METRICS = "kafka.consumer:type=consumer-fetch-manager-metrics,client-id=*,topic=*";

    private KafkaReadProbe() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: KafkaReadProbe PID...");
            System.exit(2);
        }
        for (String pid : args) {
            probe(pid, System.out);
        }
        System.out.flush();
    }

    static void probe(String pid, PrintStream out) {
        try {
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                String address = vm.startLocalManagementAgent();
                try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
                    lines(pid, connector.getMBeanServerConnection()).forEach(out::println);
                }
            } finally {
                vm.detach();
            }
        } catch (Exception e) {
            out.println(pid + "\t!\t" + MqttClientHandler.describe(e));
        }
    }

    private static List<String> lines(String pid, MBeanServerConnection server) throws Exception {
        List<String> lines = new ArrayList<>();
        Set<ObjectName> names = new TreeSet<>(server.queryNames(new ObjectName(FETCH_METRICS), null));
        for (ObjectName name : names) {
            if (name.getKeyProperty("partition") != null) {
                continue; // per topic is enough
            }
            Object records = server.getAttribute(name, "records-consumed-total");
            Object bytes = server.getAttribute(name, "bytes-consumed-total");
            lines.add(line(pid, name.getKeyProperty("client-id"), name.getKeyProperty("topic"), records, bytes));
        }
        return lines;
    }

    /** One output line; metric values are doubles, written as whole numbers. */
    static String line(String pid, String clientId, String topic, Object records, Object bytes) {
        return String.format(Locale.ROOT, "%s\t%s\t%s\t%.0f\t%.0f", pid, clientId, topic,
                ((Number) records).doubleValue(), ((Number) bytes).doubleValue());
    }
}
