package com.example.billing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;

/**
 * Password digests, reset codes and API keys for the billing portal.
 */
public final class TokenUtil {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RESET_CODE_LENGTH = 8;
    private static final String RESET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private TokenUtil() {
    }

    /**
     * Digests a customer password for storage in the customers table.
     */
    public static String hashPassword(String password, String salt) {
        try {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            digest.update(salt.getBytes(StandardCharsets.UTF_8));
            byte[] hash = digest.digest(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Creates the one-time code e-mailed to a customer who asked to reset their password.
     */
    public static String newResetCode() {
        Random random = new Random();
        StringBuilder code = new StringBuilder(RESET_CODE_LENGTH);
        for (int i = 0; i < RESET_CODE_LENGTH; i++) {
            code.append(RESET_ALPHABET.charAt(random.nextInt(RESET_ALPHABET.length())));
        }
        return code.toString();
    }

    /**
     * Creates a new API key for a customer integration.
     */
    public static String newApiKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return "bk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }
}
