package javax.servlet.http;

import java.io.Serializable;

public class Cookie implements Cloneable, Serializable {
    private final String name;
    private String value;

    public Cookie(String name, String value) { this.name = name; this.value = value; }
    public void setComment(String purpose) { }
    public void setDomain(String domain) { }
    public void setMaxAge(int expiry) { }
    public int getMaxAge() { return -1; }
    public void setPath(String uri) { }
    public String getPath() { return null; }
    public void setSecure(boolean flag) { }
    public boolean getSecure() { return false; }
    public String getName() { return name; }
    public void setValue(String newValue) { value = newValue; }
    public String getValue() { return value; }
    public void setHttpOnly(boolean isHttpOnly) { }
    public boolean isHttpOnly() { return false; }
}
