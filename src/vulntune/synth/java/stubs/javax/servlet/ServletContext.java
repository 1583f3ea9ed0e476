package javax.servlet;

import java.io.InputStream;
import java.util.Enumeration;

public interface ServletContext {
    Object getAttribute(String name);
    Enumeration<String> getAttributeNames();
    void setAttribute(String name, Object object);
    void removeAttribute(String name);
    String getRealPath(String path);
    InputStream getResourceAsStream(String path);
    String getInitParameter(String name);
    void log(String msg);
}
