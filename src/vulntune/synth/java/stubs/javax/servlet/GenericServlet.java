package javax.servlet;

import java.io.IOException;
import java.io.Serializable;

public abstract class GenericServlet implements Servlet, ServletConfig, Serializable {
    public GenericServlet() { }
    public void destroy() { }
    public String getInitParameter(String name) { return null; }
    public ServletConfig getServletConfig() { return null; }
    public ServletContext getServletContext() { return null; }
    public String getServletInfo() { return ""; }
    public void init(ServletConfig config) throws ServletException { }
    public void init() throws ServletException { }
    public void log(String msg) { }
    public abstract void service(ServletRequest req, ServletResponse res) throws ServletException, IOException;
    public String getServletName() { return ""; }
}
