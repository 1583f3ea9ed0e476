package javax.servlet;

import java.io.IOException;
import java.io.PrintWriter;

public interface ServletResponse {
    String getCharacterEncoding();
    ServletOutputStream getOutputStream() throws IOException;
    PrintWriter getWriter() throws IOException;
    void setCharacterEncoding(String charset);
    void setContentType(String type);
    void setContentLength(int len);
}
