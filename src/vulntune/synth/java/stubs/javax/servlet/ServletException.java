package javax.servlet;

public class ServletException extends Exception {
    public ServletException() { super(); }
    public ServletException(String message) { super(message); }
    public ServletException(String message, Throwable rootCause) { super(message, rootCause); }
    public ServletException(Throwable rootCause) { super(rootCause); }
    public Throwable getRootCause() { return getCause(); }
}
