package io.tributary.mqtt.protocol;

import io.tributary.bridge.session.SessionState;
import io.tributary.bridge.session.SessionStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The sessions topic as a test drives it: claims confirmed at once with increasing epochs (or held until the test
 * confirms or fails them), saves kept in order and confirmed at once (or held), resume hands back the newest
 * saved state unless the claim was a clean start.
 */
final class TestSessionStore implements SessionStore {

    record Saved(long epoch, SessionState state) {
    }

    private long nextEpoch;
    boolean holdClaims;
    CompletableFuture<Long> held;
    boolean holdSaves;
    final List<CompletableFuture<Void>> heldSaves = new ArrayList<>();
    final List<Saved> saved = new ArrayList<>();
    final List<String> removed = new ArrayList<>();
    final Map<String, SessionState> stored = new HashMap<>();
    boolean responsible = true;

    @Override
    public void start(ClaimListener listener) {
    }

    @Override
    public CompletionStage<Long> claim(String clientId, boolean cleanStart) {
        if (cleanStart) {
            stored.remove(clientId);
        }
        if (holdClaims) {
            held = new CompletableFuture<>();
            return held;
        }
        return CompletableFuture.completedFuture(nextEpoch++);
    }

    @Override
    public CompletionStage<SessionState> resume(String clientId, long epoch) {
        return CompletableFuture.completedFuture(stored.get(clientId));
    }

    @Override
    public CompletionStage<Void> save(long epoch, SessionState state) {
        saved.add(new Saved(epoch, state));
        stored.put(state.clientId(), state);
        if (holdSaves) {
            CompletableFuture<Void> save = new CompletableFuture<>();
            heldSaves.add(save);
            return save;
        }
        return CompletableFuture.completedFuture(null);
    }

    /** The newest state saved. */
    SessionState last() {
        return saved.get(saved.size() - 1).state();
    }

    @Override
    public void remove(String clientId) {
        removed.add(clientId);
        stored.remove(clientId);
    }

    @Override
    public Collection<OfflineSession> offlineSessions() {
        List<OfflineSession> offline = new ArrayList<>();
        for (Saved s : saved) {
            SessionState state = stored.get(s.state().clientId());
            if (state == s.state() && state.endedAtMs() != null) {
                offline.add(new OfflineSession(s.epoch(), state));
            }
        }
        return offline;
    }

    @Override
    public boolean responsibleFor(String clientId) {
        return responsible;
    }

    @Override
    public void close() {
    }
}
