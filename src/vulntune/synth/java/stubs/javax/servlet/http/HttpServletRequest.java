package javax.servlet.http;

import java.util.Enumeration;
import javax.servlet.ServletRequest;

public interface HttpServletRequest extends ServletRequest {
    String getAuthType();
    Cookie[] getCookies();
    String getHeader(String name);
    Enumeration<String> getHeaders(String name);
    Enumeration<String> getHeaderNames();
    String getMethod();
    String getPathInfo();
    String getContextPath();
    String getQueryString();
    String getRemoteUser();
    String getRequestURI();
    StringBuffer getRequestURL();
    String getServletPath();
    HttpSession getSession(boolean create);
    HttpSession getSession();
}
