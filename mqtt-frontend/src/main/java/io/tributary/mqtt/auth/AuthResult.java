package io.tributary.mqtt.auth;

/** The outcome of authentication, mapped by the protocol layer to the CONNACK code of the client's version. */
public enum AuthResult {
    ALLOWED,
    /** Unknown user or wrong password (3.x 0x04, 5.0 0x86). */
    BAD_CREDENTIALS,
    /** No credentials where they are required (3.x 0x05, 5.0 0x87). */
    NOT_AUTHORIZED
}
