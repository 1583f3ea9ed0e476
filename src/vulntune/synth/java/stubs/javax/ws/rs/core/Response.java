package javax.ws.rs.core;

import java.net.URI;

public abstract class Response implements AutoCloseable {
    protected Response() { }
    public abstract int getStatus();
    public abstract Object getEntity();
    public abstract void close();

    public static ResponseBuilder status(Status status) { return null; }
    public static ResponseBuilder status(int status) { return null; }
    public static ResponseBuilder ok() { return null; }
    public static ResponseBuilder ok(Object entity) { return null; }
    public static ResponseBuilder ok(Object entity, MediaType type) { return null; }
    public static ResponseBuilder ok(Object entity, String type) { return null; }
    public static ResponseBuilder serverError() { return null; }
    public static ResponseBuilder created(URI location) { return null; }
    public static ResponseBuilder noContent() { return null; }
    public static ResponseBuilder seeOther(URI location) { return null; }
    public static ResponseBuilder temporaryRedirect(URI location) { return null; }

    public abstract static class ResponseBuilder {
        protected ResponseBuilder() { }
        public abstract Response build();
        public abstract ResponseBuilder status(int status);
        public abstract ResponseBuilder entity(Object entity);
        public abstract ResponseBuilder type(MediaType type);
        public abstract ResponseBuilder type(String type);
        public abstract ResponseBuilder header(String name, Object value);
        public abstract ResponseBuilder cookie(NewCookie... cookies);
        public abstract ResponseBuilder location(URI location);
    }

    public enum Status {
        OK(200), CREATED(201), NO_CONTENT(204), SEE_OTHER(303), TEMPORARY_REDIRECT(307), BAD_REQUEST(400),
        FORBIDDEN(403), NOT_FOUND(404);

        private final int code;

        Status(int code) { this.code = code; }
        public int getStatusCode() { return code; }
    }
}
