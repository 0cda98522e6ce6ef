package io.tributary.mqtt.protocol;

import io.tributary.bridge.delivery.DeliveryListener;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.delivery.SharedFeed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Share feeds in memory: the test hands messages to a share and sees which ones the members finished. */
final class TestSharedFeeds implements SharedFeed.Factory {

    static final class Feed implements SharedFeed {
        DeliveryListener listener;
        final List<OutboundMessage> done = new ArrayList<>();
        boolean closed;

        @Override
        public CompletionStage<Void> start(DeliveryListener listener) {
            this.listener = listener;
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void done(OutboundMessage message) {
            done.add(message);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final Map<String, Feed> feeds = new HashMap<>();

    @Override
    public SharedFeed open(String shareName, String filter) {
        Feed feed = new Feed();
        feeds.put("$share/" + shareName + "/" + filter, feed);
        return feed;
    }
}
