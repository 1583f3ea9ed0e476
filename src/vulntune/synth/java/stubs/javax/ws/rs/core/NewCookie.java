package javax.ws.rs.core;

public class NewCookie extends Cookie {
    public static final int DEFAULT_MAX_AGE = -1;
    public NewCookie(String name, String value) { super(name, value); }
    public NewCookie(String name, String value, String path, String domain, String comment, int maxAge, boolean secure) {
        super(name, value, path, domain);
    }
    public NewCookie(String name, String value, String path, String domain, String comment, int maxAge, boolean secure,
            boolean httpOnly) {
        super(name, value, path, domain);
    }
    public boolean isSecure() { return false; }
    public boolean isHttpOnly() { return false; }
}
