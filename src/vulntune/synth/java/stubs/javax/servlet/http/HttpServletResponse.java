package javax.servlet.http;

import java.io.IOException;
import javax.servlet.ServletResponse;

public interface HttpServletResponse extends ServletResponse {
    int SC_OK = 200;
    int SC_NO_CONTENT = 204;
    int SC_MOVED_PERMANENTLY = 301;
    int SC_FOUND = 302;
    int SC_SEE_OTHER = 303;
    int SC_BAD_REQUEST = 400;
    int SC_FORBIDDEN = 403;
    int SC_NOT_FOUND = 404;
    void addCookie(Cookie cookie);
    boolean containsHeader(String name);
    String encodeURL(String url);
    String encodeRedirectURL(String url);
    void sendError(int sc, String msg) throws IOException;
    void sendError(int sc) throws IOException;
    void sendRedirect(String location) throws IOException;
    void setHeader(String name, String value);
    void addHeader(String name, String value);
    void setStatus(int sc);
    int getStatus();
}
