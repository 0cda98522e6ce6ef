// Connects with MQTT.js, subscribes, publishes at QoS 1 and 2 and checks what comes back through Tributary
// (and therefore through Kafka). Usage: node roundtrip.mjs <url> <protocolVersion 4|5> <topic prefix>
// Prints one JSON line with what was received; exits 0 when everything arrived as sent, 1 otherwise.
import mqtt from 'mqtt';

const [url, version, prefix] = process.argv.slice(2);
const protocolVersion = Number(version);
const client = mqtt.connect(url, { protocolVersion, clientId: `mqttjs-${version}-${Date.now()}`, clean: true });
const received = [];
const fail = (why) => { console.log(JSON.stringify({ ok: false, why, received })); process.exit(1); };
setTimeout(() => fail('timeout'), 20000);

client.on('error', (e) => fail(`error: ${e.message}`));
client.on('message', (topic, payload, packet) => {
  received.push({ topic, payload: payload.toString(), qos: packet.qos,
    userProperties: packet.properties ? packet.properties.userProperties : undefined,
    contentType: packet.properties ? packet.properties.contentType : undefined });
  if (received.length === 2) {
    client.end(false, {}, () => {
      console.log(JSON.stringify({ ok: true, received }));
      process.exit(0);
    });
  }
});
client.on('connect', () => {
  client.subscribe(`${prefix}/#`, { qos: 2 }, (err, granted) => {
    if (err || granted[0].qos !== 2) return fail(`subscribe: ${err ? err.message : JSON.stringify(granted)}`);
    const properties = protocolVersion === 5
      ? { userProperties: { origin: 'mqtt.js' }, contentType: 'text/plain' } : undefined;
    client.publish(`${prefix}/one`, 'first', { qos: 1, properties }, (e) => e && fail(`publish 1: ${e.message}`));
    client.publish(`${prefix}/two`, 'second', { qos: 2, properties }, (e) => e && fail(`publish 2: ${e.message}`));
  });
});
