package org.apache.commons.codec.digest;

public class DigestUtils {
    public DigestUtils() { }
    public static byte[] md5(byte[] data) { return data; }
    public static byte[] md5(String data) { return new byte[0]; }
    public static String md5Hex(byte[] data) { return ""; }
    public static String md5Hex(String data) { return ""; }
    public static byte[] sha1(String data) { return new byte[0]; }
    public static String sha1Hex(byte[] data) { return ""; }
    public static String sha1Hex(String data) { return ""; }
    public static String sha256Hex(byte[] data) { return ""; }
    public static String sha256Hex(String data) { return ""; }
}
