package io.tributary.mqtt.auth;

/**
 * Decides whether a connecting client may in. Called on the event loop: implementations must not block.
 */
public interface Authenticator {

    /**
     * @param clientId  the client identifier (after assignment, if the server assigned one)
     * @param username  the user name from CONNECT, or null
     * @param password  the password from CONNECT, or null
     */
    AuthResult authenticate(String clientId, String username, byte[] password);

    /**
     * True if an ALLOWED result means the user name was verified, so it may be passed on as the
     * publisher's authenticated identity. False for {@link #allowAll()}, which takes any name on trust.
     */
    default boolean verifiesUsernames() {
        return true;
    }

    /** Lets every client in: the default when no password file is configured and anonymous access is on. */
    static Authenticator allowAll() {
        return AllowAll.INSTANCE;
    }

    /** See {@link #allowAll()}. */
    enum AllowAll implements Authenticator {
        INSTANCE;

        @Override
        public AuthResult authenticate(String clientId, String username, byte[] password) {
            return AuthResult.ALLOWED;
        }

        @Override
        public boolean verifiesUsernames() {
            return false;
        }
    }
}
