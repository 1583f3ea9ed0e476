package javax.ws.rs.core;

public class Cookie {
    public static final int DEFAULT_VERSION = 1;
    public Cookie(String name, String value) { }
    public Cookie(String name, String value, String path, String domain) { }
    public String getName() { return null; }
    public String getValue() { return null; }
}
