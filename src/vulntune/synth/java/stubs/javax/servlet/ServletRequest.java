package javax.servlet;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Enumeration;
import java.util.Map;

public interface ServletRequest {
    Object getAttribute(String name);
    void setAttribute(String name, Object o);
    String getCharacterEncoding();
    String getContentType();
    ServletInputStream getInputStream() throws IOException;
    String getParameter(String name);
    Enumeration<String> getParameterNames();
    String[] getParameterValues(String name);
    Map<String, String[]> getParameterMap();
    BufferedReader getReader() throws IOException;
    String getRemoteAddr();
    ServletContext getServletContext();
}
