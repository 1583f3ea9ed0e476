package javax.servlet.http;

import java.util.Enumeration;
import javax.servlet.ServletContext;

public interface HttpSession {
    long getCreationTime();
    String getId();
    ServletContext getServletContext();
    void setMaxInactiveInterval(int interval);
    Object getAttribute(String name);
    @Deprecated
    Object getValue(String name);
    Enumeration<String> getAttributeNames();
    void setAttribute(String name, Object value);
    @Deprecated
    void putValue(String name, Object value);
    void removeAttribute(String name);
    void invalidate();
    boolean isNew();
}
