package io.tributary.mqtt.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Checks user names and passwords against a file in Mosquitto's {@code mosquitto_passwd} format, so that
 * existing password files and the {@code mosquitto_passwd} tool work unchanged. Lines are
 * {@code user:$7$<iterations>$<salt>$<hash>} (PBKDF2-HMAC-SHA512, Mosquitto 2 default) or
 * {@code user:$6$<salt>$<hash>} (salted SHA-512); salt and hash in Base64.
 */
public final class PasswordFileAuthenticator implements Authenticator {

    private final Map<String, Entry> users;
    private final boolean allowAnonymous;

    private PasswordFileAuthenticator(Map<String, Entry> users, boolean allowAnonymous) {
        this.users = users;
        this.allowAnonymous = allowAnonymous;
    }

    /**
     * Reads the file. Clients without a user name get in only if {@code allowAnonymous}.
     *
     * @throws IllegalArgumentException naming the file and line when a line cannot be read
     */
    public static PasswordFileAuthenticator load(Path file, boolean allowAnonymous) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read password file " + file + ": " + e.getMessage(), e);
        }
        Map<String, Entry> users = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected user:hash");
            }
            try {
                users.put(line.substring(0, colon), Entry.parse(line.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new PasswordFileAuthenticator(Map.copyOf(users), allowAnonymous);
    }

    @Override
    public AuthResult authenticate(String clientId, String username, byte[] password) {
        if (username == null) {
            return allowAnonymous && password == null ? AuthResult.ALLOWED : AuthResult.NOT_AUTHORIZED;
        }
        Entry entry = users.get(username);
        if (entry == null || password == null) {
            return AuthResult.BAD_CREDENTIALS;
        }
        return entry.matches(password) ? AuthResult.ALLOWED : AuthResult.BAD_CREDENTIALS;
    }

    public int userCount() {
        return users.size();
    }

    private record Entry(int iterations, byte[] salt, byte[] hash) {

        /** iterations == 0 marks the $6$ (single salted SHA-512) format. */
        static Entry parse(String text) {
            String[] parts = text.split("\\$", -1);
            // "$7$101$salt$hash" splits into ["", "7", "101", "salt", "hash"]
            try {
                if (parts.length == 5 && parts[0].isEmpty() && parts[1].equals("7")) {
                    int iterations = Integer.parseInt(parts[2]);
                    if (iterations < 1) {
                        throw new IllegalArgumentException("iteration count must be >= 1");
                    }
                    return new Entry(iterations, decode(parts[3]), decode(parts[4]));
                }
                if (parts.length == 4 && parts[0].isEmpty() && parts[1].equals("6")) {
                    return new Entry(0, decode(parts[2]), decode(parts[3]));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad iteration count");
            }
            throw new IllegalArgumentException(
                    "unsupported password hash (expected $7$ or $6$ as written by mosquitto_passwd)");
        }

        private static byte[] decode(String base64) {
            try {
                return Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("salt or hash is not Base64");
            }
        }

        boolean matches(byte[] password) {
            return MessageDigest.isEqual(hash, iterations == 0 ? sha512(password) : pbkdf2(password));
        }

        private byte[] sha512(byte[] password) {
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-512");
                digest.update(password);
                digest.update(salt);
                return digest.digest();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-512 unavailable", e);
            }
        }

        private byte[] pbkdf2(byte[] password) {
            // PBEKeySpec wants chars; Mosquitto hashes the UTF-8 bytes, which is what the JDK's PBKDF2 does
            char[] chars = new String(password, StandardCharsets.UTF_8).toCharArray();
            try {
                SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512");
                return factory.generateSecret(new PBEKeySpec(chars, salt, iterations, hash.length * 8)).getEncoded();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("PBKDF2WithHmacSHA512 unavailable", e);
            } finally {
                java.util.Arrays.fill(chars, '\0');
            }
        }
    }
}
