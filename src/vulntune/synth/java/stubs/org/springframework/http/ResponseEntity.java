package org.springframework.http;

import java.net.URI;

public class ResponseEntity<T> {
    public ResponseEntity(HttpStatus status) { }
    public ResponseEntity(T body, HttpStatus status) { }
    public T getBody() { return null; }
    public HttpStatus getStatusCode() { return null; }

    public static BodyBuilder status(HttpStatus status) { return null; }
    public static BodyBuilder status(int status) { return null; }
    public static BodyBuilder ok() { return null; }
    public static <T> ResponseEntity<T> ok(T body) { return null; }
    public static BodyBuilder created(URI location) { return null; }
    public static HeadersBuilder<?> noContent() { return null; }
    public static BodyBuilder badRequest() { return null; }
    public static HeadersBuilder<?> notFound() { return null; }

    public interface HeadersBuilder<B extends HeadersBuilder<B>> {
        B header(String headerName, String... headerValues);
        B location(URI location);
        <T> ResponseEntity<T> build();
    }

    public interface BodyBuilder extends HeadersBuilder<BodyBuilder> {
        BodyBuilder contentLength(long contentLength);
        BodyBuilder contentType(MediaType contentType);
        <T> ResponseEntity<T> body(T body);
    }
}
